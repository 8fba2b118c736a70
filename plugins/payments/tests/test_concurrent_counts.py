"""Real gunicorn workers generating codes at once: the monthly count loses none."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from smartapp_payments.models import QRCount
from sqlalchemy import select

from smartapp.plugin import db

REDIS_URL = "redis://127.0.0.1:6379/9"
WSGI = """
from smartapp import create_app
from smartapp_payments import PaymentsPlugin
app = create_app(plugins=[PaymentsPlugin])
"""
REQUESTS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(app, smartapp_database, tmp_path):
    """``gunicorn -w 3`` serving this plugin on the test database and Redis DB 9."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    (tmp_path / "payments_wsgi.py").write_text(WSGI)
    port = free_port()
    env = {**os.environ, "SMARTAPP_DATABASE_URL": smartapp_database.url,
           "SMARTAPP_REDIS_URL": REDIS_URL, "SMARTAPP_ENV": "testing",
           "SMARTAPP_SECRET_KEY": app.config["SECRET_KEY"], "PYTHONPATH": str(tmp_path)}
    server = subprocess.Popen(
        [str(os.path.join(os.path.dirname(sys.executable), "gunicorn")), "-w", "3",
         "-b", f"127.0.0.1:{port}", "payments_wsgi:app"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:  # still booting
                pass
            assert server.poll() is None, server.stdout.read().decode()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
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
