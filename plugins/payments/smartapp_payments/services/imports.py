"""Importing places from a CSV file (one row a place, by ``code``): every row is validated
first and a file with any bad row writes nothing; the rows are then upserted in one
transaction, reporting progress as they go. The columns are those of a place (README)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from smartapp.plugin import db, record_audit

from ..models import Place
from ..schemas import PlaceRecordSchema
from .places import apply

MAX_BYTES = 10 * 1024 * 1024
METHOD_SEPARATOR = ";"
_SCHEMA = PlaceRecordSchema()
REQUIRED = sorted(name for name, f in _SCHEMA.fields.items() if f.required)


class ImportFileError(Exception):
    """The file as a whole cannot be read (not UTF-8, too large, no header, wrong columns)."""


@dataclass
class ImportPlan:
    """The validated rows, and the problems by line (``{line: {field: [messages]}}``)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def error_fields(self) -> dict[str, list[str]]:
        """The problems as the error envelope's fields: ``"line 3.ward_code"``."""
        return {
            f"line {line}.{name}": messages
            for line, problems in self.errors.items()
            for name, messages in problems.items()
        }


@dataclass(frozen=True)
class ImportReport:
    rows: int
    created: int
    updated: int
    unchanged: int


def plan(content: bytes) -> ImportPlan:
    """Read and validate every row of a CSV file's ``content``."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(f"the file is larger than {MAX_BYTES // 2**20} MiB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("the file is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if unknown := sorted(set(header) - set(_SCHEMA.fields)):
        raise ImportFileError(f"line 1: unknown columns {', '.join(unknown)}")
    if missing := [name for name in REQUIRED if name not in header]:
        raise ImportFileError(f"line 1: missing columns {', '.join(missing)}")
    result, seen = ImportPlan(), {}
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                result.errors[line] = {"row": ["has more cells than the header has columns"]}
                continue
            try:
                record = _SCHEMA.load(_cells(row))
            except ValidationError as error:
                result.errors[line] = {
                    name: [str(m) for m in messages]
                    for name, messages in _flat(error.messages).items()
                }
                continue
            if record["code"] in seen:
                result.errors[line] = {"code": [f"repeats line {seen[record['code']]}"]}
                continue
            seen[record["code"]] = line
            result.records.append(record)
    except csv.Error as error:
        raise ImportFileError(f"line {reader.line_num}: {error}") from None
    return result


def _cells(row: dict[str, str | None]) -> dict[str, Any]:
    """A row's non-empty cells; ``methods`` is a list separated by ``;``."""
    cells: dict[str, Any] = {
        name: value.strip() for name, value in row.items() if value is not None and value.strip()
    }
    if "methods" in cells:
        cells["methods"] = [
            m.strip() for m in cells["methods"].split(METHOD_SEPARATOR) if m.strip()
        ]
    return cells


def _flat(messages: Any) -> dict[str, list[Any]]:
    """Marshmallow's messages with list items' errors (``methods.0``) under their field."""
    flat: dict[str, list[Any]] = {}
    for name, value in messages.items():
        if isinstance(value, dict):
            flat[name] = [m for nested in value.values() for m in nested]
        else:
            flat[name] = list(value)
    return flat


def write(validated: ImportPlan, advance: Callable[[int], None] | None = None) -> ImportReport:
    """Upsert the validated rows by code in one transaction, with one audit entry."""
    existing = {
        place.code: place
        for place in db.session.scalars(
            select(Place).where(Place.code.in_([r["code"] for r in validated.records]))
        )
    }
    created = updated = 0
    for record in validated.records:
        place = existing.get(record["code"])
        if place is None:
            db.session.add(place := Place())
            apply(place, record)
            created += 1
        elif apply(place, record):
            updated += 1
        if advance is not None:
            advance(1)
    rows = len(validated.records)
    report = ImportReport(rows, created, updated, rows - created - updated)
    record_audit(
        "payments.place.import",
        "payments.place",
        "csv",
        {"rows": rows, "created": created, "updated": updated},
    )
    db.session.commit()
    return report
