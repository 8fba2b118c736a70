"""Wiring retention into the app: the hourly job of ``smartapp worker``, the commands."""

from __future__ import annotations

from flask import Flask

import smartapp.jobs as jobs
from smartapp.retention.cli import retention
from smartapp.retention.tasks import PURGE_INTERVAL, purge


def init_app(app: Flask) -> None:
    jobs.every(app, PURGE_INTERVAL, purge)
    app.cli.add_command(retention)
