"""``/api/v1/admin/…``: staff accounts and the audit log (plugins: ``smartapp.plugins.routes``)."""

from __future__ import annotations

from typing import Any

from flask_smorest import abort
from marshmallow import Schema, fields
from sqlalchemy import select

from smartapp.admin.audit import record_audit
from smartapp.admin.models import AuditEntry
from smartapp.blueprint import Blueprint
from smartapp.extensions import db
from smartapp.identity.auth import staff_required
from smartapp.identity.models import Role, Staff
from smartapp.identity.schemas import StaffChangeSchema, StaffCreateSchema, StaffSchema
from smartapp.identity.services import StaffError, change_staff, create_staff
from smartapp.pagination import CursorPageArgs, Page, page_schema, paginate

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="Administration")


@blp.route("/staff")
@staff_required(Role.ADMIN)
@blp.arguments(CursorPageArgs, location="query")
@blp.response(200, page_schema(StaffSchema))
def list_staff(args: dict[str, Any]) -> Page[Staff]:
    """Staff accounts, oldest first."""
    return paginate(select(Staff), [Staff.id], args)


def _staff_field(error: StaffError) -> str:
    """The request field behind a :class:`StaffError` (the command line says ``agency``)."""
    return "agency_code" if error.field == "agency" else error.field


@blp.route("/staff", methods=["POST"])
@staff_required(Role.ADMIN)
@blp.arguments(StaffCreateSchema)
@blp.response(201, StaffSchema)
def post_staff(body: dict[str, Any]) -> Staff:
    """Create a staff account."""
    try:
        staff = create_staff(body["email"], body["password"], body["role"],
                             body.get("agency_code"), body.get("permissions"))
    except StaffError as error:
        abort(422, errors={_staff_field(error): [str(error)]})
    record_audit("staff.create", "staff", staff.id, {"email": staff.email, "role": staff.role})
    db.session.commit()
    return staff


@blp.route("/staff/<int:staff_id>", methods=["PATCH"])
@staff_required(Role.ADMIN)
@blp.arguments(StaffChangeSchema)
@blp.response(200, StaffSchema)
@blp.alt_response(404, response="DEFAULT_ERROR")
def patch_staff(changes: dict[str, Any], staff_id: int) -> Staff:
    """Change a staff account's role, agency, permissions, or close it (``active: false``)."""
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        abort(404, message=f"no staff account {staff_id}")
    try:
        change_staff(staff, changes)
    except StaffError as error:
        db.session.rollback()
        abort(422, errors={_staff_field(error): [str(error)]})
    record_audit("staff.change", "staff", staff.id, changes)
    db.session.commit()
    return staff


class AuditEntrySchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    actor = fields.String()
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
