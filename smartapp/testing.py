"""pytest fixtures for the core and for plugin authors (registered as a pytest plugin).

Installing smartapp makes these fixtures available to any test suite::

    @pytest.fixture
    def smartapp_plugins():
        return [ParkingPlugin]          # the app under test loads exactly these

    @with_plugins(ParkingPlugin, OtherPlugin)   # or per test
    def test_lots(client, citizen):
        assert client.get("/api/v1/u/parking/lots", headers=citizen.headers).status_code == 200

Every test gets a fresh app on a migrated database (core and the chosen plugins' lineages,
migrated once per session) that is emptied after the test. ``--smartapp-databases
sqlite,postgresql`` (or ``SMARTAPP_TEST_DATABASES``) runs each database test on both;
PostgreSQL tests use a throw-away schema in ``SMARTAPP_TEST_POSTGRES_URL``.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient
from werkzeug.serving import make_server

import smartapp.lineages as lineages
from smartapp.app import create_app
from smartapp.consent.services import current_notice, new_consent
from smartapp.extensions import db
from smartapp.identity.citizens import citizen_from_claims
from smartapp.identity.models import Citizen, Role, Staff
from smartapp.identity.services import new_staff
from smartapp.plugins.base import Plugin
from smartapp.plugins.citizen_data import citizen_data_problems
from smartapp.plugins.hooks import hook_problems, unknown_hooks

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEST_PASSWORD = "correct horse battery staple"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--smartapp-databases",
        default=os.environ.get("SMARTAPP_TEST_DATABASES", "sqlite"),
        help="comma-separated databases each database test runs on: sqlite, postgresql",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "smartapp_plugins(*classes): load these plugin classes in the test's app "
        "(use smartapp.testing.with_plugins)",
    )
    config.addinivalue_line(
        "markers", "smartapp_config(**env): SMARTAPP_* settings for the test's app"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "smartapp_database" in metafunc.fixturenames:
        backends = [
            b.strip()
            for b in metafunc.config.getoption("--smartapp-databases").split(",")
            if b.strip()
        ]
        metafunc.parametrize("smartapp_database", backends, indirect=True, scope="session")


@dataclass
class TestDatabase:
    """A database the tests own for the session, and what has been migrated in it."""

    backend: str
    url: str
    migrated: set[str] = field(default_factory=set)


@pytest.fixture(scope="session")
def smartapp_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestDatabase]:
    """The session's database for one backend (the test is run once per backend)."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "smartapp.sqlite3"
        yield TestDatabase("sqlite", f"sqlite:///{path}")
        return
    if backend != "postgresql":
        raise pytest.UsageError(f"unknown database {backend!r}: use sqlite or postgresql")
    with postgres_schema() as url:
        yield TestDatabase("postgresql", url)


@contextmanager
def postgres_schema(base_url: str | None = None, prefix: str = "smartapp_test") -> Iterator[str]:
    """A database URL whose tables live in a new, throw-away schema of ``base_url``
    (``SMARTAPP_TEST_POSTGRES_URL`` by default); extensions stay reachable in ``public``."""
    base_url = base_url or os.environ.get("SMARTAPP_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options=-csearch_path%3D{schema},public"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def with_plugins(*plugin_classes: type) -> pytest.MarkDecorator:
    """Decorate a test (or a class of tests) whose app loads exactly ``plugin_classes``.

    (A bare ``pytest.mark.smartapp_plugins(OnePlugin)`` would mark the class instead.)
    """
    return pytest.mark.smartapp_plugins.with_args(*plugin_classes)


def check_plugin(plugin_class: type[Plugin]) -> None:
    """Fail when ``plugin_class`` breaks the hook contract: an override whose signature does
    not fit its hook (registration would mark the plugin ``invalid``), a public method
    named like a hook without being one (a misspelling the core would never call), or
    models storing citizen ids without both ``export_citizen_data`` and
    ``erase_citizen_data`` (a citizen's export and erasure would miss them)::

        def test_plugin_keeps_the_hook_contract():
            check_plugin(ParkingPlugin)
    """
    problems = (
        hook_problems(plugin_class, Plugin)
        + unknown_hooks(plugin_class, Plugin)
        + citizen_data_problems(plugin_class)
    )
    assert not problems, f"{plugin_class.__name__}: " + "; ".join(problems)


@pytest.fixture
def smartapp_plugins(request: pytest.FixtureRequest) -> list[type]:
    """The plugin classes the test's app loads; override this fixture, or decorate a test
    with :func:`with_plugins`. None by default."""
    marker = request.node.get_closest_marker("smartapp_plugins")
    return list(marker.args) if marker else []


@pytest.fixture
def smartapp_config(request: pytest.FixtureRequest) -> dict[str, str]:
    """Extra ``SMARTAPP_*`` settings; override, or mark ``@pytest.mark.smartapp_config(...)``."""
    marker = request.node.get_closest_marker("smartapp_config")
    return dict(marker.kwargs) if marker else {}


@pytest.fixture
def app(
    smartapp_database: TestDatabase,
    smartapp_plugins: list[type],
    smartapp_config: dict[str, str],
    tmp_path: Path,
) -> Iterator[Flask]:
    """A fresh app on the migrated test database, emptied after the test."""
    config = {
        "SMARTAPP_ENV": "testing",
        "SMARTAPP_DATABASE_URL": smartapp_database.url,
        "SMARTAPP_SECRET_KEY": secrets.token_urlsafe(32),
        "SMARTAPP_STATE_TTL_MS": "0",  # see every change at once
        "SMARTAPP_REDIS_URL": "",
        "SMARTAPP_FIREBASE_PROJECT_ID": "",
        **smartapp_config,
    }
    application = create_app(config, plugins=smartapp_plugins, instance_path=tmp_path)
    application.testing = True
    with application.app_context():
        for lineage in lineages.lineages():
            key = f"{lineage.name}:{lineage.versions_path}"
            if key not in smartapp_database.migrated:
                lineages.upgrade(lineage)
                smartapp_database.migrated.add(key)
        try:
            yield application
        finally:
            db.session.remove()
            clean_database()
            db.engine.dispose()


def clean_database() -> None:
    """Empty every table the models know, keeping the schema and migration history."""
    existing = set(sa.inspect(db.engine).get_table_names())
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name in existing]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql" and tables:
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
            # AUTOINCREMENT counters (citizens), as PostgreSQL's RESTART IDENTITY
            counters = "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
            if connection.scalar(sa.text(counters)):
                connection.execute(sa.text("DELETE FROM sqlite_sequence"))


@pytest.fixture
def clean_db(app: Flask) -> Iterator[None]:
    """Start from an empty database even if something before the test wrote to it."""
    clean_database()
    yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@dataclass
class SignedIn:
    """A signed-in principal: its account and the headers that authenticate as it."""

    account: Any
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_citizen(app: Flask) -> Callable[..., SignedIn]:
    """Sign citizens in through the development sign-in: ``make_citizen("+84912000001",
    ward_code=25459)``. They have accepted the current privacy notice with every purpose,
    unless ``consent=False``."""

    def make(phone_number: str = "+84912000001", consent: bool = True, **profile: Any) -> SignedIn:
        from smartapp.identity.tokens import DevelopmentVerifier

        verifier: DevelopmentVerifier = app.extensions["smartapp.verifiers"]["development"]
        token = verifier.issue(phone_number, profile.get("display_name"))
        citizen: Citizen = citizen_from_claims(verifier.verify(token))
        for name, value in profile.items():
            setattr(citizen, name, value)
        if consent:
            notice = current_notice()
            new_consent(citizen, notice.version, [p["slug"] for p in notice.purposes], None)
        db.session.commit()
        return SignedIn(citizen, token)

    return make


@pytest.fixture
def citizen(make_citizen: Callable[..., SignedIn]) -> SignedIn:
    """A signed-in citizen."""
    return make_citizen()


@pytest.fixture
def make_staff(app: Flask) -> Callable[..., SignedIn]:
    """Staff accounts with a bearer token: ``make_staff("agency_staff", agency_code="SXD")``."""
    counter = iter(range(1, 10_000))

    def make(role: str = Role.ADMIN, email: str | None = None, **extra: Any) -> SignedIn:
        email = email or f"{role}{next(counter)}@staff.test"
        staff: Staff = new_staff(
            email, TEST_PASSWORD, role, extra.get("agency_code"), extra.get("permissions")
        )
        db.session.commit()
        tokens = app.extensions["smartapp.staff_tokens"]
        return SignedIn(staff, tokens.issue(staff.id, staff.token_generation))

    return make


@pytest.fixture
def admin(make_staff: Callable[..., SignedIn]) -> SignedIn:
    """A signed-in administrator."""
    return make_staff(Role.ADMIN)


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class ConsoleClient:
    """The test client as a browser on the staff console: signs in through the real form
    and sends each form with the CSRF token of the page, as a browser would."""

    client: FlaskClient
    HTML = {"Accept": "text/html"}

    def csrf_token(self, path: str = "/admin/") -> str:
        # Flask-WTF caches the token on ``g``, which the test's app context outlives
        g.pop("csrf_token", None)
        page = self.client.get(path, headers=self.HTML).get_data(as_text=True)
        match = CSRF_FIELD.search(page)
        assert match, page[:500]
        return match.group(1)

    def sign_in(self, staff: SignedIn) -> ConsoleClient:
        response = self.client.post(
            "/admin/",
            data={
                "email": staff.account.email,
                "password": TEST_PASSWORD,
                "csrf_token": self.csrf_token(),
            },
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        return self

    def get(self, path: str, headers: Mapping[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.get(path, headers={**self.HTML, **(headers or {})}, **kwargs)

    def post(
        self, path: str, data: Mapping[str, Any] | None = None, csrf: bool = True, **kwargs: Any
    ) -> Any:
        """POST a form with the token (``csrf=False`` leaves it out)."""
        body = dict(data or {})
        if csrf:
            body["csrf_token"] = self.csrf_token()
        return self.client.post(path, data=body, headers=self.HTML, **kwargs)


@pytest.fixture
def console(client: FlaskClient) -> ConsoleClient:
    """The console as a browser: ``console.sign_in(staff).get("/admin/u/parking/")``."""
    return ConsoleClient(client)


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` with werkzeug's threaded server on a free loopback port, in a thread,
    and yield its base URL (``http://127.0.0.1:PORT``): for browser tests and scripts."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="smartapp-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test's app served over real HTTP (see :func:`serve`); yields its base URL."""
    with serve(app) as url:
        yield url


def free_port() -> int:
    """A loopback port nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn_server(
    wsgi_source: str,
    directory: Path,
    env: Mapping[str, str],
    *,
    workers: int = 2,
    python_path: Sequence[str] = (),
    config: Path | None = None,
) -> Iterator[str]:
    """Real gunicorn workers (``-w WORKERS``, the JSON error worker of the shipped
    ``gunicorn.conf.py``, or that file itself as ``config``) serving ``app`` from
    ``wsgi_source``, the text of a module written to ``directory``; yields the base URL once
    ``/healthz`` answers, and stops them after. For tests of concurrency across processes."""
    (directory / "test_wsgi.py").write_text(wsgi_source)
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        *(["-c", str(config)] if config else []),
        "-k",
        "smartapp.server.JSONErrorWorker",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "/dev/null",
        "test_wsgi:app",
    ]
    paths = os.pathsep.join([str(directory), *python_path])
    server = subprocess.Popen(
        command,
        env={**os.environ, **env, "PYTHONPATH": paths},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:  # not listening or still booting
                pass
            if server.poll() is not None:
                output = server.stdout.read().decode() if server.stdout else ""
                raise RuntimeError(f"gunicorn exited:\n{output}")
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz within 30 s")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
