"""``GET /api/v1/me/data``: the JSON document, and the zip built in the background."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Mapping

from flask import current_app
from sqlalchemy import select

import smartapp.privacy.archive as archive
import smartapp.privacy.exports as exports
from smartapp.extensions import db
from smartapp.identity.models import Citizen
from smartapp.notifications.inbox import notify
from smartapp.plugins.base import CitizenExport, ExportFile, Plugin
from smartapp.plugins.citizen_data import citizen_data_problems
from smartapp.plugins.registry import discover
from smartapp.privacy.models import DataExport
from smartapp.testing import with_plugins
from tests.privacy.conftest import PHONE, WARD


class NotesPlugin(Plugin):
    """Notes"""

    slug = "notes"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Ghi chú"}
    erased: list[int] = []

    def export_citizen_data(self, citizen: Citizen) -> CitizenExport:
        """One note and its attachment."""
        return CitizenExport(
            {"notes": [f"note of {citizen.phone_number}"]},
            [ExportFile("attachments/1.txt", lambda: b"attached bytes")],
        )

    def erase_citizen_data(self, citizen: Citizen) -> Mapping[str, int]:
        """Counts one note."""
        type(self).erased.append(citizen.id)
        return {"notes": 1}


@with_plugins(NotesPlugin)
def test_hook_export_citizen_data(client, signed_in, consent):
    headers = signed_in("+84912000001")
    consent(headers)
    device = {"token": "t-export", "ward_code": WARD, **PHONE}
    assert client.post("/api/v1/devices", headers=headers, json=device).status_code == 201
    citizen = db.session.scalars(select(Citizen)).one()
    notify([citizen.id], "Lịch cắt điện", "Thứ Bảy từ 7 giờ")
    db.session.commit()

    response = client.get("/api/v1/me/data", headers=headers)

    assert response.status_code == 200
    assert (
        response.headers["Cache-Control"].startswith("private")
        or "no-store" in response.headers["Cache-Control"]
    )
    data = response.json
    assert data["profile"]["phone_number"] == "+84912000001"
    assert [d["token"] for d in data["devices"]] == ["t-export"]
    assert [c["granted"] for c in data["consents"]] == [["service", "location_notifications"]]
    assert [item["title"] for item in data["inbox"]] == ["Lịch cắt điện"]
    assert data["utilities"] == {"notes": {"notes": ["note of +84912000001"]}}
    assert data["unavailable"] == {}


@with_plugins(NotesPlugin)
def test_hook_erase_citizen_data(client, signed_in):
    NotesPlugin.erased.clear()
    headers = signed_in("+84912000001")
    citizen_id = client.get("/api/v1/me", headers=headers).json["id"]

    unconfirmed = client.delete("/api/v1/me", headers=headers)
    assert unconfirmed.json["errors"]["summary"]["utilities"] == {"notes": {"notes": 1}}
    assert client.delete("/api/v1/me?confirm=true", headers=headers).status_code == 204

    assert NotesPlugin.erased == [citizen_id, citizen_id]  # the dry run, then the erasure
    assert db.session.get(Citizen, citizen_id) is None


@with_plugins(NotesPlugin)
def test_zip_export_has_progress_and_a_link_that_expires(
    client, signed_in, error_envelope, monkeypatch
):
    headers = signed_in("+84912000001")

    started = client.get("/api/v1/me/data", headers=headers, query_string={"format": "zip"})

    assert started.status_code == 202, started.json
    status = client.get(started.headers["Location"], headers=headers).json
    assert (status["status"], status["progress"]) == ("ready", 100)
    archive = client.get(status["download_url"])  # the signed link alone is the credential
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as opened:
        assert json.loads(opened.read("data.json"))["profile"]["phone_number"] == "+84912000001"
        assert opened.read("notes/attachments/1.txt") == b"attached bytes"
    forged = status["download_url"].split("token=")[0] + "token=forged"
    error_envelope(client.get(forged), 403, fields={"token"})
    monkeypatch.setattr(exports, "LINK_SECONDS", -1)
    error_envelope(client.get(status["download_url"]), 410, fields={"token"})
    other = signed_in("+84912000002")
    assert client.get(started.headers["Location"], headers=other).status_code == 404


def test_bad_format_names_the_field(client, signed_in, error_envelope, admin):
    headers = signed_in("+84912000001")
    error_envelope(
        client.get("/api/v1/me/data", headers=headers, query_string={"format": "pdf"}),
        422,
        fields={"format"},
    )
    assert client.get("/api/v1/me/data").status_code == 401
    assert client.get("/api/v1/me/data", headers=admin.headers).status_code == 403
    error_envelope(client.get("/api/v1/me/data/exports/x/download"), 422, fields={"token"})


def test_a_plugin_storing_citizen_ids_without_both_hooks_is_flagged():
    bare = type(
        "Bare",
        (Plugin,),
        {"__module__": "smartapp_feedback.bare", "slug": "bare", "__doc__": "Bare"},
    )
    half = type(
        "Half",
        (Plugin,),
        {
            "__module__": "smartapp_feedback.half",
            "__doc__": "Half",
            "export_citizen_data": NotesPlugin.export_citizen_data,
        },
    )
    import smartapp_feedback  # noqa: F401  (declares the tables with citizen ids)

    [problem] = citizen_data_problems(bare)
    assert "feedback_reports.citizen_id" in problem and "erase_citizen_data" in problem
    assert "export_citizen_data" not in citizen_data_problems(half)[0]
    assert citizen_data_problems(NotesPlugin) == []  # no tables at all


def test_installed_plugins_answer_for_the_citizen_data_they_store():
    for name, load, _ in discover():
        assert citizen_data_problems(load()) == [], name


class UnreadablePlugin(Plugin):
    """Unreadable"""

    slug = "unreadable"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Hỏng"}

    def export_citizen_data(self, citizen: Citizen) -> CitizenExport:
        """A file whose storage is gone."""

        def gone() -> bytes:
            raise FileNotFoundError("photo-1.jpg")

        return CitizenExport({"files": 1}, [ExportFile("photo-1.jpg", gone)])


@with_plugins(UnreadablePlugin)
def test_an_archive_that_cannot_be_built_says_so(client, signed_in):
    headers = signed_in("+84912000001")

    started = client.get("/api/v1/me/data?format=zip", headers=headers)

    status = client.get(started.headers["Location"], headers=headers).json
    assert status["status"] == "failed" and "photo-1.jpg" in status["error"]
    assert status["download_url"] is None
    assert list(archive.export_folder().iterdir()) == []  # no half-written archive


class ErasedWhileArchivedPlugin(Plugin):
    """Its one file is read while the citizen erases their account (a concurrent request)."""

    slug = "racing"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Đua"}
    headers: dict[str, str] = {}
    erasure_status: list[int] = []

    def export_citizen_data(self, citizen: Citizen) -> CitizenExport:
        """A file whose reading erases the citizen first."""

        def read() -> bytes:
            # another request, as from another gunicorn worker: its own context and session
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            erase = threading.Thread(
                target=lambda: type(self).erasure_status.append(
                    app.test_client()
                    .delete("/api/v1/me?confirm=true", headers=type(self).headers)
                    .status_code
                )
            )
            erase.start()
            erase.join()
            return b"photo bytes"

        return CitizenExport({"files": 1}, [ExportFile("photo-1.jpg", read)])


@with_plugins(ErasedWhileArchivedPlugin)
def test_an_erasure_while_the_archive_is_built_leaves_no_archive(client, signed_in, fcm):
    ErasedWhileArchivedPlugin.headers = signed_in("+84912000001")
    ErasedWhileArchivedPlugin.erasure_status.clear()

    started = client.get("/api/v1/me/data?format=zip", headers=ErasedWhileArchivedPlugin.headers)

    # built in-process (no Redis), within this request: the export went with the citizen
    assert started.status_code == 404, started.json
    assert ErasedWhileArchivedPlugin.erasure_status == [204]
    db.session.rollback()
    assert db.session.scalars(select(Citizen)).all() == []
    assert db.session.scalars(select(DataExport)).all() == []
    # the erased citizen's data must not stay on disk, where no expiry would ever find it
    assert [p.name for p in archive.export_folder().iterdir()] == []


def test_an_export_id_that_cannot_be_one_is_not_found(client, signed_in, error_envelope):
    headers = signed_in("+84912000001")
    for export_id in ("%00", "a%00b", "..%2F..", "x" * 33):
        error_envelope(client.get(f"/api/v1/me/data/exports/{export_id}", headers=headers), 404)
    started = client.get("/api/v1/me/data?format=zip", headers=headers)
    link = client.get(started.headers["Location"], headers=headers).json["download_url"]
    token = link.split("token=")[1]
    error_envelope(client.get(f"/api/v1/me/data/exports/%00/download?token={token}"), 403)


class EscapingPlugin(Plugin):
    """Names its file outside its folder"""

    slug = "escaping"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Thoát"}

    def export_citizen_data(self, citizen: Citizen) -> CitizenExport:
        """A file named to climb out of the archive's folder on extraction."""
        return CitizenExport({"files": 1}, [ExportFile("../../.bashrc", lambda: b"echo owned")])


@with_plugins(EscapingPlugin)
def test_an_archive_name_outside_the_plugins_folder_is_refused(client, signed_in):
    headers = signed_in("+84912000001")

    started = client.get("/api/v1/me/data?format=zip", headers=headers)

    status = client.get(started.headers["Location"], headers=headers).json
    assert status["status"] == "failed" and "../../.bashrc" in status["error"]
    assert list(archive.export_folder().iterdir()) == []
