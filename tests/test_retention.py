"""Retention: old delivery rows, inbox rows and audit entries go after their periods, the
campaign and IOC figures stay what they were, plugins purge through ``purge_expired``, and
``smartapp worker`` runs the job by itself."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import pytest
from smartapp_example import ExamplePlugin, Note
from sqlalchemy import func, insert, select

from smartapp import create_app
from smartapp.config import ConfigurationError
from smartapp.extensions import cache, db, utcnow
from smartapp.identity.models import AuditEntry, Citizen
from smartapp.notifications.models import (
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    Device,
    FigureTally,
    InboxItem,
    Origin,
)
from smartapp.plugin import Plugin, changed_rows
from smartapp.retention.tasks import PURGE_INTERVAL, purge
from smartapp.testing import with_plugins
from tests.support.workers import wait_for

METRICS = "/api/v1/ioc/metrics"


def _campaign(finished: datetime, devices: list[int], citizens: list[int]) -> int:
    """A sent campaign finished at ``finished``: deliveries of every kind, an inbox row per
    citizen (the first one opened)."""
    campaign = Campaign(
        origin=Origin.STAFF,
        title={"vi": "Cúp điện"},
        body={"vi": "Thứ Bảy 7:00–11:00"},
        audience={"kind": "citizens", "citizens": citizens},
        ttl_seconds=3600,
        status=CampaignStatus.PARTIALLY_FAILED,
        created_at=finished - timedelta(minutes=5),
        completed_at=finished,
    )
    db.session.add(campaign)
    db.session.flush()
    kinds = [
        {"status": DeliveryStatus.SENT},
        {"status": DeliveryStatus.SENT},
        {"status": DeliveryStatus.FAILED, "error_code": "UNREGISTERED", "token_removed": True},
        {"status": DeliveryStatus.FAILED, "error_code": None},
        {"status": DeliveryStatus.STALE},
    ]
    db.session.execute(
        insert(Delivery),
        [
            {"campaign_id": campaign.id, "device_id": device, **kind}
            for device, kind in zip(devices, kinds, strict=True)
        ],
    )
    db.session.execute(
        insert(InboxItem),
        [
            {
                "campaign_id": campaign.id,
                "citizen_id": citizen,
                "created_at": finished,
                "opened_at": finished if number == 0 else None,
            }
            for number, citizen in enumerate(citizens)
        ],
    )
    db.session.commit()
    return campaign.id


@pytest.fixture
def audience(app) -> tuple[list[int], list[int]]:
    """Five citizens with a device each: (device ids, citizen ids)."""
    db.session.execute(insert(Citizen), [{"firebase_uid": f"uid-{n}"} for n in range(5)])
    citizens = list(db.session.scalars(select(Citizen.id).order_by(Citizen.id)))
    db.session.execute(
        insert(Device),
        [
            {"token": f"token-{n}", "citizen_id": c, "platform": "android", "app_version": "3"}
            for n, c in enumerate(citizens)
        ],
    )
    devices = list(db.session.scalars(select(Device.id).order_by(Device.id)))
    db.session.commit()
    return devices, citizens


def _figures(client: Any, headers: dict[str, str], campaign_ids: list[int]) -> dict[str, Any]:
    campaigns = {
        campaign_id: client.get(f"/api/v1/admin/notifications/{campaign_id}", headers=headers)
        for campaign_id in campaign_ids
    }
    assert all(response.status_code == 200 for response in campaigns.values())
    cache.clear()  # the IOC answer is cached for a minute
    metrics = client.get(METRICS, headers=headers)
    assert metrics.status_code == 200
    return {
        "campaigns": {key: response.json["figures"] for key, response in campaigns.items()},
        "ioc": metrics.json["core"]["notifications"],
    }


def _count(model: Any) -> int:
    db.session.rollback()  # a fresh snapshot
    return db.session.scalar(select(func.count()).select_from(model))


def _purge_command(app: Any) -> dict[str, Any]:
    result = app.test_cli_runner().invoke(args=["retention", "purge", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.smartapp_config(
    SMARTAPP_RETENTION_DELIVERY_DAYS="7", SMARTAPP_RETENTION_INBOX_DAYS="15"
)
def test_old_notification_rows_go_and_the_figures_stay(app, client, admin, audience):
    devices, citizens = audience
    now = utcnow()
    old = _campaign(now - timedelta(days=200), devices, citizens)  # before the IOC's 30 days
    gone = _campaign(now - timedelta(days=20), devices, citizens)  # every row past its period
    half = _campaign(now - timedelta(days=10), devices, citizens)  # its deliveries only
    recent = _campaign(now - timedelta(days=2), devices, citizens)
    ids = [old, gone, half, recent]
    before = _figures(client, admin.headers, ids)
    assert before["campaigns"][old] == {
        "targeted": 4,
        "sent": 2,
        "failed": 2,
        "failed_by_reason": {"UNREGISTERED": 1, "UNKNOWN": 1},
        "tokens_removed": 1,
        "stale": 1,
        "cancelled": 0,
        "opened": 1,
        "inbox": 5,
    }
    assert before["ioc"]["last_30_days"]["days"] == 30
    assert before["ioc"]["last_30_days"]["campaigns"] == 3
    assert before["ioc"]["last_30_days"]["sent"] == 6
    assert before["ioc"]["last_30_days"]["inbox"] == 15

    report = _purge_command(app)
    assert report["core"]["deliveries"] == 15  # old, gone and half
    assert report["core"]["inbox"] == 10  # old and gone
    left = db.session.execute(
        select(Delivery.campaign_id, func.count()).group_by(Delivery.campaign_id)
    )
    assert dict(left.all()) == {recent: 5}
    inbox = db.session.execute(select(InboxItem.campaign_id).distinct())
    assert set(inbox.scalars()) == {half, recent}

    assert _figures(client, admin.headers, ids) == before
    # a second purge removes nothing and counts nothing twice
    again = _purge_command(app)
    assert again["core"] == {"deliveries": 0, "inbox": 0, "audit": 0}
    assert _figures(client, admin.headers, ids) == before
    assert _count(FigureTally) > 0


def test_old_audit_entries_go(app, admin):
    now = utcnow()
    for action, days in (("old", 1096), ("kept", 1094)):
        db.session.add(
            AuditEntry(
                actor="a@staff.test",
                action=action,
                object_type="x",
                object_id="1",
                created_at=now - timedelta(days=days),
            )
        )
    db.session.commit()
    assert _purge_command(app)["core"]["audit"] == 1
    assert set(db.session.scalars(select(AuditEntry.action))) == {"kept"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SMARTAPP_RETENTION_INBOX_DAYS", "a year"),
        ("SMARTAPP_RETENTION_DELIVERY_DAYS", "0"),
        ("SMARTAPP_RETENTION_AUDIT_DAYS", "-5"),
    ],
)
def test_a_wrong_period_refuses_to_start_naming_it(tmp_path, name, value):
    with pytest.raises(ConfigurationError, match=name):
        create_app({name: value}, plugins=[], instance_path=tmp_path)


def test_the_periods_command_prints_the_settings(app):
    result = app.test_cli_runner().invoke(args=["retention", "periods"])
    assert result.exit_code == 0
    assert result.output == "inbox: 365\ndeliveries: 90\naudit: 1095\n"


# -- the hook ------------------------------------------------------------------------------


class ExpiringExamplePlugin(ExamplePlugin):
    """Notes whose text starts with ``old`` are past their period."""

    @classmethod
    def migrations_path(cls):  # the example's migrations, not this test module's folder
        return ExamplePlugin.migrations_path()

    def purge_expired(self, now: datetime) -> Mapping[str, int]:
        """Old notes."""
        assert now.tzinfo is not None
        return {"notes": changed_rows(Note.__table__.delete().where(Note.text.startswith("old")))}


class BrokenPurgePlugin(Plugin):
    """Broken purge"""

    slug = "broken-purge"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Hỏng", "en": "Broken"}

    def purge_expired(self, now: datetime) -> Mapping[str, int]:
        """Deletes, then fails: its deletes are rolled back."""
        db.session.execute(Note.__table__.delete())
        raise OSError("storage unreachable")


@with_plugins(ExpiringExamplePlugin, BrokenPurgePlugin)
def test_hook_purge_expired(app, client, admin):
    db.session.add_all([Note(text="old note"), Note(text="new note")])
    db.session.commit()
    # a hidden utility's data still expires
    hidden = client.patch(
        "/api/v1/admin/plugins/example", headers=admin.headers, json={"enabled": False}
    )
    assert hidden.status_code == 200
    result = app.test_cli_runner().invoke(args=["retention", "purge"])
    assert result.exit_code == 1, result.output
    assert "example notes: 1\n" in result.output
    assert "broken-purge FAILED: OSError: storage unreachable" in result.output
    assert list(db.session.scalars(select(Note.text))) == ["new note"]


# -- the job in a real worker -----------------------------------------------------------------


def test_the_worker_runs_the_purge_by_itself(app, audience, start_smartapp_worker, private_redis):
    assert app.extensions["smartapp.periodic"][purge] == PURGE_INTERVAL
    devices, citizens = audience
    _campaign(utcnow() - timedelta(days=400), devices, citizens)
    private_redis["start"]()
    start_smartapp_worker(private_redis["url"])
    wait_for(lambda: _count(InboxItem) == 0 and _count(Delivery) == 0, 60, "the hourly purge")
    assert _count(FigureTally) > 0
