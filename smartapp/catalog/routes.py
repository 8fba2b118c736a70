"""``GET /api/v1/utilities``: the home-screen catalog."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Response, request
from marshmallow import Schema, fields, validate

from smartapp.blueprint import Blueprint
from smartapp.catalog.services import (
    PLATFORMS,
    TileSchema,
    fast_path,
    home_screen_cache,
    render,
    search_everywhere,
)
from smartapp.i18n import current_language
from smartapp.identity.auth import current_citizen
from smartapp.identity.caching import citizen_wards
from smartapp.locations.services import WardCodeField
from smartapp.pagination import page_schema
from smartapp.plugins.base import Plugin
from smartapp.plugins.registry import registry

blp = Blueprint("catalog", __name__, url_prefix="/api/v1", description="Home-screen catalog")


class CatalogQuerySchema(Schema):
    platform = fields.String(validate=validate.OneOf(PLATFORMS))
    app_version = fields.String(
        validate=[validate.Length(max=32), validate.Regexp(r"^\d+(\.\d+){0,3}$")],
        metadata={"description": "the app's version, e.g. 3.2.0"},
    )
    ward_code = WardCodeField(
        metadata={
            "description": "show the utilities of this ward (signed-in citizens: their profile's)"
        }
    )


@blp.route("/utilities")
@blp.arguments(CatalogQuerySchema, location="query")
@blp.response(200, page_schema(TileSchema), headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
def utilities(args: dict[str, Any]) -> Response:
    """The enabled utilities for this app, language (``Accept-Language``) and ward."""
    wards = citizen_wards()
    citizens_revision = wards.refresh()  # before the citizen is read: see ``remember``
    citizen = current_citizen()
    ward_code = citizen.ward_code if citizen and citizen.ward_code else args.get("ward_code")
    rendered = home_screen_cache().get(
        current_language(), args.get("platform"), args.get("app_version"), ward_code
    )
    replay = (request.query_string.decode("latin-1"), request.headers.get("Accept-Language", ""))
    if citizen is None:
        fast_path().remember(*replay, rendered)
    elif badges := registry().call_hook(Plugin.tile_badge, citizen=citizen).answers:
        rendered = render(
            [dataclasses.replace(tile, badge=badges.get(tile.slug)) for tile in rendered.tiles],
            rendered.revision,
            badges=True,
        )
    elif citizens_revision is not None:  # the same for every visit until something changes
        wards.remember(citizen.firebase_uid, citizen.ward_code, citizens_revision)
        fast_path().remember(*replay, rendered, profile_ward=citizen.ward_code)
    not_modified = request.if_none_match.contains_weak(rendered.etag)
    response = Response(
        None if not_modified else rendered.body,
        status=304 if not_modified else 200,
        mimetype="application/json",
    )
    response.set_etag(rendered.etag)
    response.headers["Cache-Control"] = "private, no-cache" if citizen else "public, no-cache"
    response.headers["Vary"] = "Accept-Language, Authorization"
    return response


class SearchQuerySchema(Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=200))
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 50))


class SearchHitSchema(Schema):
    utility = fields.String(required=True)
    title = fields.String(required=True)
    subtitle = fields.String(required=True)
    path = fields.String(required=True)
    deep_link = fields.String(required=True)
    score = fields.Float(required=True)


@blp.route("/search")
@blp.arguments(SearchQuerySchema, location="query")
@blp.response(200, page_schema(SearchHitSchema))
def search(args: dict[str, Any]) -> dict[str, Any]:
    """Search across every enabled utility (each answers through its ``search`` hook)."""
    hits = search_everywhere(args["q"], current_language(), args["limit"])
    return {"items": hits, "next_cursor": None}
