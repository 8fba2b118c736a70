"""``/admin/audit``: the audit log, newest first, with filters."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import render_template, request
from marshmallow import EXCLUDE, ValidationError, fields, validate
from sqlalchemy import select

from smartapp.console.blueprint import blp, page
from smartapp.identity.models import AuditEntry, Role
from smartapp.pagination import CursorPageArgs, paginate


class AuditFilterSchema(CursorPageArgs):
    class Meta:
        unknown = EXCLUDE

    action = fields.String(validate=validate.Length(max=100))
    actor = fields.String(validate=validate.Length(max=254))
    object_type = fields.String(validate=validate.Length(max=64))
    since = fields.Date()
    until = fields.Date()


FILTERS = AuditFilterSchema()


def _filtered(filters: dict[str, Any]) -> Any:
    statement = select(AuditEntry)
    if action := filters.get("action"):
        statement = statement.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor := filters.get("actor"):
        statement = statement.where(AuditEntry.actor.contains(actor.lower(), autoescape=True))
    if object_type := filters.get("object_type"):
        statement = statement.where(AuditEntry.object_type == object_type)
    if since := filters.get("since"):
        statement = statement.where(AuditEntry.created_at >= datetime.combine(since, time(), UTC))
    if until := filters.get("until"):
        end = datetime.combine(until + timedelta(days=1), time(), UTC)
        statement = statement.where(AuditEntry.created_at < end)
    return statement


@blp.get("/audit")
@page(Role.ADMIN)
def audit() -> tuple[str, int]:
    """Who did what, newest first; filter by action (prefix), actor, object and dates."""
    submitted = {key: value for key, value in request.args.items() if value.strip()}
    try:
        filters = FILTERS.load(submitted)
        entries = paginate(_filtered(filters), [AuditEntry.id], filters, descending=True)
    except ValidationError as error:
        return render_template(
            "console/audit.html",
            entries=None,
            filters=submitted,
            errors=error.normalized_messages(),
        ), 422
    following = {k: v for k, v in submitted.items() if k != "cursor"}
    return render_template(
        "console/audit.html", entries=entries, filters=submitted, following=following, errors={}
    ), 200
