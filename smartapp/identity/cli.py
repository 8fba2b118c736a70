"""``smartapp staff …``."""

from __future__ import annotations

import click

from smartapp.errors import DomainError
from smartapp.identity.models import Role
from smartapp.identity.services import (
    create_staff,
    deactivate_staff,
    set_staff_password,
    staff_by_email,
)

#: the command line's name of a field services name, where it differs
_PARAMETERS = {"agency_code": "agency", "permissions": "permission"}


def _refused(error: DomainError) -> click.UsageError:
    """A service's refusal, said in the command line's terms (exit status 2)."""
    if not error.errors:
        return click.UsageError(str(error))
    field, texts = next(iter(error.errors.items()))
    return click.BadParameter(" ".join(texts), param_hint=f"'{_PARAMETERS.get(field, field)}'")


@click.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--agency", "agency_code", help="Agency code (agency_staff accounts only).")
@click.option(
    "--permission",
    "permissions",
    multiple=True,
    help="Extra permission, e.g. public-services:manage or ioc:read (repeatable).",
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given.",
)
def create(
    email: str, role: str, agency_code: str | None, permissions: tuple[str, ...], password: str
) -> None:
    """Create the staff account EMAIL with ROLE."""
    try:
        account = create_staff(email, password, role, agency_code, list(permissions))
    except DomainError as error:
        raise _refused(error) from None
    click.echo(f"created {account.role} {account.email} (id {account.id})")


@staff.command("set-password")
@click.argument("email")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given.",
)
def set_password(email: str, password: str) -> None:
    """Give EMAIL a new password, revoking its tokens."""
    try:
        account = staff_by_email(email)
        set_staff_password(account, password)
    except DomainError as error:
        raise _refused(error) from None
    click.echo(f"new password set for {account.email}; earlier tokens are revoked")


@staff.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Close the account EMAIL and revoke its tokens at once."""
    try:
        account = staff_by_email(email)
        deactivate_staff(account)
    except DomainError as error:
        raise _refused(error) from None
    click.echo(f"deactivated {account.email}")
