"""``GET /api/v1/ioc/metrics``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields
from sqlalchemy import func, select

from smartapp.blueprint import Blueprint
from smartapp.extensions import cache, db, utcnow
from smartapp.identity.auth import staff_required
from smartapp.identity.models import Citizen, Role
from smartapp.locations.services import province_code
from smartapp.plugins.registry import PluginState, registry

blp = Blueprint("ioc", __name__, url_prefix="/api/v1/ioc",
                description="Figures for the provincial operations centre")


class MetricsSchema(Schema):
    generated_at = fields.DateTime(required=True)
    province_code = fields.Integer(required=True)
    core = fields.Dict(required=True)
    utilities = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True,
                            metadata={"description": "each enabled utility's figures, by slug"})
    failures = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                           metadata={"description": "utilities whose figures failed, and why"})


PROVINCE_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
"""Days and months of the figures are the province's, not UTC's."""


def _joined_since(day: datetime, month: datetime) -> dict[str, int]:
    def since(moment: datetime) -> int:
        return db.session.scalar(select(func.count()).where(Citizen.created_at >= moment)) or 0

    return {"today": since(day), "this_month": since(month)}


def collect() -> dict[str, Any]:
    """The core's figures and each enabled plugin's ``ioc_metrics`` (a failing plugin is left
    out and counted under ``core.plugins``)."""
    rows = db.session.execute(select(Citizen.language, func.count()).group_by(Citizen.language))
    citizens_by_language = {language: count for language, count in rows}
    figures = registry().call_hook("ioc_metrics")
    states: dict[str, int] = {}
    for record in registry().records.values():
        states[record.state.value] = states.get(record.state.value, 0) + 1
    today = utcnow().astimezone(PROVINCE_TIME).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "generated_at": utcnow(),
        "province_code": province_code(),
        "core": {
            "citizens": sum(citizens_by_language.values()),
            "citizens_by_language": citizens_by_language,
            "citizens_joined": _joined_since(today, today.replace(day=1)),
            "plugins": {state.value: states.get(state.value, 0) for state in PluginState},
        },
        "utilities": figures.answers,
        "failures": figures.failures,
    }


IOC_PERMISSION = "ioc:read"
"""Granted to the operations centre's service account, so it needs no admin role."""


@blp.route("/metrics")
@staff_required(Role.ADMIN, permission=IOC_PERMISSION)
@blp.response(200, MetricsSchema)
@cache.cached(timeout=60, key_prefix="ioc-metrics")
def metrics() -> dict[str, Any]:
    """Figures from every utility (refreshed at most once a minute)."""
    return collect()
