"""Staff notifications sent and opened over a period, for the IOC's dashboard and the
monthly report: campaigns that finished sending in it, the pushes FCM accepted for them and
the opens the app reported, by the author's agency."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from smartapp.extensions import db
from smartapp.identity.models import Staff
from smartapp.notifications.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    InboxItem,
    Origin,
)

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
    counts = {
        "campaigns_sent": select(done.c.agency_code, func.count()),
        "pushes_sent": select(done.c.agency_code, func.count(Delivery.id))
        .join(Delivery, Delivery.campaign_id == done.c.id)
        .where(Delivery.status == DeliveryStatus.SENT),
        "opened": select(done.c.agency_code, func.count(InboxItem.opened_at)).join(
            InboxItem, InboxItem.campaign_id == done.c.id
        ),
    }
    figures: dict[str | None, dict[str, int]] = {None: dict.fromkeys(KEYS, 0)}
    for key, statement in counts.items():
        for agency, count in db.session.execute(statement.group_by(done.c.agency_code)):
            figures.setdefault(agency, dict.fromkeys(KEYS, 0))[key] = count
    return figures


def sent_in_all(start: datetime, end: datetime) -> dict[str, Any]:
    """:func:`sent_by_agency` summed over every agency."""
    totals = dict.fromkeys(KEYS, 0)
    for figures in sent_by_agency(start, end).values():
        for key in KEYS:
            totals[key] += figures[key]
    return totals
