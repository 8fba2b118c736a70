"""Bearer tokens: Firebase ID tokens for citizens, signed tokens for staff and for the
offline development sign-in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from firebase_admin import auth as firebase_auth
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from smartapp.firebase import firebase_app

log = logging.getLogger(__name__)

NAME_LENGTH = 120  # Citizen.display_name
STAFF_PREFIX = "staff."
DEVELOPMENT_PREFIX = "dev."
STAFF_TOKEN_MAX_AGE = 12 * 3600
DEVELOPMENT_TOKEN_MAX_AGE = 30 * 24 * 3600


def bearer_token(authorization: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value, if that is what it is."""
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class InvalidToken(Exception):
    """The bearer token is malformed, forged, expired or revoked."""


class ErasedAccountToken(InvalidToken):
    """A valid token issued before its account was erased: it must not bring the citizen
    back (firebase-admin does not check revocation, so it stays valid for up to an hour)."""

    #: in the 401's ``errors``, so the app signs the citizen out instead of retrying
    code = "token_of_erased_account"


@dataclass(frozen=True)
class CitizenClaims:
    """What an ID token says about the citizen."""

    uid: str
    phone_number: str | None
    name: str | None
    #: when the token stops being valid (seconds since the epoch)
    expires_at: float | None = None
    #: when the token was issued (seconds since the epoch, whole seconds)
    issued_at: float | None = None

    @classmethod
    def from_untrusted(
        cls,
        uid: str,
        phone_number: Any,
        name: Any,
        expires_at: float | None = None,
        issued_at: float | None = None,
    ) -> CitizenClaims:
        """Claims the citizen's own device can set (the display name, through the client SDK)
        are clamped to what the profile stores, so they can never make sign-in fail."""
        name = name.strip()[:NAME_LENGTH] or None if isinstance(name, str) else None
        phone = phone_number if isinstance(phone_number, str) and len(phone_number) <= 20 else None
        return cls(
            uid=uid, phone_number=phone, name=name, expires_at=expires_at, issued_at=issued_at
        )


class CitizenTokenVerifier(Protocol):
    def verify(self, token: str) -> CitizenClaims: ...


class FirebaseVerifier:
    """Verifies Firebase ID tokens with firebase-admin (the emulator when
    ``FIREBASE_AUTH_EMULATOR_HOST`` is set, which firebase-admin honours itself)."""

    def __init__(self, project_id: str) -> None:
        self.firebase_app = firebase_app(project_id)

    def verify(self, token: str) -> CitizenClaims:
        try:
            claims = firebase_auth.verify_id_token(token, app=self.firebase_app)
        # Revocation is not checked (it costs a call to Google per request): a citizen
        # disabled in Firebase keeps access until the ID token expires, within the hour.
        except (
            ValueError,
            firebase_auth.InvalidIdTokenError,
            firebase_auth.CertificateFetchError,
        ) as error:
            raise InvalidToken(str(error)) from error
        return CitizenClaims.from_untrusted(
            claims["uid"],
            claims.get("phone_number"),
            claims.get("name"),
            claims.get("exp"),
            claims.get("iat"),
        )


class DevelopmentVerifier:
    """The offline sign-in of development mode: tokens signed with the app's secret key.

    Never used in production (``Settings.check`` refuses to start without a Firebase project).
    """

    def __init__(self, secret_key: str) -> None:
        self.serializer = URLSafeTimedSerializer(secret_key, salt="smartapp-development-sign-in")

    def issue(self, phone_number: str, name: str | None = None) -> str:
        uid = f"dev-{phone_number.lstrip('+')}"
        body = self.serializer.dumps({"uid": uid, "phone_number": phone_number, "name": name})
        return DEVELOPMENT_PREFIX + body

    def verify(self, token: str) -> CitizenClaims:
        data, signed_at = _loads(
            self.serializer, token.removeprefix(DEVELOPMENT_PREFIX), DEVELOPMENT_TOKEN_MAX_AGE
        )
        return CitizenClaims(
            uid=data["uid"],
            phone_number=data["phone_number"],
            name=data["name"],
            expires_at=signed_at.timestamp() + DEVELOPMENT_TOKEN_MAX_AGE,
            issued_at=signed_at.timestamp(),
        )


class StaffTokens:
    """Short-lived staff bearer tokens, revoked by bumping the account's token generation."""

    def __init__(self, secret_key: str) -> None:
        self.serializer = URLSafeTimedSerializer(secret_key, salt="smartapp-staff-token")

    def issue(self, staff_id: int, generation: int) -> str:
        return STAFF_PREFIX + self.serializer.dumps({"sid": staff_id, "gen": generation})

    def verify(self, token: str) -> tuple[int, int]:
        data, _ = _loads(self.serializer, token.removeprefix(STAFF_PREFIX), STAFF_TOKEN_MAX_AGE)
        return int(data["sid"]), int(data["gen"])


def _loads(
    serializer: URLSafeTimedSerializer, token: str, max_age: int
) -> tuple[dict[str, Any], datetime]:
    """The token's data and when it was signed."""
    try:
        data, signed_at = serializer.loads(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired as error:
        raise InvalidToken("token expired") from error
    except BadSignature as error:
        raise InvalidToken("bad signature") from error
    if not isinstance(data, dict):
        raise InvalidToken("malformed token")
    return data, signed_at
