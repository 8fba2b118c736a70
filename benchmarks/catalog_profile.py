"""Where a signed-in home screen's microseconds go, in-process (no server, no network).

    .venv/bin/python benchmarks/catalog_profile.py [--requests 2000] [--cprofile]

Builds ``catalog_app:app`` on a fresh migrated SQLite file, signs a citizen with a ward in
twice (a Firebase ID token verified by firebase-admin, see ``firebase_keys.py``, and a
development token), and times ``GET /api/v1/utilities`` through the app's WSGI callable:
anonymous, and each signed-in case with the remembered answers (as served) and through
Flask with every cache of the signed-in path emptied before each request (as the landed code
worked). Then each step of the Flask path on its own: token verification, the citizen
lookup, the badges hook, rendering. ``--cprofile`` prints the top of a cProfile of the
Flask path with the Firebase token.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from catalog import FIREBASE_PROJECT, QUERY, VENV_BIN, WARD_CODE, embedded_environment
from firebase_keys import LocalFirebaseKeys
from flask import Flask
from werkzeug.test import EnvironBuilder


def timed(action: Callable[[], object], count: int) -> float:
    """Microseconds per call."""
    action()
    started = time.perf_counter()
    for _ in range(count):
        action()
    return (time.perf_counter() - started) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--cprofile", action="store_true")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="smartapp-profile-"))
    keys = LocalFirebaseKeys(FIREBASE_PROJECT, work)
    with keys.serve() as firebase_environ:
        environ = {**embedded_environment(work), **firebase_environ}
        subprocess.run(
            [str(VENV_BIN / "smartapp"), "db", "upgrade"],
            env=environ,
            check=True,
            capture_output=True,
        )
        os.environ.clear()
        os.environ.update(environ)
        import catalog_app  # configured from the environment, like wsgi.py

        from smartapp import create_app
        from smartapp.catalog.services import home_screen_cache, render
        from smartapp.identity.citizens import citizen_from_claims
        from smartapp.identity.tokens import DevelopmentVerifier, FirebaseVerifier
        from smartapp.plugins.base import Plugin
        from smartapp.plugins.registry import registry

        development_app = create_app(
            {"SMARTAPP_FIREBASE_PROJECT_ID": ""},
            plugins=[*catalog_app.installed, *catalog_app.BENCHMARK_PLUGINS],
        )
        development = DevelopmentVerifier(development_app.config["SECRET_KEY"])
        cases = {
            "Firebase ID token": (
                catalog_app.app,
                FirebaseVerifier(FIREBASE_PROJECT),
                keys.issue("profile-citizen", "+84912000021"),
            ),
            "development token": (development_app, development, development.issue("+84912000022")),
        }
        path, query = QUERY.split("?")

        def request(app: Flask, headers: dict[str, str], flask_only: bool = False) -> None:
            statuses: list[str] = []
            environ = EnvironBuilder(path=path, query_string=query, headers=headers).get_environ()
            through = (
                app.extensions["smartapp.home_screen_fast_path"].wsgi_app
                if flask_only
                else app.wsgi_app
            )
            b"".join(through(environ, lambda status, _h, _e=None: statuses.append(status)))
            assert statuses[0].startswith("200"), statuses

        def uncached(app: Flask, headers: dict[str, str]) -> None:
            app.extensions["smartapp.verified_tokens"].claims.entries.clear()
            app.extensions["smartapp.citizen_wards"].wards.entries.clear()
            request(app, headers, flask_only=True)

        anonymous = timed(lambda: request(catalog_app.app, {}), options.requests)
        print(f"in-process µs per request ({options.requests} requests)")
        print(f"  anonymous, replayed: {anonymous:.0f}")
        for name, (app, verifier, token) in cases.items():
            headers = {"Authorization": f"Bearer {token}", "Accept-Language": "vi"}
            client = app.test_client()
            notice = client.get("/api/v1/privacy/notice").json
            consent = {"version": notice["version"], "purposes": ["service"]}
            accepted = client.post("/api/v1/privacy/consent", json=consent, headers=headers)
            assert accepted.status_code == 201, accepted.json
            moved = client.patch("/api/v1/me", json={"ward_code": WARD_CODE}, headers=headers)
            assert moved.status_code == 200
            served = timed(lambda a=app, h=headers: request(a, h), options.requests)
            through_flask = timed(lambda a=app, h=headers: uncached(a, h), options.requests)
            print(
                f"  {name}: served {served:.0f}; through Flask, nothing remembered "
                f"{through_flask:.0f}"
            )
            with app.test_request_context(QUERY, headers=headers):
                claims = verifier.verify(token)
                citizen = citizen_from_claims(claims)
                rendered = home_screen_cache().get("vi", "android", "3.2.0", WARD_CODE)
                steps = {
                    "token verification": lambda t=token, v=verifier: v.verify(t),
                    "citizen lookup": lambda c=claims: citizen_from_claims(c),
                    "badges hook": lambda c=citizen: registry().call_hook(
                        Plugin.tile_badge, citizen=c
                    ),
                    "home screen from the cache": lambda: home_screen_cache().get(
                        "vi", "android", "3.2.0", WARD_CODE
                    ),
                    "rendering (with badges)": lambda r=rendered: render(
                        r.tiles, r.revision, badges=True
                    ),
                }
                for step, action in steps.items():
                    print(f"    {step}: {timed(action, options.requests):.0f}")
        if options.cprofile:
            app, _, token = cases["Firebase ID token"]
            headers = {"Authorization": f"Bearer {token}"}
            profile = cProfile.Profile()
            profile.runcall(lambda: [uncached(app, headers) for _ in range(options.requests)])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        print(f"Google certificate fetches: {keys.fetches}")


if __name__ == "__main__":
    main()
