"""/api/reports/registered-users: subscribe, unsubscribe, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.exc import IntegrityError

from report_pipeline.api.deps import Audit, Authorized, Context
from report_pipeline.api.errors import ApiError
from report_pipeline.api.pagination import Paging, decode_cursor, encode_cursor, int_key
from report_pipeline.api.routers.common import ERRORS, created_or_existing, email_or_422
from report_pipeline.api.routers.reports import scope_or_422
from report_pipeline.api.schemas import SubscribeIn, SubscriberOut, SubscriberPage
from report_pipeline.appdb.subscriptions import (
    subscriber_by_email,
    subscribers_page,
    subscriptions_of,
)

CustomerQuery = Annotated[
    str | None, Query(max_length=64, description="the scope: `all` or one customer id")
]
router = APIRouter(
    prefix="/api/reports/registered-users", tags=["registered users"], responses=ERRORS
)


@router.post("", **created_or_existing(SubscriberOut, "already subscribed"))
def subscribe(
    body: SubscribeIn, response: Response, access: Authorized, context: Context, audit: Audit
) -> SubscriberOut:
    """Subscribe (idempotent; a removed address is reactivated). 201 new, 200 existing."""
    email = email_or_422(body.email, context.settings.delivery.allow_special_use_domains)
    scope = scope_or_422(body.customer)
    audit.target = f"subscriber:{email}" + ("" if scope == "all" else f" scope:{scope}")
    access.require_owner(email)
    access.require_scope(scope)
    before = subscriber_by_email(context.store, email, scope)
    try:
        row = context.store.subscribe(email, body.name, customer=scope)
    except IntegrityError:  # a parallel first subscribe of the same address won
        row = context.store.subscribe(email, body.name, customer=scope)
    if before is not None and before.active:
        response.status_code = 200
    return SubscriberOut.model_validate(row)


@router.delete("/{email}", response_model=SubscriberOut)
def unsubscribe(
    email: Annotated[str, Path(max_length=320)],
    access: Authorized,
    context: Context,
    audit: Audit,
    customer: CustomerQuery = None,
) -> SubscriberOut:
    """Soft removal from one scope (`customer`), or from every scope of the address.

    The row stays with its timestamps. Repeating it is harmless."""
    address = email_or_422(email, context.settings.delivery.allow_special_use_domains)
    scope = scope_or_422(customer) if customer else None
    audit.target = f"subscriber:{address}" + (f" scope:{scope}" if scope else "")
    access.require_owner(address)
    mine = [
        row
        for row in subscriptions_of(context.store, address)
        if scope is None or row.customer == scope
    ]
    if not mine:
        raise ApiError(404, f"{address} is not subscribed")
    context.store.unsubscribe(address, customer=scope)
    first = mine[0]
    return SubscriberOut.model_validate(subscriber_by_email(context.store, address, first.customer))


@router.get("", response_model=SubscriberPage)
def list_subscribers(
    _: Authorized,
    context: Context,
    paging: Paging,
    active: Annotated[
        bool | None, Query(description="only active (true) or removed (false)")
    ] = None,
    customer: CustomerQuery = None,
) -> SubscriberPage:
    scope = scope_or_422(customer) if customer else None
    filters = {"active": active, "customer": scope}
    after = int_key(decode_cursor(paging.cursor, "registered-users", filters))
    page = subscribers_page(
        context.store, after=after, limit=paging.limit, active=active, customer=scope
    )
    return SubscriberPage(
        items=[SubscriberOut.model_validate(row) for row in page.items],
        next_cursor=encode_cursor(page.next_key, "registered-users", filters),
    )
