"""Several real worker processes (gunicorn) sharing one database and Redis."""

from __future__ import annotations

import time

import pytest
import redis
import requests
from smartapp_example import ExamplePlugin

from smartapp.testing import with_plugins
from tests.support.gunicorn import serve

REDIS_URL = "redis://127.0.0.1:6379/13"
WSGI = """
from smartapp import create_app
from smartapp_example import ExamplePlugin
app = create_app(plugins=[ExamplePlugin])
"""


@pytest.fixture
def gunicorn(app, smartapp_database, tmp_path):
    """``gunicorn -w 3`` serving the example plugin on the test database and real Redis."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        "SMARTAPP_DATABASE_URL": smartapp_database.url,
        "SMARTAPP_REDIS_URL": REDIS_URL,
        "SMARTAPP_ENV": "testing",
        "SMARTAPP_SECRET_KEY": app.config["SECRET_KEY"],
    }
    try:
        with serve(WSGI, tmp_path, env, workers=3) as base:
            yield base
    finally:
        redis.Redis.from_url(REDIS_URL).flushdb()


@with_plugins(ExamplePlugin)
def test_an_admin_change_reaches_every_worker_without_a_restart(gunicorn, admin):
    session = requests.Session()
    for _ in range(30):  # reach every worker, each loads the plugin state
        response = session.get(f"{gunicorn}/api/v1/u/example/notes", timeout=5)
        assert response.status_code == 200
    response = session.patch(
        f"{gunicorn}/api/v1/admin/plugins/example",
        json={"enabled": False},
        headers=admin.headers,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    changed_at = time.monotonic()

    time.sleep(1.2)  # the default TTL is 1 s
    statuses = {
        session.get(f"{gunicorn}/api/v1/u/example/notes", timeout=5).status_code for _ in range(30)
    }
    assert statuses == {404}, statuses
    assert time.monotonic() - changed_at < 5
    tiles = session.get(f"{gunicorn}/api/v1/utilities", timeout=5).json()["items"]
    assert tiles == []


@with_plugins(ExamplePlugin)
def test_rate_limits_are_counted_across_workers_in_redis(gunicorn):
    session = requests.Session()
    body = {"email": "nobody@staff.test", "password": "wrong password"}
    statuses = [
        session.post(f"{gunicorn}/api/v1/auth/staff/token", json=body, timeout=5).status_code
        for _ in range(8)
    ]
    # 5 per account per minute, whichever of the 3 workers answers
    assert statuses == [401] * 5 + [429] * 3
    limited = session.post(f"{gunicorn}/api/v1/auth/staff/token", json=body, timeout=5)
    assert limited.json()["code"] == 429 and "Retry-After" in limited.headers
    assert redis.Redis.from_url(REDIS_URL).keys("LIMITS:LIMITER/smartapp:limits/*")
