"""``DELETE /api/v1/me``: all or nothing across plugins, the Firebase account after the commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from firebase_admin import auth, exceptions
from sqlalchemy import func, select

import smartapp.privacy.erasure as erasure
from smartapp.consent.models import ConsentRecord
from smartapp.extensions import db
from smartapp.firebase import firebase_app
from smartapp.identity.models import AuditEntry, Citizen
from smartapp.jobs import after_commit
from smartapp.notifications.inbox import notify
from smartapp.notifications.models import Device, InboxItem, TopicSubscription
from smartapp.plugins.base import Plugin
from smartapp.privacy.models import Erasure
from smartapp.testing import with_plugins
from tests.privacy.conftest import PHONE, WARD

PHONE_NUMBER = "+84912000001"


class FailingPlugin(Plugin):
    """Fails to erase"""

    slug = "failing"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Lỗi"}
    calls = 0

    def erase_citizen_data(self, citizen: Citizen) -> Mapping[str, int]:
        """Always raises, after writing."""
        type(self).calls += 1
        db.session.execute(Citizen.__table__.update().values(display_name="half-erased"))
        raise RuntimeError("the disk is full")


class BrokenPlugin(Plugin):
    """Cannot set up"""

    slug = "broken"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Hỏng"}

    def setup(self, app) -> None:
        """Raises."""
        raise RuntimeError("no configuration")


def _citizen_with_data(client, signed_in, consent) -> tuple[dict[str, str], Citizen]:
    headers = signed_in(PHONE_NUMBER)
    consent(headers)
    device = {"token": "t-erase", "ward_code": WARD, **PHONE}
    assert client.post("/api/v1/devices", headers=headers, json=device).status_code == 201
    citizen = db.session.scalars(select(Citizen)).one()
    notify([citizen.id], "Lịch cắt điện", "Thứ Bảy")
    db.session.commit()
    return headers, citizen


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_without_confirm_a_409_says_what_would_be_erased(
    client, signed_in, consent, error_envelope
):
    headers, _ = _citizen_with_data(client, signed_in, consent)

    body = error_envelope(client.delete("/api/v1/me", headers=headers), 409)

    summary = body["errors"]["summary"]
    assert {k: summary[k] for k in ("profile", "devices", "inbox", "consents")} == {
        "profile": 1,
        "devices": 1,
        "inbox": 1,
        "consents": 1,
    }
    assert (_count(Citizen), _count(Device), _count(InboxItem), _count(ConsentRecord)) == (
        1,
        1,
        1,
        1,
    )
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_erasure_deletes_everything_and_the_firebase_account(
    client, signed_in, consent, fcm, firebase_emulator
):
    headers, citizen = _citizen_with_data(client, signed_in, consent)
    uid = citizen.firebase_uid

    response = client.delete("/api/v1/me", headers=headers, query_string={"confirm": "true"})

    assert response.status_code == 204, response.json
    assert (_count(Citizen), _count(InboxItem), _count(ConsentRecord)) == (0, 0, 0)
    # the device left its topics at FCM, then its row went
    assert (_count(Device), _count(TopicSubscription)) == (0, 0)
    removed = {r.body["to"] for r in fcm.requests if r.path.endswith("batchRemove")}
    assert f"/topics/ward-{WARD}" in removed
    with pytest.raises(auth.UserNotFoundError):
        auth.get_user(uid, app=firebase_app(firebase_emulator.project_id))
    done = db.session.scalars(select(Erasure)).one()
    assert done.completed_at is not None and done.firebase_uid is None
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "privacy.erasure")
    ).one()
    assert PHONE_NUMBER not in str(entry.details) and uid not in str(entry.details)
    assert entry.object_id == str(done.id)

    again = signed_in(PHONE_NUMBER)  # a new Firebase account: a fresh citizen
    assert client.get("/api/v1/me", headers=again).json["phone_number"] == PHONE_NUMBER
    assert client.get("/api/v1/privacy/consent", headers=again).json["current"] is False
    assert client.get("/api/v1/me/data", headers=again).json["devices"] == []
    assert db.session.scalars(select(Citizen.firebase_uid)).one() != uid


def test_firebase_down_leaves_the_database_erased_and_the_sweep_finishes(
    app, client, signed_in, consent, firebase_emulator, monkeypatch
):
    headers, citizen = _citizen_with_data(client, signed_in, consent)
    uid = citizen.firebase_uid
    real_delete = auth.delete_user

    def unavailable(*args, **kwargs):  # Firebase's outage; the emulator itself stays up
        raise exceptions.UnavailableError("Firebase is unreachable")

    monkeypatch.setattr(auth, "delete_user", unavailable)

    response = client.delete("/api/v1/me", headers=headers, query_string={"confirm": "1"})

    assert response.status_code == 204
    assert _count(Citizen) == 0
    pending = db.session.scalars(select(Erasure)).one()
    assert pending.completed_at is None and pending.attempts == 1 and pending.last_error
    monkeypatch.setattr(auth, "delete_user", real_delete)
    result = app.test_cli_runner().invoke(args=["privacy", "sweep"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert db.session.scalars(select(Erasure)).one().completed_at is not None
    with pytest.raises(auth.UserNotFoundError):
        auth.get_user(uid, app=firebase_app(firebase_emulator.project_id))


@with_plugins(FailingPlugin)
def test_a_failing_plugin_rolls_everything_back_and_is_named(
    client, signed_in, consent, error_envelope, monkeypatch
):
    monkeypatch.setattr(erasure, "RETRY_DELAY", 0)
    FailingPlugin.calls = 0
    headers, citizen = _citizen_with_data(client, signed_in, consent)

    response = client.delete("/api/v1/me", headers=headers, query_string={"confirm": "true"})

    body = error_envelope(response, 503, fields={"plugins"})
    assert body["errors"]["plugins"]["failing"] == ["RuntimeError: the disk is full"]
    # flask-limiter merges its own window into the header of a limited route and truncates
    # what is left of the minute: 60, or 59 once the clock has ticked past a whole second
    assert response.headers["Retry-After"] in {"59", "60"}
    assert FailingPlugin.calls == erasure.ATTEMPTS
    assert (_count(Citizen), _count(Device), _count(InboxItem), _count(ConsentRecord)) == (
        1,
        1,
        1,
        1,
    )
    assert db.session.get(Citizen, citizen.id).display_name != "half-erased"
    assert _count(Erasure) == 0
    assert client.get("/api/v1/me", headers=headers).status_code == 200


@with_plugins(BrokenPlugin)
def test_a_plugin_that_did_not_load_stops_the_erasure(client, signed_in, consent, error_envelope):
    headers, _ = _citizen_with_data(client, signed_in, consent)

    body = error_envelope(
        client.delete("/api/v1/me", headers=headers, query_string={"confirm": "true"}), 503
    )

    assert "broken" in body["errors"]["plugins"]
    assert _count(Citizen) == 1


def test_bad_confirm_names_the_field(client, signed_in, error_envelope, admin):
    headers = signed_in(PHONE_NUMBER)
    error_envelope(
        client.delete("/api/v1/me", headers=headers, query_string={"confirm": "perhaps"}),
        422,
        fields={"confirm"},
    )
    assert client.delete("/api/v1/me").status_code == 401
    assert client.delete("/api/v1/me", headers=admin.headers).status_code == 403


def test_two_erasures_at_once_erase_once_without_error(
    live_server, client, signed_in, consent, fcm
):
    headers, _ = _citizen_with_data(client, signed_in, consent)

    def erase(_: int) -> int:
        return requests.delete(
            f"{live_server}/api/v1/me?confirm=true", headers=headers, timeout=30
        ).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(erase, range(2)))

    # the second one finds the citizen gone while it waited (404), or comes after the
    # erasure's commit with the token of an erased account (401)
    assert 204 in statuses and set(statuses) <= {204, 401, 404}, statuses
    assert (_count(Citizen), _count(InboxItem), _count(ConsentRecord)) == (0, 0, 0)


def test_an_erased_citizens_id_is_never_given_to_the_next_citizen(client, signed_in, consent, fcm):
    """Audit and personal-data-read entries name citizens by id: a reused id would make
    the entries about an erased citizen seem to concern a new one."""
    headers, erased = _citizen_with_data(client, signed_in, consent)
    erased_id = erased.id  # the newest row: SQLite without AUTOINCREMENT would reuse it
    assert (
        client.delete("/api/v1/me", headers=headers, query_string={"confirm": "true"}).status_code
        == 204
    )

    newcomer = signed_in("+84912000002")
    assert client.get("/api/v1/me", headers=newcomer).status_code == 200

    db.session.rollback()
    assert db.session.scalars(select(Citizen.id)).one() > erased_id


class SlowErasurePlugin(Plugin):
    """Takes its time to erase, holding the erasure's transaction open"""

    slug = "slow"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Chậm"}
    started = threading.Event()

    def erase_citizen_data(self, citizen: Citizen) -> Mapping[str, int]:
        """Signals, then waits a second."""
        type(self).started.set()
        time.sleep(1)
        return {}


@with_plugins(SlowErasurePlugin)
def test_writing_while_being_erased_is_no_server_error(
    live_server, client, signed_in, consent, fcm
):
    headers, _ = _citizen_with_data(client, signed_in, consent)
    SlowErasurePlugin.started.clear()
    notice = client.get("/api/v1/privacy/notice").json["version"]

    def erase() -> int:
        return requests.delete(
            f"{live_server}/api/v1/me?confirm=true", headers=headers, timeout=30
        ).status_code

    def write() -> requests.Response:
        SlowErasurePlugin.started.wait(10)
        return requests.post(
            f"{live_server}/api/v1/privacy/consent",
            headers=headers,
            json={"version": notice, "purposes": ["service"]},
            timeout=30,
        )

    with ThreadPoolExecutor(2) as pool:
        erased, written = pool.submit(erase), pool.submit(write)
        assert erased.result() == 204
        response = written.result()
    assert response.status_code < 500, response.text
    assert response.headers["Content-Type"] == "application/json"


OUTSIDE_STEPS: list[int] = []


def delete_files_of(citizen_id: int) -> None:
    """Stands for a plugin's work outside the database (its photo files)."""
    OUTSIDE_STEPS.append(citizen_id)


class FilesPlugin(Plugin):
    """Deletes its files after the erasure's commit"""

    slug = "files"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Tệp"}

    def erase_citizen_data(self, citizen: Citizen) -> Mapping[str, int]:
        """Queues the deletion of the citizen's files for after the commit."""
        after_commit(delete_files_of, citizen.id)
        return {"files": 1}


@with_plugins(FilesPlugin, FailingPlugin)
def test_a_refused_erasure_does_nothing_outside_the_database(
    client, signed_in, consent, fcm, monkeypatch
):
    """Each plugin erases in a savepoint; the release of one is not the erasure's commit."""
    monkeypatch.setattr(erasure, "RETRY_DELAY", 0)
    OUTSIDE_STEPS.clear()
    headers, _ = _citizen_with_data(client, signed_in, consent)

    response = client.delete("/api/v1/me", headers=headers, query_string={"confirm": "true"})

    assert response.status_code == 503, response.json
    assert OUTSIDE_STEPS == []  # the files stay with the rows that name them
    assert fcm.requests == [] or not any(r.path.endswith("batchRemove") for r in fcm.requests)
    assert (_count(Citizen), _count(Device)) == (1, 1)


@with_plugins(FilesPlugin)
def test_a_done_erasure_does_its_outside_steps_once(client, signed_in, consent, fcm):
    OUTSIDE_STEPS.clear()
    headers, citizen = _citizen_with_data(client, signed_in, consent)
    citizen_id = citizen.id

    response = client.delete("/api/v1/me", headers=headers, query_string={"confirm": "true"})

    assert response.status_code == 204, response.json
    assert [citizen_id] == OUTSIDE_STEPS
