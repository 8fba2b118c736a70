"""``/api/v1/admin/plugins``: what administrators see of plugins and change at run time."""

from __future__ import annotations

from typing import Any

from smartapp.blueprint import Blueprint
from smartapp.identity.auth import staff_required
from smartapp.identity.models import Role
from smartapp.pagination import page_schema
from smartapp.plugins import services
from smartapp.plugins.registry import registry
from smartapp.plugins.schemas import PluginSchema, PluginUpdateSchema, SettingsSchema

blp = Blueprint(
    "admin_plugins",
    __name__,
    url_prefix="/api/v1/admin/plugins",
    description="Administration: plugins",
)


@blp.route("")
@staff_required(Role.ADMIN)
@blp.response(200, page_schema(PluginSchema))
def list_plugins() -> dict[str, Any]:
    """Every discovered plugin with its load state, reason and run-time settings."""
    items = [services.describe(r) for r in registry().records.values()]
    return {"items": items, "next_cursor": None}


@blp.route("/<slug>", methods=["PATCH"])
@staff_required(Role.ADMIN)
@blp.arguments(PluginUpdateSchema)
@blp.response(200, PluginSchema)
@blp.alt_response(404, response="DEFAULT_ERROR")
def update_plugin(changes: dict[str, Any], slug: str) -> dict[str, Any]:
    """Enable or disable a plugin, move its tile, or limit it to some wards (live at once in
    every worker); the answer confirms the stored change, whatever the plugin's state."""
    return services.update_plugin(slug, changes)


@blp.route("/<slug>/settings")
@staff_required(Role.ADMIN)
@blp.response(200, description="The plugin's settings, shaped by its settings_schema")
@blp.alt_response(404, response="DEFAULT_ERROR")
def get_plugin_settings(slug: str) -> dict[str, Any]:
    """The plugin's settings, with defaults (as stored when the plugin failed to import)."""
    return services.plugin_settings(slug)


@blp.route("/<slug>/settings", methods=["PUT"])
@staff_required(Role.ADMIN)
@blp.arguments(SettingsSchema)
@blp.response(200, description="The stored settings")
@blp.alt_response(404, response="DEFAULT_ERROR")
def put_plugin_settings(values: dict[str, Any], slug: str) -> dict[str, Any]:
    """Replace the plugin's settings; validated by the plugin's own schema."""
    return services.replace_plugin_settings(slug, values)
