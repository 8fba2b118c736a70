"""What Open311 says of a category (a service) and of a public report (a service request).
Never the reporter's name, phone or e-mail: Open311 answers are public."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from smartapp.plugin import NotFound, db, utcnow

from ..categories import active_categories, category_by_code
from ..models import Category, Report, Status

#: statuses Open311 calls ``closed``; every other one is ``open``
CLOSED = {Status.RESOLVED, Status.REJECTED, Status.CLOSED}
#: the spec's defaults: the last 90 days, at most 1,000 requests
DEFAULT_WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000


def timestamp(moment: datetime | None) -> str | None:
    return moment.replace(microsecond=0).isoformat() if moment else None


def _localized(vi: str, en: str | None, language: str) -> str:
    return (en or vi) if language == "en" else vi


def service(category: Category, language: str) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": _localized(category.name_vi, category.name_en, language),
        "description": _localized(category.description_vi, category.description_en, language),
        "metadata": bool(category.questions),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.agency_code,
    }


def services(language: str) -> list[dict[str, Any]]:
    """Every category that takes reports (emergencies call a hotline instead)."""
    return [service(c, language) for c in active_categories() if not c.hotline]


def _attribute(question: Mapping[str, Any], language: str) -> dict[str, Any]:
    description = question.get("description") or {}
    values = question.get("values") or []
    return {
        "variable": True,
        "code": question["code"],
        "datatype": question["datatype"],
        "required": bool(question.get("required")),
        "datatype_description": None,
        "order": question.get("order"),
        "description": _localized(description.get("vi", ""), description.get("en"), language),
        "values": [
            {
                "key": v["key"],
                "name": v["name"]
                if isinstance(v["name"], str)
                else _localized(v["name"].get("vi", ""), v["name"].get("en"), language),
            }
            for v in values
        ],
    }


def service_definition(code: str, language: str) -> dict[str, Any]:
    category = reportable(code)
    questions = sorted(category.questions, key=lambda q: q.get("order") or 0)
    return {
        "service_code": category.code,
        "attributes": [_attribute(q, language) for q in questions],
    }


def reportable(code: str) -> Category:
    category = category_by_code(code)
    if category is None or category.hotline:
        raise NotFound(f"No service {code!r}.")
    return category


def _media_url(report: Report) -> str | None:
    photo = next(iter(report.photos), None)
    if photo is None:
        return None
    return url_for("smartapp_feedback.photo_file", photo_id=photo.id, _external=True)


def service_request(report: Report, language: str) -> dict[str, Any]:
    status = report.status
    return {
        "service_request_id": str(report.id),
        "status": "closed" if status in CLOSED else "open",
        "status_notes": report.answer if status in CLOSED else None,
        "service_name": _localized(report.category.name_vi, report.category.name_en, language),
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": report.agency_code,
        "service_notice": None,
        "requested_datetime": timestamp(report.created_at),
        "updated_datetime": timestamp(report.updated_at),
        "expected_datetime": timestamp(report.resolve_due_at),
        "address": report.address,
        "address_id": None,
        "zipcode": None,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": _media_url(report),
    }


def _public() -> Any:
    return (
        select(Report)
        .where(Report.public.is_(True), Report.hidden.is_(False))
        .options(selectinload(Report.photos))
    )


def public_request(report_id: str) -> Report:
    report = (
        db.session.scalar(_public().where(Report.id == int(report_id)))
        if report_id.isdecimal() and len(report_id) < 19
        else None
    )
    if report is None:
        raise NotFound(f"No service request {report_id!r}.")
    return report


def find_requests(args: Mapping[str, Any]) -> Sequence[Report]:
    """The spec's filters: ``service_request_id`` (a list) overrides all others;
    ``service_code``, ``status``, ``start_date``/``end_date`` (90 days by default)."""
    statement = _public()
    if args.get("service_request_id"):
        ids = [int(i) for i in args["service_request_id"]]
        return list(
            db.session.scalars(
                statement.where(Report.id.in_(ids)).order_by(Report.id.desc()).limit(MAX_REQUESTS)
            )
        )
    if args.get("service_code"):
        statement = statement.join(Report.category).where(Category.code.in_(args["service_code"]))
    if args.get("status") == "open":
        statement = statement.where(Report.status.not_in(CLOSED))
    elif args.get("status") == "closed":
        statement = statement.where(Report.status.in_(CLOSED))
    end = args.get("end_date")
    start = args.get("start_date") or ((end or utcnow()) - DEFAULT_WINDOW)
    statement = statement.where(Report.created_at >= start)
    if end is not None:
        statement = statement.where(Report.created_at <= end)
    return list(
        db.session.scalars(
            statement.order_by(Report.created_at.desc(), Report.id.desc()).limit(MAX_REQUESTS)
        )
    )
