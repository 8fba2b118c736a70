"""Submitting and reading reports. A report is saved whole — the report, its first timeline
step and its photos in one transaction — or not at all."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from smartapp.plugin import Page, current_staff, db, paginate, utcnow

from . import timeline
from .access import require_visible_report, staff_filter
from .categories import category_by_code, check_answers
from .deadlines import overdue_filter, set_deadlines
from .models import Category, Photo, Report, Status
from .photos import Owner, own_unattached
from .settings import settings


def reportable_category(code: str) -> Category:
    """The active category ``code``; emergencies take no report, they show a number."""
    category = category_by_code(code)
    if category is None:
        raise ValidationError("Unknown category.", "category")
    if category.hotline:
        raise ValidationError(f"An emergency: call {category.hotline} now.", "category")
    return category


def check_location(latitude: float, longitude: float) -> None:
    min_lon, min_lat, max_lon, max_lat = settings()["province_bounds"]
    errors = {}
    if not min_lat <= latitude <= max_lat:
        errors["latitude"] = ["Outside the province."]
    if not min_lon <= longitude <= max_lon:
        errors["longitude"] = ["Outside the province."]
    if errors:
        raise ValidationError(errors)


def submit(body: Mapping[str, Any], owner: Owner, reporter: Mapping[str, str | None]) -> Report:
    """File a report for the citizen ``owner``; ``reporter`` is how to reach them."""
    category = reportable_category(body["category"])
    if body.get("latitude") is None:
        # filed by address alone (Open311): its ward is known, staff place it on the map
        if body.get("ward_code") is None or not body.get("address"):
            raise ValidationError("A place is required: a location, or an address.", "latitude")
    else:
        check_location(body["latitude"], body["longitude"])
    answers = check_answers(category, body.get("answers") or {})
    photos = own_unattached(body.get("photo_ids") or [], owner, settings()["max_photos"])
    now = utcnow()
    report = Report(
        category_id=category.id,
        category=category,
        citizen_id=owner.citizen_id,
        title=body["title"],
        description=body["description"],
        latitude=body.get("latitude"),
        longitude=body.get("longitude"),
        ward_code=body.get("ward_code"),
        address=body.get("address"),
        answers=answers,
        public=body["public"],
        privacy=body["privacy"],
        status=Status.RECEIVED,
        agency_code=category.agency_code,
        priority=category.priority,
        reporter_name=reporter.get("name"),
        reporter_phone=reporter.get("phone"),
        reporter_email=reporter.get("email"),
        created_at=now,
        updated_at=now,
    )
    set_deadlines(report, now, settings(), category.resolve_hours)
    db.session.add(report)
    db.session.flush()
    for photo in photos:
        photo.report_id = report.id
    timeline.record(report, Status.RECEIVED, by=("citizen", owner.citizen_id))
    db.session.commit()
    return report


def _with_photos(statement: Select[Any]) -> Select[Any]:
    return statement.options(selectinload(Report.photos))


@functools.cache
def _summaries() -> Select[Any]:
    """The columns a list line shows (``schemas.ReportSummarySchema``), in one query: the
    category's names joined, the first photo's id and the photo count as subqueries. Built
    once: composing the expression costs more than running it."""
    own_photos = (Photo.report_id == Report.id) & Photo.event_id.is_(None)
    shown = own_photos & Photo.purged_at.is_(None)  # retention removed the others' files
    first_photo = select(Photo.id).where(shown).order_by(Photo.created_at, Photo.id).limit(1)
    photo_count = select(func.count(Photo.id)).where(own_photos)
    return select(
        Report.id,
        Category.code.label("category"),
        Category.name_vi.label("category_name_vi"),
        Category.name_en.label("category_name_en"),
        Report.title,
        Report.status,
        Report.ward_code,
        Report.address,
        Report.public,
        Report.privacy,
        Report.followers_count,
        Report.rating,
        first_photo.scalar_subquery().label("thumbnail_photo_id"),
        photo_count.scalar_subquery().label("photo_count"),
        Report.acknowledge_due_at,
        Report.resolve_due_at,
        Report.created_at,
        Report.updated_at,
    ).join(Category, Report.category_id == Category.id)


def own_reports(citizen_id: int, args: Mapping[str, Any]) -> Page[Any]:
    """The citizen's reports, newest first, as list lines (rows, not reports)."""
    statement = _summaries().where(Report.citizen_id == citizen_id)
    if "status" in args:
        statement = statement.where(Report.status == args["status"])
    return paginate(statement, [Report.id], dict(args), descending=True)


def staff_reports(args: Mapping[str, Any]) -> Page[Report]:
    """The reports the calling staff member may see, newest first, with filters."""
    statement = _with_photos(staff_matching(args))
    return paginate(statement, [Report.id], dict(args), descending=True)


def staff_matching(args: Mapping[str, Any]) -> Select[Any]:
    """The reports the calling staff member may see, under the staff list's filters."""
    statement = select(Report).where(staff_filter(current_staff()))
    for name, column in (
        ("status", Report.status),
        ("agency_code", Report.agency_code),
        ("ward_code", Report.ward_code),
    ):
        if name in args:
            statement = statement.where(column == args[name])
    if "category" in args:
        statement = statement.join(Category).where(Category.code == args["category"])
    if args.get("overdue"):
        statement = statement.where(overdue_filter(utcnow()))
    if "needs_location" in args:
        unplaced = Report.latitude.is_(None)
        statement = statement.where(unplaced if args["needs_location"] else ~unplaced)
    return statement


def visible_report(report_id: int) -> Report:
    """The report, for whoever may see it; 404 for anyone else."""
    return require_visible_report(db.session.get(Report, report_id))
