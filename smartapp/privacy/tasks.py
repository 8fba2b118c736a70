"""Background jobs of privacy, run by ``smartapp worker`` (or in-process without Redis).

Each is safe to run twice: an export is built only from ``queued``, an erasure's outside
steps only until it is ``completed_at``. The sweep, every :data:`SWEEP_INTERVAL` seconds,
retries what failed or was never enqueued and deletes expired archives.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

import smartapp.privacy.accounts as accounts
import smartapp.privacy.archive as archive
from smartapp.extensions import db
from smartapp.jobs import enqueue
from smartapp.privacy.models import Erasure

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 300


def build_archive(export_id: str) -> str:
    """Build one export's archive."""
    try:
        return archive.build(export_id)
    finally:
        db.session.remove()


def remove_archives(export_ids: list[str]) -> None:
    """Delete the archives of exports whose rows are gone."""
    archive.delete_archives(export_ids)


def complete_erasure(erasure_id: int) -> bool:
    """Carry out an erasure's steps outside the database (the Firebase account)."""
    try:
        return accounts.complete(erasure_id)
    finally:
        db.session.remove()


def sweep() -> dict[str, int]:
    """Retry unfinished erasures and delete expired archives."""
    try:
        pending = list(db.session.scalars(select(Erasure.id).where(Erasure.completed_at.is_(None))))
        for erasure_id in pending:
            enqueue(complete_erasure, erasure_id)
        return {"erasures_retried": len(pending), "archives_purged": archive.purge_expired()}
    finally:
        db.session.remove()
