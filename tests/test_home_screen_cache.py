"""The signed-in home screen's cache layer: remembered token verdicts, profile wards under the
``citizens`` revision, the replay before Flask; one tile definition; normalized cache keys."""

from __future__ import annotations

import dataclasses
import time

import pytest
import redis
from smartapp_example import ExamplePlugin
from smartapp_samples import HealthyPlugin

from smartapp import create_app
from smartapp.catalog.services import Tile
from smartapp.extensions import db
from smartapp.identity import tokens
from smartapp.identity.caching import CITIZENS_REVISION, TOKEN_SECONDS, VerifiedTokens
from smartapp.identity.models import Citizen
from smartapp.identity.tokens import CitizenClaims
from smartapp.plugin import Plugin
from smartapp.revisions import current_revision
from smartapp.testing import with_plugins

URL = "/api/v1/utilities"
QUERY = {"platform": "android", "app_version": "3.2.0"}
REDIS_URL = "redis://127.0.0.1:6379/12"
INSIDE, OUTSIDE = 25459, 27727  # two wards of the province


def count_flask_requests(app) -> list[int]:
    """A list that grows by one for every request the fast path hands to Flask."""
    fast_path = app.extensions["smartapp.home_screen_fast_path"]
    reached, flask_app = [], fast_path.wsgi_app
    fast_path.wsgi_app = lambda environ, start: reached.append(1) or flask_app(environ, start)
    return reached


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [tile["slug"] for tile in response.json["items"]]


def expire_ttls(app) -> None:
    """What a worker sees once ``SMARTAPP_STATE_TTL_MS`` has run out."""
    app.extensions["smartapp.plugin_state"].checked_at -= 3600
    app.extensions["smartapp.citizen_wards"].checked_at -= 3600


@with_plugins(ExamplePlugin, HealthyPlugin)
@pytest.mark.smartapp_config(SMARTAPP_STATE_TTL_MS="60000")
def test_a_signed_in_repeat_is_replayed_until_the_profile_changes(app, client, admin, make_citizen):
    client.patch(
        "/api/v1/admin/plugins/example", json={"ward_codes": [INSIDE]}, headers=admin.headers
    )
    citizen = make_citizen("+84912000011", ward_code=INSIDE)
    reached = count_flask_requests(app)
    first = client.get(URL, query_string=QUERY, headers=citizen.headers)
    assert slugs(first) == ["example", "healthy"] and len(reached) == 1
    again = client.get(URL, query_string=QUERY, headers=citizen.headers)
    assert len(reached) == 1, "the repeat should not have reached Flask"
    assert again.data == first.data
    for header in ("ETag", "Cache-Control", "Vary", "Content-Type"):
        assert again.headers[header] == first.headers[header], header
    assert again.headers["Cache-Control"] == "private, no-cache"
    conditional = client.get(
        URL, query_string=QUERY, headers={**citizen.headers, "If-None-Match": first.headers["ETag"]}
    )
    assert conditional.status_code == 304 and len(reached) == 1
    # anonymous requests never get the citizen's answer, nor the citizen the anonymous one
    assert client.get(URL, query_string=QUERY).headers["Cache-Control"] == "public, no-cache"

    # the citizen moves: this worker forgets them at once
    moved = client.patch("/api/v1/me", json={"ward_code": OUTSIDE}, headers=citizen.headers)
    assert moved.status_code == 200
    before = len(reached)
    assert slugs(client.get(URL, query_string=QUERY, headers=citizen.headers)) == ["healthy"]
    assert len(reached) == before + 1
    client.get(URL, query_string=QUERY, headers=citizen.headers)
    assert len(reached) == before + 1  # and replays the new answer


@with_plugins(ExamplePlugin, HealthyPlugin)
@pytest.mark.smartapp_config(SMARTAPP_STATE_TTL_MS="60000")
def test_another_worker_sees_a_citizens_change_once_its_ttl_runs_out(
    app, client, admin, make_citizen, smartapp_database, tmp_path
):
    client.patch(
        "/api/v1/admin/plugins/example", json={"ward_codes": [INSIDE]}, headers=admin.headers
    )
    citizen = make_citizen("+84912000012", ward_code=INSIDE)
    assert slugs(client.get(URL, query_string=QUERY, headers=citizen.headers)) == [
        "example",
        "healthy",
    ]
    other = create_app(
        {
            "SMARTAPP_ENV": "testing",
            "SMARTAPP_DATABASE_URL": smartapp_database.url,
            "SMARTAPP_SECRET_KEY": app.config["SECRET_KEY"],
            "SMARTAPP_REDIS_URL": "",
            "SMARTAPP_FIREBASE_PROJECT_ID": "",
        },
        plugins=[ExamplePlugin, HealthyPlugin],
        instance_path=tmp_path / "other",
    )
    with other.app_context():
        moved = other.test_client().patch(
            "/api/v1/me", json={"ward_code": OUTSIDE}, headers=citizen.headers
        )
        assert moved.status_code == 200
        db.session.remove()
    db.session.remove()  # a worker's requests each start a session; this test's span them
    # within its TTL this worker may still replay what it knew; after it, never
    expire_ttls(app)
    assert slugs(client.get(URL, query_string=QUERY, headers=citizen.headers)) == ["healthy"]


@with_plugins(ExamplePlugin)
@pytest.mark.smartapp_config(SMARTAPP_STATE_TTL_MS="60000")
def test_a_token_that_fails_is_checked_every_time(app, client, make_citizen):
    make_citizen("+84912000013")
    reached = count_flask_requests(app)
    for attempt in range(1, 3):
        response = client.get(URL, query_string=QUERY, headers={"Authorization": "Bearer dev.x"})
        assert response.status_code == 401 and len(reached) == attempt
    assert app.extensions["smartapp.verified_tokens"].claims.entries == {}


def test_a_remembered_verdict_ends_with_the_token():
    remembered = VerifiedTokens()
    soon = time.time() + 0.3
    remembered.put("short-lived", CitizenClaims("uid-1", None, None, expires_at=soon))
    remembered.put("long-lived", CitizenClaims("uid-2", None, None, expires_at=time.time() + 1e6))
    assert remembered.get("short-lived").uid == "uid-1"
    assert remembered.get("unknown") is None
    ((until, _),) = [v for v in remembered.claims.entries.values() if v[1].uid == "uid-2"]
    assert until <= time.time() + TOKEN_SECONDS  # a long-lived token is re-verified sooner
    time.sleep(0.35)
    assert remembered.get("short-lived") is None
    assert remembered.get("long-lived").uid == "uid-2"


def test_every_write_of_a_citizen_bumps_the_citizens_revision(app):
    citizen = Citizen(firebase_uid="uid-rev", phone_number="+84912000014")
    db.session.add(citizen)
    db.session.commit()
    start = current_revision(CITIZENS_REVISION)
    citizen.ward_code = INSIDE
    db.session.commit()
    assert current_revision(CITIZENS_REVISION) == start + 1
    db.session.delete(citizen)
    db.session.commit()
    assert current_revision(CITIZENS_REVISION) == start + 2


class TestFirebaseTokens:
    @pytest.fixture
    def smartapp_config(self, firebase_config):
        return firebase_config

    def test_a_firebase_token_is_verified_once_then_remembered(
        self, client, phone_sign_in, monkeypatch
    ):
        calls = []
        verify = tokens.firebase_auth.verify_id_token
        monkeypatch.setattr(
            tokens.firebase_auth,
            "verify_id_token",
            lambda *a, **k: calls.append(1) or verify(*a, **k),
        )
        token = phone_sign_in("+84912000015")
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(3):
            assert client.get("/api/v1/me", headers=headers).status_code == 200
        assert len(calls) == 1
        forged = {"Authorization": f"Bearer {token[:-4]}AAAA"}
        for _ in range(2):
            client.get("/api/v1/me", headers=forged)
        assert len(calls) == 3  # a token that failed is asked about again


# -- one tile definition ---------------------------------------------------------------------


class BadgePlugin(Plugin):
    slug = "badged"
    version = "1.0"
    core_requires = ">=0.1"
    title = {"vi": "Có huy hiệu"}

    def tile_badge(self, citizen: Citizen) -> int | None:
        return 2


@with_plugins(ExamplePlugin, BadgePlugin)
def test_the_tile_is_defined_once_and_documented_as_answered(client, make_citizen):
    documented = client.get("/api/openapi.json").json["components"]["schemas"]["Tile"]
    declared = {f.name for f in dataclasses.fields(Tile)}
    assert set(documented["properties"]) == declared
    assert set(documented["required"]) == declared - {"badge"}
    citizen = make_citizen("+84912000016")
    signed_in = client.get(URL, headers=citizen.headers).json["items"]
    assert [set(tile) for tile in signed_in] == [declared, declared]
    assert {tile["slug"]: tile["badge"] for tile in signed_in} == {"badged": 2, "example": None}
    anonymous = client.get(URL).json["items"]
    assert [set(tile) for tile in anonymous] == [declared - {"badge"}] * 2


# -- normalized cache keys -------------------------------------------------------------------


@with_plugins(ExamplePlugin, HealthyPlugin)
@pytest.mark.smartapp_config(SMARTAPP_REDIS_URL=REDIS_URL)
def test_app_versions_that_open_the_same_tiles_share_one_cache_entry(app, client):
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    try:
        for patch in range(40):  # example needs android 3.0.0: every 3.x opens both
            assert slugs(
                client.get(
                    URL, query_string={"platform": "android", "app_version": f"3.{patch}.{patch}"}
                )
            ) == ["example", "healthy"]
        assert slugs(
            client.get(URL, query_string={"platform": "android", "app_version": "2.9"})
        ) == ["healthy"]
        assert slugs(client.get(URL)) == ["example", "healthy"]
        keys = sorted(k.decode() for k in connection.keys("smartapp:cache:catalog:*"))
        assert [key.rsplit(":", 1)[1] for key in keys] == ["example,healthy", "healthy"]
        assert len(app.extensions["smartapp.home_screen"].local) == 2
    finally:
        connection.flushdb()
