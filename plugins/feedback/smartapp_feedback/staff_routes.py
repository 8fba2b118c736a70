"""Staff routes under ``/api/v1/u/feedback/admin/``: categories, the reports of an agency,
their workflow and moderation."""

from __future__ import annotations

from typing import Any

from smartapp.plugin import Page, abort, db, page_schema, staff_required

from . import categories, moderation, reports, workflow
from .access import require_staff_report
from .category_schemas import CategoryAdminSchema, CategoryChangesSchema, CategoryRecordSchema
from .models import Category, Moderation, Photo, Report
from .routes import blp
from .schemas import (
    ActionSchema,
    BlackoutSchema,
    ModerationEntrySchema,
    ModerationSchema,
    PhotoSchema,
    StaffReportDetailSchema,
    StaffReportListArgs,
    StaffReportSchema,
)


def _category(code: str) -> Category:
    category = categories.category_by_code(code, active_only=False)
    if category is None:
        abort(404)
    return category


@blp.route("/admin/categories")
@staff_required("admin")
@blp.response(200, CategoryAdminSchema(many=True))
def admin_list_categories() -> list[Category]:
    """Every category, retired ones too, with every language."""
    return categories.all_categories()


@blp.route("/admin/categories", methods=["POST"])
@staff_required("admin")
@blp.arguments(CategoryRecordSchema)
@blp.response(201, CategoryAdminSchema)
def admin_create_category(body: dict[str, Any]) -> Category:
    """Add a category: the agency it goes to, its priority and deadline, its questions."""
    return categories.create_category(body)


@blp.route("/admin/categories/<code>", methods=["PATCH"])
@staff_required("admin")
@blp.arguments(CategoryChangesSchema)
@blp.response(200, CategoryAdminSchema)
def admin_update_category(body: dict[str, Any], code: str) -> Category:
    """Change some fields of a category (``active: false`` retires it)."""
    return categories.update_category(_category(code), body)


# -- reports -----------------------------------------------------------------------------------


@blp.route("/admin/reports")
@staff_required()
@blp.arguments(StaffReportListArgs, location="query")
@blp.response(200, page_schema(StaffReportSchema))
def admin_list_reports(args: dict[str, Any]) -> Page[Report]:
    """The reports of the caller's agency (every agency's for coordinators), newest first;
    ``overdue=true`` is the agency's overdue list."""
    return reports.staff_reports(args)


@blp.route("/admin/reports/<int:report_id>")
@staff_required()
@blp.response(200, StaffReportDetailSchema)
def admin_report_detail(report_id: int) -> Report:
    """A report of the caller's agency, with its timeline and (unless confidential) who
    filed it."""
    return require_staff_report(db.session.get(Report, report_id))


@blp.route("/admin/reports/<int:report_id>/actions", methods=["POST"])
@staff_required()
@blp.arguments(ActionSchema)
@blp.response(200, StaffReportDetailSchema)
def admin_act(body: dict[str, Any], report_id: int) -> Report:
    """Take a workflow step: accept, reject (``note``: the reason), assign, start, resolve
    (``note``: the answer, ``photo_ids``: the result), close, reopen, move
    (``agency_code``), merge (``duplicate_of``), comment or place (``latitude``,
    ``longitude``: a report filed by address alone). A step the report's status does not
    allow is a 409."""
    return workflow.staff_act(report_id, body)


# -- moderation --------------------------------------------------------------------------------


@blp.route("/admin/reports/<int:report_id>/moderation", methods=["POST"])
@staff_required()
@blp.arguments(ModerationSchema)
@blp.response(200, StaffReportDetailSchema)
def admin_moderate(body: dict[str, Any], report_id: int) -> Report:
    """Hide a report from the public (``hide``/``unhide``) or ``redact`` its title or
    description; the previous values stay in the moderation history."""
    return moderation.moderate(report_id, body)


@blp.route("/admin/reports/<int:report_id>/moderation")
@staff_required()
@blp.response(200, ModerationEntrySchema(many=True))
def admin_moderation_history(report_id: int) -> list[Moderation]:
    """Every moderation of a report, oldest first, with what was there before."""
    return moderation.history(report_id)


@blp.route("/admin/photos/<photo_id>/blackout", methods=["POST"])
@staff_required()
@blp.arguments(BlackoutSchema)
@blp.response(200, PhotoSchema)
def admin_black_out(body: dict[str, Any], photo_id: str) -> Photo:
    """Black out a region of a report's photo (a face, a number plate); staff still get the
    original with ``?original=true``."""
    return moderation.black_out(photo_id, body["box"], body.get("reason"))
