"""The ``payments`` utility: where to pay without cash, agencies' fee accounts and fee
items, VietQR codes exactly per NAPAS/EMVCo, and how-to guides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smartapp.plugin import ConsolePage, Plugin, SearchHit

from . import (
    console,
    models,  # noqa: F401  (registers the tables before the registry checks them)
)
from .cli import cli as payments_cli
from .routes import blueprint
from .services import demo, fees, guides
from .services.metrics import ioc_figures
from .settings import PaymentsSettings

__version__ = "0.1.0"


class PaymentsPlugin(Plugin):
    """Cashless payments"""

    slug = "payments"
    version = __version__
    core_requires = ">=0.1,<1"
    title = {"vi": "Thanh toán không tiền mặt", "en": "Cashless payments"}
    description = {
        "vi": "Nơi thanh toán không tiền mặt, nộp phí, lệ phí bằng VietQR và hướng dẫn.",
        "en": "Where to pay without cash, paying public fees by VietQR, and how-to guides.",
    }
    icon = "qr_code_2"
    category = "payments"
    position = 30
    blueprint = blueprint
    settings_schema = PaymentsSettings
    permissions = {
        "manage": {
            "vi": "Quản lý điểm thanh toán, tài khoản thu phí và hướng dẫn",
            "en": "Manage cashless places, fee accounts and guides",
        }
    }
    cli = payments_cli

    def ioc_metrics(self) -> Mapping[str, Any]:
        """Places by ward, category and method; VietQR codes per agency and month."""
        return ioc_figures()

    def search(self, query: str, language: str, limit: int) -> list[SearchHit]:
        """How-to guides for a search across every utility."""
        return guides.search(query, language, limit)

    def console_pages(self) -> list[ConsolePage]:
        """Places and fee accounts: list, create, edit, retire."""
        return console.console_pages()

    def seed_demo(self) -> None:
        """Demo places and fee accounts (marked as demo data) and the real guides."""
        demo.seed()

    def fee_payment_link(self, procedure_code: str, amount_vnd: int) -> str | None:
        """For ``public-services``: where a procedure's fee is paid (a fee item's ready
        VietQR, to which the app adds ``dossier=``), or ``None`` when no account collects
        it."""
        return fees.payment_link(procedure_code, amount_vnd)


__all__ = ["PaymentsPlugin", "__version__"]
