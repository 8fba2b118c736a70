"""What administrators may change at run time (``/api/v1/admin/plugins/payments/settings``)."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from smartapp.plugin import Schema, get_plugin

SLUG = "payments"
MANAGE = f"{SLUG}:manage"
#: NAPAS 247's ceiling for one transfer is 500 million đồng
NAPAS_MAX_AMOUNT = 499_999_999


class PaymentsSettings(Schema):
    max_amount_vnd = fields.Integer(
        load_default=NAPAS_MAX_AMOUNT,
        validate=validate.Range(1, NAPAS_MAX_AMOUNT),
        metadata={"description": "the largest amount a VietQR code may carry, in đồng"},
    )
    nearby_radius_km = fields.Float(
        load_default=30.0,
        validate=validate.Range(0.5, 300),
        metadata={"description": "how far `near=` looks for places by default"},
    )


def settings() -> dict[str, Any]:
    """The current settings; the defaults while the plugin is not loaded (a command run
    with the utility disabled)."""
    plugin = get_plugin(SLUG)
    return plugin.settings() if plugin is not None else PaymentsSettings().load({})
