"""The plugin author's whole API: the one module a smartapp plugin imports.

A plugin is a subclass of :class:`Plugin` with declared, documented attributes (Indico's
style), published under the entry point group ``smartapp.plugins``::

    [options.entry_points]
    smartapp.plugins =
        parking = smartapp_parking:ParkingPlugin

The entry point's name must equal the plugin's ``slug``. ``docs/plugins.md`` walks through
writing, testing and installing one; ``smartapp plugins new SLUG --path DIR`` writes a
working skeleton.

This module only re-exports (as Flask's ``__init__`` does): the definitions live in the core,
which never imports this module. To publish a new name, import it below and add it to
``__all__``; record the change in ``CHANGELOG.md``.
"""

from flask_smorest import abort
from marshmallow import Schema

from smartapp.blueprint import Blueprint
from smartapp.config import int_setting
from smartapp.consent.services import ConsentRequired, require_consent
from smartapp.console.blueprint import console_language
from smartapp.console.forms import form_fields, form_values
from smartapp.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from smartapp.extensions import Base as Model
from smartapp.extensions import UTCDateTime, cache, changed_rows, db, limiter, utcnow
from smartapp.i18n import Localized, current_language, localize
from smartapp.identity.audit import record_audit, record_personal_data_read
from smartapp.identity.auth import citizen_required, current_citizen, current_staff, staff_required
from smartapp.identity.models import Citizen
from smartapp.identity.scoping import acting_agency, agency_for_new, check_agency
from smartapp.jobs import after_commit, enqueue
from smartapp.locations.services import WardCodeField, validate_ward_code, wards
from smartapp.notifications.inbox import notify
from smartapp.pagination import CursorPageArgs, Page, page_schema, paginate, paginate_sequence
from smartapp.plugins.base import (
    CATEGORIES,
    SLUG_PATTERN,
    CitizenExport,
    ConsolePage,
    ExportFile,
    MonthlyFigure,
    Plugin,
    SearchHit,
)
from smartapp.plugins.registry import get_plugin
from smartapp.revisions import bump_revision, current_revision
from smartapp.text import fold

__all__ = [
    "CATEGORIES",
    "SLUG_PATTERN",
    "Blueprint",
    "Citizen",
    "CitizenExport",
    "Conflict",
    "ConsentRequired",
    "ConsolePage",
    "CursorPageArgs",
    "DomainError",
    "ExportFile",
    "Forbidden",
    "InvalidInput",
    "Localized",
    "Model",
    "MonthlyFigure",
    "NotFound",
    "Page",
    "Plugin",
    "Schema",
    "SearchHit",
    "UTCDateTime",
    "WardCodeField",
    "abort",
    "acting_agency",
    "after_commit",
    "agency_for_new",
    "bump_revision",
    "cache",
    "changed_rows",
    "check_agency",
    "citizen_required",
    "console_language",
    "current_citizen",
    "current_language",
    "current_revision",
    "current_staff",
    "db",
    "enqueue",
    "fold",
    "form_fields",
    "form_values",
    "get_plugin",
    "int_setting",
    "limiter",
    "localize",
    "notify",
    "page_schema",
    "paginate",
    "paginate_sequence",
    "record_audit",
    "record_personal_data_read",
    "require_consent",
    "staff_required",
    "utcnow",
    "validate_ward_code",
    "wards",
]
