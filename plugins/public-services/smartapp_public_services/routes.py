"""HTTP routes under ``/api/v1/u/public-services/``: citizens read, staff manage."""

from __future__ import annotations

from typing import Any

from flask import Response
from marshmallow import Schema
from sqlalchemy import select

from smartapp.plugin import (
    Blueprint,
    CursorPageArgs,
    current_language,
    get_plugin,
    limiter,
    page_schema,
    paginate,
    paginate_sequence,
    staff_required,
)

from . import catalog, offices, staff
from .lookups import record_lookup
from .models import Bundle, Office
from .schemas import (
    BundleDetailSchema,
    BundleSummarySchema,
    OfficeChangesSchema,
    OfficeRecordSchema,
    OfficeSchema,
    OfficeSearchArgs,
    ProcedureChangesSchema,
    ProcedureDetailSchema,
    ProcedureRecordSchema,
    ProcedureSearchArgs,
    ProcedureSearchPageSchema,
)
from .search import search_page
from .searchlog import RATE_LIMIT

SLUG = "public-services"
MANAGE = f"{SLUG}:manage"


def _changes(schema: type[Schema]) -> Schema:
    """``schema`` for a change: every top-level field optional, but a nested record that is
    given is whole (its required fields and defaults apply), so every reader can rely on it."""
    return schema(partial=tuple(schema().fields))


blp = Blueprint(
    "public_services", __name__, description="Administrative procedures, linked bundles and offices"
)


def _settings() -> dict[str, Any]:
    plugin = get_plugin(SLUG)  # the blueprint only answers while the plugin is enabled
    assert plugin is not None
    return plugin.settings()


# -- procedures ------------------------------------------------------------------------------


@blp.route("/procedures")
@limiter.limit(RATE_LIMIT)  # each search is logged: no client may flood the log
@blp.arguments(ProcedureSearchArgs, location="query")
@blp.response(200, ProcedureSearchPageSchema)
def list_procedures(args: dict[str, Any]) -> dict[str, Any]:
    """Search procedures (diacritics, abbreviations, word order and a small typo are
    forgiven), filtered by field, agency, level and online level, with facet counts."""
    return search_page(args, current_language(), _settings()["search_cache_seconds"], record=True)


@blp.route("/procedures/<code>")
@blp.response(200, ProcedureDetailSchema)
def get_procedure(code: str) -> dict[str, Any]:
    """Everything needed to prepare the dossier: documents, fees, time, where to submit."""
    procedure = catalog.procedure_by_code(code)
    record_lookup(procedure)
    return catalog.detail(procedure)


@blp.route("/procedures/<code>/checklist")
@blp.response(
    200, content_type="text/plain", description="A printable checklist in the request's language"
)
def procedure_checklist(code: str) -> Response:
    """The dossier as a printable checklist (``Accept-Language``: vi or en)."""
    text = catalog.checklist(catalog.procedure_by_code(code), current_language())
    response = Response(text, mimetype="text/plain")
    response.vary.add("Accept-Language")
    return response


# -- bundles ---------------------------------------------------------------------------------


@blp.route("/bundles")
@blp.arguments(CursorPageArgs, location="query")
@blp.response(200, page_schema(BundleSummarySchema))
def list_bundles(args: dict[str, Any]) -> dict[str, Any]:
    """Linked services (several procedures done as one), by code."""
    page = paginate(select(Bundle), [Bundle.code], args)
    language = current_language()
    return {
        "items": [catalog.bundle_summary(b, language) for b in page.items],
        "next_cursor": page.next_cursor,
    }


@blp.route("/bundles/<code>")
@blp.response(200, BundleDetailSchema)
def get_bundle(code: str) -> dict[str, Any]:
    """A bundle's procedures in order, their documents combined once each, the total fee."""
    return catalog.bundle_detail(catalog.bundle_by_code(code))


# -- offices ---------------------------------------------------------------------------------


@blp.route("/offices")
@blp.arguments(OfficeSearchArgs, location="query")
@blp.response(200, page_schema(OfficeSchema))
def list_offices(args: dict[str, Any]) -> Any:
    """Offices receiving dossiers, by code, or nearest first from ``near=lat,lon``."""
    statement = offices.offices_query(args)
    if "lat" not in args:
        return paginate(statement, [Office.code], args)
    radius = args.get("radius_km", _settings()["nearby_radius_km"])
    found = offices.nearest(statement, args["lat"], args["lon"], radius)
    # the cursor is the position in the distance order, validated like any cursor
    page = paginate_sequence(list(enumerate(found)), lambda pair: pair[0], int, args)
    return {"items": [nearby for _, nearby in page.items], "next_cursor": page.next_cursor}


@blp.route("/offices/<code>")
@blp.response(200, OfficeSchema)
def get_office(code: str) -> Office:
    """One office."""
    return offices.office_by_code(code)


# -- staff -----------------------------------------------------------------------------------


@blp.route("/admin/procedures", methods=["POST"])
@staff_required(permission=MANAGE)
@blp.arguments(ProcedureRecordSchema)
@blp.response(201, ProcedureDetailSchema)
def create_procedure(record: dict[str, Any]) -> dict[str, Any]:
    """Add a procedure (admins, or staff with ``public-services:manage``)."""
    return catalog.detail(staff.create(staff.PROCEDURES, record))


@blp.route("/admin/procedures/<code>", methods=["PATCH"])
@staff_required(permission=MANAGE)
@blp.arguments(_changes(ProcedureChangesSchema))
@blp.response(200, ProcedureDetailSchema)
def update_procedure(changes: dict[str, Any], code: str) -> dict[str, Any]:
    """Change some fields of a procedure; a retired one is back in service."""
    procedure = catalog.procedure_by_code(code, include_retired=True)
    return catalog.detail(staff.update(staff.PROCEDURES, procedure, changes))


@blp.route("/admin/procedures/<code>", methods=["DELETE"])
@staff_required(permission=MANAGE)
@blp.response(204)
def retire_procedure(code: str) -> None:
    """Retire a procedure: kept, but no longer listed or found."""
    staff.retire(staff.PROCEDURES, catalog.procedure_by_code(code, include_retired=True))


@blp.route("/admin/offices", methods=["POST"])
@staff_required(permission=MANAGE)
@blp.arguments(OfficeRecordSchema)
@blp.response(201, OfficeSchema)
def create_office(record: dict[str, Any]) -> Office:
    """Add an office."""
    return staff.create(staff.OFFICES, record)


@blp.route("/admin/offices/<code>", methods=["PATCH"])
@staff_required(permission=MANAGE)
@blp.arguments(_changes(OfficeChangesSchema))
@blp.response(200, OfficeSchema)
def update_office(changes: dict[str, Any], code: str) -> Office:
    """Change some fields of an office; a retired one is back in service."""
    return staff.update(staff.OFFICES, offices.office_by_code(code, include_retired=True), changes)


@blp.route("/admin/offices/<code>", methods=["DELETE"])
@staff_required(permission=MANAGE)
@blp.response(204)
def retire_office(code: str) -> None:
    """Retire an office."""
    staff.retire(staff.OFFICES, offices.office_by_code(code, include_retired=True))
