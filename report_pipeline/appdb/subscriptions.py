"""Subscriber reads the API needs beyond `AppStore` (lookup, keyset pages)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from report_pipeline.appdb.pagination import Listing, Page
from report_pipeline.appdb.schema import EmailSuppression, Subscriber
from report_pipeline.appdb.scopes import ALL
from report_pipeline.appdb.store import AppStore


def subscriber_by_email(app: AppStore, email: str, customer: str = ALL) -> Subscriber | None:
    """The address's subscription to one scope (`all` unless a customer is given)."""
    with app.session() as session:
        return session.scalar(
            select(Subscriber).where(Subscriber.email == email, Subscriber.customer == customer)
        )


def subscriptions_of(app: AppStore, email: str) -> list[Subscriber]:
    """Every scope the address holds or held, oldest first."""
    with app.session() as session:
        return list(
            session.scalars(
                select(Subscriber).where(Subscriber.email == email).order_by(Subscriber.id)
            )
        )


REGISTERED_USERS = Listing(
    select(Subscriber),
    Subscriber.id,
    {
        "customer": lambda customer: Subscriber.customer == customer,
        "active": lambda active: Subscriber.active.is_(active),
    },
)


def subscribers_page(
    app: AppStore, after: int | None, limit: int, **filters: Any
) -> Page[Subscriber]:
    """Oldest first; filters: customer, active (True or False)."""
    return REGISTERED_USERS.page(app, after, limit, filters)


def not_a_recipient(app: AppStore, email: str) -> str | None:
    """Why `email` may not be mailed a report (None: an active, unsuppressed subscriber)."""
    with app.session() as session:
        subscriber = session.scalar(select(Subscriber).where(Subscriber.email == email))
        suppression = session.get(EmailSuppression, email)
    if subscriber is None:
        return f"{email} is not a subscriber"
    if not subscriber.active:
        return f"{email} has unsubscribed"
    if suppression is not None:
        return f"{email} is suppressed ({suppression.reason})"
    return None
