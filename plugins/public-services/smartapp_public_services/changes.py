"""What an import would change in the catalog, told before anything is written: new records,
changed ones with the fields that change, and — for a file that is the whole catalog — the
active records it leaves out (repealed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from smartapp.plugin import db


@dataclass
class CatalogChanges:
    new: list[str] = field(default_factory=list)
    #: code → the fields that change (``retired_at`` when a retired record comes back)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0
    #: active codes a full-catalog file leaves out: they are retired, never deleted
    repealed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new or self.changed or self.repealed)


def _stored_value(row: Any, name: str) -> Any:
    if name == "procedures":  # a bundle's record names its steps by code
        return [step.procedure.code for step in row.steps]
    return getattr(row, name)


def changed_fields(row: Any, record: Mapping[str, Any]) -> list[str]:
    """The fields of a loaded ``record`` that differ from the stored ``row``."""
    names = [name for name, value in record.items() if _stored_value(row, name) != value]
    if getattr(row, "retired_at", None) is not None:
        names.append("retired_at")
    return sorted(names)


def repealed_codes(model: Any, present: Iterable[str]) -> list[str]:
    """Active codes of ``model`` that are not ``present`` (read in full rather than sent as a
    list of thousands of parameters)."""
    active = select(model.code)
    if hasattr(model, "retired_at"):
        active = active.where(model.retired_at.is_(None))
    return sorted(set(db.session.scalars(active)) - set(present))


def compare(
    model: Any, records: Sequence[Mapping[str, Any]], present: Iterable[str], full: bool
) -> CatalogChanges:
    """What writing ``records`` would change; with ``full``, what it would repeal too."""
    codes = [record["code"] for record in records]
    stored = (
        {row.code: row for row in db.session.scalars(select(model).where(model.code.in_(codes)))}
        if codes
        else {}
    )
    changes = CatalogChanges()
    for record in records:
        row = stored.get(record["code"])
        if row is None:
            changes.new.append(record["code"])
        elif names := changed_fields(row, record):
            changes.changed[record["code"]] = names
        else:
            changes.unchanged += 1
    if full:
        changes.repealed = repealed_codes(model, present)
    return changes
