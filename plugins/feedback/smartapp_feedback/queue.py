"""An agency's work queue for the staff console: the reports the staff member may see,
overdue ones first (most overdue at the top), then the rest by their deadline, with filters.

Overdue is relative to now, not a stored column, so the queue is two keyset lists in turn:
the overdue ones, then the others; the cursor says which list it is in (``o.`` or ``r.``)
and carries that list's own cursor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields, validate
from sqlalchemy import Select, exists, func, not_, or_, select
from sqlalchemy.orm import selectinload

from smartapp.plugin import Page, db, paginate, utcnow

from .deadlines import overdue_filter
from .models import Report
from .reports import staff_matching
from .schemas import StaffReportListArgs

ORDER = [Report.resolve_due_at, Report.id]
#: the largest report number (an ``Integer`` key): a longer number is only words
LARGEST_ID = 2**31 - 1
OVERDUE, REST = "o", "r"


class QueueArgs(StaffReportListArgs):
    """The queue's filters (the staff list's, and words of the title or description)."""

    q = fields.String(validate=validate.Length(max=100))


def matching(args: Mapping[str, Any]) -> Select[tuple[Report]]:
    """The staff list's reports under its filters and the words of ``q`` (a number: that
    report too)."""
    statement = staff_matching(args)
    if words := args.get("q", "").strip():
        # the words lowered here, the columns by the database (every letter, on SQLite too)
        found = or_(
            func.lower(Report.title).contains(words.lower(), autoescape=True),
            func.lower(Report.description).contains(words.lower(), autoescape=True),
        )
        # ASCII digits only: "²" is a digit to str.isdigit, not to int()
        number = int(words) if words.isascii() and words.isdigit() else None
        statement = statement.where(
            or_(found, Report.id == number)
            if number is not None and number <= LARGEST_ID
            else found
        )
    return statement


def queue_page(args: Mapping[str, Any]) -> Page[Report]:
    """One page of the queue: overdue reports first, then the others."""
    matched = matching(args)
    statement = matched.options(selectinload(Report.photos))
    late = overdue_filter(utcnow())
    limit = args["limit"]
    phase, _, inner = (args.get("cursor") or f"{OVERDUE}.").partition(".")
    if phase not in (OVERDUE, REST):
        raise ValidationError("Not a cursor of this list.", "cursor")
    items: list[Report] = []
    if phase == OVERDUE:
        first = paginate(statement.where(late), ORDER, {"limit": limit, "cursor": inner or None})
        if first.next_cursor:
            return Page(first.items, f"{OVERDUE}.{first.next_cursor}")
        items, inner = first.items, ""
        if len(items) == limit:  # this page is full: the others start on the next
            others = db.session.scalar(select(exists(matched.where(not_(late)).subquery())))
            return Page(items, f"{REST}." if others else None)
    rest = paginate(
        statement.where(not_(late)), ORDER, {"limit": limit - len(items), "cursor": inner or None}
    )
    return Page(items + rest.items, f"{REST}.{rest.next_cursor}" if rest.next_cursor else None)


def map_reports(args: Mapping[str, Any], limit: int) -> list[Report]:
    """The queue's reports that have a location, for its map, newest first, at most
    ``limit`` (one filed by address alone has none until staff place it)."""
    statement = matching(args).where(Report.latitude.is_not(None))
    return list(db.session.scalars(statement.order_by(Report.id.desc()).limit(limit)))
