"""Erasing a citizen: everything in the database in one transaction, the rest after it.

In the transaction: the profile, consents, interests, inbox and exports are deleted, the
devices are detached and leave their FCM topics through the notifications' subscription
mirror (the sync job unsubscribes them at FCM, then deletes them), and every loaded plugin
deletes or anonymises its part through ``erase_citizen_data``. A plugin that raises rolls
the whole transaction back: it is retried (:data:`ATTEMPTS` times), then the erasure is
refused with 503 naming it, and nothing is erased. An installed plugin that did not load is
refused the same way, since its data could not be reached.

After the commit, :func:`smartapp.privacy.tasks.complete_erasure` deletes the Firebase
account, retried until it is done; so a Firebase outage cannot leave the database
half-erased, and a later sign-in finds no account and starts afresh.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

import smartapp.notifications.devices as devices
from smartapp.consent.models import CitizenPurpose, ConsentRecord
from smartapp.errors import Conflict, DomainError, NotFound
from smartapp.extensions import changed_rows, db
from smartapp.i18n import message
from smartapp.identity.audit import record_audit
from smartapp.identity.citizens import uid_digest
from smartapp.identity.models import Citizen
from smartapp.jobs import enqueue_after_commit
from smartapp.notifications.models import CitizenInterest, Device, InboxItem
from smartapp.plugins.base import Plugin
from smartapp.plugins.registry import registry
from smartapp.privacy.exports import forget_exports
from smartapp.privacy.models import Erasure
from smartapp.privacy.tasks import complete_erasure

log = logging.getLogger(__name__)

#: tries of the whole transaction before a failing plugin makes the erasure a 503
ATTEMPTS = 3
#: seconds between the tries (a lock timeout, a deadlock, a restarting database)
RETRY_DELAY = 0.2
#: what the app is told to wait before asking again
RETRY_AFTER_SECONDS = 60


class ErasureUnconfirmed(Conflict):
    """``DELETE /api/v1/me`` without ``confirm=true``: 409 with what it would erase."""


class ErasureFailed(DomainError):
    """A plugin could not erase its part, or is not loaded (503, naming it); nothing was
    erased."""

    status = 503


def _erase_core(citizen: Citizen) -> dict[str, int]:
    owned = list(db.session.scalars(select(Device).where(Device.citizen_id == citizen.id)))
    for device in owned:
        devices.forget(device)
    db.session.execute(delete(CitizenPurpose).where(CitizenPurpose.citizen_id == citizen.id))
    return {
        "profile": 1,
        "devices": len(owned),
        "inbox": changed_rows(delete(InboxItem).where(InboxItem.citizen_id == citizen.id)),
        "interests": changed_rows(
            delete(CitizenInterest).where(CitizenInterest.citizen_id == citizen.id)
        ),
        "consents": changed_rows(
            delete(ConsentRecord).where(ConsentRecord.citizen_id == citizen.id)
        ),
        "exports": forget_exports(citizen.id),
    }


def _erase_everything(citizen: Citizen) -> tuple[dict[str, Any], dict[str, str]]:
    """Erase in the open transaction; returns the summary and the plugins that failed."""
    summary: dict[str, Any] = _erase_core(citizen)
    results = registry().call_hook_on_loaded(Plugin.erase_citizen_data, citizen=citizen)
    summary["utilities"] = {slug: dict(counts) for slug, counts in results.answers.items()}
    db.session.delete(citizen)
    db.session.flush()
    return summary, results.failures


def _refuse(failures: dict[str, str]) -> ErasureFailed:
    error = ErasureFailed(
        message("erasure_failed"), {"plugins": {s: [r] for s, r in failures.items()}}
    )
    error.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return error


def _locked(citizen_id: int) -> Citizen:
    """The citizen's row, locked (PostgreSQL) so that a second erasure at the same time
    waits, then finds it gone (SQLite serializes write requests anyway)."""
    citizen = db.session.get(Citizen, citizen_id, with_for_update=True, populate_existing=True)
    if citizen is None:
        raise NotFound("the citizen is already erased")
    return citizen


def erased_since(digest: str, issued_at: float | None) -> bool:
    """Whether the account of uid ``digest`` was erased at or after ``issued_at`` (whole
    seconds, so a token of the erasure's own second counts as older; unknown: any time)."""
    query = select(Erasure.id).where(Erasure.firebase_uid_digest == digest)
    if issued_at is not None:
        query = query.where(Erasure.created_at >= datetime.fromtimestamp(issued_at, UTC))
    return db.session.scalar(query.limit(1)) is not None


def erase_citizen(citizen: Citizen, confirm: bool) -> dict[str, Any]:
    """Erase ``citizen`` (``confirm``), or raise :class:`ErasureUnconfirmed` with the summary
    of what it would erase, found by doing it and rolling back."""
    not_loaded = registry().not_loaded()
    if not_loaded:
        raise _refuse(not_loaded)
    citizen_id, firebase_uid = citizen.id, citizen.firebase_uid
    failures: dict[str, str] = {}
    for attempt in range(1, ATTEMPTS + 1):
        summary, failures = _erase_everything(_locked(citizen_id))
        if not failures:
            break
        db.session.rollback()
        log.warning("erasure attempt %d failed in %s", attempt, ", ".join(failures))
        if attempt < ATTEMPTS:
            time.sleep(RETRY_DELAY * attempt)
    if failures:
        raise _refuse(failures)
    if not confirm:
        db.session.rollback()
        raise ErasureUnconfirmed(
            message("erasure_confirm"),
            {"confirm": ["add ?confirm=true to erase"], "summary": summary},
        )
    erasure = Erasure(
        firebase_uid=firebase_uid, firebase_uid_digest=uid_digest(firebase_uid), summary=summary
    )
    db.session.add(erasure)
    db.session.flush()
    # the entry names the erasure, not the citizen: the log keeps no personal data
    record_audit("privacy.erasure", "erasure", erasure.id, {"by": "citizen", "summary": summary})
    enqueue_after_commit(db.session, complete_erasure, erasure.id)
    db.session.commit()
    return summary
