"""GET /metrics: Prometheus text format, behind its own bearer token.

Not in the role table: a scraper is not a user. Deny by default: without
REPORT_PIPELINE_METRICS_TOKEN every request is refused (unauthenticated
scraping is only offered on a separate port, REPORT_PIPELINE_METRICS_PORT).
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from report_pipeline.api.deps import Context
from report_pipeline.api.errors import ApiError, ErrorBody

router = APIRouter(tags=["monitoring"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}},
        401: {"model": ErrorBody},
        403: {"model": ErrorBody},
    },
)
def metrics(request: Request, context: Context) -> Response:
    """Request counts and latency by route and status, and pipeline gauges from the app database."""
    token = context.settings.api.metrics_token
    if not token:
        raise ApiError(
            403,
            "metrics are off here: set REPORT_PIPELINE_METRICS_TOKEN (bearer)"
            " or scrape REPORT_PIPELINE_METRICS_PORT",
        )
    scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        raise ApiError(
            401, "a valid metrics bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
