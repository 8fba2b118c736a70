"""``smartapp payments …``: importing places from a file."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from .services import imports

cli = AppGroup("payments", help="Cashless places, fee accounts, VietQR.")


@cli.command("import-places")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_places(path: Path) -> None:
    """Upsert places by code from the CSV file PATH (columns in the plugin's README).

    Every row is validated first; bad rows are reported by line and nothing is written
    while any row is bad (exit status 1).
    """
    if path.stat().st_size > imports.MAX_BYTES:
        raise click.ClickException(f"{path} is larger than {imports.MAX_BYTES // 2**20} MiB")
    try:
        plan = imports.plan(path.read_bytes())
    except imports.ImportFileError as error:
        raise click.ClickException(str(error)) from None
    for line, problems in plan.errors.items():
        click.echo(f"line {line}: {json.dumps(problems, ensure_ascii=False)}", err=True)
    if plan.errors:
        click.echo(f"{len(plan.errors)} rows are not valid: nothing imported", err=True)
        raise SystemExit(1)
    with click.progressbar(length=len(plan.records), label="importing places") as bar:
        report = imports.write(plan, advance=bar.update)
    click.echo(
        f"{report.rows} rows: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )
