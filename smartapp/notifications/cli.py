"""``smartapp notify send|list|approve|cancel|sweep``: campaigns from the command line.

The same services and the same checks as the admin API; ``--as EMAIL`` names the staff
member acting, for approval rules and the audit log.
"""

from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError

import smartapp.notifications.campaigns as campaigns
from smartapp.errors import DomainError
from smartapp.identity.models import Role, Staff
from smartapp.identity.services import find_staff
from smartapp.notifications.admin_routes import describe
from smartapp.notifications.schemas import CampaignCreateSchema, CampaignSchema
from smartapp.notifications.tasks import sweep

_as = click.option(
    "--as",
    "email",
    required=True,
    metavar="EMAIL",
    help="The staff member acting (a communicator or an admin).",
)


def _actor(email: str) -> Staff:
    staff = find_staff(email)
    if staff is None or not staff.active or staff.role not in (Role.ADMIN, Role.COMMUNICATOR):
        raise click.BadParameter(
            "no active communicator or admin with this email", param_hint="'--as'"
        )
    return staff


def _fail(error: Exception) -> click.ClickException:
    if isinstance(error, ValidationError):
        return click.ClickException(json.dumps(error.normalized_messages(), ensure_ascii=False))
    return click.ClickException(str(error))


def _echo(campaign: Any, as_json: bool = False) -> None:
    if as_json:
        click.echo(json.dumps(CampaignSchema().dump(describe(campaign)), ensure_ascii=False))
    else:
        click.echo(
            f"{campaign.id}\t{campaign.status}\t{campaign.audience['kind']}\t{campaign.title['vi']}"
        )


@click.group("notify")
def notify_group() -> None:
    """Notification campaigns: send, list, approve, cancel."""


@notify_group.command("send")
@click.option("--title", required=True, help="Vietnamese title.")
@click.option("--body", required=True, help="Vietnamese text.")
@click.option("--title-en")
@click.option("--body-en")
@click.option("--link", help="Deep link into the app.")
@click.option("--province", is_flag=True, help="Everyone in the province.")
@click.option("--ward", "wards", multiple=True, type=int, help="A ward code (repeatable).")
@click.option("--interest", "interests", multiple=True, help="An interest slug (repeatable).")
@click.option("--citizen", "citizens", multiple=True, type=int, help="A citizen id (repeatable).")
@click.option("--send-at", help="ISO 8601 with an offset, e.g. 2026-12-24T08:00:00+07:00.")
@click.option("--idempotency-key")
@_as
@with_appcontext
def send(
    email: str,
    title: str,
    body: str,
    title_en: str | None,
    body_en: str | None,
    link: str | None,
    province: bool,
    wards: tuple[int, ...],
    interests: tuple[str, ...],
    citizens: tuple[int, ...],
    send_at: str | None,
    idempotency_key: str | None,
) -> None:
    """Compose a campaign (it waits for approval when SMARTAPP_CAMPAIGN_APPROVAL says so)."""
    chosen = [
        kind
        for kind, given in (
            ("province", province),
            ("wards", wards),
            ("interests", interests),
            ("citizens", citizens),
        )
        if given
    ]
    if len(chosen) != 1:
        raise click.UsageError(
            "give exactly one audience: --province, --ward, --interest or --citizen"
        )
    kind = chosen[0]
    audience: dict[str, Any] = {"kind": kind}
    if kind != "province":
        audience[kind] = list({"wards": wards, "interests": interests, "citizens": citizens}[kind])
    raw: dict[str, Any] = {
        "title": {"vi": title, **({"en": title_en} if title_en else {})},
        "body": {"vi": body, **({"en": body_en} if body_en else {})},
        "audience": audience,
        **({"link": link} if link else {}),
        **({"send_at": send_at} if send_at else {}),
    }
    try:
        fields = CampaignCreateSchema().load(raw)
        campaign, _ = campaigns.create(fields, _actor(email), idempotency_key)
    except (ValidationError, DomainError) as error:
        raise _fail(error) from None
    _echo(campaign)


@notify_group.command("list")
@click.option("--status")
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100))
@with_appcontext
def list_campaigns(status: str | None, as_json: bool, limit: int) -> None:
    """The newest campaigns: id, status, audience, title."""
    try:
        page = campaigns.listing({"status": status, "limit": limit})
    except ValidationError as error:
        raise _fail(error) from None
    for campaign in page.items:
        _echo(campaign, as_json)


@notify_group.command("approve")
@click.argument("campaign_id", type=int)
@_as
@with_appcontext
def approve(campaign_id: int, email: str) -> None:
    """Approve a campaign pending approval (not your own)."""
    try:
        _echo(campaigns.approve(campaign_id, _actor(email)))
    except DomainError as error:
        raise _fail(error) from None


@notify_group.command("cancel")
@click.argument("campaign_id", type=int)
@_as
@with_appcontext
def cancel(campaign_id: int, email: str) -> None:
    """Cancel a campaign until its sending completes."""
    try:
        _echo(campaigns.cancel(campaign_id, _actor(email)))
    except DomainError as error:
        raise _fail(error) from None


@notify_group.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Dispatch due campaigns once (what workers do every 15 s; for cron without Redis)."""
    click.echo(json.dumps(sweep()))
