"""Keyset pagination: each page continues strictly after the last key of the previous one.

Unlike OFFSET, the cost of a page does not grow with its depth, and rows
inserted or removed meanwhile never make a row appear twice or be skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_key: int | None  # None on the last page


def keyset_page(
    session: Session,
    query: Select,
    key: InstrumentedAttribute,
    after: int | None,
    limit: int,
    descending: bool = False,
) -> Page:
    """Rows of `query` ordered by the unique integer column `key`, after `after`."""
    if after is not None:
        query = query.where(key < after if descending else key > after)
    query = query.order_by(key.desc() if descending else key.asc()).limit(limit + 1)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, getattr(rows[-1], key.key) if more and rows else None)
