"""Keep credentials carried in URLs out of the access log, which many people can read.

Unsubscribe links carry a signed token (valid for months, the address inside)
in the query string; uvicorn's access log prints the full path. This filter
rewrites the logged path: the query of a token-bearing route is dropped, and a
`token=` parameter anywhere is masked.
"""

from __future__ import annotations

import logging
import re

TOKEN_ROUTES = ("/unsubscribe",)
_TOKEN_PARAM = re.compile(r"(?i)((?:^|[?&])(?:token|api_key|access_token)=)[^&#\s]*")


def redact_path(path: str) -> str:
    base, mark, query = path.partition("?")
    if not mark:
        return path
    if base.rstrip("/") in TOKEN_ROUTES:
        return f"{base}?[redacted]"
    return base + mark + _TOKEN_PARAM.sub(r"\1[redacted]", query)


class RedactTokens(logging.Filter):
    """For uvicorn.access: args are (client, method, path, http_version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def install() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
        logger.addFilter(RedactTokens())
