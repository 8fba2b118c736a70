"""Real gunicorn workers generating codes at once: the monthly count loses none."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from smartapp_payments.models import QRCount
from sqlalchemy import select

from smartapp.plugin import db
from smartapp.testing import gunicorn_server

REDIS_URL = "redis://127.0.0.1:6379/9"
WSGI = """
from smartapp import create_app
from smartapp_payments import PaymentsPlugin
app = create_app(plugins=[PaymentsPlugin])
"""
REQUESTS = 60


@pytest.fixture
def gunicorn(app, smartapp_database, tmp_path):
    """``gunicorn -w 3`` serving this plugin on the test database and Redis DB 9."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        "SMARTAPP_DATABASE_URL": smartapp_database.url,
        "SMARTAPP_REDIS_URL": REDIS_URL,
        "SMARTAPP_ENV": "testing",
        "SMARTAPP_SECRET_KEY": app.config["SECRET_KEY"],
    }
    try:
        with gunicorn_server(WSGI, tmp_path, env, workers=3) as base:
            yield base
    finally:
        redis.Redis.from_url(REDIS_URL).flushdb()


def test_concurrent_codes_are_all_counted(gunicorn):
    url = f"{gunicorn}/api/v1/u/payments/vietqr"
    query = {"bank": "970436", "account": "0011001932418", "amount": "5000"}

    def generate(_: int) -> int:
        return requests.get(url, params=query, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(generate, range(REQUESTS)))
    assert statuses == [200] * REQUESTS
    db.session.rollback()  # a new snapshot: the workers wrote meanwhile
    assert db.session.scalars(select(QRCount.codes)).all() == [REQUESTS]
