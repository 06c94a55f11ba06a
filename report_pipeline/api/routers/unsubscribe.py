"""/unsubscribe: RFC 8058 one-click unsubscribe, authenticated by the signed token alone.

`POST /unsubscribe?token=...` (what mail clients send for List-Unsubscribe-Post,
body `List-Unsubscribe=One-Click`) unsubscribes the token's address. `GET`
only shows a page with a button that POSTs: mail scanners and link previews
follow GET links, and must never unsubscribe anybody.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from report_pipeline.api.deps import Audit, Context
from report_pipeline.api.errors import ApiError
from report_pipeline.delivery.settings import unsubscribe_signer
from report_pipeline.delivery.tokens import InvalidToken, UnsubscribeSigner

router = APIRouter(tags=["unsubscribe"])
PAGE_ERRORS = {
    403: {"description": "invalid or expired token", "content": {"text/html": {}}},
    404: {"description": "one-click unsubscribe is not configured", "content": {"text/html": {}}},
}
Token = Annotated[str, Query(min_length=1, max_length=2000, description="signed token")]


def signer_for(request: Request) -> UnsubscribeSigner:
    """The app's signer (tests set `app.state.unsubscribe_signer`), else the settings'."""
    signer = getattr(request.app.state, "unsubscribe_signer", None)
    if signer is None:
        signer = unsubscribe_signer(request.app.state.context.settings.delivery)
        request.app.state.unsubscribe_signer = signer
    if signer is None:
        # Without a secret no message carries a link: the route does not exist here.
        raise ApiError(404, "one-click unsubscribe is not configured", code="not_found")
    return signer


def _verified(request: Request, token: str) -> str:
    try:
        return signer_for(request).verify(token)
    except InvalidToken as error:
        raise ApiError(
            403, f"{error}; ask for a new link or contact support", code="invalid_token"
        ) from None


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="robots" content="noindex"></head><body style="font-family: Arial,'
        f' sans-serif"><h1>{title}</h1>{body}</body></html>',
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@router.get("/unsubscribe", response_class=HTMLResponse, responses=PAGE_ERRORS)
def confirm_page(request: Request, token: Token) -> HTMLResponse:
    """A confirmation page; changes nothing."""
    try:
        email = _verified(request, token)
    except ApiError as error:
        return _page("This link does not work", f"<p>{escape(error.message)}</p>", error.status)
    return _page(
        "Unsubscribe from the weekly report?",
        (
            f"<p>{escape(email)} will no longer receive the weekly document report.</p>"
            f'<form method="post" action="?token={escape(token, quote=True)}">'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            '<button type="submit">Unsubscribe</button></form>'
        ),
    )


@router.post("/unsubscribe", response_class=HTMLResponse, responses=PAGE_ERRORS)
def one_click(request: Request, token: Token, context: Context, audit: Audit) -> HTMLResponse:
    """Unsubscribe the token's address (idempotent); the token is the only credential."""
    audit.role, audit.target = "unsubscribe-link", "unsubscribe-token"
    try:
        email = _verified(request, token)
    except ApiError as error:  # a person may be looking: answer with a page, not JSON
        return _page("This link does not work", f"<p>{escape(error.message)}</p>", error.status)
    audit.actor, audit.target = email, f"subscriber:{email}"
    changed = context.store.unsubscribe(email)
    note = "" if changed else "<p>It was already unsubscribed.</p>"
    return _page(
        "You are unsubscribed",
        f"<p>{escape(email)} will no longer receive the weekly report.</p>{note}",
    )
