"""``/api/v1/admin/…``: plugins, staff accounts and the audit log."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from smartapp.admin.models import AuditEntry
from smartapp.blueprint import Blueprint
from smartapp.identity.auth import staff_required
from smartapp.identity.models import Role, Staff
from smartapp.identity.schemas import StaffChangeSchema, StaffCreateSchema, StaffSchema
from smartapp.identity.services import change_staff, create_staff, staff_by_id
from smartapp.locations.services import WardCodeField
from smartapp.pagination import CursorPageArgs, Page, page_schema, paginate
from smartapp.plugins import services as plugin_services
from smartapp.plugins.registry import registry

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Administration")


class PluginSchema(Schema):
    slug = fields.String(required=True)
    state = fields.String(required=True, metadata={
        "description": "loaded, import_error, invalid, incompatible or setup_error"})
    reason = fields.String(allow_none=True, required=True)
    distribution = fields.String(allow_none=True)
    version = fields.String()
    title = fields.Dict(keys=fields.String(), values=fields.String())
    category = fields.String()
    enabled = fields.Boolean()
    position = fields.Integer()
    ward_codes = fields.List(fields.Integer(), allow_none=True)
    permissions = fields.List(fields.String())


class PluginUpdateSchema(Schema):
    enabled = fields.Boolean()
    position = fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, 10_000))
    ward_codes = fields.List(WardCodeField(), allow_none=True, validate=validate.Length(min=1),
                             metadata={"description": "limit to these wards; null: everywhere"})


@blp.route("/plugins")
@staff_required(Role.ADMIN)
@blp.response(200, page_schema(PluginSchema))
def list_plugins() -> dict[str, Any]:
    """Every discovered plugin with its load state, reason and run-time settings."""
    items = [plugin_services.describe(r) for r in registry().records.values()]
    return {"items": items, "next_cursor": None}


@blp.route("/plugins/<slug>", methods=["PATCH"])
@staff_required(Role.ADMIN)
@blp.arguments(PluginUpdateSchema)
@blp.response(200, PluginSchema)
@blp.alt_response(404, response="DEFAULT_ERROR")
def update_plugin(changes: dict[str, Any], slug: str) -> dict[str, Any]:
    """Enable or disable a plugin, move its tile, or limit it to some wards (live at once in
    every worker)."""
    return plugin_services.update_plugin(slug, changes)


class SettingsSchema(Schema):
    """Any object: the plugin's own ``settings_schema`` validates it."""

    class Meta:
        unknown = "include"


@blp.route("/plugins/<slug>/settings")
@staff_required(Role.ADMIN)
@blp.response(200, description="The plugin's settings, shaped by its settings_schema")
@blp.alt_response(404, response="DEFAULT_ERROR")
def get_plugin_settings(slug: str) -> dict[str, Any]:
    """The plugin's settings, with defaults."""
    return plugin_services.plugin_settings(slug)


@blp.route("/plugins/<slug>/settings", methods=["PUT"])
@staff_required(Role.ADMIN)
@blp.arguments(SettingsSchema)
@blp.response(200, description="The stored settings")
@blp.alt_response(404, response="DEFAULT_ERROR")
def put_plugin_settings(values: dict[str, Any], slug: str) -> dict[str, Any]:
    """Replace the plugin's settings; validated by the plugin's own schema."""
    return plugin_services.replace_plugin_settings(slug, values)


@blp.route("/staff")
@staff_required(Role.ADMIN)
@blp.arguments(CursorPageArgs, location="query")
@blp.response(200, page_schema(StaffSchema))
def list_staff(args: dict[str, Any]) -> Page[Staff]:
    """Staff accounts, oldest first."""
    return paginate(select(Staff), [Staff.id], args)


@blp.route("/staff", methods=["POST"])
@staff_required(Role.ADMIN)
@blp.arguments(StaffCreateSchema)
@blp.response(201, StaffSchema)
def post_staff(body: dict[str, Any]) -> Staff:
    """Create a staff account."""
    return create_staff(body["email"], body["password"], body["role"],
                        body.get("agency_code"), body.get("permissions"))


@blp.route("/staff/<int:staff_id>", methods=["PATCH"])
@staff_required(Role.ADMIN)
@blp.arguments(StaffChangeSchema)
@blp.response(200, StaffSchema)
@blp.alt_response(404, response="DEFAULT_ERROR")
@blp.alt_response(409, response="DEFAULT_ERROR")
def patch_staff(changes: dict[str, Any], staff_id: int) -> Staff:
    """Change a staff account's role, agency, permissions, or close it (``active: false``,
    which revokes its tokens). The last active admin cannot be demoted or closed (409)."""
    staff = staff_by_id(staff_id)
    change_staff(staff, changes)
    return staff


class AuditEntrySchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    details = fields.Dict()


@blp.route("/audit")
@staff_required(Role.ADMIN)
@blp.arguments(CursorPageArgs, location="query")
@blp.response(200, page_schema(AuditEntrySchema))
def list_audit(args: dict[str, Any]) -> Page[AuditEntry]:
    """The audit log, newest first."""
    return paginate(select(AuditEntry), [AuditEntry.id], args, descending=True)
