"""``/admin/reports``: the monthly report of each agency to the province's steering committee,
as a printable page, a PDF and a CSV. Agency staff see their own agency's only; admins and
holders of the IOC permission any agency's, or all of them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, render_template, request
from flask_smorest import abort as refuse
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from smartapp.console.blueprint import blp, page
from smartapp.console.exports import filename, formatted, report_csv, report_pdf
from smartapp.extensions import utcnow
from smartapp.identity.models import Role
from smartapp.identity.scoping import acting_agency
from smartapp.ioc.monthly import MonthlyReport, known_agencies, monthly_report
from smartapp.ioc.routes import IOC_PERMISSION
from smartapp.ioc.services import PROVINCE_TIME

ACCESS = (Role.ADMIN, Role.AGENCY_STAFF)
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
#: the first month a report can be asked for (far before any figure; year 1 would overflow
#: when the province's midnight is turned into UTC)
FIRST_MONTH = "2000-01"


def this_month() -> date:
    return utcnow().astimezone(PROVINCE_TIME).date().replace(day=1)


class ReportArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    #: ``YYYY-MM`` (an ``<input type="month">``'s value); this month by default
    month = fields.String(validate=validate.Regexp(MONTH, error="Use the form YYYY-MM."))
    #: an agency code; empty: every agency
    agency = fields.String(validate=validate.Length(max=32))

    @validates("month")
    def _within_reach(self, value: str, **_: Any) -> None:
        if value > f"{this_month():%Y-%m}":
            raise ValidationError("This month has not begun.")
        if value < FIRST_MONTH:
            raise ValidationError(f"Pick a month from {FIRST_MONTH} on.")


ARGS = ReportArgsSchema()


def _submitted() -> dict[str, str]:
    return {key: value for key, value in request.args.items() if value.strip()}


def _chosen(submitted: dict[str, str]) -> tuple[date, str | None]:
    """The month and agency asked for, scoped to the staff member's agency."""
    args = ARGS.load(submitted)
    own = acting_agency()
    agency = args.get("agency")
    if own is not None:
        if agency not in (None, own):
            abort(403)  # another agency's figures: the API's scoping rule
        agency = own
    month = date.fromisoformat(args["month"] + "-01") if "month" in args else this_month()
    return month, agency


def _report(month: date, agency: str | None) -> tuple[MonthlyReport, list[str]]:
    """The month's report, of ``agency`` only when given, and every agency to pick from."""
    report = monthly_report(month)
    return (report.only(agency) if agency else report), known_agencies(report)


def _page(report: MonthlyReport | None, agency: str | None, status: int, **context: Any) -> Any:
    return render_template(
        "console/reports.html",
        report=report,
        agency=agency,
        own_agency=acting_agency(),
        formatted=formatted,
        **context,
    ), status


@blp.get("/reports")
@page(*ACCESS, permission=IOC_PERMISSION)
def reports() -> Any:
    """The month's figures per agency, with the month and agency pickers and the downloads."""
    submitted = _submitted()
    try:
        month, agency = _chosen(submitted)
    except ValidationError as error:
        return _page(
            None, None, 422, submitted=submitted, errors=error.normalized_messages(), agencies=[]
        )
    report, agencies = _report(month, agency)
    query = {"month": f"{month:%Y-%m}", **({"agency": agency} if agency else {})}
    return _page(
        report,
        agency,
        200,
        submitted=submitted,
        errors={},
        agencies=agencies,
        query=query,
        current=month == this_month(),
    )


def _download(extension: str, mimetype: str) -> Response:
    try:
        month, agency = _chosen(_submitted())
    except ValidationError as error:
        problems = error.normalized_messages()
        text = "; ".join(f"{k}: {' '.join(v)}" for k, v in problems.items())
        refuse(422, message=text, errors=problems)
    report, _ = _report(month, agency)
    body = report_csv(report) if extension == "csv" else report_pdf(report)
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename(report, agency, extension)}"'
        },
    )


@blp.get("/reports.csv")
@page(*ACCESS, permission=IOC_PERMISSION)
def reports_csv() -> Response:
    """The same figures as a CSV (UTF-8 with a byte-order mark, for Excel)."""
    return _download("csv", "text/csv")


@blp.get("/reports.pdf")
@page(*ACCESS, permission=IOC_PERMISSION)
def reports_pdf() -> Response:
    """The same figures as a PDF."""
    return _download("pdf", "application/pdf")
