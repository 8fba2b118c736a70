"""The home-screen catalog: localized tiles, app versions, ETag/304, caching."""

from __future__ import annotations

import pytest
import redis
from smartapp_example import ExamplePlugin
from smartapp_samples import HealthyPlugin

from smartapp import create_app
from smartapp.testing import with_plugins

REDIS_URL = "redis://127.0.0.1:6379/15"


@with_plugins(ExamplePlugin, HealthyPlugin)
def test_tiles_are_localized_by_accept_language(client):
    vietnamese = client.get("/api/v1/utilities").json["items"][0]
    assert vietnamese == {
        "slug": "example",
        "title": "Ví dụ",
        "description": "Tiện ích mẫu",
        "icon": "science",
        "category": "information",
        "position": 20,
        "deep_link": "smartapp://u/example",
        "api_base": "/api/v1/u/example/",
        "min_app_version": {"android": "3.0.0", "ios": "3.1.0"},
        "version": "1.2.0",
    }
    english = client.get("/api/v1/utilities", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert [t["title"] for t in english.json["items"]] == ["Example", "Healthy"]
    assert english.json["next_cursor"] is None
    french = client.get("/api/v1/utilities", headers={"Accept-Language": "fr"})
    assert french.json["items"][0]["title"] == "Ví dụ"  # Vietnamese first


@with_plugins(ExamplePlugin, HealthyPlugin)
@pytest.mark.parametrize(
    ("platform", "version", "expected"),
    [
        ("android", "2.9.9", ["healthy"]),
        ("android", "3.0.0", ["example", "healthy"]),
        ("ios", "3.0.5", ["healthy"]),
        ("ios", "3.10", ["example", "healthy"]),
        ("web", "1.0", ["example", "healthy"]),  # no minimum declared for the web
    ],
)
def test_an_old_app_never_sees_a_utility_it_cannot_open(client, platform, version, expected):
    response = client.get(
        "/api/v1/utilities", query_string={"platform": platform, "app_version": version}
    )
    assert [t["slug"] for t in response.json["items"]] == expected


@with_plugins(ExamplePlugin)
def test_bad_catalog_arguments_name_the_field(client):
    for query, field in [
        ({"platform": "symbian"}, "platform"),
        ({"app_version": "three"}, "app_version"),
        ({"ward_code": "1"}, "ward_code"),
        ({"ward_code": "x"}, "ward_code"),
    ]:
        response = client.get("/api/v1/utilities", query_string=query)
        assert response.status_code == 422, query
        assert list(response.json["errors"]) == [field]


@with_plugins(ExamplePlugin, HealthyPlugin)
def test_etag_gives_304_until_an_admin_changes_a_plugin(client, admin):
    first = client.get("/api/v1/utilities")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert "Accept-Language" in first.headers["Vary"]
    again = client.get("/api/v1/utilities", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    english = client.get(
        "/api/v1/utilities", headers={"If-None-Match": etag, "Accept-Language": "en"}
    )
    assert english.status_code == 200

    client.patch("/api/v1/admin/plugins/healthy", json={"enabled": False}, headers=admin.headers)
    changed = client.get("/api/v1/utilities", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert [t["slug"] for t in changed.json["items"]] == ["example"]


@with_plugins(ExamplePlugin)
def test_a_signed_in_citizens_ward_decides_ward_limited_tiles(client, admin, make_citizen):
    client.patch(
        "/api/v1/admin/plugins/example", json={"ward_codes": [25459]}, headers=admin.headers
    )
    inside = make_citizen("+84912000002", ward_code=25459)
    outside = make_citizen("+84912000003", ward_code=27727)
    assert len(client.get("/api/v1/utilities", headers=inside.headers).json["items"]) == 1
    assert client.get("/api/v1/utilities", headers=outside.headers).json["items"] == []
    response = client.get("/api/v1/utilities", headers=inside.headers)
    assert response.headers["Cache-Control"] == "private, no-cache"


@with_plugins(ExamplePlugin)
def test_the_profile_ward_wins_over_a_ward_in_the_query(client, admin, make_citizen):
    client.patch(
        "/api/v1/admin/plugins/example", json={"ward_codes": [25459]}, headers=admin.headers
    )
    outside = make_citizen("+84912000005", ward_code=27727)
    inside = make_citizen("+84912000006", ward_code=25459)
    # a citizen cannot open another ward's pilot by naming that ward ...
    assert (
        client.get(
            "/api/v1/utilities", query_string={"ward_code": 25459}, headers=outside.headers
        ).json["items"]
        == []
    )
    # ... nor lose their own ward's tiles by naming another
    assert (
        len(
            client.get(
                "/api/v1/utilities", query_string={"ward_code": 27727}, headers=inside.headers
            ).json["items"]
        )
        == 1
    )
    # while an anonymous app (no profile) is shown the ward it names
    assert (
        len(client.get("/api/v1/utilities", query_string={"ward_code": 25459}).json["items"]) == 1
    )


@with_plugins(ExamplePlugin)
@pytest.mark.smartapp_config(SMARTAPP_REDIS_URL=REDIS_URL)
def test_the_home_screen_is_shared_through_redis(app, client, smartapp_database, tmp_path):
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    assert client.get("/api/v1/utilities").status_code == 200
    keys = [k.decode() for k in connection.keys("smartapp:cache:catalog:*")]
    assert len(keys) == 1 and keys[0].endswith(":vi:example")

    other = create_app(
        {
            "SMARTAPP_DATABASE_URL": smartapp_database.url,
            "SMARTAPP_ENV": "testing",
            "SMARTAPP_REDIS_URL": REDIS_URL,
        },
        plugins=[ExamplePlugin],
        instance_path=tmp_path / "other",
    )
    with other.app_context():  # another worker reads what the first one rendered
        from smartapp.extensions import cache

        shared = cache.get(keys[0].removeprefix("smartapp:cache:"))
        assert [t["slug"] for t in shared] == ["example"]
    connection.flushdb()


@with_plugins(ExamplePlugin)
@pytest.mark.smartapp_config(SMARTAPP_REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens
def test_with_redis_down_the_home_screen_and_sign_in_still_answer(client):
    response = client.get("/api/v1/utilities")
    assert response.status_code == 200
    assert [t["slug"] for t in response.json["items"]] == ["example"]
    # rate limits fall back to this process's memory
    token = client.post(
        "/api/v1/auth/staff/token", json={"email": "a@b.vn", "password": "wrong password"}
    )
    assert token.status_code == 401
    assert client.get("/readyz").status_code == 503


@with_plugins(ExamplePlugin, HealthyPlugin)
@pytest.mark.smartapp_config(SMARTAPP_STATE_TTL_MS="60000")
def test_repeated_anonymous_requests_replay_flasks_answer(app, client, admin, make_citizen):
    fast_path = app.extensions["smartapp.home_screen_fast_path"]
    reached_flask = []
    flask_app = fast_path.wsgi_app
    fast_path.wsgi_app = lambda environ, start: reached_flask.append(1) or flask_app(environ, start)
    query = {"platform": "android", "app_version": "3.2.0"}
    first = client.get("/api/v1/utilities", query_string=query)
    assert len(fast_path.answers) == 1 and len(reached_flask) == 1
    replayed = client.get("/api/v1/utilities", query_string=query)
    assert len(reached_flask) == 1, "the repeat should not have reached Flask"
    assert replayed.data == first.data
    for header in ("Content-Type", "ETag", "Cache-Control", "Vary", "Content-Length"):
        assert replayed.headers[header] == first.headers[header], header
    conditional = client.get(
        "/api/v1/utilities", query_string=query, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert conditional.status_code == 304 and conditional.headers["ETag"] == first.headers["ETag"]
    assert len(reached_flask) == 1
    assert (
        client.get("/api/v1/utilities", query_string=query, headers={"Accept-Language": "en"}).json[
            "items"
        ][0]["title"]
        == "Example"
    )
    assert len(reached_flask) == 2  # another language: Flask renders it

    # invalid input is never stored: Flask answers it every time
    assert client.get("/api/v1/utilities", query_string={"platform": "nokia"}).status_code == 422
    assert len(fast_path.answers) == 2  # android/vi and android/en
    # a signed-in citizen gets their own answer (ward, badges), not the replay
    citizen = make_citizen("+84912000004", ward_code=27727)
    client.patch(
        "/api/v1/admin/plugins/example", json={"ward_codes": [25459]}, headers=admin.headers
    )
    assert [
        t["slug"]
        for t in client.get("/api/v1/utilities", query_string=query, headers=citizen.headers).json[
            "items"
        ]
    ] == ["healthy"]
    # the admin's change retired the replay in this worker at once
    before = len(reached_flask)
    assert [
        t["slug"] for t in client.get("/api/v1/utilities", query_string=query).json["items"]
    ] == ["healthy"]
    assert len(reached_flask) == before + 1
    # and once the TTL runs out, Flask re-reads the settings before anything is replayed
    app.extensions["smartapp.plugin_state"].checked_at -= 61
    client.get("/api/v1/utilities", query_string=query)
    assert len(reached_flask) == before + 2


@with_plugins(ExamplePlugin)
@pytest.mark.smartapp_config(SMARTAPP_REDIS_URL=REDIS_URL)
def test_workers_with_other_plugins_do_not_share_home_screens(client, smartapp_database, tmp_path):
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    assert [t["slug"] for t in client.get("/api/v1/utilities").json["items"]] == ["example"]
    without = create_app(
        {
            "SMARTAPP_DATABASE_URL": smartapp_database.url,
            "SMARTAPP_ENV": "testing",
            "SMARTAPP_REDIS_URL": REDIS_URL,
        },
        plugins=[],
        instance_path=tmp_path / "old-release",
    )
    assert without.test_client().get("/api/v1/utilities").json["items"] == []
    connection.flushdb()


@with_plugins(ExamplePlugin)
def test_absurd_app_versions_are_refused_or_harmless(client):
    huge = client.get(
        "/api/v1/utilities", query_string={"platform": "android", "app_version": "9" * 5000}
    )
    assert huge.status_code == 422 and list(huge.json["errors"]) == ["app_version"]
