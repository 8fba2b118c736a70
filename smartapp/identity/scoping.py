"""Agency scoping, the one rule for every staff action on an object that belongs to an agency.

An ``agency_staff`` account acts for its one agency: it may change only the objects of that
agency and creates objects only for it, whatever plugin permissions it holds. Other staff
(admins, the province's communicators, holders of a plugin permission) act for the province:
every agency's objects and those of none. An object of no agency (``None``) is the
province's own. Plugins use it through ``smartapp.plugin``.
"""

from __future__ import annotations

from smartapp.errors import Forbidden
from smartapp.identity.auth import current_staff
from smartapp.identity.models import Role, Staff

OTHER_AGENCY = "belongs to another agency than yours"


def acting_agency(staff: Staff | None = None) -> str | None:
    """The agency the staff member (the current one by default) acts for; ``None`` for the
    whole province (also the command line and jobs, which act as the operator)."""
    staff = staff or current_staff()
    if staff is None or staff.role != Role.AGENCY_STAFF:
        return None
    return staff.agency_code


def check_agency(agency_code: str | None, field: str = "agency_code") -> None:
    """Raise :class:`Forbidden` unless the current staff member may act on an object of
    ``agency_code``."""
    agency = acting_agency()
    if agency is not None and agency_code != agency:
        raise Forbidden(errors={field: [OTHER_AGENCY]})


def agency_for_new(requested: str | None, field: str = "agency_code") -> str | None:
    """The agency a new (or moved) object gets: what was asked, and for agency staff their
    own agency (asking for another is :class:`Forbidden`)."""
    agency = acting_agency()
    if agency is None:
        return requested
    if requested not in (None, agency):
        raise Forbidden(errors={field: [OTHER_AGENCY]})
    return agency
