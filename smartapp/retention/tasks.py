"""The retention job, run by ``smartapp worker`` every :data:`PURGE_INTERVAL` seconds."""

from __future__ import annotations

import logging

from smartapp.extensions import db, utcnow
from smartapp.retention.services import purge_expired

log = logging.getLogger(__name__)

#: hourly: a period's rows go within the hour they expire, in small batches
PURGE_INTERVAL = 3600


def purge() -> dict[str, object]:
    """Apply every retention period now; plugins that fail are logged and retried next hour."""
    try:
        report = purge_expired(utcnow())
        for slug, reason in report.failures.items():
            log.error("retention: plugin %s failed, retried next run: %s", slug, reason)
        log.info("retention purge: %s", report.as_dict())
        return report.as_dict()
    finally:
        db.session.remove()
