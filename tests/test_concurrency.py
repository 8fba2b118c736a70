"""Parallel writers through real gunicorn workers: not one 5xx, on SQLite as on PostgreSQL.

On SQLite a transaction that read and then writes cannot wait for the write lock (its
snapshot may be stale), so write transactions take the lock up front and wait their turn
(``smartapp.extensions``); before that, 16 parallel searches (each logs the search) got 188
"database is locked" 500s out of 400.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from smartapp_public_services import DATA_DIR, PublicServicesPlugin
from smartapp_public_services.importer import KINDS, import_file
from smartapp_public_services.models import Lookup, Procedure, SearchStat
from sqlalchemy import func, select

from smartapp.extensions import db
from tests.support.gunicorn import serve

WSGI = """
from smartapp import create_app
from smartapp_public_services import PublicServicesPlugin
app = create_app(plugins=[PublicServicesPlugin])
"""
PARALLEL = 16
REQUESTS = 400


@pytest.fixture
def smartapp_plugins() -> list[type]:
    return [PublicServicesPlugin]


@pytest.fixture
def server(app, smartapp_database, tmp_path):
    """Two gunicorn workers on the test database, without Redis (the embedded default)."""
    assert import_file(DATA_DIR / "procedures.json", KINDS["procedures"], False).written
    env = {
        "SMARTAPP_DATABASE_URL": smartapp_database.url,
        "SMARTAPP_REDIS_URL": "",
        "SMARTAPP_ENV": "testing",
        "SMARTAPP_SECRET_KEY": app.config["SECRET_KEY"],
        # each search from its own citizen's address, as behind nginx: the per-client
        # search rate limit is not what this test is about
        "SMARTAPP_PROXY_HOPS": "1",
    }
    with serve(WSGI, tmp_path, env, workers=2) as base:
        yield base


def _statuses(calls: list) -> Counter[int]:
    with ThreadPoolExecutor(PARALLEL) as pool:
        return Counter(pool.map(lambda call: call(), calls))


def test_parallel_searches_each_log_without_a_server_error(server):
    def search(n: int):
        return lambda: (
            requests.get(
                f"{server}/api/v1/u/public-services/procedures",
                params={"q": f"khai sinh {n}"},
                timeout=30,
                headers={"X-Forwarded-For": f"10.0.{n // 250}.{n % 250}"},
            ).status_code
        )

    statuses = _statuses([search(n) for n in range(REQUESTS)])
    assert statuses == {200: REQUESTS}, statuses
    db.session.commit()  # see what the workers committed
    logged = db.session.scalar(select(func.count()).select_from(SearchStat))
    assert logged == REQUESTS


def test_parallel_procedure_lookups_each_count_without_a_server_error(server):
    codes = db.session.scalars(select(Procedure.code).order_by(Procedure.code).limit(20)).all()

    def look_up(n: int):
        return lambda: (
            requests.get(
                f"{server}/api/v1/u/public-services/procedures/{codes[n % len(codes)]}",
                timeout=30,
                headers={"X-Forwarded-For": f"10.0.{n // 250}.{n % 250}"},
            ).status_code
        )

    statuses = _statuses([look_up(n) for n in range(REQUESTS)])
    assert statuses == {200: REQUESTS}, statuses
    db.session.commit()  # see what the workers committed
    assert db.session.scalar(select(func.sum(Lookup.lookups))) == REQUESTS


def test_parallel_profile_changes_without_a_server_error(server, make_citizen):
    citizens = [make_citizen(f"+8491200{n:04d}") for n in range(PARALLEL)]

    def change(n: int):
        signed_in = citizens[n % PARALLEL]
        return lambda: (
            requests.patch(
                f"{server}/api/v1/me",
                headers=signed_in.headers,
                json={"display_name": f"Công dân {n}"},
                timeout=30,
            ).status_code
        )

    statuses = _statuses([change(n) for n in range(REQUESTS)])
    assert statuses == {200: REQUESTS}, statuses
