"""What the app reads: places, banks, VietQR codes, fee accounts and items, guides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request

from smartapp.plugin import CursorPageArgs, Page, current_language, page_schema, paginate

from ..models import FeeAccount, FeeItem, Guide
from ..schemas import (
    BankListSchema,
    DecodeArgs,
    DecodedSchema,
    FeeAccountQueryArgs,
    FeeAccountSchema,
    FeeItemQueryArgs,
    FeeItemSchema,
    FeeVietQRArgs,
    GuideSchema,
    GuideSummarySchema,
    PlaceMapArgs,
    PlaceQueryArgs,
    PlaceSchema,
    VietQRArgs,
    VietQRSchema,
)
from ..services import fees, guides, places, qr
from ..settings import settings
from ..vietqr import Transfer, bank_list
from .blueprint import blueprint

IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


# -- places ----------------------------------------------------------------------------------


@blueprint.route("/places")
@blueprint.arguments(PlaceQueryArgs, location="query")
@blueprint.response(200, page_schema(PlaceSchema))
def list_places(args: dict[str, Any]) -> Page[dict[str, Any]]:
    """Places accepting cashless payment, filtered by ward, category, method and words
    (diacritics optional); nearest first from ``near=lat,lon``."""
    return places.places_page(args, settings()["nearby_radius_km"])


@blueprint.route("/places.geojson")
@blueprint.arguments(PlaceMapArgs, location="query")
@blueprint.response(
    200, content_type="application/geo+json", description="A GeoJSON FeatureCollection of points"
)
def places_geojson(args: dict[str, Any]) -> Response:
    """The filtered places for the app's map (``bbox=minlon,minlat,maxlon,maxlat``)."""
    response = current_app.json.response(places.feature_collection(args))
    response.mimetype = "application/geo+json"
    return response


@blueprint.route("/places/<code>")
@blueprint.response(200, PlaceSchema)
def get_place(code: str) -> dict[str, Any]:
    """One place."""
    return places.view(places.place_by_code(code))


# -- banks and VietQR ------------------------------------------------------------------------


@blueprint.route("/banks")
@blueprint.response(200, BankListSchema)
def list_banks() -> dict[str, Any]:
    """Banks and wallets by NAPAS BIN, with the list's version and source."""
    banks = bank_list()
    return {
        "version": banks.version,
        "source": banks.source,
        "items": [bank.as_dict() for bank in banks.banks],
    }


@blueprint.route("/vietqr")
@blueprint.arguments(VietQRArgs, location="query")
@blueprint.response(200, VietQRSchema)
@blueprint.alt_response(200, content_type="image/png", description="with `format=png`")
@blueprint.alt_response(200, content_type="image/svg+xml", description="with `format=svg`")
def vietqr(args: dict[str, Any]) -> Any:
    """A VietQR code to transfer to an account or a card (JSON with the decoded details,
    or the image)."""
    transfer = qr.transfer_from(args)
    return _code(transfer, args["format"], lambda: qr.fee_account_of(transfer))


@blueprint.route("/vietqr/decode")
@blueprint.arguments(DecodeArgs, location="query")
@blueprint.response(200, DecodedSchema)
def decode_vietqr(args: dict[str, Any]) -> dict[str, Any]:
    """What a scanned VietQR code asks for (bank, account, amount, purpose), for the citizen
    to check before paying; a wrong checksum is a 422 on ``payload``."""
    return qr.scanned(args["payload"])


@blueprint.route("/fee-accounts")
@blueprint.arguments(FeeAccountQueryArgs, location="query")
@blueprint.response(200, page_schema(FeeAccountSchema))
def list_fee_accounts(args: dict[str, Any]) -> Page[dict[str, Any]]:
    """Agencies' accounts collecting fees, optionally of one agency."""
    page = paginate(fees.accounts_query(args), [FeeAccount.id], args)
    return Page([fees.account_view(a) for a in page.items], page.next_cursor)


@blueprint.route("/fee-items")
@blueprint.arguments(FeeItemQueryArgs, location="query")
@blueprint.response(200, page_schema(FeeItemSchema))
def list_fee_items(args: dict[str, Any]) -> Page[dict[str, Any]]:
    """Fees and charges with the account collecting each, by agency or procedure."""
    page = paginate(fees.items_query(args), [FeeItem.id], args)
    return Page([fees.item_view(item) for item in page.items], page.next_cursor)


@blueprint.route("/fee-items/<code>")
@blueprint.response(200, FeeItemSchema)
def get_fee_item(code: str) -> dict[str, Any]:
    """One fee item."""
    return fees.item_view(fees.item_by_code(code))


@blueprint.route("/fee-items/<code>/vietqr")
@blueprint.arguments(FeeVietQRArgs, location="query")
@blueprint.response(200, VietQRSchema)
@blueprint.alt_response(200, content_type="image/png", description="with `format=png`")
@blueprint.alt_response(200, content_type="image/svg+xml", description="with `format=svg`")
def fee_item_vietqr(args: dict[str, Any], code: str) -> Any:
    """The ready VietQR paying this fee, with the dossier number as its reference."""
    item = fees.item_by_code(code)
    return _code(fees.item_transfer(item, args), args["format"], lambda: item.fee_account)


def _code(transfer: Transfer, kind: str, account_of: Callable[[], FeeAccount | None]) -> Any:
    """The code in the asked format (every one generated counts for the IOC). The transfer
    is validated before ``account_of`` looks anything up."""
    payload = qr.payload_of(transfer, settings()["max_amount_vnd"])
    account = account_of()
    qr.count_generated(account)
    if kind == "json":
        return qr.answer(payload, request.path, request.args, account)
    response = Response(qr.image(payload, kind), mimetype=IMAGE_TYPES[kind])
    # a code is a pure function of its query: clients and proxies may keep it a day
    response.cache_control.public = True
    response.cache_control.max_age = qr.IMAGE_SECONDS
    return response


# -- guides ----------------------------------------------------------------------------------


@blueprint.route("/guides")
@blueprint.arguments(CursorPageArgs, location="query")
@blueprint.response(200, page_schema(GuideSummarySchema))
def list_guides(args: dict[str, Any]) -> Page[dict[str, Any]]:
    """How-to guides in the request's language (``Accept-Language``), in reading order."""
    page = paginate(guides.listed(), [Guide.position, Guide.id], args)
    language = current_language()
    return Page([guides.view(g, language, with_body=False) for g in page.items], page.next_cursor)


@blueprint.route("/guides/<slug>")
@blueprint.response(200, GuideSchema)
def get_guide(slug: str) -> dict[str, Any]:
    """One guide in the request's language."""
    return guides.view(guides.guide_by_slug(slug), current_language())
