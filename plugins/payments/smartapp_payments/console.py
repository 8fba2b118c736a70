"""Staff console pages (the ``console_pages`` hook): places accepting cashless payment and
agencies' fee accounts — listed, created, edited and retired through the same services as
the admin routes (audited there), with forms generated from the routes' own schemas."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError
from sqlalchemy import Select, select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from smartapp.plugin import (
    ConsolePage,
    Localized,
    Page,
    abort,
    console_language,
    current_staff,
    form_fields,
    form_values,
    localize,
    paginate,
)

from .models import FeeAccount, Place
from .schemas import (
    FeeAccountRecordSchema,
    PlaceChangesSchema,
    PlaceRecordSchema,
)
from .services import fees, places
from .settings import MANAGE, SLUG
from .text import fold

PAGE_SIZE = 50


@dataclass(frozen=True)
class Kind:
    """A kind of record the console manages, and the services that do it."""

    title: Localized
    model: type[Any]
    new_schema: type[Schema]
    edit_schema: type[Schema]
    #: the record of a URL's key, retired ones too (404 otherwise)
    find: Callable[[str], Any]
    create: Callable[[dict[str, Any]], Any]
    update: Callable[[Any, dict[str, Any]], Any]
    retire: Callable[[Any], None]
    key: Callable[[Any], str]
    #: what the edit form starts with
    values: Callable[[Any], dict[str, Any]]
    #: the list's records under the search words
    listing: Callable[[str], Select[Any]]


def _place_values(place: Place) -> dict[str, Any]:
    return {**places.view(place), "methods": place.method_names}


def _places(query: str) -> Select[Any]:
    statement = select(Place)
    for word in fold(query).split():  # folded words are [a-z0-9] only: nothing to escape
        statement = statement.where(Place.search_text.contains(word))
    return statement


def _account(key: str) -> FeeAccount:
    # ASCII digits only: "²" is a digit to str.isdigit, not to int()
    if not (key.isascii() and key.isdigit()) or int(key) >= 2**31:
        abort(404)
    return fees.account_by_id(int(key), include_retired=True)


def _accounts(query: str) -> Select[Any]:
    """The accounts of the staff member's agency (every agency's for those bound to none)."""
    statement = select(FeeAccount)
    staff = current_staff()
    if staff is not None and staff.agency_code:
        statement = statement.where(FeeAccount.agency_code == staff.agency_code)
    if query:
        statement = statement.where(FeeAccount.agency_name.contains(query, autoescape=True))
    return statement


KINDS = {
    "places": Kind(
        title={"vi": "Điểm thanh toán không tiền mặt", "en": "Cashless places"},
        model=Place,
        new_schema=PlaceRecordSchema,
        edit_schema=PlaceChangesSchema,
        find=lambda code: places.place_by_code(code, include_retired=True),
        create=places.PLACES.create,
        update=places.PLACES.update,
        retire=places.PLACES.retire,
        key=lambda place: place.code,
        values=_place_values,
        listing=_places,
    ),
    "fee-accounts": Kind(
        title={"vi": "Tài khoản thu phí", "en": "Fee accounts"},
        model=FeeAccount,
        new_schema=FeeAccountRecordSchema,
        edit_schema=FeeAccountRecordSchema,
        find=_account,
        create=lambda record: fees.write_account(None, record),
        update=fees.write_account,
        retire=fees.retire_account,
        key=lambda account: str(account.id),
        values=lambda account: {
            name: getattr(account, name) for name in FeeAccountRecordSchema().load_fields
        },
        listing=_accounts,
    ),
}


def _url(path: str, **arguments: Any) -> str:
    return url_for("console.plugin_page", slug=SLUG, path=path, **arguments)


def records_page(kind: str = "places") -> str:
    """The records by id, with a search box, an edit link and a retire button each."""
    managed = KINDS[kind]
    query = request.args.get("q", "").strip()[:100]
    try:
        page: Page[Any] = paginate(
            managed.listing(query),
            [managed.model.id],
            {"limit": PAGE_SIZE, "cursor": request.args.get("cursor")},
        )
    except ValidationError as error:
        abort(422, errors=error.normalized_messages())
    return render_template(
        "payments/records.html",
        kind=kind,
        managed=managed,
        records=page,
        query=query,
        heading=localize(managed.title, console_language()),
    )


def _service_errors(error: HTTPException) -> dict[str, Any]:
    """A service's refusal (409 code taken, 403 another agency) as the form's errors."""
    data = getattr(error, "data", {}) or {}
    return data.get("errors") or {"_schema": [data.get("message", error.description)]}


def _show_form(kind: str, record: Any, values: Mapping[str, Any], errors: Any) -> Any:
    managed = KINDS[kind]
    schema = (managed.new_schema if record is None else managed.edit_schema)()
    language = console_language()
    return render_template(
        "payments/form.html",
        kind=kind,
        managed=managed,
        record=record,
        fields=form_fields(schema, values, language, errors),
        general=(errors or {}).get("_schema", []),
        heading=localize(managed.title, language),
    ), (422 if errors else 200)


def form_page(kind: str, key: str | None = None) -> Any:
    """The new-record form (``key`` is None) or a record's edit form, and its POST."""
    managed = KINDS[kind]
    record = None if key is None else managed.find(key)
    if request.method == "GET":
        return _show_form(kind, record, {} if record is None else managed.values(record), None)
    schema = (managed.new_schema if record is None else managed.edit_schema)()
    values = form_values(schema, request.form)
    try:
        loaded = schema.load(values)
        saved = managed.create(loaded) if record is None else managed.update(record, loaded)
    except ValidationError as error:
        return _show_form(kind, record, values, error.normalized_messages())
    except HTTPException as error:
        if error.code not in (403, 409):
            raise
        return _show_form(kind, record, values, _service_errors(error))
    flash(f"{managed.key(saved)}: {localize(SAVED, console_language())}", "success")
    return redirect(_url(kind), 303)


def retire_page(kind: str, key: str) -> Response:
    """Retire a record: kept for history (and what refers to it), no longer listed."""
    managed = KINDS[kind]
    try:
        managed.retire(managed.find(key))
    except HTTPException as error:
        if error.code != 403:  # another agency's account
            raise
        flash((getattr(error, "data", None) or {}).get("message", error.description), "error")
        return redirect(_url(kind), 303)
    flash(f"{key}: {localize(RETIRED, console_language())}", "success")
    return redirect(_url(kind, q=request.form.get("q") or None), 303)


SAVED = {"vi": "đã lưu", "en": "saved"}
RETIRED = {"vi": "đã ngừng", "en": "retired"}
KIND = '<any(places, "fee-accounts"):kind>'


def console_pages() -> list[ConsolePage]:
    hidden = {"permission": MANAGE, "in_menu": False}
    return [
        ConsolePage("", KINDS["places"].title, records_page, permission=MANAGE),
        ConsolePage(
            "fee-accounts",
            KINDS["fee-accounts"].title,
            lambda: records_page("fee-accounts"),
            permission=MANAGE,
        ),
        ConsolePage(KIND, {"vi": "Danh sách", "en": "List"}, records_page, **hidden),
        ConsolePage(
            f"{KIND}/new",
            {"vi": "Thêm mới", "en": "New"},
            form_page,
            methods=("GET", "POST"),
            **hidden,
        ),
        ConsolePage(
            f"{KIND}/<key>",
            {"vi": "Sửa", "en": "Edit"},
            form_page,
            methods=("GET", "POST"),
            **hidden,
        ),
        ConsolePage(
            f"{KIND}/<key>/retire",
            {"vi": "Ngừng", "en": "Retire"},
            retire_page,
            methods=("POST",),
            **hidden,
        ),
    ]
