"""``smartapp demo seed``: a demo administrator and each plugin's demo data."""

from __future__ import annotations

import secrets

import click
from sqlalchemy import select

from smartapp.extensions import db
from smartapp.identity.models import Role, Staff
from smartapp.identity.services import change_staff, create_staff, set_staff_password
from smartapp.plugins.base import Plugin
from smartapp.plugins.registry import registry

DEMO_ADMIN_EMAIL = "admin@demo.smartapp.local"


@click.group()
def demo() -> None:
    """Demonstration data."""


@demo.command("seed")
def seed() -> None:
    """Create the demo administrator (printing its password) and every plugin's demo data."""
    password = secrets.token_urlsafe(12)
    admin = db.session.scalar(select(Staff).where(Staff.email == DEMO_ADMIN_EMAIL))
    if admin is None:
        create_staff(DEMO_ADMIN_EMAIL, password, Role.ADMIN)
    else:  # a new password on every seed, so the one printed last always works
        set_staff_password(admin, password)
        if not admin.active:
            change_staff(admin, {"active": True})
    click.echo(f"demo admin: {DEMO_ADMIN_EMAIL} / {password}")
    seeded = registry().call_hook(Plugin.seed_demo)
    db.session.commit()
    click.echo(f"plugin demo data: {', '.join(sorted(seeded.answers)) or 'none'}")
    if seeded.failures:
        for slug, reason in sorted(seeded.failures.items()):
            click.echo(f"plugin {slug} failed to seed: {reason}", err=True)
        raise SystemExit(1)
