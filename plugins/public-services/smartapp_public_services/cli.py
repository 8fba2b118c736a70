"""``smartapp public-services …``: importing the catalog from files."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from .changes import CatalogChanges
from .importer import (
    KINDS,
    ImportFileError,
    ImportPlan,
    ImportReport,
    NotRetirable,
    plan_import,
    preview,
    run_import,
)

cli = AppGroup("public-services", help="Administrative procedures, bundles and offices.")


@cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(sorted(KINDS)),
    default="procedures",
    show_default=True,
    help="What the file holds.",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid rows even when some are bad (they are still reported).",
)
@click.option(
    "--full",
    is_flag=True,
    help="The file is the whole published catalog: active records it leaves out "
    "are repealed (retired, never deleted).",
)
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--yes", "-y", is_flag=True, help="Write without asking (for scripts).")
def import_command(
    path: Path, kind: str, skip_invalid: bool, full: bool, dry_run: bool, yes: bool
) -> None:
    """Upsert procedures (or bundles, offices) by code from a CSV or JSON PATH.

    Every row is validated first; bad rows are reported with their line, and a file with any
    bad row imports nothing unless --skip-invalid. Then what would change is reported (new,
    changed and which fields, repealed with --full) and, unless --dry-run, written once
    confirmed (--yes does not ask). Exits 1 when a row was bad or the import was declined.
    """
    try:
        plan = plan_import(path, KINDS[kind], full)
    except (ImportFileError, NotRetirable) as error:
        raise click.ClickException(str(error)) from None
    _print_errors(plan)
    if plan.errors and not skip_invalid:
        click.echo(
            f"{len(plan.errors)} of {plan.rows} rows are not valid: nothing imported "
            "(fix them, or use --skip-invalid)",
            err=True,
        )
        raise SystemExit(1)
    changes = preview(plan)
    _print_changes(changes)
    if dry_run or not changes:
        click.echo("dry run: nothing written" if dry_run else "nothing to change")
        raise SystemExit(1 if plan.errors else 0)
    if not yes and not click.confirm("Write these changes?"):
        click.echo("nothing written", err=True)
        raise SystemExit(1)
    with click.progressbar(length=len(plan.valid), label=f"importing {kind}") as bar:
        report = run_import(plan, skip_invalid, advance=bar.update)
    _print_report(report)
    if report.errors:
        raise SystemExit(1)


def _print_errors(plan: ImportPlan) -> None:
    for error in plan.errors:
        code = f" ({error.code})" if error.code else ""
        click.echo(
            f"{error.record.location}{code}: {json.dumps(error.messages, ensure_ascii=False)}",
            err=True,
        )


def _print_changes(changes: CatalogChanges) -> None:
    click.echo(
        f"{len(changes.new)} new, {len(changes.changed)} changed, "
        f"{changes.unchanged} unchanged, {len(changes.repealed)} repealed"
    )
    for code in changes.new:
        click.echo(f"  new       {code}")
    for code, names in changes.changed.items():
        click.echo(f"  changed   {code}: {', '.join(names)}")
    for code in changes.repealed:
        click.echo(f"  repealed  {code} (will be retired)")


def _print_report(report: ImportReport) -> None:
    click.echo(
        f"{report.rows} rows: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.retired)} retired, "
        f"{len(report.errors)} skipped"
    )
