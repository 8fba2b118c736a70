"""The provincial operations centre's figures, gathered from the core and every plugin."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from smartapp.extensions import db, utcnow
from smartapp.identity.models import Citizen
from smartapp.locations.services import province_code
from smartapp.notifications.figures import recent_figures as notification_figures
from smartapp.notifications.totals import sent_in_all
from smartapp.plugins.base import Plugin
from smartapp.plugins.registry import PluginState, registry

PROVINCE_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
"""Days and months of the figures are the province's, not UTC's."""


def _joined_since(day: datetime, month: datetime) -> dict[str, int]:
    def since(moment: datetime) -> int:
        return db.session.scalar(select(func.count()).where(Citizen.created_at >= moment)) or 0

    return {"today": since(day), "this_month": since(month)}


def collect() -> dict[str, Any]:
    """The core's figures (citizens, plugins' states, the staff notifications sent and opened
    today and this month, the last 30 days' campaigns) and each enabled plugin's
    ``ioc_metrics`` (a failing plugin is left out and counted under ``core.plugins``)."""
    rows = db.session.execute(select(Citizen.language, func.count()).group_by(Citizen.language))
    citizens_by_language = {language: count for language, count in rows}
    figures = registry().call_hook(Plugin.ioc_metrics)
    states: dict[str, int] = {}
    for record in registry().records.values():
        states[record.state.value] = states.get(record.state.value, 0) + 1
    now = utcnow()
    today = now.astimezone(PROVINCE_TIME).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "generated_at": now,
        "province_code": province_code(),
        "core": {
            "citizens": sum(citizens_by_language.values()),
            "citizens_by_language": citizens_by_language,
            "citizens_joined": _joined_since(today, today.replace(day=1)),
            "plugins": {state.value: states.get(state.value, 0) for state in PluginState},
            # purged rows' tallies included, so figures stay after retention
            "notifications": {
                "today": sent_in_all(today, now),
                "this_month": sent_in_all(today.replace(day=1), now),
                "last_30_days": notification_figures(now),
            },
        },
        "utilities": figures.answers,
        "failures": figures.failures,
    }
