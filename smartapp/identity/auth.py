"""Who is calling: bearer tokens (citizens, staff) and the console's session cookie."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, current_app, has_request_context, request

from smartapp.errors import error_response
from smartapp.extensions import db
from smartapp.identity.caching import verify_citizen_token
from smartapp.identity.citizens import citizen_from_claims
from smartapp.identity.models import Citizen, Role, Staff
from smartapp.identity.signin import session_staff
from smartapp.identity.tokens import (
    DEVELOPMENT_PREFIX,
    STAFF_PREFIX,
    CitizenTokenVerifier,
    InvalidToken,
    StaffTokens,
    bearer_token,
)

F = TypeVar("F", bound=Callable[..., Any])

BEARER_SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
_ERROR = {"$ref": "#/components/responses/DEFAULT_ERROR"}


def _bearer_token() -> str | None:
    return bearer_token(request.headers.get("Authorization", ""))


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
    return citizen_from_claims(verify_citizen_token(verifier, token))


def current_staff() -> Staff | None:
    """The staff account of this request's staff bearer token."""
    return _per_request("staff", _resolve_staff)


CONSOLE_SESSION = "smartapp.console_session"


def accept_console_session() -> None:
    """Let this request's staff come from the console's session cookie. The console calls it
    on its own pages, whose every form is CSRF-checked; the JSON API takes bearer tokens only,
    so a cookie can never make a cross-site API call on a staff member's behalf."""
    request.environ[CONSOLE_SESSION] = True


def _resolve_staff() -> Staff | None:
    token = _bearer_token()
    if token is None and request.environ.get(CONSOLE_SESSION):
        return session_staff()
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


def staff_may(
    staff: Staff, roles: tuple[Role | str, ...] = (), permission: str | None = None
) -> bool:
    """Whether ``staff`` has one of ``roles`` or ``permission`` (either one when both are
    given; any staff when neither is). Admins may do everything. The API's decorator and the
    console's pages ask this one question."""
    if staff.role == Role.ADMIN or not (roles or permission):
        return True
    return staff.role in roles or (permission is not None and staff.has_permission(permission))


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
            if not staff_may(staff, roles, permission):
                return error_response(403)
            return view(*args, **kwargs)

        _document(wrapper, (401, 403))
        return wrapper  # type: ignore[return-value]

    return decorator
