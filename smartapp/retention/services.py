"""Applying the retention periods: the core's kinds of data, then every plugin's
(``Plugin.purge_expired``), each kind's figures aggregated before its rows go.

Periods come from the ``SMARTAPP_RETENTION_*`` settings (:class:`RetentionPeriods`);
plugins read their own. A purge is safe to run twice or at once from two places: each step
removes only what is still there, and counts only what it removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

import smartapp.notifications.retention as notifications
from smartapp.config import RetentionPeriods
from smartapp.extensions import db
from smartapp.identity.audit import purge_audit
from smartapp.plugins.base import Plugin
from smartapp.plugins.registry import registry


@dataclass(frozen=True)
class PurgeReport:
    """What one purge removed: the core's rows by kind, each plugin's counts by kind, and
    the plugins that failed (their work was rolled back; the next run retries it)."""

    core: dict[str, int]
    plugins: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"core": self.core, "plugins": self.plugins, "failures": self.failures}


def periods() -> RetentionPeriods:
    return current_app.config["SMARTAPP_SETTINGS"].retention


def purge_expired(now: datetime) -> PurgeReport:
    """Remove everything past its retention period at ``now``: the core's notification
    deliveries, inbox rows and audit entries (each committed in batches), then each loaded
    plugin's data, enabled or not, committed once every plugin has answered."""
    kept = periods()
    core = {
        "deliveries": notifications.purge_deliveries(now - timedelta(days=kept.delivery_days)),
        "inbox": notifications.purge_inbox(now - timedelta(days=kept.inbox_days)),
        "audit": purge_audit(now - timedelta(days=kept.audit_days)),
    }
    results = registry().call_hook_on_loaded(Plugin.purge_expired, now=now)
    db.session.commit()
    return PurgeReport(
        core=core,
        plugins={slug: dict(counts) for slug, counts in results.answers.items()},
        failures=results.failures,
    )
