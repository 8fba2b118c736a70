"""The ``feedback`` utility: citizens report a problem with photos and a place, an agency
handles it within a deadline, and the citizen follows it to resolution."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Flask

from smartapp.plugin import Citizen, CitizenExport, ConsolePage, MonthlyFigure, Plugin

from . import (
    console,
    imaging,
    map_routes,  # noqa: F401  (adds the map and follow routes to the blueprint)
    models,  # noqa: F401  (registers the tables before the registry checks them)
    staff_routes,  # noqa: F401  (adds the staff routes to the blueprint)
)
from .access import COORDINATE
from .categories import seed_demo_categories
from .cli import cli as feedback_cli
from .labels import IOC_LABELS
from .metrics import ioc_figures
from .monthly import dashboard_figures, monthly_figures
from .open311 import blp as open311_blp
from .open311 import media
from .privacy import erase_citizen, export_citizen
from .retention import photo_retention_days, purge_photos
from .routes import blp
from .settings import FeedbackSettings
from .storage import init_storage

__version__ = "0.1.0"


class FeedbackPlugin(Plugin):
    """Feedback"""

    slug = "feedback"
    version = __version__
    core_requires = ">=0.1,<1"
    title = {"vi": "Phản ánh kiến nghị", "en": "Feedback"}
    description = {
        "vi": "Phản ánh sự cố kèm hình ảnh, vị trí và theo dõi đến khi được giải quyết.",
        "en": "Report a problem with photos and a place, and follow it until it is fixed.",
    }
    icon = "campaign"
    category = "feedback"
    position = 20
    blueprint = blp
    extra_blueprints = {"/open311/v2": open311_blp}
    settings_schema = FeedbackSettings
    permissions = {
        COORDINATE.split(":")[1]: {
            "vi": "Điều phối phản ánh toàn tỉnh",
            "en": "Coordinate feedback province-wide",
        }
    }
    cli = feedback_cli
    ioc_labels = IOC_LABELS

    def setup(self, app: Flask) -> None:
        """Pillow's pixel limit, the photo storage, the photos' retention settings; in
        production, no exception to the ``media_url`` SSRF guard
        (``SMARTAPP_FEEDBACK_MEDIA_ALLOW_ADDRESSES``)."""
        imaging.configure()
        init_storage(app)
        photo_retention_days(app)
        media.allowed_addresses()

    def purge_expired(self, now: datetime) -> Mapping[str, int]:
        """Files of photos of reports closed longer than the retention (reports stay), and
        photos never put in a report."""
        return purge_photos(now)

    def ioc_metrics(self) -> Mapping[str, Any]:
        """Reports by status, category, agency and ward; median hours to acknowledge and to
        resolve; overdue; satisfaction; each agency's processing rate; for the dashboard,
        received and resolved today and this month, overdue by agency, ratings by stars."""
        return {**ioc_figures(), **dashboard_figures()}

    def monthly_report(self, month_start: datetime, month_end: datetime) -> list[MonthlyFigure]:
        """Per agency: reports received, resolved, resolved on time, overdue at the month's
        end, average satisfaction and the ratings it is the average of."""
        return monthly_figures(month_start, month_end)

    def export_citizen_data(self, citizen: Citizen) -> CitizenExport:
        """The citizen's reports with their timelines, their photos and what they follow."""
        return export_citizen(citizen)

    def erase_citizen_data(self, citizen: Citizen) -> Mapping[str, int]:
        """Confidential reports deleted, public ones kept without the reporter (privacy.py)."""
        return erase_citizen(citizen)

    def console_pages(self) -> list[ConsolePage]:
        """The queue, its map, a report's page with the workflow and moderation forms."""
        return console.console_pages()

    def seed_demo(self) -> None:
        """Tây Ninh's demonstration categories."""
        seed_demo_categories()


__all__ = ["FeedbackPlugin", "__version__"]
