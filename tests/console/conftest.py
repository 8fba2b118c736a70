"""Console fixtures: signing in through the real form, CSRF token and all."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import html5lib
import pytest
from flask import g
from flask.testing import FlaskClient
from playwright.sync_api import Page, Request, Response

from smartapp.testing import TEST_PASSWORD, SignedIn

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/admin/") -> str:
    """The CSRF token a page's forms carry.

    The test's app context outlives each request, and Flask-WTF caches the token on ``g``
    (app-context scoped): drop it, so the page makes the token of the session it has now.
    """
    g.pop("csrf_token", None)
    page = client.get(path, headers={"Accept": "text/html"})
    match = CSRF_FIELD.search(page.get_data(as_text=True))
    assert match, page.get_data(as_text=True)[:500]
    return match.group(1)


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[SignedIn], FlaskClient]:
    """Sign the test client into the console as a staff account (``make_staff``'s)."""

    def sign(staff: SignedIn) -> FlaskClient:
        response = client.post(
            "/admin/",
            data={
                "email": staff.account.email,
                "password": TEST_PASSWORD,
                "csrf_token": csrf_token(client),
            },
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return sign


@pytest.fixture
def post(client: FlaskClient) -> Callable[..., object]:
    """POST a console form with the page's CSRF token, as a browser would."""

    def send(path: str, data: dict[str, object] | None = None, **kwargs: object) -> object:
        return client.post(
            path,
            data={**(data or {}), "csrf_token": csrf_token(client)},
            headers={"Accept": "text/html"},
            **kwargs,
        )

    return send


CHROMIUM = Path("/usr/bin/chromium")  # Debian's package: never a browser Playwright downloads
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches Debian's chromium (``.ci/run`` installs it)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM)}


def _boosted(request: Request | None) -> bool:
    """Whether htmx asked for a whole page (a boosted link or form), or the redirect of one."""
    while request is not None:
        if "hx-boosted" in request.headers:
            return True
        request = request.redirected_from
    return False


@dataclass
class PageChecks:
    """Watches a Playwright page: console errors, and each page's HTML, headings, ids and
    accessibility (axe-core from node_modules)."""

    page: Page
    #: (message, URL of the resource it is about)
    errors: list[tuple[str, str]] = field(default_factory=list)
    #: the last page the server sent, to a navigation or to a boosted link or form
    shown: Response | None = None
    #: parts of a page htmx asked for since (a live preview, a polled status)
    fragments: list[Response] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("response", self._keep_html)
        self.page.on(
            "console",
            lambda m: m.type == "error" and self.errors.append((m.text, m.location.get("url", ""))),
        )
        self.page.on("pageerror", lambda error: self.errors.append((str(error), "")))

    def _keep_html(self, response: Response) -> None:
        kind = response.request.resource_type
        if (
            kind not in ("document", "xhr", "fetch")
            or not response.headers.get("content-type", "").startswith("text/html")
            or 300 <= response.status < 400  # the page is the one it leads to
        ):
            return
        if kind == "document" or _boosted(response.request):
            self.shown = response
            self.fragments.clear()
        else:
            self.fragments.append(response)

    def check(self, status: int = 200) -> None:
        """The page now shown passes every rule; call after each navigation. A page meant
        to answer an error ``status`` may have chromium's one line about that status."""
        page = self.page
        page.wait_for_load_state("load")
        assert self.shown is not None and self.shown.status == status, page.url
        html5lib.HTMLParser(strict=True).parse(self.shown.text())  # raises on a parse error
        for fragment in self.fragments:
            text = fragment.text()
            parser = html5lib.HTMLParser(strict=True)
            # a script's request that followed a redirect gets a whole page, not a part
            if text.lstrip()[:9].lower() == "<!doctype":
                parser.parse(text)
            else:
                parser.parseFragment(text)
        assert page.locator("h1").count() == 1, page.url
        duplicates = page.evaluate("""() => {
            const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
            return ids.filter((id, i) => ids.indexOf(id) !== i);
        }""")
        assert duplicates == [], (page.url, duplicates)
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # evaluated through the DevTools protocol: the page's CSP stays in force
            page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
        violations = page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }""")
        assert violations == [], (page.url, violations)
        expected = f"the server responded with a status of {status} "
        unexpected = [
            text
            for text, url in self.errors
            if not (status != 200 and url == self.shown.url and expected in text)
        ]
        assert unexpected == [], (page.url, unexpected)
        self.errors.clear()
        self.fragments.clear()


@pytest.fixture
def checked(page: Page) -> PageChecks:
    return PageChecks(page)
