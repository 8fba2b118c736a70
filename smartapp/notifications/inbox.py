"""The citizen's inbox, and ``notify``: how a plugin reaches the citizens a change concerns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select, update

from smartapp.errors import NotFound
from smartapp.extensions import changed_rows, db, utcnow
from smartapp.identity.models import Citizen, Staff
from smartapp.jobs import enqueue_after_commit
from smartapp.notifications.content import (
    DEFAULT_TTL_SECONDS,
    as_localized,
    check_data,
    check_payload,
    in_language,
)
from smartapp.notifications.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    Device,
    InboxItem,
    Origin,
)
from smartapp.notifications.tasks import dispatch_campaign
from smartapp.pagination import Page, paginate

MAX_LINK_LENGTH = 1024
#: ids per ``IN (…)`` list, under every database's bound-parameter limit
_ID_CHUNK = 5000


class InboxItemNotFound(NotFound):
    """No such notification in this citizen's inbox (404)."""


class OwnDeviceNotFound(NotFound):
    """No device with this id registered by this staff member (404)."""


def notify(
    citizen_ids: Iterable[int],
    title: str | Mapping[str, str],
    body: str | Mapping[str, str],
    link: str | None = None,
    data: Mapping[str, str] | None = None,
) -> int:
    """Put a notification in each citizen's inbox and push it to their devices.

    ``title`` and ``body`` are Vietnamese text, or text by language (``{"vi": …, "en": …}``);
    ``link`` is a deep link into the app; ``data`` a flat map of strings for the app. The
    inbox rows are written in the caller's transaction, so a change that is rolled back
    notifies nobody; the push is queued when that transaction commits. Unknown citizen ids
    are skipped. Returns the notification's id. Raises ``marshmallow.ValidationError``
    naming the argument for a message FCM would refuse.
    """
    ids = sorted(set(_citizen_ids(citizen_ids)))
    title_text, body_text = as_localized(title, "title"), as_localized(body, "body")
    data = check_data(data)
    if link is not None and not (isinstance(link, str) and 0 < len(link) <= MAX_LINK_LENGTH):
        raise ValidationError(
            f"must be text of at most {MAX_LINK_LENGTH} characters", field_name="link"
        )
    check_payload(title_text, body_text, data, None, to_topics=False)
    campaign = Campaign(
        origin=Origin.PLUGIN,
        title=title_text,
        body=body_text,
        link=link,
        data=data,
        audience={"kind": "citizens", "citizens": ids},
        ttl_seconds=DEFAULT_TTL_SECONDS,
        status=CampaignStatus.SCHEDULED,
    )
    db.session.add(campaign)
    db.session.flush()
    for start in range(0, len(ids), _ID_CHUNK):
        known = db.session.scalars(
            select(Citizen.id).where(Citizen.id.in_(ids[start : start + _ID_CHUNK]))
        )
        db.session.add_all(
            InboxItem(citizen_id=citizen_id, campaign_id=campaign.id) for citizen_id in known
        )
    enqueue_after_commit(db.session, dispatch_campaign, campaign.id)
    return campaign.id


def _citizen_ids(values: Iterable[int]) -> Iterable[int]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValidationError("must be a list of citizen ids", field_name="citizen_ids")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("must be a list of citizen ids", field_name="citizen_ids")
        yield value


def as_entry(item: InboxItem, language: str) -> dict[str, Any]:
    """``item`` as the app sees it (``InboxItemSchema``), in ``language``."""
    campaign = item.campaign
    return {
        "id": item.id,
        "title": in_language(campaign.title, language),
        "body": in_language(campaign.body, language),
        "link": campaign.link,
        "image_url": campaign.image_url,
        "data": campaign.data,
        "created_at": item.created_at,
        "read": item.read_at is not None,
        "read_at": item.read_at,
        "opened_at": item.opened_at,
    }


def citizen_items(citizen_id: int) -> list[InboxItem]:
    """Every item of the citizen's inbox, oldest first (for the export)."""
    return list(
        db.session.scalars(
            select(InboxItem).where(InboxItem.citizen_id == citizen_id).order_by(InboxItem.id)
        )
    )


def inbox_page(citizen: Citizen, args: dict[str, Any]) -> Page[InboxItem]:
    """One page of the citizen's inbox, newest first."""
    statement = select(InboxItem).where(InboxItem.citizen_id == citizen.id)
    return paginate(statement, [InboxItem.id], args, descending=True)


def unread_count(citizen: Citizen) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                InboxItem.citizen_id == citizen.id, InboxItem.read_at.is_(None)
            )
        )
        or 0
    )


def _item(citizen: Citizen, item_id: int) -> InboxItem:
    item = db.session.scalar(
        select(InboxItem).where(InboxItem.id == item_id, InboxItem.citizen_id == citizen.id)
    )
    if item is None:
        raise InboxItemNotFound()
    return item


def mark_read(citizen: Citizen, item_id: int, opened: bool = False) -> InboxItem:
    """Mark one notification read (and opened: the citizen tapped its push); idempotent,
    the first time is kept."""
    item = _item(citizen, item_id)
    now = utcnow()
    item.read_at = item.read_at or now
    if opened:
        item.opened_at = item.opened_at or now
    db.session.commit()
    return item


def mark_all_read(citizen: Citizen) -> int:
    """Mark every unread notification read; returns how many were unread."""
    changed = changed_rows(
        update(InboxItem)
        .where(InboxItem.citizen_id == citizen.id, InboxItem.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return changed


def own_devices(staff: Staff) -> list[Device]:
    """The devices ``staff`` registered with their staff token (test sends go there)."""
    return list(
        db.session.scalars(
            select(Device).where(Device.staff_id == staff.id).order_by(Device.last_seen_at.desc())
        )
    )


def own_device_inbox(
    staff: Staff, device_id: int, limit: int = 50
) -> tuple[Device, list[tuple[Delivery, Campaign]]]:
    """What test sends delivered to one of ``staff``'s own devices, newest first: each
    delivery (its status and FCM's error code) with its campaign."""
    device = db.session.get(Device, device_id)
    if device is None or device.staff_id != staff.id:
        raise OwnDeviceNotFound(f"no device {device_id} of yours")
    rows = db.session.execute(
        select(Delivery, Campaign)
        .join(Campaign, Campaign.id == Delivery.campaign_id)
        .where(Delivery.device_id == device.id, Campaign.origin == Origin.TEST)
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    return device, [(delivery, campaign) for delivery, campaign in rows]
