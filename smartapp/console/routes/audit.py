"""``/admin/audit``: the audit log, newest first, with filters."""

from __future__ import annotations

from flask import render_template, request
from marshmallow import EXCLUDE, ValidationError

from smartapp.console.blueprint import blp, page
from smartapp.identity.audit import PERSONAL_DATA_READ, audit_entries
from smartapp.identity.models import AuditEntry, Role
from smartapp.identity.schemas import AuditFilterArgs
from smartapp.pagination import paginate


class AuditFilterSchema(AuditFilterArgs):
    class Meta:
        unknown = EXCLUDE


FILTERS = AuditFilterSchema()


@blp.get("/audit")
@page(Role.ADMIN)
def audit() -> tuple[str, int]:
    """Who did what, newest first; filter by action (prefix), actor, object, citizen and
    dates (``action=personal_data.read``: who looked at whose personal data)."""
    submitted = {key: value for key, value in request.args.items() if value.strip()}
    try:
        filters = FILTERS.load(submitted)
        entries = paginate(audit_entries(filters), [AuditEntry.id], filters, descending=True)
    except ValidationError as error:
        return render_template(
            "console/audit.html",
            entries=None,
            filters=submitted,
            errors=error.normalized_messages(),
            personal_data_read=PERSONAL_DATA_READ,
        ), 422
    following = {k: v for k, v in submitted.items() if k != "cursor"}
    return render_template(
        "console/audit.html",
        entries=entries,
        filters=submitted,
        following=following,
        errors={},
        personal_data_read=PERSONAL_DATA_READ,
    ), 200
