"""Background jobs: in-process without Redis, real RQ workers with it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import redis
from rq import Queue
from smartapp_example import ExamplePlugin, Note
from smartapp_example.jobs import add_note
from sqlalchemy import select

from smartapp.extensions import db
from smartapp.jobs import enqueue
from smartapp.testing import with_plugins

REDIS_URL = "redis://127.0.0.1:6379/14"
ROOT = Path(__file__).resolve().parent.parent


@with_plugins(ExamplePlugin)
def test_without_redis_a_job_runs_in_process(app):
    assert enqueue(add_note, "Lịch cắt điện") is None
    assert db.session.scalars(select(Note.text)).all() == ["Lịch cắt điện"]


@with_plugins(ExamplePlugin)
def test_with_redis_a_real_worker_runs_the_job(app, smartapp_database, smartapp_config):
    connection = redis.Redis.from_url(REDIS_URL)
    queue_name = f"test-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        app.extensions["smartapp.redis"] = connection  # this app enqueues to real Redis
        job_id = enqueue(add_note, "Thông báo lũ", queue=queue_name)
    assert job_id is not None
    assert db.session.scalars(select(Note.text)).all() == []  # nothing ran here
    db.session.rollback()  # end this read transaction before another process writes

    env = {
        **os.environ,
        "SMARTAPP_DATABASE_URL": smartapp_database.url,
        "SMARTAPP_REDIS_URL": REDIS_URL,
        "SMARTAPP_ENV": "testing",
        "PYTHONPATH": f"{ROOT / 'tests' / 'example_plugin'}{os.pathsep}{ROOT}",
    }
    smartapp = Path(sys.executable).with_name("smartapp")
    result = subprocess.run(
        [str(smartapp), "worker", "--queue", queue_name, "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr

    job = Queue(queue_name, connection=connection).fetch_job(job_id)
    assert job is not None and job.is_finished, result.stderr
    db.session.expire_all()
    assert db.session.scalars(select(Note.text)).all() == ["Thông báo lũ"]
    assert job.return_value() == db.session.scalars(select(Note.id)).one()


def test_worker_without_redis_says_why(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 2
    assert "smartapp worker needs SMARTAPP_REDIS_URL" in result.output
