"""/api/documents: the catalog, filtered by week, customer and content type."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from report_pipeline.api.deps import ApiContext, Audit, Authorized, Context
from report_pipeline.api.documents import documents_page
from report_pipeline.api.errors import ApiError
from report_pipeline.api.pagination import Paging, decode_cursor, encode_cursor
from report_pipeline.api.routers.common import ERRORS, week_or_422
from report_pipeline.api.schemas import DocumentOut, DocumentPage, LabelIn, LabelOut
from report_pipeline.appdb.labels import get_label, label_target, set_label
from report_pipeline.classify import Taxonomy, TaxonomyError, load_taxonomy
from report_pipeline.pipeline.labels import (
    MAX_DOCUMENT_ID_CHARS,
    UnknownDocument,
    UnknownType,
    check_document,
    check_label,
)

router = APIRouter(prefix="/api/documents", tags=["documents"], responses=ERRORS)
Printable = Query(max_length=200, pattern=r"^[^\x00-\x1F\x7F]*$")
DocumentId = Annotated[
    str, Path(min_length=1, max_length=MAX_DOCUMENT_ID_CHARS, pattern=r"^[^\x00-\x1F\x7F]*$")
]


def _document_key(key: object) -> tuple[str, str] | None:
    if key is None:
        return None
    if isinstance(key, list) and len(key) == 2 and all(isinstance(k, str) for k in key):
        from datetime import datetime

        try:
            moment = datetime.fromisoformat(key[0])
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:  # naive times cannot be compared
            return key[0], key[1]
    raise ApiError(400, "invalid cursor", code="bad_cursor")


@router.get("", response_model=DocumentPage)
def list_documents(
    _: Authorized,
    context: Context,
    audit: Audit,
    paging: Paging,
    week: Annotated[str | None, Query(max_length=32, description="any date of the week")] = None,
    customer: Annotated[str | None, Printable] = None,
    content_type: Annotated[str | None, Printable] = None,
) -> DocumentPage:
    """Oldest first, by creation time."""
    # Object keys carry uploaders' file names (patient data): every listing is audited.
    audit.audited_read = True
    audit.target = f"documents week:{week or '*'} customer:{customer or '*'}"
    monday = week_or_422(week) if week else None
    filters = {"week": monday, "customer": customer, "content_type": content_type}
    after = _document_key(decode_cursor(paging.cursor, "documents", filters))
    items, next_key = documents_page(
        context.catalog,
        after=after,
        limit=paging.limit,
        week=monday,
        customer=customer,
        content_type=content_type,
    )
    return DocumentPage(
        items=[DocumentOut.model_validate(record.to_json()) for record in items],
        next_cursor=encode_cursor(list(next_key) if next_key else None, "documents", filters),
    )


def _taxonomy(context: ApiContext) -> Taxonomy:
    try:
        return load_taxonomy(context.settings.document_types)
    except TaxonomyError as error:  # the file changed under a running API
        raise ApiError(503, str(error), code="taxonomy_unusable") from None


@router.get("/{document_id}/label", response_model=LabelOut)
def read_label(_: Authorized, context: Context, audit: Audit, document_id: DocumentId) -> LabelOut:
    """The type an operator gave the document, if any (a read of patient data: audited)."""
    audit.audited_read = True
    audit.target = f"document:{document_id} label"
    try:
        check_document(context.catalog, document_id)
    except UnknownDocument as error:
        raise ApiError(404, str(error)) from None
    row = get_label(context.store, document_id)
    if row is None:
        return LabelOut(document_id=document_id, type=None, label=None)
    return LabelOut(
        document_id=document_id,
        type=row.doc_type,
        label=_taxonomy(context).label(row.doc_type),
        labeled_by=row.labeled_by,
        labeled_at=row.labeled_at,
    )


@router.put("/{document_id}/label", response_model=LabelOut)
def put_label(
    access: Authorized, context: Context, audit: Audit, document_id: DocumentId, body: LabelIn
) -> LabelOut:
    """Label a document; the change is audited (old and new type in the audit row's target)."""
    audit.target = f"document:{document_id} label:{body.type}"
    taxonomy = _taxonomy(context)
    try:
        check_label(context.catalog, taxonomy, document_id, body.type)
    except UnknownDocument as error:
        raise ApiError(404, str(error)) from None
    except UnknownType as error:
        raise ApiError(422, str(error), code="unknown_type") from None
    actor = access.principal.actor
    previous = set_label(context.store, document_id, body.type, actor)
    audit.target = label_target(document_id, previous, body.type)
    row = get_label(context.store, document_id)
    return LabelOut(
        document_id=document_id,
        type=body.type,
        label=taxonomy.label(body.type),
        labeled_by=actor,
        labeled_at=row.labeled_at if row else None,
        previous=previous,
    )
