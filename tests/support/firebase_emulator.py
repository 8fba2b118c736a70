"""Run the real Firebase Auth emulator for tests and talk to it like a phone app.

Why this exists: the backend trusts Firebase ID tokens that the mobile app gets
after a phone-number (SMS) sign-in. Mocking ``verify_id_token`` would test
nothing of that contract, so the test suite starts the real Auth emulator from
the npm package ``firebase-tools`` (pinned in ``package.json``, installed with
``npm ci``), signs a citizen in through the same Identity Toolkit REST calls
the Firebase client SDK makes, and lets the real ``firebase_admin`` library
verify the resulting token (with ``FIREBASE_AUTH_EMULATOR_HOST`` set).

The Auth emulator is plain Node.js: it needs no Java, no login and no network.
The CLI around it does try to reach the network (message-of-the-day fetch,
update check, usage analytics); :func:`emulator_cli_env` switches all of that
off, see there.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

#: Repository root: ``tests/support/firebase_emulator.py`` -> repo root. The CLI
#: reads ``firebase.json`` from its working directory, so it runs from here.
REPO_ROOT: Path = Path(__file__).resolve().parents[2]

#: A ``demo-`` project id makes firebase-tools run fully offline: it never asks
#: for credentials and never calls production APIs for such a project.
DEFAULT_PROJECT_ID = "demo-smartapp"

#: Must match ``emulators.auth`` in ``firebase.json``.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9099

#: The emulator accepts any API key; a phone app always sends one, so we do too.
FAKE_API_KEY = "fake-api-key"

#: Per-request timeout (seconds) for every HTTP call to the emulator, so a hung
#: emulator fails a test instead of hanging the suite.
HTTP_TIMEOUT = 10.0

# A harmless, reserved test number used to probe an already-running emulator.
_PROBE_PHONE_NUMBER = "+15555550100"


class EmulatorError(RuntimeError):
    """The emulator could not be started, or answered something unexpected."""


def emulator_cli_env(work_dir: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment for the ``firebase`` CLI process.

    Each variable is here because of something firebase-tools 15 does on start:

    * ``CI=true``: skips the message-of-the-day fetch from
      ``firebase-public.firebaseio.com`` (``lib/fetchMOTD.js``) and, through
      ``is-ci``, disables ``update-notifier``, which would otherwise spawn a
      *detached* child that queries the npm registry (and would outlive the
      emulator's process group).
    * ``NO_UPDATE_NOTIFIER=1``: disables ``update-notifier`` even if ``CI`` is
      overridden to ``false`` by a caller.
    * ``XDG_CONFIG_HOME``: gives the CLI a fresh, private configstore, so a
      developer's ``firebase login`` (tokens, the ``usage`` analytics opt-in)
      is neither used nor modified; without ``usage`` set, analytics are off.
    * ``TMPDIR``: the emulator hub writes its locator file
      ``hub-<project>.json`` to the temp dir; a private one keeps parallel or
      stale runs from seeing each other.
    * ``FIREBASE_DEBUG_PATH``: otherwise ``firebase-debug.log`` is written into
      the working directory (the repo root) and is left behind whenever the
      CLI is killed instead of exiting cleanly.
    """
    env = dict(os.environ if base is None else base)
    # Never let an outer emulator setting leak into the CLI itself.
    env.pop("FIREBASE_AUTH_EMULATOR_HOST", None)
    config_dir = work_dir / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "CI": "true",
            "NO_UPDATE_NOTIFIER": "1",
            "XDG_CONFIG_HOME": str(config_dir),
            "TMPDIR": str(work_dir),
            "FIREBASE_DEBUG_PATH": str(work_dir / "firebase-debug.log"),
        }
    )
    return env


def _port_is_open(host: str, port: int) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _is_auth_emulator(host: str) -> bool:
    """Whether ``host`` ("ip:port") answers like a ready Auth emulator.

    The emulator's root path returns ``{"authEmulator": {"ready": true, ...}}``.
    """
    try:
        response = requests.get(f"http://{host}/", timeout=2.0)
        body: Any = response.json()
    except (requests.RequestException, ValueError):
        return False
    return isinstance(body, dict) and bool(body.get("authEmulator", {}).get("ready"))


def _emulator_default_project_is(host: str, project_id: str) -> bool:
    """Whether the Auth emulator at ``host`` was started for ``project_id``.

    The emulator maps every API key to the project it was started with, and no
    endpoint reports that project. So we ask for a verification code with the
    API key (as an app would) and look for it in ``project_id``'s list. The
    only side effect is one unused verification code.
    """
    session = _send_verification_code(host, _PROBE_PHONE_NUMBER)
    return any(
        entry.get("sessionInfo") == session for entry in _list_verification_codes(host, project_id)
    )


def _set_parent_death_signal() -> None:
    """Ask Linux to SIGTERM the emulator if the test process dies abruptly.

    Runs in the child between fork and exec. It covers the case no ``finally``
    can: pytest killed with SIGKILL (e.g. a CI timeout), which would otherwise
    orphan the Node process and keep port 9099 busy for the next run.
    """
    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


class AuthEmulator:
    """The Firebase Auth emulator as a managed child process.

    Use as a context manager (or call :meth:`start` / :meth:`stop`)::

        with AuthEmulator() as emulator:
            token = sign_in_with_phone(emulator.host, "+84912345678")

    If the port is already taken by an Auth emulator that serves
    ``project_id`` (for instance one a developer runs in another terminal),
    it is reused and left running on :meth:`stop`. Anything else on the port
    is an error: the tests would otherwise talk to the wrong server.

    ``host``/``port`` are only where this class looks for the emulator: the
    CLI takes the address from ``firebase.json`` (127.0.0.1:9099), so change
    both together. Start it from the main thread: on Linux the child gets
    SIGTERM when the thread that spawned it exits (see
    :func:`_set_parent_death_signal`).
    """

    def __init__(
        self,
        project_id: str = DEFAULT_PROJECT_ID,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        startup_timeout: float = 60.0,
        repo_root: Path = REPO_ROOT,
    ) -> None:
        self.project_id = project_id
        self._bind_host = host
        self._port = port
        self.startup_timeout = startup_timeout
        self.repo_root = repo_root
        self._process: subprocess.Popen[bytes] | None = None
        self._work_dir: Path | None = None
        self._log_file: Any = None
        self.reused_existing = False
        #: Seconds from spawning the CLI until the emulator answered.
        self.startup_seconds: float | None = None

    @property
    def host(self) -> str:
        """``"127.0.0.1:9099"``: the value for ``FIREBASE_AUTH_EMULATOR_HOST``."""
        return f"{self._bind_host}:{self._port}"

    @property
    def firebase_bin(self) -> Path:
        """The CLI installed by ``npm ci`` from this repo's lock file."""
        return self.repo_root / "node_modules" / ".bin" / "firebase"

    @property
    def log_path(self) -> Path | None:
        """The CLI's combined stdout/stderr, while the emulator runs."""
        return None if self._work_dir is None else self._work_dir / "emulator.log"

    def _port_in_use(self) -> bool:
        """Whether anything listens on the emulator's port (used by tests of stop())."""
        return _port_is_open(self._bind_host, self._port)

    @property
    def running(self) -> bool:
        """Whether this object started (or reused) an emulator that is still up."""
        if self.reused_existing:
            return True
        return self._process is not None and self._process.poll() is None

    def start(self) -> AuthEmulator:
        """Start the emulator and block until it answers on its port.

        Raises :class:`EmulatorError` with the tail of the CLI log if the CLI
        exits early or the emulator is not ready within ``startup_timeout``.
        """
        if self.running:
            return self
        if self._port_in_use():
            if _is_auth_emulator(self.host) and _emulator_default_project_is(
                self.host, self.project_id
            ):
                self.reused_existing = True
                self.startup_seconds = 0.0
                return self
            raise EmulatorError(
                f"Port {self.host} is already in use by something that is not a Firebase Auth "
                f"emulator for project {self.project_id!r}. Stop it (e.g. `ss -ltnp "
                f"'sport = :{self._port}'` shows who holds it) and run the tests again."
            )
        if not self.firebase_bin.exists():
            raise EmulatorError(
                f"{self.firebase_bin} not found: run `npm ci` in {self.repo_root} to install "
                "firebase-tools from package-lock.json."
            )

        self._work_dir = Path(tempfile.mkdtemp(prefix="firebase-auth-emulator-"))
        assert self.log_path is not None
        self._log_file = self.log_path.open("wb")
        command = [
            str(self.firebase_bin),
            "emulators:start",
            "--only",
            "auth",
            "--project",
            self.project_id,
            "--non-interactive",
        ]
        started = time.monotonic()
        self._process = subprocess.Popen(
            command,
            cwd=self.repo_root,
            env=emulator_cli_env(self._work_dir),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            # Own process group (pgid == pid) so stop() can signal the CLI and
            # anything it spawned in one call.
            start_new_session=True,
            preexec_fn=_set_parent_death_signal if sys.platform == "linux" else None,
        )
        atexit.register(self.stop)
        try:
            self._wait_until_ready(started)
        except BaseException:
            self.stop(keep_logs=True)
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def _wait_until_ready(self, started: float) -> None:
        """Poll the emulator's root URL until it is ready, the CLI dies, or time runs out."""
        assert self._process is not None
        deadline = started + self.startup_timeout
        while True:
            code = self._process.poll()
            if code is not None:
                raise EmulatorError(
                    f"firebase emulators:start exited with code {code} before the Auth emulator "
                    f"was ready.\n--- log tail ({self.log_path}) ---\n{self.log_tail()}"
                )
            if _is_auth_emulator(self.host):
                return
            if time.monotonic() > deadline:
                raise EmulatorError(
                    f"The Auth emulator did not answer on {self.host} within "
                    f"{self.startup_timeout:.0f} s.\n--- log tail ({self.log_path}) ---\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.2)

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the CLI log, for error messages."""
        if self.log_path is None or not self.log_path.exists():
            return "<no log>"
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, *, keep_logs: bool = False, grace_seconds: float = 10.0) -> None:
        """Stop the emulator's whole process group and wait for it.

        SIGTERM first: the CLI then shuts the hub and emulator down cleanly and
        removes its hub locator file. After ``grace_seconds`` (or right after
        the leader exits) the group gets SIGKILL, so nothing it spawned can
        survive. Safe to call more than once. A reused emulator is left alone.
        """
        atexit.unregister(self.stop)
        if self.reused_existing:
            self.reused_existing = False
            return
        process, self._process = self._process, None
        if process is not None:
            pgid = process.pid  # start_new_session=True makes the child a group leader.
            self._signal_group(pgid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=grace_seconds)
            self._signal_group(pgid, signal.SIGKILL)
            process.wait(timeout=grace_seconds)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self._work_dir is not None and not keep_logs:
            shutil.rmtree(self._work_dir, ignore_errors=True)
            self._work_dir = None

    @staticmethod
    def _signal_group(pgid: int, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):  # The group is already gone.
            os.killpg(pgid, sig)

    def __enter__(self) -> AuthEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# --- REST helpers: the calls the Firebase client SDK makes on a phone ---------


def _identitytoolkit_url(host: str, method: str) -> str:
    return f"http://{host}/identitytoolkit.googleapis.com/v1/accounts:{method}?key={FAKE_API_KEY}"


def _post_json(url: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """POST JSON and return the JSON answer, raising with the emulator's error text."""
    response = requests.post(url, json=payload, timeout=HTTP_TIMEOUT)
    if not response.ok:
        raise EmulatorError(f"POST {url} -> {response.status_code}: {response.text}")
    body: dict[str, Any] = response.json()
    return body


def _send_verification_code(host: str, phone_number: str) -> str:
    """``accounts:sendVerificationCode``; returns the ``sessionInfo``.

    The emulator accepts any non-empty reCAPTCHA token, as the app's SDK would
    send one (real reCAPTCHA / Play Integrity cannot run in tests).
    """
    body = _post_json(
        _identitytoolkit_url(host, "sendVerificationCode"),
        {"phoneNumber": phone_number, "recaptchaToken": "fake-recaptcha-token"},
    )
    session_info: str = body["sessionInfo"]
    return session_info


def _list_verification_codes(host: str, project_id: str) -> list[dict[str, str]]:
    """The emulator's outbox of "SMS" codes for ``project_id``."""
    url = f"http://{host}/emulator/v1/projects/{project_id}/verificationCodes"
    response = requests.get(url, timeout=HTTP_TIMEOUT)
    if not response.ok:
        raise EmulatorError(f"GET {url} -> {response.status_code}: {response.text}")
    codes: list[dict[str, str]] = response.json().get("verificationCodes", [])
    return codes


def sign_in_with_phone(host: str, phone_number: str, project_id: str = DEFAULT_PROJECT_ID) -> str:
    """Sign in (creating the user on first use) by phone number; return an ID token.

    Same three steps as a phone app: request an SMS code, "read the SMS"
    (the emulator exposes sent codes instead of sending them), and exchange
    session + code for tokens. ``phone_number`` must be E.164 (``+84...``).
    """
    session_info = _send_verification_code(host, phone_number)
    code = next(
        (
            entry["code"]
            for entry in _list_verification_codes(host, project_id)
            if entry.get("sessionInfo") == session_info
        ),
        None,
    )
    if code is None:
        raise EmulatorError(
            f"No verification code for {phone_number} in project {project_id!r}; is the "
            f"emulator at {host} running for that project?"
        )
    body = _post_json(
        _identitytoolkit_url(host, "signInWithPhoneNumber"),
        {"sessionInfo": session_info, "code": code},
    )
    id_token: str = body["idToken"]
    return id_token


def set_display_name(host: str, id_token: str, name: str) -> None:
    """Set the signed-in user's display name, as ``user.updateProfile`` would.

    Note: the given ID token is not reissued; sign in again to get a token whose
    ``name`` claim carries the new name (``firebase_admin.auth.get_user`` sees
    it at once).
    """
    _post_json(_identitytoolkit_url(host, "update"), {"idToken": id_token, "displayName": name})


def clear_accounts(host: str, project_id: str = DEFAULT_PROJECT_ID) -> None:
    """Delete every user of ``project_id`` in the emulator (test isolation)."""
    url = f"http://{host}/emulator/v1/projects/{project_id}/accounts"
    response = requests.delete(url, timeout=HTTP_TIMEOUT)
    if not response.ok:
        raise EmulatorError(f"DELETE {url} -> {response.status_code}: {response.text}")
