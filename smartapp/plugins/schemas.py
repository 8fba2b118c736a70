"""The shapes of the plugins' administration API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from smartapp.locations.services import WardCodeField


class PluginSchema(Schema):
    """A discovered plugin: every key in every state, ``null`` where loading never learnt it."""

    slug = fields.String(required=True)
    state = fields.String(
        required=True,
        metadata={"description": "loaded, import_error, invalid, incompatible or setup_error"},
    )
    reason = fields.String(allow_none=True, required=True)
    distribution = fields.String(allow_none=True, required=True)
    version = fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "the installed distribution's version (the declared one without a "
            "distribution)"
        },
    )
    title = fields.Dict(
        keys=fields.String(), values=fields.String(), allow_none=True, required=True
    )
    category = fields.String(allow_none=True, required=True)
    enabled = fields.Boolean(
        required=True,
        metadata={
            "description": "the administrators' choice (a plugin that failed to load serves "
            "nothing either way)"
        },
    )
    position = fields.Integer(allow_none=True, required=True)
    ward_codes = fields.List(fields.Integer(), allow_none=True, required=True)
    permissions = fields.List(fields.String(), allow_none=True, required=True)


class PluginUpdateSchema(Schema):
    enabled = fields.Boolean()
    position = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, 10_000))
    ward_codes = fields.List(
        WardCodeField(),
        allow_none=True,
        validate=validate.Length(min=1),
        metadata={"description": "limit to these wards; null: everywhere"},
    )


class SettingsSchema(Schema):
    """Any object: the plugin's own ``settings_schema`` validates it."""

    class Meta:
        unknown = "include"
