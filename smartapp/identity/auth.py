"""Who is calling: bearer tokens (citizens, staff) and the console's session cookie."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, current_app, has_request_context, request

from smartapp.errors import error_response
from smartapp.extensions import db
from smartapp.identity.citizens import citizen_from_claims
from smartapp.identity.models import Citizen, Role, Staff
from smartapp.identity.tokens import (
    DEVELOPMENT_PREFIX,
    STAFF_PREFIX,
    CitizenTokenVerifier,
    InvalidToken,
    StaffTokens,
)

F = TypeVar("F", bound=Callable[..., Any])

BEARER_SECURITY = [{"bearerAuth": []}]
_ERROR = {"$ref": "#/components/responses/DEFAULT_ERROR"}


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _per_request(name: str, resolve: Callable[[], Any]) -> Any:
    # Cached on the request, not on ``g``: an app context (and its ``g``) can outlive a request.
    if not has_request_context():
        return None  # the command line and background jobs act as nobody
    attribute = f"_smartapp_{name}"
    if not hasattr(request, attribute):
        setattr(request, attribute, resolve())
    return getattr(request, attribute)


def current_citizen() -> Citizen | None:
    """The signed-in citizen of this request, created on their first valid token."""
    return _per_request("citizen", _resolve_citizen)


def _resolve_citizen() -> Citizen | None:
    token = _bearer_token()
    if token is None or token.startswith(STAFF_PREFIX):
        return None
    verifiers: dict[str, CitizenTokenVerifier] = current_app.extensions["smartapp.verifiers"]
    verifier = verifiers.get("development" if token.startswith(DEVELOPMENT_PREFIX) else "firebase")
    if verifier is None:
        raise InvalidToken("this kind of token is not accepted here")
    return citizen_from_claims(verifier.verify(token))


def current_staff() -> Staff | None:
    """The staff account of this request's staff bearer token."""
    return _per_request("staff", _resolve_staff)


def _resolve_staff() -> Staff | None:
    token = _bearer_token()
    if token is None or not token.startswith(STAFF_PREFIX):
        return None
    tokens: StaffTokens = current_app.extensions["smartapp.staff_tokens"]
    staff_id, generation = tokens.verify(token)
    staff = db.session.get(Staff, staff_id)
    if staff is None or not staff.active or staff.token_generation != generation:
        raise InvalidToken("revoked")
    return staff


def reject_invalid_token() -> None:
    """``before_request``: a bearer token that is sent must be valid, on every route, public
    ones included — an app whose token expired must learn it (401) rather than be served as
    anonymous. Without a token a public route stays anonymous."""
    token = _bearer_token()
    if token is not None:
        (current_staff if token.startswith(STAFF_PREFIX) else current_citizen)()


def _not_allowed() -> Response:
    """401 without a token; 403 for a valid token of the wrong kind (a citizen on a staff
    route), which a client must not answer by signing the user out."""
    return error_response(403 if _bearer_token() else 401)


def _document(wrapper: Any, codes: tuple[int, ...]) -> None:
    """Add the bearer security and error responses to flask-smorest's view documentation."""
    doc = wrapper.__dict__.setdefault("_apidoc", {}).setdefault("manual_doc", {})
    doc["security"] = BEARER_SECURITY
    responses = doc.setdefault("responses", {})
    for code in codes:
        responses[str(code)] = _ERROR


def citizen_required(view: F) -> F:
    """Decorate a view that needs a signed-in citizen: 401 without a token (an invalid token
    raises :class:`InvalidToken`, which the app answers with 401 too), 403 with a staff one."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_citizen() is None:
            return _not_allowed()
        return view(*args, **kwargs)

    _document(wrapper, (401, 403))
    return wrapper  # type: ignore[return-value]


def staff_required(*roles: Role | str, permission: str | None = None) -> Callable[[F], F]:
    """Decorate a view for staff with one of ``roles`` (any role when none is given) or,
    with ``permission`` (``"<slug>:<name>"``), staff granted that plugin permission.
    Admins pass every check."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            staff = current_staff()
            if staff is None:
                return _not_allowed()
            allowed = staff.role == Role.ADMIN or not (roles or permission)
            allowed = allowed or staff.role in roles
            allowed = allowed or (permission is not None and staff.has_permission(permission))
            if not allowed:
                return error_response(403)
            return view(*args, **kwargs)

        _document(wrapper, (401, 403))
        return wrapper  # type: ignore[return-value]

    return decorator
