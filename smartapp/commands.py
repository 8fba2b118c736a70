"""The core's command groups, registered on every app's ``app.cli`` by ``create_app``:
``db`` (every lineage's migrations) and ``worker``, with ``plugins``, ``staff`` and ``demo``
from their own packages."""

from __future__ import annotations

import logging
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from redis import Redis

import smartapp.lineages as lineages
from smartapp.demo import demo
from smartapp.identity.cli import staff
from smartapp.jobs import run_worker
from smartapp.plugins.cli import plugins


def _lineage(name: str) -> lineages.Lineage:
    try:
        return lineages.lineage(name)
    except LookupError as error:
        raise click.BadParameter(str(error), param_hint="'--plugin'") from None


@click.group()
def db() -> None:
    """Database migrations of the core and every installed plugin."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.INFO)


@db.command("upgrade")
@click.option("--plugin", "name", help="Only this plugin's lineage (``core`` for the core).")
@with_appcontext
def upgrade(name: str | None) -> None:
    """Bring the core and every installed plugin to their latest revisions."""
    targets = [_lineage(name)] if name else lineages.lineages()
    for target in targets:
        click.echo(f"upgrading {target.name}")
        lineages.upgrade(target)


@db.command("downgrade")
@click.option("--plugin", "name", required=True, help="The lineage: a plugin slug or ``core``.")
@click.argument("revision")
@with_appcontext
def downgrade(name: str, revision: str) -> None:
    """Revert one lineage to REVISION (``base`` removes a plugin's tables before uninstalling)."""
    lineages.downgrade(_lineage(name), revision)


@db.command("revision")
@click.option(
    "--plugin",
    "name",
    default=lineages.CORE,
    show_default=True,
    help="Whose lineage gets the revision: a plugin slug or ``core``.",
)
@click.option("-m", "--message", required=True)
@click.option("--empty", is_flag=True, help="Write an empty revision instead of autogenerating.")
@with_appcontext
def revision(name: str, message: str, empty: bool) -> None:
    """Write a new revision for one lineage, comparing its models with the database (no file
    when nothing changed)."""
    written = lineages.revision(_lineage(name), message, autogenerate=not empty)
    click.echo(f"wrote {written}" if written else "no changes: no revision written")


@db.command("pending")
@with_appcontext
def pending() -> None:
    """List unapplied revisions per lineage; exits 1 when there are some."""
    found = {name: revisions for name, revisions in lineages.pending().items() if revisions}
    for name, revisions in found.items():
        click.echo(f"{name}: {', '.join(revisions)}")
    if found:
        sys.exit(1)
    click.echo("no pending migrations")


@click.command()
@click.option("--queue", "queues", multiple=True, default=["default"], show_default=True)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker for background jobs (needs SMARTAPP_REDIS_URL)."""
    url = current_app.config["SMARTAPP_SETTINGS"].redis_url
    if url is None:
        raise click.UsageError(
            "smartapp worker needs SMARTAPP_REDIS_URL: without Redis, jobs run in the web process"
        )
    # no socket timeout here, unlike the web's connection: the worker blocks on purpose
    run_worker(Redis.from_url(url), list(queues), burst=burst)


def register_core_commands(group: click.Group) -> None:
    for command in (db, plugins, staff, demo, worker):
        group.add_command(command)
