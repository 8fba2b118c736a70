"""``/admin/plugins``: every plugin's state and reason, enable/disable, tile order, ward
pilots and settings, through the same services as ``/api/v1/admin/plugins``."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from smartapp.console.blueprint import back_to, blp, console_language, error_page, page, t
from smartapp.console.forms import form_fields, form_values
from smartapp.identity.models import Role
from smartapp.locations.services import wards
from smartapp.plugins import services as plugin_services
from smartapp.plugins.registry import registry
from smartapp.plugins.schemas import PluginUpdateSchema

UPDATE = PluginUpdateSchema()
OFFSET = re.compile(r"-?\d{1,4}")


def _described() -> list[dict[str, Any]]:
    described = [plugin_services.describe(r) for r in registry().records.values()]
    # loaded ones in home-screen order, then those that failed to load
    return sorted(
        described, key=lambda p: (p.get("position") is None, p.get("position") or 0, p["slug"])
    )


@blp.get("/plugins")
@page(Role.ADMIN)
def plugins() -> str:
    """Every plugin, in home-screen order."""
    return render_template("console/plugins.html", plugins=_described())


def _update(slug: str, changes: dict[str, Any]) -> None:
    try:
        plugin_services.update_plugin(slug, UPDATE.load(changes))
    except ValidationError as error:
        flash(
            "; ".join(
                f"{k}: {' '.join(map(str, v))}" for k, v in error.normalized_messages().items()
            ),
            "error",
        )
    else:
        flash(t("Đã lưu.", "Saved."), "success")


@blp.post("/plugins/<slug>/enabled")
@page(Role.ADMIN)
def set_enabled(slug: str) -> Response:
    """Enable or disable a plugin for every worker."""
    _update(slug, {"enabled": request.form.get("enabled") == "true"})
    return back_to("console.plugins")


def _offset() -> int | None:
    """How many places to move: the buttons' ``direction`` (one up or down), or a dragged
    row's ``offset`` (places, negative: up); ``None`` when the offset is not a number."""
    if "offset" not in request.form:
        return -1 if request.form.get("direction") == "up" else 1
    offset = request.form["offset"]
    return int(offset) if OFFSET.fullmatch(offset) else None


@blp.post("/plugins/<slug>/move")
@page(Role.ADMIN)
def move(slug: str) -> Response:
    """Move a plugin's tile one place up or down (the buttons), or by any number of places
    (dragging its row)."""
    offset = _offset()
    if offset is None:
        flash("offset: " + t("Phải là một số nguyên.", "Not a valid integer."), "error")
    else:
        plugin_services.move_plugin(slug, offset)
    return back_to("console.plugins")


def _detail(
    slug: str,
    status: int = 200,
    settings_errors: dict[str, Any] | None = None,
    submitted: dict[str, Any] | None = None,
) -> tuple[str, int]:
    record = plugin_services.plugin_record(slug)
    described = plugin_services.describe(record)
    schema = record.plugin.settings_schema if record.plugin else None
    settings = None
    if schema is not None:
        values = submitted if submitted is not None else plugin_services.plugin_settings(slug)
        settings = form_fields(schema(), values, console_language(), settings_errors)
    return render_template(
        "console/plugin.html", plugin=described, settings=settings, wards=wards()
    ), status


@blp.get("/plugins/<slug>")
@page(Role.ADMIN)
def plugin(slug: str) -> tuple[str, int]:
    """One plugin: its state, the wards it is piloted in, its settings."""
    return _detail(slug)


@blp.post("/plugins/<slug>/wards")
@page(Role.ADMIN)
def set_wards(slug: str) -> Response:
    """Limit a plugin to some wards (a pilot), or open it to the whole province."""
    codes = request.form.getlist("ward_codes")
    everywhere = request.form.get("scope") != "wards"
    _update(slug, {"ward_codes": None if everywhere else codes})
    return back_to("console.plugin", slug=slug)


@blp.post("/plugins/<slug>/settings")
@page(Role.ADMIN)
def save_settings(slug: str) -> Any:
    """Replace a plugin's settings; its own schema validates them."""
    loaded = plugin_services.plugin_record(slug).plugin
    schema = loaded.settings_schema if loaded else None
    values = form_values(schema(), request.form) if schema else {}
    try:
        plugin_services.replace_plugin_settings(slug, values)
    except ValidationError as error:
        return _detail(slug, 422, error.normalized_messages(), values)
    flash(t("Đã lưu cài đặt.", "Settings saved."), "success")
    return back_to("console.plugin", slug=slug)


@blp.errorhandler(plugin_services.PluginNotFound)
def _no_such_plugin(error: plugin_services.PluginNotFound) -> Any:
    return error_page(NotFound())
