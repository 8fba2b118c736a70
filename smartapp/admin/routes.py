"""``/api/v1/admin/…``: staff accounts and the audit log (plugins: ``smartapp.plugins.routes``)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import select

from smartapp.blueprint import Blueprint
from smartapp.identity.audit import PERSONAL_DATA_READ, audit_entries
from smartapp.identity.auth import staff_required
from smartapp.identity.models import AuditEntry, Role, Staff
from smartapp.identity.schemas import (
    PersonalDataReadArgs,
    StaffChangeSchema,
    StaffCreateSchema,
    StaffSchema,
)
from smartapp.identity.services import change_staff, create_staff, staff_by_id
from smartapp.pagination import CursorPageArgs, Page, page_schema, paginate

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Administration")


@blp.route("/staff")
@staff_required(Role.ADMIN)
@blp.arguments(CursorPageArgs, location="query")
@blp.response(200, page_schema(StaffSchema))
def list_staff(args: dict[str, Any]) -> Page[Staff]:
    """Staff accounts, oldest first."""
    return paginate(select(Staff), [Staff.id], args)


@blp.route("/staff", methods=["POST"])
@staff_required(Role.ADMIN)
@blp.arguments(StaffCreateSchema)
@blp.response(201, StaffSchema)
def post_staff(body: dict[str, Any]) -> Staff:
    """Create a staff account."""
    return create_staff(
        body["email"],
        body["password"],
        body["role"],
        body.get("agency_code"),
        body.get("permissions"),
    )


@blp.route("/staff/<int:staff_id>", methods=["PATCH"])
@staff_required(Role.ADMIN)
@blp.arguments(StaffChangeSchema)
@blp.response(200, StaffSchema)
@blp.alt_response(404, response="DEFAULT_ERROR")
@blp.alt_response(409, response="DEFAULT_ERROR")
def patch_staff(changes: dict[str, Any], staff_id: int) -> Staff:
    """Change a staff account's role, agency, permissions, or close it (``active: false``,
    which revokes its tokens). The last active admin cannot be demoted or closed (409)."""
    staff = staff_by_id(staff_id)
    change_staff(staff, changes)
    return staff


class AuditEntrySchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    actor = fields.String()
    staff_id = fields.Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    details = fields.Dict()


@blp.route("/audit")
@staff_required(Role.ADMIN)
@blp.arguments(CursorPageArgs, location="query")
@blp.response(200, page_schema(AuditEntrySchema))
def list_audit(args: dict[str, Any]) -> Page[AuditEntry]:
    """The audit log, newest first."""
    return paginate(select(AuditEntry), [AuditEntry.id], args, descending=True)


@blp.route("/audit/personal-data")
@staff_required(Role.ADMIN)
@blp.arguments(PersonalDataReadArgs, location="query")
@blp.response(200, page_schema(AuditEntrySchema))
def list_personal_data_reads(args: dict[str, Any]) -> Page[AuditEntry]:
    """Who was shown whose personal data, newest first: staff reads of citizens' phone
    numbers and of reporters' contact details (``object_type`` ``citizen`` and
    ``object_id`` the citizen's id, or the source of a person without an account; ``details``
    name the fields shown, never their values). Filter by ``staff_id``, ``citizen_id``,
    ``since`` and ``until``."""
    statement = audit_entries({**args, "action": PERSONAL_DATA_READ})
    return paginate(statement, [AuditEntry.id], args, descending=True)
