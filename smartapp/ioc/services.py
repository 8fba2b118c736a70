"""The provincial operations centre's figures, gathered from the core and every plugin."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from smartapp.extensions import db, utcnow
from smartapp.identity.models import Citizen
from smartapp.locations.services import province_code
from smartapp.plugins.base import Plugin
from smartapp.plugins.registry import PluginState, registry


def collect() -> dict[str, Any]:
    """The core's figures and each enabled plugin's ``ioc_metrics`` (a failing plugin is left
    out and counted under ``core.plugins``)."""
    rows = db.session.execute(select(Citizen.language, func.count()).group_by(Citizen.language))
    citizens_by_language = {language: count for language, count in rows}
    figures = registry().call_hook(Plugin.ioc_metrics)
    states: dict[str, int] = {}
    for record in registry().records.values():
        states[record.state.value] = states.get(record.state.value, 0) + 1
    return {
        "generated_at": utcnow(),
        "province_code": province_code(),
        "core": {
            "citizens": sum(citizens_by_language.values()),
            "citizens_by_language": citizens_by_language,
            "plugins": {state.value: states.get(state.value, 0) for state in PluginState},
        },
        "utilities": figures.answers,
        "failures": figures.failures,
    }
