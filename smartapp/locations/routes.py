"""``/api/v1/locations/…``."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from smartapp.blueprint import Blueprint
from smartapp.locations.services import WardInfo, wards
from smartapp.pagination import CursorPageArgs, Page, page_schema, paginate_sequence

blp = Blueprint(
    "locations",
    __name__,
    url_prefix="/api/v1/locations",
    description="Wards and communes of the province",
)


class WardQuerySchema(CursorPageArgs):
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "name filter; diacritics and case are ignored"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 200))


class WardSchema(Schema):
    code = fields.Integer(required=True)
    name = fields.String(required=True)
    division_type = fields.String(required=True, metadata={"description": "phường, xã or đặc khu"})
    codename = fields.String(required=True)


@blp.route("/wards")
@blp.arguments(WardQuerySchema, location="query")
@blp.response(200, page_schema(WardSchema))
def list_wards(args: dict[str, Any]) -> Page[WardInfo]:
    """Wards and communes of the province, by name (Vietnamese collation folded to ASCII)."""
    return paginate_sequence(wards(args.get("q")), lambda w: w.sort_key, str, args)
