"""What every route's arguments are checked for before their schema sees them.

The checks run where webargs reads the request (the parser of :class:`smartapp.blueprint.
Blueprint`), so after the route's authentication: an anonymous request to a staff route is a
401 whatever its body holds. Nothing recurses, so no body can exhaust the stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Request, request
from flask_smorest import abort
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser

#: deeper than any body the API accepts; a deeper one is refused before it is walked further
MAX_DEPTH = 32
TOO_DEEP_MESSAGE = f"nested deeper than {MAX_DEPTH} levels"
UNREADABLE_MESSAGE = "not readable JSON (too deeply nested, or a number too long)"
UNSTORABLE_MESSAGE = "must be valid text: no NUL character, no lone surrogate"


def unstorable(text: str) -> bool:
    """NUL (PostgreSQL cannot store it) or a lone UTF-16 surrogate (valid JSON, but no
    database, password hash or UTF-8 encoder takes it)."""
    return "\x00" in text or (not text.isascii() and any("\ud800" <= ch <= "\udfff" for ch in text))


def _walk(body: Any) -> Iterator[tuple[str, Any, int]]:
    """``(field, value, depth)`` of every value in ``body``, without recursion; a value's
    field is the nearest object key above it (``json`` at the top)."""
    pending = [("json", body, 0)]
    while pending:
        field, value, depth = pending.pop()
        yield field, value, depth
        if isinstance(value, dict):
            pending.extend((str(key), item, depth + 1) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((field, item, depth + 1) for item in value)


def check_body(body: Any) -> None:
    """Abort with 400 for a body nested deeper than :data:`MAX_DEPTH`; raise a
    ``ValidationError`` naming each field whose text no database can store."""
    fields: set[str] = set()
    for field, value, depth in _walk(body):
        if depth > MAX_DEPTH:
            abort(400, errors={"json": [TOO_DEEP_MESSAGE]})
        texts = [value] if isinstance(value, str) else value if isinstance(value, dict) else []
        if any(unstorable(str(text)) for text in texts):  # a string, or an object's keys
            fields.add(field)
    if fields:
        raise ValidationError({name: [UNSTORABLE_MESSAGE] for name in sorted(fields)})


def json_body() -> Any:
    """The request's JSON body for code that reads it outside a route's arguments (a rate
    limit key); ``None`` when there is none or it cannot be read."""
    try:
        return request.get_json(silent=True)
    except RecursionError:  # Flask's silent mode only covers ValueError
        return None


class Parser(FlaskParser):
    """webargs' Flask parser, refusing what would otherwise end as a 500: a body Python's
    ``json`` cannot read (``RecursionError``, an integer over its 4,300-digit limit), too deep a
    body, and text no database stores, in the body or the query string."""

    def load_json(self, req: Request, schema: Schema) -> Any:
        # A chunked body has no Content-Length for Werkzeug to refuse up front; its stream
        # stops at the limit instead, and the truncated body would read as malformed JSON.
        limit = req.max_content_length
        if (
            req.content_length is None
            and limit is not None
            and len(req.get_data(cache=True)) >= limit
        ):
            abort(413)
        try:
            body = super().load_json(req, schema)
        # webargs answers malformed JSON (JSONDecodeError) itself; these escape it
        except (RecursionError, ValueError):
            abort(400, errors={"json": [UNREADABLE_MESSAGE]})
        check_body(body)
        return body

    def load_querystring(self, req: Request, schema: Schema) -> Any:
        fields = sorted(
            {name for name, values in req.args.lists() for value in values if unstorable(value)}
        )
        if fields:
            raise ValidationError({name: [UNSTORABLE_MESSAGE] for name in fields})
        return super().load_querystring(req, schema)
