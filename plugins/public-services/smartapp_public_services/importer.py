"""Importing procedures, bundles and offices from CSV or JSON files (see the README's format).

Every row is validated with the record's schema first; a file with any bad row imports
nothing unless bad rows are to be skipped. Rows are upserted by code, all in one
transaction (the command's own, or the demo seed's), so importing the same file twice changes
nothing the second time. A file that is the whole catalog (``full``) also retires the active
records it leaves out: repealed procedures are kept, never deleted.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields
from sqlalchemy import select

from smartapp.plugin import db, record_audit

from .catalog import apply_bundle, apply_procedure, procedures_by_code, retire_procedure
from .changes import CatalogChanges, compare
from .models import Bundle, Office, Procedure
from .offices import apply_office, retire_office
from .schemas import BundleRecordSchema, OfficeRecordSchema, ProcedureRecordSchema
from .search import procedures_changed

MAX_FILE_BYTES = 50 * 1024 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be read (missing, not UTF-8, not CSV or JSON, bad syntax)."""


@dataclass(frozen=True)
class SourceRecord:
    """One record of the file and where it starts."""

    line: int
    index: int | None  # position in a JSON array
    data: Any
    #: what is wrong with the record before its fields are read (a CSV row's extra cells)
    problems: dict[str, list[str]] | None = None

    @property
    def location(self) -> str:
        if self.index is None:
            return f"line {self.line}"
        return f"item {self.index} (line {self.line})"


@dataclass(frozen=True)
class RowError:
    record: SourceRecord
    code: str | None
    messages: dict[str, Any]


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: the codes of the active records a full-catalog file left out, now retired
    retired: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: whether the valid rows were written (not when errors stopped the import)
    written: bool = False


# -- reading ---------------------------------------------------------------------------------


def read_records(path: Path, schema: Schema) -> list[SourceRecord]:
    """The file's records: a JSON array of objects, or CSV with a header row (by extension)."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ImportFileError(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MiB")
        content = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ImportFileError(f"{path} is not UTF-8 text") from None
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _json_records(content)
    if suffix == ".csv":
        return _csv_records(content, schema)
    raise ImportFileError(f"{path}: expected a .csv or .json file")


def _json_records(content: str) -> list[SourceRecord]:
    try:
        items = json.loads(content)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"line {error.lineno}: not valid JSON ({error.msg})") from None
    if not isinstance(items, list):
        raise ImportFileError("line 1: expected a JSON array of records")
    # json.loads keeps no positions; walk the array again to tell where each item starts
    decoder = json.JSONDecoder()
    position = content.index("[") + 1
    records = []
    for index in range(len(items)):
        while content[position] in " \t\r\n,":
            position += 1
        item, end = decoder.raw_decode(content, position)
        records.append(SourceRecord(content.count("\n", 0, position) + 1, index, item))
        position = end
    return records


def _csv_records(content: str, schema: Schema) -> list[SourceRecord]:
    reader = csv.DictReader(io.StringIO(content, newline=""))
    unknown = set(reader.fieldnames or ()) - set(schema.fields)
    if not reader.fieldnames:
        raise ImportFileError("line 1: expected a header row naming the columns")
    if unknown:
        raise ImportFileError(f"line 1: unknown columns {', '.join(sorted(unknown))}")
    records = []
    line = 2
    for row in reader:
        # DictReader puts the cells beyond the header under None: a shifted row (an unquoted
        # comma) must not import with its values in the wrong columns
        extra = [cell for cell in row.pop(None, None) or [] if cell.strip()]
        problems = (
            {"_schema": [f"{len(extra)} more cells than the header names."]} if extra else None
        )
        records.append(SourceRecord(line, None, _csv_values(row, schema), problems))
        line = reader.line_num + 1
    return records


def _csv_values(row: dict[str, str | None], schema: Schema) -> dict[str, Any]:
    """A CSV row as a record: empty cells are left out (the field's default applies), list
    cells hold a JSON array, or ``;``-separated text for lists of text."""
    values: dict[str, Any] = {}
    for name, cell in row.items():
        if cell is None or not cell.strip():
            continue
        column = schema.fields[name]
        if isinstance(column, fields.List):
            values[name] = _list_cell(cell, column)
        else:
            values[name] = cell.strip()
    return values


def _list_cell(cell: str, column: fields.List) -> Any:
    cell = cell.strip()
    if cell.startswith("["):
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            return cell  # the schema reports "Not a valid list."
    if isinstance(column.inner, fields.String):
        return [part.strip() for part in cell.split(";") if part.strip()]
    return cell


# -- validating and writing ------------------------------------------------------------------


@dataclass(frozen=True)
class RecordKind:
    """What a file can hold: its schema, and how a batch of loaded records is written."""

    name: str
    schema: type[Schema]
    model: Any
    write: Callable[[list[dict[str, Any]], Callable[[int], None], ImportReport], None]
    #: how a record a full-catalog file leaves out is withdrawn; ``None``: it cannot be
    retire: Callable[[Any], None] | None
    check: Callable[[list[dict[str, Any]]], list[dict[str, Any] | None]] = lambda records: (
        [None] * len(records)
    )
    searchable: bool = False


def _upsert(
    records: list[dict[str, Any]],
    existing: dict[str, Any],
    new: Callable[[], Any],
    apply: Callable[[Any, dict[str, Any]], bool],
    advance: Callable[[int], None],
    report: ImportReport,
) -> None:
    """Create or update one row per record by code; ``apply`` says whether it changed one."""
    for record in records:
        row = existing.get(record["code"])
        if row is None:
            row = new()
            apply(row, record)
            db.session.add(row)
            report.created += 1
        elif apply(row, record):
            report.updated += 1
        else:
            report.unchanged += 1
        advance(1)


def _by_code(model: Any, records: list[dict[str, Any]]) -> dict[str, Any]:
    codes = [r["code"] for r in records]
    return {row.code: row for row in db.session.scalars(select(model).where(model.code.in_(codes)))}


def _write_procedures(
    records: list[dict[str, Any]], advance: Callable[[int], None], report: ImportReport
) -> None:
    _upsert(
        records,
        procedures_by_code(r["code"] for r in records),
        Procedure,
        apply_procedure,
        advance,
        report,
    )


def _unknown_procedures(records: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    known = set(procedures_by_code({c for r in records for c in r["procedures"]}))
    errors: list[dict[str, Any] | None] = []
    for record in records:
        unknown = [c for c in record["procedures"] if c not in known]
        errors.append(
            {"procedures": [f"Unknown procedure codes: {', '.join(unknown)}."]} if unknown else None
        )
    return errors


def _write_bundles(
    records: list[dict[str, Any]], advance: Callable[[int], None], report: ImportReport
) -> None:
    procedures = procedures_by_code({c for r in records for c in r["procedures"]})
    _upsert(
        records,
        _by_code(Bundle, records),
        Bundle,
        lambda bundle, record: apply_bundle(bundle, record, procedures),
        advance,
        report,
    )


def _write_offices(
    records: list[dict[str, Any]], advance: Callable[[int], None], report: ImportReport
) -> None:
    _upsert(records, _by_code(Office, records), Office, apply_office, advance, report)


KINDS = {
    "procedures": RecordKind(
        "procedures",
        ProcedureRecordSchema,
        Procedure,
        _write_procedures,
        retire_procedure,
        searchable=True,
    ),
    "bundles": RecordKind(
        "bundles", BundleRecordSchema, Bundle, _write_bundles, None, check=_unknown_procedures
    ),
    "offices": RecordKind("offices", OfficeRecordSchema, Office, _write_offices, retire_office),
}


def validate(
    kind: RecordKind, records: Sequence[SourceRecord]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """The loaded valid records, and an error for each bad one (a code seen twice is bad the
    second time)."""
    schema = kind.schema()
    loaded: list[tuple[SourceRecord, dict[str, Any]]] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for record in records:
        code = record.data.get("code") if isinstance(record.data, dict) else None
        code = code if isinstance(code, str) else None
        if not isinstance(record.data, dict):
            errors.append(RowError(record, None, {"_schema": ["Expected an object."]}))
            continue
        if record.problems:
            errors.append(RowError(record, code, record.problems))
            continue
        try:
            data = schema.load(record.data)
        except ValidationError as error:
            errors.append(RowError(record, code, error.normalized_messages()))
            continue
        if data["code"] in seen:
            errors.append(RowError(record, code, {"code": ["Appears earlier in the file."]}))
            continue
        seen.add(data["code"])
        loaded.append((record, data))
    checked = kind.check([data for _, data in loaded])
    valid = []
    for (record, data), problem in zip(loaded, checked, strict=True):
        if problem:
            errors.append(RowError(record, data["code"], problem))
        else:
            valid.append(data)
    errors.sort(key=lambda e: e.record.line)
    return valid, errors


@dataclass
class ImportPlan:
    """A read and validated file, ready to be written."""

    kind: RecordKind
    rows: int
    valid: list[dict[str, Any]]
    errors: list[RowError]
    #: every code the file names, valid row or not: a bad row does not repeal its record
    present: set[str] = field(default_factory=set)
    #: the file is the whole catalog: active records it leaves out are repealed
    full: bool = False


class NotRetirable(ValueError):
    """A full-catalog import of records that cannot be retired (bundles)."""


def plan_import(path: Path, kind: RecordKind, full: bool = False) -> ImportPlan:
    """Read and validate every row of ``path``; nothing is written yet."""
    if full and kind.retire is None:
        raise NotRetirable(f"{kind.name} cannot be retired: import them without --full")
    records = read_records(path, kind.schema())
    valid, errors = validate(kind, records)
    present = {
        r.data["code"]
        for r in records
        if isinstance(r.data, dict) and isinstance(r.data.get("code"), str)
    }
    return ImportPlan(kind, len(records), valid, errors, present, full)


def preview(plan: ImportPlan) -> CatalogChanges:
    """What writing the plan would change (new, changed with their fields, repealed); reads
    only."""
    return compare(plan.kind.model, plan.valid, plan.present, plan.full)


def _retire_repealed(plan: ImportPlan, report: ImportReport) -> None:
    model, retire = plan.kind.model, plan.kind.retire
    assert retire is not None  # plan_import refuses a full plan otherwise
    for row in db.session.scalars(select(model).where(model.retired_at.is_(None))):
        if row.code not in plan.present:
            retire(row)
            report.retired.append(row.code)


def write_import(
    plan: ImportPlan, skip_invalid: bool = False, advance: Callable[[int], None] | None = None
) -> ImportReport:
    """Upsert the plan's valid rows in the caller's transaction, without committing (the
    demo seed commits once for every plugin); nothing is written when a row is bad, unless
    ``skip_invalid``. ``advance(k)`` is told as rows are written (a progress bar)."""
    report = ImportReport(rows=plan.rows, errors=plan.errors)
    if plan.errors and not skip_invalid:
        return report
    plan.kind.write(plan.valid, advance or (lambda _: None), report)
    if plan.full:
        _retire_repealed(plan, report)
    if plan.kind.searchable and (report.created or report.updated or report.retired):
        procedures_changed()
    db.session.flush()
    report.written = True
    return report


def run_import(
    plan: ImportPlan, skip_invalid: bool = False, advance: Callable[[int], None] | None = None
) -> ImportReport:
    """:func:`write_import` as one transaction of its own, audited when it changed anything:
    committed whole, or rolled back."""
    try:
        report = write_import(plan, skip_invalid, advance)
        if report.created or report.updated or report.retired:
            kind = plan.kind.name
            record_audit(
                f"public-services.{kind}.import",
                kind,
                kind,
                {
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "retired": report.retired,
                    "full": plan.full,
                },
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def import_file(
    path: Path, kind: RecordKind, skip_invalid: bool = False, full: bool = False
) -> ImportReport:
    """Read, validate and import ``path`` in a transaction of its own (see
    :func:`run_import`)."""
    return run_import(plan_import(path, kind, full), skip_invalid)
