"""Real ``smartapp worker`` processes and a redis-server of the test's own, for tests that
dispatch through RQ as production does. Import the fixtures into a test module (or
conftest); ``start_smartapp_worker`` needs an ``fcm`` fixture (``FcmServer``) there."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from smartapp.testing import free_port

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def pings(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[dict]:
    """A redis-server of this test's own (never the shared one), which it may stop:
    ``{"url", "start", "stop"}``; call ``start()`` first."""
    port = free_port()
    server: dict = {"url": f"redis://127.0.0.1:{port}/0", "process": None}

    def start() -> None:
        server["process"] = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: pings(server["url"]), 10, "redis-server")

    def stop() -> None:
        server["process"].terminate()
        server["process"].wait(10)

    server["start"], server["stop"] = start, stop
    yield server
    if server["process"] and server["process"].poll() is None:
        stop()


@pytest.fixture
def start_smartapp_worker(app, smartapp_database, fcm) -> Iterator[Callable[..., subprocess.Popen]]:
    """``start_smartapp_worker(redis_url, **env)``: a ``smartapp worker`` process on the
    test's database, sending to the ``fcm`` server; all are stopped after the test."""
    started: list[subprocess.Popen] = []

    def start(redis_url: str, **env: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("smartapp")), "worker"],
            env={
                **os.environ,
                "SMARTAPP_DATABASE_URL": smartapp_database.url,
                "SMARTAPP_REDIS_URL": redis_url,
                "SMARTAPP_ENV": "testing",
                "SMARTAPP_SECRET_KEY": app.config["SECRET_KEY"],
                "SMARTAPP_FCM_EMULATOR_HOST": fcm.host,
                "PYTHONPATH": str(ROOT),
                **env,
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
