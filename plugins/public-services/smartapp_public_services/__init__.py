"""The ``public-services`` utility: administrative procedures a citizen can look up before
going anywhere — documents, fees, time, where to submit, whether it is fully online."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask
from marshmallow import Schema, fields, validate

from smartapp.plugin import ConsolePage, MonthlyFigure, Plugin, SearchHit

from . import models  # noqa: F401  (registers the tables before the registry checks them)
from .catalog import localized_name
from .cli import cli as public_services_cli
from .console import console_pages
from .importer import KINDS, plan_import, write_import
from .lookups import monthly_figures
from .metrics import ioc_figures
from .routes import blp
from .search import page_of
from .search import search as search_procedures
from .searchlog import purge_search_log, search_log_retention_days

__version__ = "0.2.0"

DATA_DIR = Path(__file__).resolve().parent / "data"
#: the data files shipped with the plugin, in the order they must load
DATA_FILES = (
    ("procedures", "procedures.json"),
    ("bundles", "bundles.json"),
    ("offices", "offices.json"),
)


class PublicServicesSettings(Schema):
    search_cache_seconds = fields.Integer(
        load_default=300,
        validate=validate.Range(1, 86_400),
        metadata={"description": "how long a search's answer is reused (writes clear it)"},
    )
    nearby_radius_km = fields.Float(
        load_default=50.0,
        validate=validate.Range(1, 500),
        metadata={"description": "how far nearest-office search looks by default"},
    )


class PublicServicesPlugin(Plugin):
    """Public services"""

    slug = "public-services"
    version = __version__
    core_requires = ">=0.1,<1"
    title = {"vi": "Thủ tục hành chính", "en": "Public services"}
    description = {
        "vi": "Tra cứu thủ tục: giấy tờ, lệ phí, thời hạn, nơi nộp và nộp trực tuyến.",
        "en": "Look up procedures: documents, fees, time, where to submit, online filing.",
    }
    icon = "account_balance"
    category = "administration"
    position = 10
    blueprint = blp
    settings_schema = PublicServicesSettings
    permissions = {
        "manage": {"vi": "Quản lý thủ tục và nơi tiếp nhận", "en": "Manage procedures and offices"}
    }
    cli = public_services_cli
    ioc_labels = {
        "procedures": {"vi": "Thủ tục đang áp dụng", "en": "Procedures in service"},
        "procedures_by_field": {"vi": "Thủ tục theo lĩnh vực", "en": "Procedures by field"},
        "procedures_by_online_level": {
            "vi": "Thủ tục theo mức trực tuyến",
            "en": "Procedures by online level",
        },
        "procedures_by_online_level.full": {"vi": "Toàn trình", "en": "Fully online"},
        "procedures_by_online_level.partial": {"vi": "Một phần", "en": "Partly online"},
        "offices": {"vi": "Nơi tiếp nhận hồ sơ", "en": "Offices"},
        "unverified": {"vi": "Chưa đối chiếu văn bản gốc", "en": "Not verified"},
        "unverified.procedures": {"vi": "Thủ tục", "en": "Procedures"},
        "unverified.bundles": {"vi": "Liên thông", "en": "Bundles"},
        "unverified.offices": {"vi": "Nơi tiếp nhận", "en": "Offices"},
        "unverified.fees": {"vi": "Lệ phí", "en": "Fees"},
        "top_searches": {"vi": "Tìm kiếm nhiều nhất (30 ngày)", "en": "Top searches (30 days)"},
        "searches_without_result": {
            "vi": "Tìm kiếm không có kết quả",
            "en": "Searches without a result",
        },
    }

    def setup(self, app: Flask) -> None:
        """Check the search log's retention setting, so a wrong value shows at start."""
        search_log_retention_days(app)

    def purge_expired(self, now: datetime) -> Mapping[str, int]:
        """The search log's per-client rows and old daily counts (figures unchanged)."""
        return purge_search_log(now)

    def ioc_metrics(self) -> Mapping[str, Any]:
        """Procedures by field and online level, top searches, searches that found nothing."""
        return ioc_figures()

    def monthly_report(self, month_start: datetime, month_end: datetime) -> list[MonthlyFigure]:
        """Procedures citizens looked up in the month, per managing agency."""
        return monthly_figures(month_start, month_end)

    def search(self, query: str, language: str, limit: int) -> list[SearchHit]:
        """The best-ranked procedures for a search across every utility."""
        result = search_procedures(query, {}, self.settings()["search_cache_seconds"])
        procedures, _ = page_of(result, {"limit": limit})
        return [
            SearchHit(
                title=localized_name(procedure.name, procedure.name_en, language),
                subtitle=f"{procedure.field} · {procedure.agency}",
                path=f"procedures/{procedure.code}",
                deep_link=f"smartapp://u/{self.slug}/procedures/{procedure.code}",
                score=1.0 / (1 + rank),
            )
            for rank, procedure in enumerate(procedures)
        ]

    def console_pages(self) -> list[ConsolePage]:
        """Procedure and office management pages, for staff with ``public-services:manage``."""
        return console_pages()

    def seed_demo(self) -> None:
        """Load the real procedures, bundles and offices shipped in ``data/`` (an upsert, in
        the seed's transaction: the core commits it)."""
        for kind, name in DATA_FILES:
            plan = plan_import(DATA_DIR / name, KINDS[kind])
            if plan.errors:
                first = plan.errors[0]
                raise ValueError(f"{name} {first.record.location}: {first.messages}")
            write_import(plan)


__all__ = ["PublicServicesPlugin", "__version__"]
