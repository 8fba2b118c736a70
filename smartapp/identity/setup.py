"""Wiring identity into the app: token verifiers, the session, the 401 answer, the routes."""

from __future__ import annotations

from flask import Flask, Response
from flask.sessions import SecureCookieSessionInterface
from flask_smorest import Api
from itsdangerous import URLSafeTimedSerializer

import smartapp.identity.routes as routes
from smartapp.config import Settings
from smartapp.errors import error_response
from smartapp.i18n import message
from smartapp.identity.audit import write_personal_data_reads
from smartapp.identity.auth import reject_invalid_token
from smartapp.identity.caching import CitizenWards, VerifiedTokens
from smartapp.identity.tokens import (
    CitizenTokenVerifier,
    DevelopmentVerifier,
    ErasedAccountToken,
    FirebaseVerifier,
    InvalidToken,
    StaffTokens,
)


def _invalid_token(error: InvalidToken) -> Response:
    return error_response(401, message("invalid_token"))


def _erased_account_token(error: ErasedAccountToken) -> Response:
    return error_response(401, message("erased_account_token"), {"token": [error.code]})


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signer built once per app: Flask opens the
    session on every request and its default rebuilds the signer each time (~27 µs)."""

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        signer = app.extensions.get("smartapp.session_signer")
        if signer is None:
            signer = app.extensions["smartapp.session_signer"] = super().get_signing_serializer(app)
        return signer


def init_app(app: Flask, api: Api, settings: Settings) -> None:
    """Token verifiers for this configuration, the 401 answer, the audit of staff reads of
    personal data, and the identity routes."""
    verifiers: dict[str, CitizenTokenVerifier] = {}
    if settings.firebase_project_id:
        verifiers["firebase"] = FirebaseVerifier(settings.firebase_project_id)
    if settings.development_sign_in and not settings.is_production:
        verifiers["development"] = DevelopmentVerifier(settings.secret_key)
        api.register_blueprint(routes.development_blp)
    app.extensions["smartapp.verified_tokens"] = VerifiedTokens()
    app.extensions["smartapp.citizen_wards"] = CitizenWards(settings.state_ttl)
    app.session_interface = SessionInterface()
    app.extensions["smartapp.verifiers"] = verifiers
    app.extensions["smartapp.staff_tokens"] = StaffTokens(settings.secret_key)
    app.register_error_handler(InvalidToken, _invalid_token)
    app.register_error_handler(ErasedAccountToken, _erased_account_token)
    app.before_request(reject_invalid_token)
    app.after_request(write_personal_data_reads)
    api.register_blueprint(routes.blp)
