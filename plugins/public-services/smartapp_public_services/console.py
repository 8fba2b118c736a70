"""Staff console pages (the ``console_pages`` hook): procedures and offices, searched and
retired through the same services as the admin routes (``staff.py``: audit, cache)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import or_, select

from smartapp.plugin import ConsolePage, Page, abort, localize, paginate

from . import staff
from .catalog import procedure_by_code
from .offices import office_by_code

SLUG = "public-services"
PERMISSION = f"{SLUG}:manage"
PAGE_SIZE = 50
KINDS = {
    "procedures": (
        staff.PROCEDURES,
        procedure_by_code,
        {"vi": "Thủ tục hành chính", "en": "Procedures"},
    ),
    "offices": (staff.OFFICES, office_by_code, {"vi": "Nơi tiếp nhận hồ sơ", "en": "Offices"}),
}


def _records(kind: str) -> tuple[Page[Any], str]:
    managed = KINDS[kind][0]
    model = managed.model
    query = request.args.get("q", "").strip()[:100]
    statement = select(model)
    if query:
        statement = statement.where(
            or_(
                model.code.contains(query, autoescape=True),
                model.name.contains(query, autoescape=True),
            )
        )
    try:
        page = paginate(
            statement, [model.code], {"limit": PAGE_SIZE, "cursor": request.args.get("cursor")}
        )
    except ValidationError as error:  # a cursor of another list, or no cursor at all
        abort(422, errors=error.normalized_messages())
    return page, query


def records_page(kind: str = "procedures") -> str:
    """Procedures (or offices), by code, with a search box and a retire button each."""
    if kind not in KINDS:
        abort(404)
    page, query = _records(kind)
    return render_template(
        "public-services/records.html",
        kind=kind,
        records=page,
        query=query,
        heading=KINDS[kind][2],
        localize=localize,
    )


def retire(kind: str, code: str) -> Any:
    """Withdraw a procedure or an office: kept for history, no longer listed or found."""
    if kind not in KINDS:
        abort(404)
    managed, find, _ = KINDS[kind]
    staff.retire(managed, find(code, include_retired=True))
    flash(f"{code}: đã ngừng áp dụng / retired", "success")
    return redirect(
        url_for("console.plugin_page", slug=SLUG, path=kind, q=request.form.get("q") or None), 303
    )


def console_pages() -> list[ConsolePage]:
    return [
        ConsolePage("", KINDS["procedures"][2], records_page, permission=PERMISSION),
        ConsolePage(
            "<any(procedures, offices):kind>",
            {"vi": "Danh sách", "en": "List"},
            records_page,
            permission=PERMISSION,
            in_menu=False,
        ),
        ConsolePage(
            "<any(procedures, offices):kind>/<code>/retire",
            {"vi": "Ngừng áp dụng", "en": "Retire"},
            retire,
            permission=PERMISSION,
            methods=("POST",),
            in_menu=False,
        ),
    ]
