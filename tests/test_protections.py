"""Documented behaviours that nothing tested (issue 6, item 9): each test fails when its
behaviour breaks. Some run with the run-time caches off (the fixture's TTL of 0) and on."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any

import pytest
from smartapp_example import ExamplePlugin

from smartapp.config import Settings
from smartapp.identity.citizens import citizen_from_claims
from smartapp.identity.tokens import CitizenClaims
from smartapp.plugin import Plugin, SearchHit
from smartapp.testing import with_plugins

CACHES = pytest.mark.parametrize(
    "smartapp_config",
    [{"SMARTAPP_STATE_TTL_MS": "0"}, {"SMARTAPP_STATE_TTL_MS": "60000"}],
    ids=["caches-off", "caches-on"],
)


@CACHES
def test_a_bad_token_is_401_on_the_home_screen_with_caches_on_and_off(client):
    assert client.get("/api/v1/utilities").status_code == 200
    assert client.get("/api/v1/utilities").status_code == 200  # replayed when cached
    bad = client.get("/api/v1/utilities", headers={"Authorization": "Bearer dev.garbage"})
    assert bad.status_code == 401 and bad.json["code"] == 401


@CACHES
@with_plugins(ExamplePlugin)
def test_a_disabled_plugin_is_gone_with_caches_on_and_off(client, admin):
    assert client.get("/api/v1/u/example/notes").status_code == 200
    assert [t["slug"] for t in client.get("/api/v1/utilities").json["items"]] == ["example"]
    assert (
        client.patch(
            "/api/v1/admin/plugins/example", json={"enabled": False}, headers=admin.headers
        ).status_code
        == 200
    )
    # this worker made the change: it sees it at once, whatever the TTL
    assert client.get("/api/v1/u/example/notes").status_code == 404
    assert client.get("/api/v1/utilities").json["items"] == []


@with_plugins(ExamplePlugin)
def test_a_plugin_settings_change_is_audited(client, admin):
    response = client.put(
        "/api/v1/admin/plugins/example/settings", json={"greeting": "Chào"}, headers=admin.headers
    )
    assert response.status_code == 200, response.json
    audit = client.get("/api/v1/admin/audit", headers=admin.headers).json["items"]
    assert [(e["actor"], e["action"], e["object_id"]) for e in audit] == [
        (admin.account.email, "plugin.settings", "example")
    ]


def test_rate_limit_headers_on_a_limited_route(client):
    response = client.post("/api/v1/auth/dev/sign-in", json={"phone_number": "+84912000001"})
    assert response.headers["X-RateLimit-Limit"] == "30"
    assert response.headers["X-RateLimit-Remaining"] == "29"
    assert int(response.headers["X-RateLimit-Reset"]) > 0


def test_cookie_flags(tmp_path):
    development = Settings.from_env({}, tmp_path).to_flask()
    production = Settings.from_env(
        {
            "SMARTAPP_ENV": "production",
            "SMARTAPP_SECRET_KEY": "k" * 32,
            "SMARTAPP_FIREBASE_PROJECT_ID": "p",
        },
        tmp_path,
    ).to_flask()
    for config in (development, production):
        assert config["SESSION_COOKIE_HTTPONLY"] is True
        assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert development["SESSION_COOKIE_SECURE"] is False
    assert production["SESSION_COOKIE_SECURE"] is True


def test_a_new_phone_number_in_a_token_replaces_the_stored_one(app):
    first = citizen_from_claims(CitizenClaims("uid-1", "+84912000001", None))
    again = citizen_from_claims(CitizenClaims("uid-1", "+84912000002", None))
    assert again.id == first.id and again.phone_number == "+84912000002"
    # a token without a number keeps the stored one
    assert citizen_from_claims(CitizenClaims("uid-1", None, None)).phone_number == "+84912000002"


@pytest.mark.smartapp_config(SMARTAPP_PROXY_HOPS="1")
def test_proxy_hops_decide_which_address_is_limited(client):
    def sign_in(address: str) -> int:
        return client.post(
            "/api/v1/auth/dev/sign-in",
            json={"phone_number": "+84912000001"},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [sign_in("203.0.113.1") for _ in range(31)][-1] == 429
    assert sign_in("203.0.113.2") == 200  # another citizen behind the same proxy


def test_without_proxy_hops_a_forwarded_address_is_ignored(client):
    statuses = [
        client.post(
            "/api/v1/auth/dev/sign-in",
            json={"phone_number": "+84912000001"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        ).status_code
        for n in range(31)
    ]
    assert statuses[-1] == 429  # forged headers do not buy new addresses


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.smartapp_config(SMARTAPP_REDIS_URL=f"redis://127.0.0.1:{_dead_port()}/7")
def test_readyz_names_the_failing_check(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json["checks"]
    assert checks["redis"]["ok"] is False and checks["redis"]["error"]
    assert checks["database"]["ok"] is True


class SpyPlugin(Plugin):
    """Answers every hook, and remembers being asked."""

    slug = "spy"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Theo dõi"}
    asked: list[str] = []

    def tile_badge(self, citizen: Any) -> int | None:
        self.asked.append("tile_badge")
        return 1

    def ioc_metrics(self) -> Mapping[str, Any]:
        self.asked.append("ioc_metrics")
        return {"n": 1}

    def search(self, query: str, language: str, limit: int) -> list[SearchHit]:
        self.asked.append("search")
        return [SearchHit("Khai sinh", query, "x/1", "smartapp://u/spy/1", 0.5)]


@with_plugins(SpyPlugin)
def test_a_disabled_plugins_hooks_are_not_called(client, admin, citizen, monkeypatch):
    monkeypatch.setattr(SpyPlugin, "asked", [])
    assert (
        client.patch(
            "/api/v1/admin/plugins/spy", json={"enabled": False}, headers=admin.headers
        ).status_code
        == 200
    )
    assert client.get("/api/v1/utilities", headers=citizen.headers).json["items"] == []
    assert client.get("/api/v1/search", query_string={"q": "khai sinh"}).json["items"] == []
    assert "spy" not in client.get("/api/v1/ioc/metrics", headers=admin.headers).json["utilities"]
    assert SpyPlugin.asked == []
    # enabled again, each hook is asked (the test would pass vacuously otherwise)
    assert (
        client.patch(
            "/api/v1/admin/plugins/spy", json={"enabled": True}, headers=admin.headers
        ).status_code
        == 200
    )
    client.get("/api/v1/utilities", headers=citizen.headers)
    client.get("/api/v1/search", query_string={"q": "khai sinh"})
    assert sorted(set(SpyPlugin.asked)) == ["search", "tile_badge"]
