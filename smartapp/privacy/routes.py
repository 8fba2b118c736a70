"""The citizen app's privacy routes: the notice, consent, profile changes, export and
erasure."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, send_file

import smartapp.consent.services as consent
import smartapp.privacy.erasure as erasure
import smartapp.privacy.exports as exports
import smartapp.privacy.services as services
from smartapp.blueprint import Blueprint
from smartapp.consent.models import PrivacyNotice
from smartapp.extensions import limiter
from smartapp.identity.auth import citizen_required, current_citizen
from smartapp.identity.models import Citizen
from smartapp.identity.schemas import CitizenSchema, CitizenUpdateSchema
from smartapp.privacy.schemas import (
    ConsentSchema,
    ConsentStateSchema,
    DataArgsSchema,
    DataDocumentSchema,
    DownloadArgsSchema,
    EraseArgsSchema,
    ExportSchema,
    NoticeSchema,
    WithdrawalSchema,
)
from smartapp.security import no_store

blp = Blueprint(
    "privacy",
    __name__,
    url_prefix="/api/v1",
    description="The privacy notice, consent, and the citizen's data: changes, export and erasure",
)


def _citizen() -> Citizen:
    citizen = current_citizen()
    assert citizen is not None  # citizen_required
    return citizen


@blp.route("/privacy/notice")
@blp.response(200, NoticeSchema)
def get_notice() -> PrivacyNotice:
    """The current privacy notice, every language, with the purposes a citizen grants."""
    return consent.current_notice()


@blp.route("/privacy/consent")
@citizen_required
@blp.response(200, ConsentStateSchema)
def get_consent() -> dict[str, Any]:
    """Where the signed-in citizen stands: ``current`` false means ask for consent."""
    return services.state_view(consent.consent_state(_citizen()))


@blp.route("/privacy/consent", methods=["POST"])
@citizen_required
@limiter.limit("30/minute")
@blp.arguments(ConsentSchema)
@blp.response(201, ConsentStateSchema)
def post_consent(body: dict[str, Any]) -> dict[str, Any]:
    """Accept the current notice's ``version`` with ``purposes`` (every required one)."""
    citizen = _citizen()
    services.give_consent(citizen, body["version"], body["purposes"], body["app_version"])
    return services.state_view(consent.consent_state(citizen))


@blp.route("/privacy/consent/withdraw", methods=["POST"])
@citizen_required
@limiter.limit("30/minute")
@blp.arguments(WithdrawalSchema)
@blp.response(200, ConsentStateSchema)
def withdraw(body: dict[str, Any]) -> dict[str, Any]:
    """Withdraw ``purposes``, at once (``location_notifications``: ward topics are left)."""
    citizen = _citizen()
    services.withdraw_consent(citizen, body["purposes"], body["app_version"])
    return services.state_view(consent.consent_state(citizen))


@blp.route("/me/data")
@citizen_required
@limiter.limit("10/minute")
@blp.arguments(DataArgsSchema, location="query")
@blp.response(200, DataDocumentSchema)
@blp.alt_response(202, schema=ExportSchema, description="``format=zip``: the export started")
def get_my_data(args: dict[str, str]) -> Any:
    """Everything the server holds about the signed-in citizen, as one JSON document; with
    ``format=zip`` an archive with the photos, built in the background (202 with its status)."""
    citizen = _citizen()
    if args["format"] == "json":
        return services.citizen_data(citizen).document
    view = exports.export_view(exports.start_export(citizen))
    response = jsonify(ExportSchema().dump(view))
    response.status_code = 202
    response.headers["Location"] = view["status_url"]
    return response


@blp.route("/me/data/exports/<export_id>")
@citizen_required
@blp.response(200, ExportSchema)
def export_status(export_id: str) -> dict[str, Any]:
    """An export's progress; once ``ready``, a download link valid for an hour."""
    return exports.export_view(exports.citizen_export(_citizen(), export_id))


@blp.route("/me/data/exports/<export_id>/download")
@no_store
@blp.arguments(DownloadArgsSchema, location="query")
@blp.response(200, description="the zip archive")
def download_export(args: dict[str, str], export_id: str) -> Response:
    """The archive; the signed ``token`` of the link is the credential, until it expires."""
    path = exports.downloadable(export_id, args["token"])
    return send_file(path, "application/zip", as_attachment=True, download_name="my-data.zip")


@blp.route("/me", methods=["PATCH"])
@citizen_required
@blp.arguments(CitizenUpdateSchema)
@blp.response(200, CitizenSchema)
@blp.alt_response(403, response="DEFAULT_ERROR", description="a name or a ward before consent")
def patch_me(changes: dict[str, Any]) -> Citizen:
    """Change the signed-in citizen's display name, language or ward (a name or a ward once
    the current privacy notice is accepted)."""
    return services.update_profile(_citizen(), changes)


@blp.route("/me", methods=["DELETE"])
@citizen_required
@limiter.limit("10/minute")
@blp.arguments(EraseArgsSchema, location="query")
@blp.response(204)
@blp.alt_response(409, response="DEFAULT_ERROR", description="unconfirmed: what it erases")
@blp.alt_response(503, response="DEFAULT_ERROR", description="a plugin failed: nothing erased")
def delete_me(args: dict[str, bool]) -> None:
    """Erase the signed-in citizen (``confirm=true``); without it, 409 with the summary of
    what would be erased under ``errors.summary``."""
    erasure.erase_citizen(_citizen(), args["confirm"])
