"""What administrators may change at run time (``/api/v1/admin/plugins/feedback/settings``)."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError, fields, validate, validates

from smartapp.plugin import Schema, get_plugin

SLUG = "feedback"
PERIOD = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
#: a tile server on the console's own host (its CSP allows no other): ``/tiles/{z}/{x}/{y}.png``
TILE_URL = re.compile(r"^(/[^\s{}]*(\{[zxy]\}[^\s{}]*){3})?$")
LIMIT = re.compile(r"^\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?$")


def _limit(default: str, what: str) -> fields.String:
    return fields.String(
        load_default=default,
        validate=validate.Regexp(LIMIT),
        metadata={"description": f"{what} (flask-limiter notation)"},
    )


class FeedbackSettings(Schema):
    acknowledge_hours = fields.Integer(
        load_default=8,
        validate=validate.Range(1, 200),
        metadata={"description": "working hours within which an agency accepts or rejects"},
    )
    urgent_hours = fields.Integer(
        load_default=4,
        validate=validate.Range(1, 200),
        metadata={"description": "working hours within which an urgent report is handled"},
    )
    working_periods = fields.List(
        fields.String(validate=validate.Regexp(PERIOD)),
        load_default=["07:30-11:30", "13:00-17:00"],
        validate=validate.Length(min=1),
        metadata={"description": "office hours of a working day, local time, HH:MM-HH:MM"},
    )
    timezone = fields.String(
        load_default="Asia/Ho_Chi_Minh", metadata={"description": "the province's time zone"}
    )
    reopen_days = fields.Integer(
        load_default=7,
        validate=validate.Range(0, 365),
        metadata={"description": "days after resolution during which the reporter may reopen"},
    )
    resolution_photo_required = fields.Boolean(
        load_default=True, metadata={"description": "a resolution needs a photo of the result"}
    )
    max_photos = fields.Integer(
        load_default=5,
        validate=validate.Range(0, 10),
        metadata={"description": "photos a citizen attaches to a report"},
    )
    duplicate_radius_m = fields.Integer(
        load_default=250,
        validate=validate.Range(10, 5000),
        metadata={
            "description": "how near an open report of the same category is a likely duplicate"
        },
    )
    province_bounds = fields.List(
        fields.Float(),
        load_default=[105.45, 10.35, 106.85, 11.80],
        validate=validate.Length(equal=4),
        metadata={
            "description": "minlon, minlat, maxlon, maxlat a report's location must lie "
            "in (Tây Ninh after the 2025 merger with Long An)"
        },
    )
    map_tile_url = fields.String(
        load_default="",
        validate=validate.Regexp(
            TILE_URL, error="Empty, or a path such as /tiles/{{z}}/{{x}}/{{y}}.png"
        ),
        metadata={
            "description": "the console map's background tiles, served from the console's own "
            "host (/tiles/{z}/{x}/{y}.png); empty: reports are drawn on a plain background"
        },
    )
    reports_per_citizen = _limit("10/hour", "reports one citizen may submit")
    photos_per_citizen = _limit("60/hour", "photos one citizen may upload")
    writes_per_address = _limit("120/hour", "reports and photos from one network address")

    @validates("timezone")
    def _known_zone(self, zone: str, **_: Any) -> None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError("Not a time zone name (e.g. Asia/Ho_Chi_Minh).") from None

    @validates("working_periods")
    def _ordered(self, periods: list[str], **_: Any) -> None:
        bounds = [part for period in periods for part in period.split("-")]
        if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise ValidationError("periods must be in order, each ending after it starts")


_DEFAULTS: dict[str, Any] | None = None


def settings() -> dict[str, Any]:
    """The current settings; the defaults where the plugin is not serving (a worker job, a
    command of a disabled utility)."""
    global _DEFAULTS
    plugin = get_plugin(SLUG)
    if plugin is not None:
        return plugin.settings()
    if _DEFAULTS is None:  # same for every worker: only the schema's defaults
        _DEFAULTS = FeedbackSettings().load({})
    return _DEFAULTS
