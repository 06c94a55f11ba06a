"""Bits every router shares: documented error responses, input parsing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from report_pipeline.api.errors import ApiError, ErrorBody
from report_pipeline.delivery.addresses import InvalidEmail, normalize_email
from report_pipeline.weeks import InvalidWeek, parse_week, week_bounds


def error_responses(*statuses: int) -> dict[int, dict]:
    """OpenAPI `responses` for JSON errors with these status codes."""
    return {status: {"model": ErrorBody} for status in statuses}


ERRORS = error_responses(400, 401, 403, 404, 422, 503)


def created_or_existing(model: type, existing: str) -> dict[str, Any]:
    """Route options of an idempotent create: 201 when new, 200 (`existing`) when it was there."""
    return {
        "response_model": model,
        "status_code": 201,
        "responses": {200: {"model": model, "description": existing}},
    }


def email_or_422(raw: str, allow_special_use: Iterable[str]) -> str:
    try:
        return normalize_email(raw, allow_special_use)
    except InvalidEmail as error:
        raise ApiError(422, str(error), code="invalid_email") from None


def week_or_422(raw: str) -> date:
    try:
        monday = parse_week(raw)
        week_bounds(monday)  # the last week of year 9999 has no end to query up to
    except InvalidWeek as error:
        raise ApiError(422, str(error), code="invalid_week") from None
    except OverflowError:
        raise ApiError(422, f"invalid week {raw!r}: out of range", code="invalid_week") from None
    return monday
