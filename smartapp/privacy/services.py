"""The citizen's side of consent, and what the server holds about them.

Giving or withdrawing consent is one transaction with its effects: the citizen's devices
follow (or leave) their ward's topic as ``location_notifications`` says, through the
notifications' subscription mirror and its sync job, so a withdrawal applies at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

import smartapp.consent.services as consent
import smartapp.notifications.inbox as inbox
import smartapp.notifications.topics as topics
from smartapp.consent.models import ConsentRecord
from smartapp.extensions import db, utcnow
from smartapp.i18n import current_language
from smartapp.identity.models import Citizen
from smartapp.jobs import enqueue_after_commit
from smartapp.notifications.models import CitizenInterest, Device
from smartapp.notifications.tasks import sync_topics
from smartapp.plugins.base import ExportFile, Plugin
from smartapp.plugins.registry import registry
from smartapp.privacy.models import DataExport

#: what a profile change stores about the citizen; the language is a setting of the app
PERSONAL_FIELDS = ("display_name", "ward_code")


def update_profile(citizen: Citizen, changes: dict[str, Any]) -> Citizen:
    """The citizen's own changes to their profile, committed. Storing a name or a ward needs
    the current notice accepted (:class:`~smartapp.consent.ConsentRequired`); clearing one
    never does."""
    if any(changes.get(name) is not None for name in PERSONAL_FIELDS):
        consent.require_consent(citizen)
    for name, value in changes.items():
        setattr(citizen, name, value)
    db.session.commit()
    return citizen


def state_view(state: consent.ConsentState) -> dict[str, Any]:
    return {
        "notice_version": state.notice.version,
        "accepted_version": state.accepted_version,
        "current": state.current,
        "granted": state.granted,
        "required": state.required,
    }


def _follow_consent(citizen: Citizen) -> None:
    """Re-plan the citizen's devices' topics for what the new record grants."""
    db.session.flush()
    pending = False
    for device in db.session.scalars(select(Device).where(Device.citizen_id == citizen.id)):
        pending = topics.plan(device) or pending
    if pending:
        enqueue_after_commit(db.session, sync_topics)


def give_consent(
    citizen: Citizen, version: int, purposes: Sequence[str], app_version: str | None
) -> ConsentRecord:
    """Record the citizen's acceptance of ``version`` (the current one) and apply it."""
    record = consent.new_consent(citizen, version, purposes, app_version)
    _follow_consent(citizen)
    db.session.commit()
    return record


def withdraw_consent(
    citizen: Citizen, purposes: Sequence[str], app_version: str | None
) -> ConsentRecord:
    """Record the withdrawal of ``purposes`` and apply it at once: withdrawing
    ``location_notifications`` takes the citizen's devices out of their ward's topic."""
    record = consent.new_withdrawal(citizen, purposes, app_version)
    _follow_consent(citizen)
    db.session.commit()
    return record


@dataclass(frozen=True)
class CitizenData:
    """The export document (to dump with ``DataDocumentSchema``) and the files its links
    point to, by their archive path."""

    document: dict[str, Any]
    files: list[tuple[str, ExportFile]]


def citizen_data(citizen: Citizen) -> CitizenData:
    """Everything held about ``citizen``: the core's part and each loaded plugin's (disabled
    ones too: their tables still hold it). A plugin that fails or is not loaded is named in
    ``unavailable``, never left out silently."""
    language = citizen.language or current_language()
    results = registry().call_hook_on_loaded(Plugin.export_citizen_data, citizen=citizen)
    utilities: dict[str, Any] = {}
    files: list[tuple[str, ExportFile]] = []
    for slug, part in results.answers.items():
        if part is None:
            continue
        utilities[slug] = dict(part.data)
        files.extend((f"{slug}/{file.name}", file) for file in part.files)
    document = {
        "generated_at": utcnow(),
        "profile": citizen,
        "sign_in_id": citizen.firebase_uid,
        "consents": consent.citizen_records(citizen.id),
        "devices": list(db.session.scalars(select(Device).where(Device.citizen_id == citizen.id))),
        "interests": list(
            db.session.scalars(
                select(CitizenInterest.interest_slug).where(
                    CitizenInterest.citizen_id == citizen.id
                )
            )
        ),
        "inbox": [inbox.as_entry(item, language) for item in inbox.citizen_items(citizen.id)],
        "exports": [
            {"id": e.id, "status": e.status, "created_at": e.created_at}
            for e in db.session.scalars(
                select(DataExport).where(DataExport.citizen_id == citizen.id)
            )
        ],
        "utilities": utilities,
        "unavailable": {**registry().not_loaded(), **results.failures},
    }
    return CitizenData(document, files)
