"""``GET /api/v1/ioc/metrics``."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from smartapp.blueprint import Blueprint
from smartapp.extensions import cache
from smartapp.identity.auth import staff_required
from smartapp.identity.models import Role
from smartapp.ioc.services import collect

blp = Blueprint(
    "ioc",
    __name__,
    url_prefix="/api/v1/ioc",
    description="Figures for the provincial operations centre",
)


class MetricsSchema(Schema):
    generated_at = fields.DateTime(required=True)
    province_code = fields.Integer(required=True)
    core = fields.Dict(required=True)
    utilities = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        required=True,
        metadata={"description": "each enabled utility's figures, by slug"},
    )
    failures = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "utilities whose figures failed, and why"},
    )


IOC_PERMISSION = "ioc:read"
"""Granted to the operations centre's service account, so it needs no admin role."""


@blp.route("/metrics")
@staff_required(Role.ADMIN, permission=IOC_PERMISSION)
@blp.response(200, MetricsSchema)
@cache.cached(timeout=60, key_prefix="ioc-metrics")
def metrics() -> dict[str, Any]:
    """Figures from every utility (refreshed at most once a minute)."""
    return collect()
