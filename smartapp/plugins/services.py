"""What administrators do to plugins at run time: enable, order, limit to wards, configure."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from smartapp.extensions import db
from smartapp.identity.audit import record_audit
from smartapp.plugins.models import PluginSetting
from smartapp.plugins.registry import PluginRecord, registry
from smartapp.plugins.state import announce_change, runtime_state


class PluginNotFound(LookupError):
    """No plugin with this slug was discovered."""


def plugin_record(slug: str) -> PluginRecord:
    record = registry().records.get(slug)
    if record is None:
        raise PluginNotFound(slug)
    return record


def describe(record: PluginRecord) -> dict[str, Any]:
    """A plugin as administrators see it, with the same keys in every state (``None`` where
    loading never learnt the value): load state and reason, metadata, run-time settings."""
    described: dict[str, Any] = {
        "slug": record.name,
        "state": record.state.value,
        "reason": record.reason,
        "distribution": record.distribution,
        "version": None,
        "title": None,
        "category": None,
        "enabled": True,
        "position": None,
        "ward_codes": None,
        "permissions": None,
    }
    plugin_class = record.plugin_class
    if plugin_class is not None:
        settings = runtime_state().for_plugin(plugin_class)
        described.update(
            version=plugin_class.version,
            title=dict(plugin_class.title),
            category=plugin_class.category,
            enabled=settings.enabled,
            position=settings.position,
            ward_codes=sorted(settings.ward_codes) if settings.ward_codes is not None else None,
            permissions=sorted(f"{plugin_class.slug}:{name}" for name in plugin_class.permissions),
        )
    else:
        row = runtime_state().stored(record.name)
        if row is not None:
            described.update(enabled=row.enabled, position=row.position, ward_codes=row.ward_codes)
    if record.distribution is not None:
        # What pip installed, even when the class never loaded.
        described["version"] = distribution_version(record.distribution)
    return described


def distribution_version(distribution: str) -> str | None:
    try:
        return installed_version(distribution)
    except PackageNotFoundError:  # uninstalled since this process started
        return None


def _row(slug: str) -> PluginSetting:
    row = db.session.get(PluginSetting, slug)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = PluginSetting(slug=slug, enabled=True, values={})
            db.session.add(row)
    except IntegrityError:  # another administrator's first change won the race
        row = db.session.scalars(select(PluginSetting).where(PluginSetting.slug == slug)).one()
    return row


def update_plugin(slug: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply ``changes`` (``enabled``, ``position``, ``ward_codes``) for every worker, with an
    audit entry, in one transaction."""
    record = plugin_record(slug)
    if record.plugin is None and changes.get("enabled"):
        raise ValidationError(
            f"cannot enable a plugin in state {record.state.value}", field_name="enabled"
        )
    row = _row(slug)
    for name, value in changes.items():
        setattr(row, name, sorted(set(value)) if name == "ward_codes" and value else value)
    record_audit("plugin.update", "plugin", slug, changes)
    announce_change()
    db.session.commit()
    return describe(record)


def plugin_settings(slug: str) -> dict[str, Any]:
    """The plugin's settings with its schema's defaults, in any state once its class was read;
    as stored when it failed to import (no schema to fill them in)."""
    record = plugin_record(slug)
    plugin_class = record.plugin_class
    if plugin_class is None:
        row = runtime_state().stored(slug)
        return dict(row.values or {}) if row is not None else {}
    schema = plugin_class.settings_schema
    return schema().dump(runtime_state().settings_for(plugin_class)) if schema else {}


def replace_plugin_settings(slug: str, values: dict[str, Any]) -> dict[str, Any]:
    """Validate ``values`` with the plugin's schema (a ``ValidationError`` names each bad
    field and stores nothing) and store them for every worker."""
    plugin_class = plugin_record(slug).plugin_class
    if plugin_class is None:
        raise ValidationError(
            "the plugin's class could not be read, so neither could its settings schema",
            field_name="_schema",
        )
    schema = plugin_class.settings_schema
    if schema is None:
        if values:
            raise ValidationError("this plugin has no settings", field_name="_schema")
        return {}
    loaded = schema().load(values)
    row = _row(slug)
    row.values = schema().dump(loaded)
    record_audit("plugin.settings", "plugin", slug, row.values)
    announce_change()
    db.session.commit()
    return row.values


POSITION_STEP = 10


def move_plugin(slug: str, offset: int) -> list[str]:
    """Move a plugin's tile ``offset`` places in the home-screen order (negative: earlier),
    numbering every loaded plugin's position afresh in steps of 10, with one audit entry, in
    one transaction. Returns the new order."""
    plugin_record(slug)
    state = runtime_state()
    order = [
        p.slug
        for p in sorted(registry().loaded(), key=lambda p: (state.for_plugin(p).position, p.slug))
    ]
    if slug not in order:
        raise ValidationError(
            f"cannot move a plugin that is not loaded: {slug}", field_name="position"
        )
    index = order.index(slug)
    order.insert(max(0, min(len(order) - 1, index + offset)), order.pop(index))
    for number, name in enumerate(order, start=1):
        _row(name).position = number * POSITION_STEP
    record_audit("plugin.move", "plugin", slug, {"order": order})
    announce_change()
    db.session.commit()
    return order
