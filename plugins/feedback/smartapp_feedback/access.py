"""Who may see and act on what. Every route's access decision comes from here.

Citizens see their own reports and public, unhidden ones. Staff see the reports of the
agency they are scoped to (:func:`agency_scope`); administrators and coordinators (staff
granted ``feedback:coordinate``) see all, and only they learn who filed a confidential
report.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, true

from smartapp.plugin import abort, current_citizen, current_staff

from .models import Photo, Privacy, Report

COORDINATE = "feedback:coordinate"
ALL_AGENCIES = None


def agency_scope(staff: Any) -> str | None:
    """The agency whose reports ``staff`` may see and act on, or ``ALL_AGENCIES``;
    403 for staff with no business in feedback.

    The one place agency scoping is decided: core is adding a shared helper to
    ``smartapp.plugin``; when it lands, this function is what changes."""
    if staff.has_permission(COORDINATE):  # administrators have every permission
        return ALL_AGENCIES
    if staff.role == "agency_staff" and staff.agency_code:
        return staff.agency_code
    abort(403)


def is_coordinator(staff: Any) -> bool:
    return staff.has_permission(COORDINATE)


def staff_filter(staff: Any) -> ColumnElement[bool]:
    """The reports ``staff`` may list."""
    agency = agency_scope(staff)
    return true() if agency is ALL_AGENCIES else Report.agency_code == agency


def require_staff_report(report: Report | None) -> Report:
    """The report, if the calling staff member may act on it; 404 otherwise (another
    agency's report does not exist for them)."""
    staff = current_staff()
    if report is None or staff is None:
        abort(404)
    agency = agency_scope(staff)
    if agency is not ALL_AGENCIES and report.agency_code != agency:
        abort(404)
    return report


def citizen_may_see(report: Report, citizen_id: int | None) -> bool:
    if citizen_id is not None and report.citizen_id == citizen_id:
        return True
    return report.public and not report.hidden


def require_visible_report(report: Report | None) -> Report:
    """The report, if whoever calls (citizen, staff or anonymous) may see it; 404 otherwise."""
    if report is None:
        abort(404)
    staff = current_staff()
    if staff is not None:
        return require_staff_report(report)
    citizen = current_citizen()
    if not citizen_may_see(report, citizen.id if citizen else None):
        abort(404)
    return report


def may_see_photo(photo: Photo) -> bool:
    """Unattached photos are their uploader's; attached ones follow their report."""
    citizen, staff = current_citizen(), current_staff()
    if photo.report_id is None:
        if citizen is not None and photo.owner_citizen_id == citizen.id:
            return True
        return staff is not None and photo.owner_staff_id == staff.id
    return True  # decided by require_visible_report on the photo's report


def is_own(report: Report) -> bool:
    citizen = current_citizen()
    return citizen is not None and report.citizen_id == citizen.id


def reporter_visible(report: Report) -> bool:
    """Whether the caller may learn who filed ``report`` (name, phone, email)."""
    staff = current_staff()
    if staff is not None:
        return report.privacy != Privacy.CONFIDENTIAL or is_coordinator(staff)
    return is_own(report) or report.privacy == Privacy.PUBLIC
