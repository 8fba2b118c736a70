"""``smartapp staff …``."""

from __future__ import annotations

import click

from smartapp.extensions import db
from smartapp.identity.models import Role, Staff
from smartapp.identity.services import (
    StaffError,
    create_staff,
    deactivate_staff,
    find_staff,
    set_staff_password,
)


@click.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--agency", "agency_code", help="Agency code (agency_staff accounts only).")
@click.option("--permission", "permissions", multiple=True,
              help="Extra permission, e.g. public-services:manage or ioc:read (repeatable).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given.")
def create(email: str, role: str, agency_code: str | None, permissions: tuple[str, ...],
           password: str) -> None:
    """Create the staff account EMAIL with ROLE."""
    try:
        account = create_staff(email, password, role, agency_code, list(permissions))
    except StaffError as error:
        raise click.BadParameter(str(error), param_hint=f"'{error.field}'") from None
    db.session.commit()
    click.echo(f"created {account.role} {account.email} (id {account.id})")


def _existing(email: str) -> Staff:
    staff = find_staff(email)
    if staff is None:
        raise click.BadParameter(f"no staff account {email!r}", param_hint="'EMAIL'")
    return staff


@staff.command("set-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when not given.")
def set_password(email: str, password: str) -> None:
    """Give EMAIL a new password, revoking its tokens."""
    account = _existing(email)
    try:
        set_staff_password(account, password)
    except StaffError as error:
        raise click.BadParameter(str(error), param_hint=f"'{error.field}'") from None
    db.session.commit()
    click.echo(f"new password set for {account.email}; earlier tokens are revoked")


@staff.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Close the account EMAIL and revoke its tokens at once."""
    account = _existing(email)
    deactivate_staff(account)
    db.session.commit()
    click.echo(f"deactivated {account.email}")
