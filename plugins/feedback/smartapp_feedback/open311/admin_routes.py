"""Administrators issue and revoke Open311 API keys:
``/api/v1/u/feedback/admin/open311-keys``."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from smartapp.plugin import staff_required

from ..routes import blp
from . import keys


class KeySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    prefix = fields.String(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    revoked_at = fields.AwareDateTime(dump_only=True)


class IssuedKeySchema(KeySchema):
    #: the key itself, shown this once
    api_key = fields.String(dump_only=True)


@blp.route("/admin/open311-keys")
@staff_required("admin")
@blp.response(200, KeySchema(many=True))
def list_keys() -> list[keys.ApiKey]:
    """Every Open311 key, revoked ones too (never the key itself)."""
    return keys.all_keys()


@blp.route("/admin/open311-keys", methods=["POST"])
@staff_required("admin")
@blp.arguments(KeySchema)
@blp.response(201, IssuedKeySchema)
def issue_key(body: dict[str, Any]) -> dict[str, Any]:
    """Issue a key to an Open311 client; the answer is the only time ``api_key`` is shown."""
    row, key = keys.issue_key(body["name"])
    return {
        "id": row.id,
        "name": row.name,
        "prefix": row.prefix,
        "created_at": row.created_at,
        "revoked_at": None,
        "api_key": key,
    }


@blp.route("/admin/open311-keys/<int:key_id>", methods=["DELETE"])
@staff_required("admin")
@blp.response(200, KeySchema)
def revoke_key(key_id: int) -> keys.ApiKey:
    """Revoke a key: its client can no longer file reports."""
    return keys.revoke_key(key_id)
