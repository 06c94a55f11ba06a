"""/healthz (the process answers) and /readyz (the database answers, schema current)."""

from __future__ import annotations

from fastapi import APIRouter

from report_pipeline.api.deps import Context
from report_pipeline.api.errors import ApiError, ErrorBody
from report_pipeline.api.schemas import Health
from report_pipeline.appdb.store import database_revision, schema_head

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": ErrorBody}})
def readyz(context: Context) -> Health:
    try:
        revision = database_revision(context.store.engine)
    except Exception:
        raise ApiError(503, "the app database is unreachable", code="not_ready") from None
    if revision != schema_head():
        raise ApiError(
            503,
            f"the app database schema is at {revision}, expected {schema_head()};"
            " run `report-pipeline db upgrade`",
            code="not_ready",
        )
    return Health(status="ready")
