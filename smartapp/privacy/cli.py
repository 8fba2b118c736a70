"""``smartapp privacy …``: the notice's versions, and the retries of the embedded default."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError

from smartapp.consent.services import current_notice, publish_notice
from smartapp.errors import DomainError
from smartapp.privacy.schemas import NoticeSchema
from smartapp.privacy.tasks import sweep


@click.group("privacy")
def privacy_group() -> None:
    """The privacy notice, and the erasures' and exports' background work."""


@privacy_group.command("notice")
@with_appcontext
def show_notice() -> None:
    """Print the current notice as JSON (the shape ``publish`` reads)."""
    click.echo(json.dumps(NoticeSchema().dump(current_notice()), ensure_ascii=False, indent=2))


@privacy_group.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def publish(file: Path) -> None:
    """Publish FILE (JSON: title, body, purposes) as the next version of the notice."""
    try:
        body = NoticeSchema().load(json.loads(file.read_text(encoding="utf-8")))
        notice = publish_notice(body["title"], body["body"], body["purposes"])
    except ValidationError as error:
        raise click.ClickException(json.dumps(error.normalized_messages())) from None
    except (DomainError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"published version {notice.version}")


@privacy_group.command("sweep")
@with_appcontext
def run_sweep() -> None:
    """Retry unfinished erasures (Firebase accounts) and delete expired export archives
    (workers do it every few minutes; the embedded default has none)."""
    click.echo(json.dumps(sweep()))
