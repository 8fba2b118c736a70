"""``GET /api/v1/me`` and ``/api/v1/auth/…`` (changing and erasing the profile are
``smartapp.privacy``'s: they need the citizen's consent and every plugin)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from smartapp.blueprint import Blueprint
from smartapp.extensions import limiter
from smartapp.identity.auth import citizen_required, current_citizen
from smartapp.identity.models import Citizen
from smartapp.identity.schemas import (
    CitizenSchema,
    DevelopmentSignInSchema,
    DevelopmentTokenSchema,
    StaffTokenRequestSchema,
    StaffTokenSchema,
)
from smartapp.identity.services import authenticate_staff
from smartapp.identity.signin import sign_in_limits
from smartapp.identity.tokens import (
    DEVELOPMENT_TOKEN_MAX_AGE,
    STAFF_TOKEN_MAX_AGE,
    DevelopmentVerifier,
    StaffTokens,
)
from smartapp.security import no_store

blp = Blueprint("identity", __name__, url_prefix="/api/v1", description="Citizens and staff")


@blp.route("/me")
@citizen_required
@blp.response(200, CitizenSchema)
def get_me() -> Citizen:
    """The signed-in citizen's profile."""
    return current_citizen()  # type: ignore[return-value]


@blp.route("/auth/staff/token", methods=["POST"])
@no_store
@sign_in_limits
@blp.arguments(StaffTokenRequestSchema)
@blp.response(200, StaffTokenSchema)
@blp.alt_response(401, response="DEFAULT_ERROR")
@blp.alt_response(429, response="DEFAULT_ERROR")
def staff_token(credentials: dict[str, str]) -> dict[str, Any]:
    """Exchange a staff email and password for a bearer token (12 hours)."""
    staff = authenticate_staff(credentials["email"], credentials["password"])
    tokens: StaffTokens = current_app.extensions["smartapp.staff_tokens"]
    return {
        "access_token": tokens.issue(staff.id, staff.token_generation),
        "token_type": "Bearer",
        "expires_in": STAFF_TOKEN_MAX_AGE,
        "staff": staff,
    }


development_blp = Blueprint(
    "development_sign_in",
    __name__,
    url_prefix="/api/v1/auth",
    description="Offline sign-in of development mode (absent when a Firebase project is set)",
)


@development_blp.route("/dev/sign-in", methods=["POST"])
@no_store
@limiter.limit("30/minute")
@development_blp.arguments(DevelopmentSignInSchema)
@development_blp.response(200, DevelopmentTokenSchema)
@development_blp.alt_response(429, response="DEFAULT_ERROR")
def development_sign_in(body: dict[str, str]) -> dict[str, Any]:
    """Sign a citizen in by phone number without Firebase (development mode only)."""
    verifier: DevelopmentVerifier = current_app.extensions["smartapp.verifiers"]["development"]
    token = verifier.issue(body["phone_number"], body.get("display_name"))
    return {"id_token": token, "expires_in": DEVELOPMENT_TOKEN_MAX_AGE}
