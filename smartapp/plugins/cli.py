"""``smartapp plugins …``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from smartapp.plugins.registry import registry
from smartapp.plugins.services import describe


@click.group()
def plugins() -> None:
    """Installed plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_plugins(as_json: bool) -> None:
    """Every discovered plugin, its load state and, when it failed, why."""
    described = [describe(record) for record in registry().records.values()]
    if as_json:
        click.echo(json.dumps(described, ensure_ascii=False, indent=2))
        return
    for item in described:
        enabled = "" if item.get("enabled", True) else " (disabled)"
        line = f"{item['slug']:<24} {item.get('version', '-'):<10} {item['state']}{enabled}"
        click.echo(line + (f": {item['reason']}" if item["reason"] else ""))


@plugins.command("new")
@click.argument("slug")
@click.option("--path", "path", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to create the plugin's distribution in.")
def new(slug: str, path: Path) -> None:
    """Write a new, installable plugin SLUG with a route, a model, a migration and tests."""
    from smartapp.plugins.scaffold import ScaffoldError, write_scaffold

    try:
        written = write_scaffold(slug, path)
    except ScaffoldError as error:
        raise click.BadParameter(str(error), param_hint=error.param) from None
    click.echo(f"wrote {len(written)} files in {path}")
    click.echo(f"next: pip install -e {path} && smartapp db upgrade && pytest {path}")
