"""Registering push devices: upsert by token and by installation, shared phones, sign-out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import smartapp.notifications.topics as topics
from smartapp.consent.default_notice import LOCATION_NOTIFICATIONS
from smartapp.consent.services import require_consent
from smartapp.errors import NotFound
from smartapp.extensions import db, utcnow
from smartapp.identity.models import Citizen, Staff
from smartapp.jobs import enqueue_after_commit
from smartapp.notifications.models import Device
from smartapp.notifications.tasks import sync_topics


class DeviceNotFound(NotFound):
    """No device with this token that the caller may remove (404)."""


@dataclass(frozen=True)
class Registration:
    device: Device
    created: bool


def register(
    fields: dict[str, Any], citizen: Citizen | None = None, staff: Staff | None = None
) -> Registration:
    """Upsert the device of ``fields`` for whoever is signed in (nobody: anonymous).

    The same token, or the same ``installation_id`` with a new token (FCM rotated it), is the
    same device: its owner becomes the caller, so on a shared phone the previous citizen no
    longer has it. Every registration refreshes ``last_seen_at``. A signed-in citizen
    giving a ward must grant ``location_notifications`` (:class:`ConsentRequired`).
    """
    if citizen is not None and fields.get("ward_code") is not None:
        require_consent(citizen, LOCATION_NOTIFICATIONS)
    for attempt in range(2):  # a concurrent first registration may win the unique token
        try:
            with db.session.begin_nested():
                registration = _upsert(fields, citizen, staff)
            break
        except IntegrityError:
            if attempt:
                raise
    if topics.plan(registration.device, resubscribe=registration.token_changed):
        enqueue_after_commit(db.session, sync_topics)
    db.session.commit()
    return Registration(registration.device, registration.created)


@dataclass(frozen=True)
class _Upserted:
    device: Device
    created: bool
    token_changed: bool


def _upsert(fields: dict[str, Any], citizen: Citizen | None, staff: Staff | None) -> _Upserted:
    token, installation = fields["token"], fields.get("installation_id")
    by_token = db.session.scalar(select(Device).where(Device.token == token))
    by_installation = (
        None
        if installation is None
        else db.session.scalar(select(Device).where(Device.installation_id == installation))
    )
    device = by_token or by_installation
    created = device is None
    token_changed = device is not None and device.token != token
    if by_token is not None and by_installation is not None and by_token is not by_installation:
        db.session.delete(by_installation)  # the installation's old token, now replaced
        db.session.flush()
    ward = fields.get("ward_code")
    values = {
        "token": token,
        "installation_id": installation or (device.installation_id if device else None),
        "citizen_id": citizen.id if citizen else None,
        "staff_id": staff.id if staff else None,
        "platform": fields["platform"],
        "app_version": fields["app_version"],
        "language": fields.get("language") or (citizen.language if citizen else "vi"),
        # a signed-in citizen's profile ward wins: the sweep keeps devices following it
        "ward_code": citizen.ward_code if citizen and citizen.ward_code else ward,
        "active": True,
        "deactivated_reason": None,
        "last_seen_at": utcnow(),
    }
    if device is None:
        device = Device(**values)
        db.session.add(device)
    else:
        for name, value in values.items():
            setattr(device, name, value)
    db.session.flush()
    return _Upserted(device, created, token_changed)


def sign_out(token: str, citizen: Citizen | None = None) -> None:
    """Stop pushing to ``token``: it leaves its topics at FCM, then it is forgotten. A
    signed-in citizen may remove only their own (or an anonymous) device."""
    device = db.session.scalar(select(Device).where(Device.token == token))
    if device is None or (citizen is not None and device.citizen_id not in (None, citizen.id)):
        raise DeviceNotFound()
    forget(device)
    db.session.commit()


def forget(device: Device) -> None:
    """Detach ``device`` from its owner and stop pushing to it (the caller commits): it
    leaves its FCM topics through the sync job, then the row goes; at once if it has none."""
    device.active, device.deactivated_reason = False, topics.SIGNED_OUT
    device.citizen_id = device.staff_id = device.installation_id = None
    if topics.plan(device):
        enqueue_after_commit(db.session, sync_topics)
    else:
        db.session.delete(device)
