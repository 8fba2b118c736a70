"""Named counters in the database that every worker process can read: "has X changed?".

A writer bumps a counter in the same transaction as its change; readers compare the value
with the one their cached data was built from. Without Redis this is how several workers
on one machine agree; with Redis it still costs one primary-key read.
"""

from __future__ import annotations

from sqlalchemy import String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from smartapp.extensions import Base, changed_rows, db


class Revision(Base):
    """A counter bumped on every change of a shared state, so other workers notice it."""

    __tablename__ = "revisions"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def current_revision(name: str) -> int:
    """The counter ``name`` (0 until first bumped)."""
    return db.session.scalar(select(Revision.value).where(Revision.name == name)) or 0


def bump_revision(name: str) -> None:
    """Add one to ``name`` inside the caller's transaction: readers never see the counter
    without the change it announces."""
    if _increment(name):
        return
    try:
        with db.session.begin_nested():
            db.session.add(Revision(name=name, value=1))
    except IntegrityError:  # another transaction created the counter first
        _increment(name)


def _increment(name: str) -> bool:
    return bool(
        changed_rows(update(Revision).where(Revision.name == name).values(value=Revision.value + 1))
    )
