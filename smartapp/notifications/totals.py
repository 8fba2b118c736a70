"""Staff notifications sent and opened over a period, for the IOC's dashboard and the
monthly report: campaigns that finished sending in it, the pushes FCM accepted for them and
the opens the app reported, by the author's agency."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from smartapp.extensions import db
from smartapp.identity.models import Staff
from smartapp.notifications.figures import figures
from smartapp.notifications.models import Campaign, CampaignStatus, Origin

SENT = (CampaignStatus.SENT, CampaignStatus.PARTIALLY_FAILED)
#: the figures, in the order they are shown
KEYS = ("campaigns_sent", "pushes_sent", "opened")


def sent_by_agency(start: datetime, end: datetime) -> dict[str | None, dict[str, int]]:
    """Each author agency's :data:`KEYS` for campaigns completed in ``[start, end)``. Only
    province staff (admins, communicators) send, and they have no agency: today every
    campaign is under ``None``, the province."""
    done = (
        select(Campaign.id, Staff.agency_code)
        .outerjoin(Staff, Staff.id == Campaign.author_id)
        .where(
            Campaign.origin == Origin.STAFF,
            Campaign.status.in_(SENT),
            Campaign.completed_at >= start,
            Campaign.completed_at < end,
        )
        .subquery()
    )
    result: dict[str | None, dict[str, int]] = {None: dict.fromkeys(KEYS, 0)}
    by_agency = select(done.c.agency_code, func.count()).group_by(done.c.agency_code)
    for agency, count in db.session.execute(by_agency):
        same = done.c.agency_code.is_(None) if agency is None else done.c.agency_code == agency
        # figures() adds the tallies of rows retention purged, so past months keep theirs
        counted = figures(select(done.c.id).where(same))
        result[agency] = {
            "campaigns_sent": count,
            "pushes_sent": counted["sent"],
            "opened": counted["opened"],
        }
    return result


def sent_in_all(start: datetime, end: datetime) -> dict[str, Any]:
    """:func:`sent_by_agency` summed over every agency."""
    totals = dict.fromkeys(KEYS, 0)
    for agency_figures in sent_by_agency(start, end).values():
        for key in KEYS:
            totals[key] += agency_figures[key]
    return totals
