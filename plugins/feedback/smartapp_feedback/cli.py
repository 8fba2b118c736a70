"""``smartapp feedback …``: the utility's commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .categories import all_categories

cli = AppGroup("feedback", help="Feedback: categories and reports.")


@cli.command("categories")
def list_categories() -> None:
    """Print every category: code, agency, priority, deadline."""
    for category in all_categories():
        state = "" if category.active else "  (retired)"
        click.echo(
            f"{category.code:24} {category.agency_code:10} {category.priority:8} "
            f"{category.resolve_hours:>4} h{state}"
        )
