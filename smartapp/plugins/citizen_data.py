"""Which plugins hold citizens' data, and whether they answer for it.

A plugin that stores citizen ids must implement both ``export_citizen_data`` and
``erase_citizen_data``, or a citizen's export would miss its part and their erasure would
leave it behind. A column stores citizen ids when it is a foreign key to ``citizens`` or,
since plugins often keep the id without the constraint (their lineage migrates apart from
the core's), when it is named ``citizen_id`` or ``…_citizen_id``.
"""

from __future__ import annotations

from smartapp.extensions import Base, declared_tables
from smartapp.plugins.base import Plugin

CITIZEN_HOOKS = ("export_citizen_data", "erase_citizen_data")


def citizen_columns(plugin_class: type[Plugin]) -> list[str]:
    """The plugin's ``table.column`` names holding citizen ids."""
    package = plugin_class.__module__.partition(".")[0]
    found = []
    for name in sorted(declared_tables(package)):
        for column in Base.metadata.tables[name].columns:
            refers = any(key.column.table.name == "citizens" for key in column.foreign_keys)
            if refers or column.name == "citizen_id" or column.name.endswith("_citizen_id"):
                found.append(f"{name}.{column.name}")
    return found


def citizen_data_problems(plugin_class: type[Plugin]) -> list[str]:
    """Why ``plugin_class`` does not answer for the citizen data it stores; empty when it
    stores none or implements both hooks."""
    columns = citizen_columns(plugin_class)
    missing = [h for h in CITIZEN_HOOKS if getattr(plugin_class, h) is getattr(Plugin, h)]
    if not columns or not missing:
        return []
    return [
        f"stores citizen ids ({', '.join(columns)}) but does not implement {', '.join(missing)}"
    ]
