"""One test per hook of ``smartapp.plugin.Plugin``, each through the route or command that
asks it (``tests/test_hooks_documented.py`` checks that every hook has one)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app
from smartapp_example import ExamplePlugin, Note
from sqlalchemy import func, select

from smartapp.identity.models import Citizen, Staff
from smartapp.plugin import Blueprint, Plugin, SearchHit, db
from smartapp.testing import with_plugins


class QuietPlugin(Plugin):
    """Quiet"""

    slug = "quiet"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Yên lặng", "en": "Quiet"}


# -- setup -----------------------------------------------------------------------------------

timetable = Blueprint("buses", __name__)


@timetable.route("/timetable")
@timetable.response(200)
def bus_timetable() -> dict[str, Any]:
    return {"source": current_app.extensions["buses.source"]}


class BusesPlugin(Plugin):
    slug = "buses"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Xe buýt", "en": "Buses"}
    blueprint = timetable

    def setup(self, app: Flask) -> None:
        app.extensions["buses.source"] = "gtfs"


fares = Blueprint("no_key", __name__)


@fares.route("/fares")
@fares.response(200)
def bus_fares() -> dict[str, Any]:
    return {}


class NoKeyPlugin(Plugin):
    slug = "no-key"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Thiếu khóa"}
    blueprint = fares

    def setup(self, app: Flask) -> None:
        raise RuntimeError("the agency's API key is missing\nsecond line")


@with_plugins(NoKeyPlugin, BusesPlugin)
def test_hook_setup(app, client, admin):
    assert client.get("/api/v1/u/buses/timetable").json == {"source": "gtfs"}

    reason = "RuntimeError: the agency's API key is missing"
    assert client.get("/readyz").json["plugins"]["no-key"] == "setup_error"
    listed = client.get("/api/v1/admin/plugins", headers=admin.headers).json["items"]
    assert {item["slug"]: (item["state"], item["reason"]) for item in listed} == {
        "no-key": ("setup_error", reason),
        "buses": ("loaded", None),
    }
    assert [tile["slug"] for tile in client.get("/api/v1/utilities").json["items"]] == ["buses"]
    assert client.get("/api/v1/u/no-key/fares").status_code == 404  # never mounted


# -- tile_badge ------------------------------------------------------------------------------

UNREAD = {"+84912000001": 3, "+84912000002": 0}


class InboxPlugin(Plugin):
    slug = "inbox"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Hộp thư", "en": "Inbox"}

    def tile_badge(self, citizen: Citizen) -> int | None:
        return UNREAD.get(citizen.phone_number or "")


class BrokenBadgePlugin(Plugin):
    slug = "broken-badge"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Huy hiệu hỏng"}

    def tile_badge(self, citizen: Citizen) -> int | None:
        raise ConnectionError("the agency's server is down")


@with_plugins(InboxPlugin, BrokenBadgePlugin, QuietPlugin)
def test_hook_tile_badge(client, make_citizen):
    def badges(headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        response = client.get("/api/v1/utilities", headers=headers)
        assert response.status_code == 200
        return {tile["slug"]: tile.get("badge", "absent") for tile in response.json["items"]}

    assert badges() == {"broken-badge": "absent", "inbox": "absent", "quiet": "absent"}
    first, second = make_citizen("+84912000001"), make_citizen("+84912000002")
    # A failing plugin's tile stays, without a badge; quiet ones have none to give.
    assert badges(first.headers) == {"broken-badge": None, "inbox": 3, "quiet": None}
    assert badges(second.headers) == {"broken-badge": None, "inbox": 0, "quiet": None}
    assert badges() == {"broken-badge": "absent", "inbox": "absent", "quiet": "absent"}


# -- ioc_metrics -----------------------------------------------------------------------------


class ParkingPlugin(Plugin):
    slug = "parking"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Bãi đỗ xe"}

    def ioc_metrics(self) -> Mapping[str, Any]:
        return {"lots": 12, "free_spaces": {"Phường Tân Ninh": 40}}


class BrokenMetricsPlugin(Plugin):
    slug = "broken-metrics"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Số liệu hỏng"}

    def ioc_metrics(self) -> Mapping[str, Any]:
        raise TimeoutError("the sensor gateway did not answer")


@with_plugins(ParkingPlugin, BrokenMetricsPlugin, QuietPlugin)
def test_hook_ioc_metrics(client, admin, make_staff):
    response = client.get("/api/v1/ioc/metrics", headers=admin.headers)

    assert response.status_code == 200
    assert response.json["utilities"] == {
        "parking": {"lots": 12, "free_spaces": {"Phường Tân Ninh": 40}}
    }
    assert response.json["core"]["plugins"]["loaded"] == 3
    ioc_reader = make_staff("communicator", permissions=["ioc:read"])
    reader_view = client.get("/api/v1/ioc/metrics", headers=ioc_reader.headers)
    assert reader_view.json["utilities"] == response.json["utilities"]
    communicator = make_staff("communicator")
    assert client.get("/api/v1/ioc/metrics", headers=communicator.headers).status_code == 403
    assert client.get("/api/v1/ioc/metrics").status_code == 401


# -- search ----------------------------------------------------------------------------------


class ProceduresPlugin(Plugin):
    slug = "procedures"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Thủ tục", "en": "Procedures"}

    def search(self, query: str, language: str, limit: int) -> list[SearchHit]:
        title = {"vi": "Đăng ký khai sinh", "en": "Birth registration"}[language]
        hits = [
            SearchHit(title, query, "procedures/1", "smartapp://u/procedures/1", 0.9),
            SearchHit(
                "Cấp lại khai sinh", query, "/procedures/2", "smartapp://u/procedures/2", 0.4
            ),
        ]
        return hits[:limit]


class HospitalsPlugin(Plugin):
    slug = "hospitals"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Bệnh viện", "en": "Hospitals"}

    def search(self, query: str, language: str, limit: int) -> list[SearchHit]:
        return [SearchHit("Khoa sản", query, "departments/7", "smartapp://u/hospitals/7", 0.6)]


class BrokenSearchPlugin(Plugin):
    slug = "broken-search"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Tìm kiếm hỏng"}

    def search(self, query: str, language: str, limit: int) -> list[SearchHit]:
        raise KeyError(query)


@with_plugins(ProceduresPlugin, HospitalsPlugin, BrokenSearchPlugin, QuietPlugin)
def test_hook_search(client, error_envelope):
    found = client.get(
        "/api/v1/search", query_string={"q": "khai sinh"}, headers={"Accept-Language": "en"}
    )

    assert found.status_code == 200
    assert [(hit["utility"], hit["title"], hit["score"]) for hit in found.json["items"]] == [
        ("procedures", "Birth registration", 0.9),
        ("hospitals", "Khoa sản", 0.6),
        ("procedures", "Cấp lại khai sinh", 0.4),
    ]
    first = found.json["items"][0]
    assert first["path"] == "/api/v1/u/procedures/procedures/1"
    assert first["subtitle"] == "khai sinh"
    assert found.json["items"][2]["path"] == "/api/v1/u/procedures/procedures/2"

    top = client.get("/api/v1/search", query_string={"q": "khai sinh", "limit": 1}).json
    assert [hit["title"] for hit in top["items"]] == ["Đăng ký khai sinh"]
    error_envelope(client.get("/api/v1/search"), 422, fields={"q"})


# -- seed_demo -------------------------------------------------------------------------------

DEMO_NOTES = ["Lịch tiêm chủng tháng này", "Giờ làm việc bộ phận một cửa"]


class SeededExamplePlugin(ExamplePlugin):
    """The example utility, seeding its notes for ``smartapp demo seed``."""

    @classmethod
    def migrations_path(cls):  # the example's migrations, not this test module's folder
        return ExamplePlugin.migrations_path()

    def seed_demo(self) -> None:
        existing = set(db.session.scalars(select(Note.text)))
        db.session.add_all(Note(text=text) for text in DEMO_NOTES if text not in existing)


class BrokenSeedPlugin(Plugin):
    slug = "broken-seed"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Dữ liệu mẫu hỏng"}

    def seed_demo(self) -> None:
        db.session.add(Note(text="half-written"))  # rolled back with its savepoint
        db.session.flush()
        raise FileNotFoundError("demo.csv")


@with_plugins(SeededExamplePlugin, BrokenSeedPlugin, QuietPlugin)
def test_hook_seed_demo(app, client):
    runner = app.test_cli_runner()
    printed = []
    for _ in range(2):  # a second seed neither fails nor duplicates anything
        result = runner.invoke(args=["demo", "seed"])
        assert result.exit_code == 1, result.output  # the broken plugin is reported
        assert "plugin demo data: example\n" in result.output
        assert "plugin broken-seed failed to seed: FileNotFoundError: demo.csv" in result.output
        printed.append(re.search(r"demo admin: (\S+) / (\S+)", result.output).groups())

    assert sorted(db.session.scalars(select(Note.text))) == sorted(DEMO_NOTES)
    assert db.session.scalar(select(func.count()).select_from(Staff)) == 1
    (email, old_password), (same_email, password) = printed
    assert email == same_email
    token = client.post("/api/v1/auth/staff/token", json={"email": email, "password": password})
    assert token.status_code == 200 and token.json["staff"]["role"] == "admin"
    # Each seed sets a new password, so only the one printed last works.
    stale = client.post("/api/v1/auth/staff/token", json={"email": email, "password": old_password})
    assert stale.status_code == 401
