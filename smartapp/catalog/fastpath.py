"""Repeats of a home-screen request, answered before Flask.

Every app launch opens the home screen, and almost all of those requests repeat a few
(language, platform, app version, and for a signed-in citizen their token and ward). Flask,
webargs and the extensions cost more per request than the whole answer of a bare Flask
endpoint, whose throughput is the target. So this WSGI middleware keeps the bytes of each
answer Flask already gave, keyed by the raw query string, ``Accept-Language`` and whose
ward decided it, and replays them while everything they were built from is current:

* the plugin settings' revision (re-read by Flask at most once per state TTL);
* for a signed-in request, that the token passed verification and has not expired
  (:class:`~smartapp.identity.caching.VerifiedTokens`), and the citizen's profile ward under
  the current ``citizens`` revision (:class:`~smartapp.identity.caching.CitizenWards`).

It never verifies, validates or renders anything itself: a request it has not seen, a token
it does not know, a citizen whose utilities give badges, or anything after a TTL goes to
Flask, whose view renders, validates and stores the answer here. The table is bounded: raw
keys it has to keep (it answers without parsing the request) share the rendered bodies.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.http import parse_etags

from smartapp.identity.tokens import bearer_token
from smartapp.security import API_HEADERS

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from smartapp.catalog.services import RenderedHomeScreen
    from smartapp.identity.caching import CitizenWards, VerifiedTokens
    from smartapp.plugins.state import RuntimeState

PATH = "/api/v1/utilities"
ENTRIES = 512
_VARY = ("Vary", "Accept-Language, Authorization")
_JSON = ("Content-Type", "application/json")
_PUBLIC = [_JSON, ("Cache-Control", "public, no-cache"), _VARY, *API_HEADERS]
_PRIVATE = [_JSON, ("Cache-Control", "private, no-cache"), _VARY, *API_HEADERS]
#: the key part of an anonymous answer, where a signed-in one has the citizen's ward
ANONYMOUS = "anonymous"

Key = tuple[str, str, Any]


class HomeScreenFastPath:
    """WSGI middleware in front of the app (see the module's docstring)."""

    def __init__(
        self,
        wsgi_app: WSGIApplication,
        state: RuntimeState,
        tokens: VerifiedTokens,
        wards: CitizenWards,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.state = state
        self.tokens = tokens
        self.wards = wards
        self.answers: OrderedDict[Key, RenderedHomeScreen] = OrderedDict()

    def remember(
        self,
        query_string: str,
        accept_language: str,
        rendered: RenderedHomeScreen,
        profile_ward: int | str | None = ANONYMOUS,
    ) -> None:
        """Keep the answer Flask gave to this request: anonymous, or a signed-in citizen's
        whose profile has ``profile_ward`` (``None``: no ward) and whose tiles have no badges."""
        self.answers[(query_string, accept_language, profile_ward)] = rendered
        if len(self.answers) > ENTRIES:
            self.answers.popitem(last=False)

    def _key(self, environ: WSGIEnvironment) -> Key | None:
        authorization = environ.get("HTTP_AUTHORIZATION")
        ward: int | str | None = ANONYMOUS
        if authorization is not None:
            token = bearer_token(authorization)
            claims = self.tokens.get(token) if token else None
            known = self.wards.get(claims.uid) if claims else None
            if known is None:
                return None
            ward = known.ward_code
        return environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT_LANGUAGE", ""), ward

    def _current(self, environ: WSGIEnvironment) -> RenderedHomeScreen | None:
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") != "GET"
            or "HTTP_ORIGIN" in environ
        ):  # CORS answers come from Flask (flask-cors)
            return None
        state = self.state
        if time.monotonic() - state.checked_at >= state.ttl:
            return None  # time to re-read the plugin settings: Flask's view does it
        key = self._key(environ)
        rendered = self.answers.get(key) if key is not None else None
        if rendered is None or rendered.revision != state.revision:
            return None
        return rendered

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        rendered = self._current(environ)
        if rendered is None:
            return self.wsgi_app(environ, start_response)
        common = _PRIVATE if "HTTP_AUTHORIZATION" in environ else _PUBLIC
        headers: list[tuple[str, Any]] = [*common, ("ETag", f'"{rendered.etag}"')]
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(rendered.etag):
            start_response("304 NOT MODIFIED", headers)
            return [b""]
        start_response("200 OK", [*headers, ("Content-Length", str(len(rendered.body)))])
        return [rendered.body]
