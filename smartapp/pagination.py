"""Cursor pagination: one response shape, ``{"items": [...], "next_cursor": "…" | null}``,
for every list in the API, core and plugins.

Cursors are keyset positions (the sort key of the last item), so pages stay correct while
rows are added and a deep page costs the same as the first.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import BigInteger, Select, SmallInteger, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from smartapp.extensions import db
from smartapp.i18n import message
from smartapp.inputs import unstorable

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class CursorPageArgs(Schema):
    """Query arguments of every list: ``cursor`` from the previous page, ``limit``."""

    cursor = fields.String(validate=validate.Length(max=512))
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(1, MAX_LIMIT))


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@functools.cache
def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """The page schema for ``item_schema`` (one class per item schema, named after it)."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "next_cursor": fields.String(allow_none=True, required=True),
        },
    )


def _encode(values: Sequence[Any]) -> str:
    plain = [{"dt": v.isoformat()} if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode()


def _decode(cursor: str, types: Sequence[type]) -> list[Any]:
    """The key values in ``cursor``, checked against the key ``types`` so that a forged cursor
    is a 422 on ``cursor``, never a type error in the database."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError
        values = [datetime.fromisoformat(v["dt"]) if isinstance(v, dict) else v for v in values]
        if not all(
            isinstance(v, t) and not isinstance(v, bool) for v, t in zip(values, types, strict=True)
        ):
            raise ValueError
        return values
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise ValidationError(message("invalid_cursor"), field_name="cursor") from None


def _fits(key: InstrumentedAttribute[Any], value: Any) -> bool:
    """Whether the database can compare ``value`` with the key's column: an integer within
    the column's range, text without a NUL or a lone surrogate (a forged cursor, or another
    list's: the wards' in-memory keys hold a NUL separator)."""
    if isinstance(value, str):
        return not unstorable(value)
    if not isinstance(value, int):
        return True
    bits = 32
    if isinstance(key.type, SmallInteger):
        bits = 16
    elif isinstance(key.type, BigInteger):
        bits = 64
    return -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)


def paginate(
    statement: Select[Any],
    keys: Sequence[InstrumentedAttribute[Any]],
    args: dict[str, Any],
    descending: bool = False,
) -> Page[Any]:
    """One page of ``statement`` ordered by ``keys`` (the last must be unique, e.g. the id).

    A statement of one entity (``select(Model)``) pages model instances; one of several
    columns (``select(Model.id, Model.title, …)``, lighter for long lists) pages rows, read
    by name (``row.id``), the keys among the columns.

    Raises ``ValidationError`` on the ``cursor`` field for a cursor this list did not issue;
    views let it through and the app answers 422 naming the field.
    """
    limit = args.get("limit", DEFAULT_LIMIT)
    columns = tuple_(*keys) if len(keys) > 1 else keys[0]
    if cursor := args.get("cursor"):
        after = _decode(cursor, [k.type.python_type for k in keys])
        if not all(_fits(key, value) for key, value in zip(keys, after, strict=True)):
            raise ValidationError(message("invalid_cursor"), field_name="cursor")
        position = tuple_(*after) if len(keys) > 1 else after[0]
        statement = statement.where(columns < position if descending else columns > position)
    order = [k.desc() if descending else k.asc() for k in keys]
    result = db.session.execute(statement.order_by(*order).limit(limit + 1))
    rows = list(result if len(result.keys()) > 1 else result.scalars())
    return _page(rows, limit, lambda row: [getattr(row, k.key) for k in keys])


def paginate_sequence(
    items: Sequence[T], key: Callable[[T], Any], key_type: type, args: dict[str, Any]
) -> Page[T]:
    """The same page shape over an in-memory sequence already sorted by the unique ``key``."""
    limit = args.get("limit", DEFAULT_LIMIT)
    remaining: Sequence[T] = items
    if cursor := args.get("cursor"):
        (after,) = _decode(cursor, [key_type])
        remaining = [item for item in items if key(item) > after]
    return _page(list(remaining[: limit + 1]), limit, lambda item: [key(item)])


def _page(rows: list[T], limit: int, key_values: Callable[[T], list[Any]]) -> Page[T]:
    if len(rows) <= limit:
        return Page(rows, None)
    rows = rows[:limit]
    return Page(rows, _encode(key_values(rows[-1])))
