"""One JSON error shape for every 4xx/5xx: {"error": code, "message": ..., "request_id": ...}.

Nothing from an exception's traceback ever reaches a response.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    503: "unavailable",
}


class ErrorBody(BaseModel):
    error: str
    message: str
    request_id: str | None = None
    details: list[dict] | None = None


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        details: list[dict] | None = None,
        headers: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.details = details
        self.headers = headers


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: list[dict] | None = None,
    headers: dict | None = None,
) -> JSONResponse:
    body = ErrorBody(
        error=code,
        message=message,
        request_id=getattr(request.state, "request_id", None),
        details=details,
    )
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def _validation_details(error: RequestValidationError) -> tuple[str, str, list[dict]]:
    details = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ()))
        # Only location and message: the offending input may be a secret or huge.
        details.append({"field": where, "message": str(item.get("msg", "invalid"))})
    if any(item.get("type") == "json_invalid" for item in error.errors()):
        return "malformed_json", "the request body is not valid JSON", details
    first = details[0] if details else {"field": "request", "message": "invalid"}
    return "invalid_request", f"{first['field']}: {first['message']}", details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError) -> JSONResponse:
        return error_response(
            request, error.status, error.code, error.message, error.details, error.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        code, message, details = _validation_details(error)
        return error_response(
            request, 400 if code == "malformed_json" else 422, code, message, details
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        message = error.detail if isinstance(error.detail, str) else _CODES.get(error.status_code)
        return error_response(
            request,
            error.status_code,
            _CODES.get(error.status_code, "error"),
            str(message),
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        # Logged with its traceback for operators; the client only gets the request id.
        log.exception("unhandled error in %s %s", request.method, request.url.path)
        return error_response(
            request, 500, "internal_error", "internal error; quote the request id to an operator"
        )
