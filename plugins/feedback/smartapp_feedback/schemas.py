"""What the utility's routes accept and answer."""

from __future__ import annotations

from marshmallow import fields, validate

from smartapp.plugin import CursorPageArgs, Schema, WardCodeField


class ItemSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    ward_code = WardCodeField(required=True, metadata={"description": "a ward of the province"})
    created_at = fields.DateTime(dump_only=True)


class ItemQueryArgs(CursorPageArgs):
    ward_code = WardCodeField(metadata={"description": "only this ward's items"})
