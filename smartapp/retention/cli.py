"""``smartapp retention …``: the retention periods, and a purge from the command line (the
embedded default has no worker to run the hourly job: run it from cron)."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from smartapp.extensions import WRITER_PROCESS, utcnow
from smartapp.retention.services import periods, purge_expired


@click.group()
def retention() -> None:
    """How long data is kept, and removing what is past its period."""


@retention.command("purge")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@with_appcontext
def purge(as_json: bool) -> None:
    """Remove everything past its retention period now; exits 1 when a plugin failed."""
    # every transaction of this command writes: on SQLite it takes the lock up front, as a
    # worker does, instead of failing on a stale snapshot beside the running app
    current_app.extensions[WRITER_PROCESS] = True
    try:
        report = purge_expired(utcnow())
    finally:
        current_app.extensions.pop(WRITER_PROCESS, None)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        for kind, count in report.core.items():
            click.echo(f"core {kind}: {count}")
        for slug, counts in report.plugins.items():
            for kind, count in counts.items():
                click.echo(f"{slug} {kind}: {count}")
        for slug, reason in report.failures.items():
            click.echo(f"{slug} FAILED: {reason}", err=True)
    if report.failures:
        sys.exit(1)


@retention.command("periods")
@with_appcontext
def show_periods() -> None:
    """The core's retention periods, in days (plugins document their own)."""
    kept = periods()
    click.echo(f"inbox: {kept.inbox_days}")
    click.echo(f"deliveries: {kept.delivery_days}")
    click.echo(f"audit: {kept.audit_days}")
