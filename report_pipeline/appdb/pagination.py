"""Keyset pagination: each page continues strictly after the last key of the previous one.

Unlike OFFSET, the cost of a page does not grow with its depth, and rows
inserted or removed meanwhile never make a row appear twice or be skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import InstrumentedAttribute, Session

if TYPE_CHECKING:
    from report_pipeline.appdb.store import AppStore

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


@dataclass(frozen=True)
class Listing:
    """A table listed page by page, with optional filters the API exposes.

    `filters` maps a filter's name to the condition it puts on the rows; a filter
    given as None (or an empty string) is not applied.
    """

    query: Select
    key: InstrumentedAttribute
    filters: Mapping[str, Callable[[Any], ColumnElement[bool]]]
    descending: bool = False

    def page(self, app: AppStore, after: int | None, limit: int, given: Mapping[str, Any]) -> Page:
        unknown = sorted(set(given) - set(self.filters))
        if unknown:
            raise TypeError(f"unknown filter(s): {', '.join(unknown)}")
        query = self.query
        for name, value in given.items():
            if value is not None and value != "":
                query = query.where(self.filters[name](value))
        with app.session() as session:
            return keyset_page(session, query, self.key, after, limit, self.descending)
