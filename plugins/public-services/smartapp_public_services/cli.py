"""``smartapp public-services …``: importing the catalog from files."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from .importer import KINDS, ImportFileError, ImportReport, plan_import, run_import

cli = AppGroup("public-services", help="Administrative procedures, bundles and offices.")


@cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(sorted(KINDS)), default="procedures",
              show_default=True, help="What the file holds.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows even when some are bad (they are still reported).")
def import_command(path: Path, kind: str, skip_invalid: bool) -> None:
    """Upsert procedures (or bundles, offices) by code from a CSV or JSON PATH.

    Every row is validated first; bad rows are reported with their line, and a file with any
    bad row imports nothing unless --skip-invalid. Exits 1 when a row was bad.
    """
    try:
        plan = plan_import(path, KINDS[kind])
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    if plan.errors and not skip_invalid:
        report = run_import(plan)
    else:
        with click.progressbar(length=len(plan.valid), label=f"importing {kind}") as bar:
            report = run_import(plan, skip_invalid, advance=bar.update)
    _print(report)
    if report.errors:
        raise SystemExit(1)


def _print(report: ImportReport) -> None:
    for error in report.errors:
        code = f" ({error.code})" if error.code else ""
        click.echo(f"{error.record.location}{code}: "
                   f"{json.dumps(error.messages, ensure_ascii=False)}", err=True)
    if report.written:
        click.echo(f"{report.rows} rows: {report.created} created, {report.updated} updated, "
                   f"{report.unchanged} unchanged, {len(report.errors)} skipped")
    else:
        click.echo(f"{len(report.errors)} of {report.rows} rows are not valid: nothing imported "
                   "(fix them, or use --skip-invalid)", err=True)
