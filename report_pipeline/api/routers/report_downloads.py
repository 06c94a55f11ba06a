"""GET /api/reports/{id}/download?token=...: a report PDF by a recipient's expiring link.

The signed token (delivery/links.py) is the credential: it names the report and
the recipient. Every download, refused ones included, is an audited read under
that recipient; an expired link answers 410 Gone.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from report_pipeline.api.deps import Audit, Context
from report_pipeline.api.errors import ApiError
from report_pipeline.api.routers.reports import ReportId, _report
from report_pipeline.delivery.links import (
    DownloadSigner,
    ExpiredDownloadToken,
    InvalidDownloadToken,
    download_secret,
)
from report_pipeline.storage.object_store import ObjectNotFound

router = APIRouter(tags=["reports"])
Token = Annotated[str, Query(min_length=1, max_length=2000, description="signed download token")]
ERRORS = {
    403: {"description": "invalid token"},
    404: {"description": "no such report"},
    410: {"description": "the link has expired"},
}


def _signer(request: Request, context: Context) -> DownloadSigner:
    """The app's signer (tests may set `app.state.download_signer`), else the home's secret."""
    signer = getattr(request.app.state, "download_signer", None)
    if signer is None:
        settings = context.settings
        signer = DownloadSigner(
            download_secret(settings.home, settings.patient_data.download_secret)
        )
        request.app.state.download_signer = signer
    return signer


@router.get(
    "/api/reports/{report_id}/download",
    responses=ERRORS,
    response_class=Response,
    summary="Download a report PDF by an emailed link",
)
def download_report(
    report_id: ReportId, token: Token, request: Request, context: Context, audit: Audit
) -> Response:
    audit.audited_read = True
    audit.target = f"report:{report_id} download"
    try:
        email = _signer(request, context).verify(token, report_id)
    except ExpiredDownloadToken:
        raise ApiError(
            410, "this download link has expired; ask for a new one", code="expired"
        ) from None
    except InvalidDownloadToken as error:
        raise ApiError(403, str(error), code="invalid_token") from None
    audit.actor, audit.role = f"link:{email}", "recipient"
    row = _report(context, report_id)
    if not row.pdf_key:
        raise ApiError(404, f"report {report_id} has no PDF", code="not_found")
    try:
        pdf = context.object_store.get(row.pdf_key)
    except ObjectNotFound:
        raise ApiError(
            404, f"report {report_id}'s PDF is gone (retention)", code="not_found"
        ) from None
    name = f"weekly-report-{row.week.isoformat()}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
