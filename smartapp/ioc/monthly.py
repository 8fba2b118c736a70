"""The monthly report each agency sends the province's digital transformation steering
committee: every enabled plugin's ``monthly_report`` figures and the core's notifications,
per agency, for one month of the province's calendar.

The core knows no plugin's figures: it asks the hook and files the lines by agency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select

from smartapp.extensions import db
from smartapp.i18n import Localized
from smartapp.identity.models import Staff
from smartapp.ioc.services import PROVINCE_TIME
from smartapp.notifications.totals import sent_by_agency
from smartapp.plugins.base import MonthlyFigure, Plugin
from smartapp.plugins.registry import registry

CORE = "core"
CORE_TITLE: Localized = {"vi": "Thông báo", "en": "Notifications"}
NOTIFICATION_LABELS: dict[str, tuple[Localized, Localized]] = {
    "campaigns_sent": (
        {"vi": "Thông báo đã gửi", "en": "Notifications sent"},
        {"vi": "đợt", "en": "campaigns"},
    ),
    "pushes_sent": (
        {"vi": "Lượt gửi đến thiết bị", "en": "Pushes accepted by FCM"},
        {"vi": "lượt", "en": "pushes"},
    ),
    "opened": (
        {"vi": "Lượt mở thông báo", "en": "Notifications opened"},
        {"vi": "lượt", "en": "opens"},
    ),
}


@dataclass(frozen=True)
class ReportLine:
    """One figure and where it comes from (a plugin's slug, or ``core``)."""

    source: str
    source_title: Localized
    figure: MonthlyFigure


@dataclass
class MonthlyReport:
    month: date
    start: datetime
    end: datetime
    #: the lines by agency code, agencies in order, the province's own (``None``) last
    agencies: dict[str | None, list[ReportLine]] = field(default_factory=dict)
    #: plugins whose hook raised, with the reason: their figures are missing
    failures: dict[str, str] = field(default_factory=dict)

    def only(self, agency: str) -> MonthlyReport:
        """The same report with one agency's lines only (none: an empty section)."""
        lines: dict[str | None, list[ReportLine]] = {agency: self.agencies.get(agency, [])}
        return MonthlyReport(self.month, self.start, self.end, lines, self.failures)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first moment and the next month's, at the province's midnight."""
    first = month.replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    return (
        datetime.combine(first, time(), PROVINCE_TIME),
        datetime.combine(following, time(), PROVINCE_TIME),
    )


def notification_figures(start: datetime, end: datetime) -> list[MonthlyFigure]:
    """The core's lines: staff notifications sent and opened, by the author's agency (today
    always the province's, see :func:`sent_by_agency`)."""
    by_agency = sent_by_agency(start, end)
    return [
        MonthlyFigure(agency, key, label, by_agency[agency][key], unit)
        for agency in sorted(by_agency, key=lambda agency: (agency is None, agency or ""))
        for key, (label, unit) in NOTIFICATION_LABELS.items()
    ]


def monthly_report(month: date) -> MonthlyReport:
    """Every figure of ``month``: of every agency, and of the province as a whole."""
    start, end = month_bounds(month)
    report = MonthlyReport(month.replace(day=1), start, end)
    answers = registry().call_hook(Plugin.monthly_report, month_start=start, month_end=end)
    report.failures = answers.failures
    sources: list[tuple[str, Localized, Sequence[MonthlyFigure]]] = [
        (slug, registry().records[slug].plugin.title, figures)  # type: ignore[union-attr]
        for slug, figures in answers.answers.items()
    ]
    sources.append((CORE, CORE_TITLE, notification_figures(start, end)))
    lines: dict[str | None, list[ReportLine]] = {}
    for source, title, figures in sources:
        for figure in figures:
            lines.setdefault(figure.agency_code, []).append(ReportLine(source, title, figure))
    for code in sorted(lines, key=lambda code: (code is None, code or "")):
        report.agencies[code] = lines[code]
    return report


def known_agencies(report: MonthlyReport) -> list[str]:
    """Agencies to choose from: those with lines in ``report`` (of every agency) and those
    staff are bound to."""
    codes = select(Staff.agency_code).where(Staff.agency_code.is_not(None)).distinct()
    bound = {code for code in db.session.scalars(codes) if code}
    return sorted(bound | {code for code in report.agencies if code is not None})
