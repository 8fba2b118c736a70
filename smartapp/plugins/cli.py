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


def _set_enabled(slug: str, enabled: bool) -> None:
    from marshmallow import ValidationError

    from smartapp.plugins.services import PluginNotFound, update_plugin

    try:
        update_plugin(slug, {"enabled": enabled})
    except PluginNotFound:
        raise click.BadParameter(f"no plugin {slug!r}", param_hint="'SLUG'") from None
    except ValidationError as error:
        raise click.BadParameter(str(error.messages), param_hint="'SLUG'") from None
    click.echo(f"{slug} {'enabled' if enabled else 'disabled'} for every worker")


@plugins.command("enable")
@click.argument("slug")
def enable(slug: str) -> None:
    """Show utility SLUG on the home screen and serve its routes."""
    _set_enabled(slug, True)


@plugins.command("disable")
@click.argument("slug")
def disable(slug: str) -> None:
    """Hide utility SLUG and answer 404 on its routes (e.g. before its first release)."""
    _set_enabled(slug, False)


@plugins.command("new")
@click.argument("slug")
@click.option(
    "--path",
    "path",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to create the plugin's distribution in.",
)
def new(slug: str, path: Path) -> None:
    """Write a new, installable plugin SLUG with a route, a model, a migration and tests."""
    from smartapp.plugins.scaffold import ScaffoldError, write_scaffold

    try:
        written = write_scaffold(slug, path)
    except ScaffoldError as error:
        raise click.BadParameter(str(error), param_hint=error.param) from None
    click.echo(f"wrote {len(written)} files in {path}")
    click.echo(f"next: pip install -e {path} && smartapp db upgrade && pytest {path}")
