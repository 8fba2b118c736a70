"""Home-screen catalog throughput against a bare Flask JSON endpoint, in the same run.

    .venv/bin/python benchmarks/catalog.py [--rounds 12] [--duration 5] [--connections 32]

Serves ``catalog_app:app`` (the real app on the embedded defaults: a fresh SQLite file
migrated with ``smartapp db upgrade``, no Redis) twice — with the development sign-in, and
with a Firebase project whose ID tokens firebase-admin verifies (signed locally, see
``firebase_keys.py``) — and ``bare_app:app`` (the same JSON bytes from a plain Flask view),
with gunicorn, 2 sync workers each, on 127.0.0.1. Then, in short rounds, loads each case with
wrk (rotating the order) — anonymous, a signed-in citizen with a ward (development token, then
Firebase ID token), bare — and reports the medians and the median of the per-round ratios
against the 0.85 target, and the 304 (``If-None-Match``) path for information. Every
server's process group is ended on exit, Ctrl-C included. See ``README.md`` here.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from firebase_keys import LocalFirebaseKeys

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
TARGET_RATIO = 0.85
WORKERS = 2
QUERY = "/api/v1/utilities?platform=android&app_version=3.2.0"
HEADERS = {"Accept-Language": "vi"}
WARM_UP_SECONDS = 3
#: the signed-in citizens' profile ward (Phường Tân Ninh, Tây Ninh)
WARD_CODE = 25480
FIREBASE_PROJECT = "smartapp-benchmark"


@dataclass(frozen=True)
class Server:
    name: str
    url: str


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    latency: str
    errors: int


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # Many short rounds rather than a few long ones: the load of a shared machine changes
    # within seconds, and each round's ratio compares two runs only seconds apart.
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    options = parser.parse_args()
    if subprocess.run(["which", "wrk"], capture_output=True).returncode != 0:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    # Ctrl-C and SIGTERM unwind through `finally`, which ends the servers' process groups
    # (SIGINT explicitly: a shell starting this in the background would have it ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tempfile.TemporaryDirectory(prefix="smartapp-bench-") as workdir:
        work = Path(workdir)
        environ = embedded_environment(work)
        migrate(environ)
        keys = LocalFirebaseKeys(FIREBASE_PROJECT, work)
        with contextlib.ExitStack() as servers:
            firebase_environ = {**environ, **servers.enter_context(keys.serve())}
            catalog = servers.enter_context(serve("catalog", "catalog_app:app", environ, work))
            firebase = servers.enter_context(
                serve("catalog-firebase", "catalog_app:app", firebase_environ, work)
            )
            body, etag = fetch_catalog(catalog.url)
            payload_file = work / "payload.json"
            payload_file.write_bytes(body)
            bare = servers.enter_context(
                serve(
                    "bare",
                    "bare_app:app",
                    {**environ, "BARE_PAYLOAD_FILE": str(payload_file)},
                    work,
                )
            )
            bare_size = len(fetch(bare.url, HEADERS)[1])
            print(f"payload: catalog {len(body)} bytes, bare {bare_size} bytes; ETag {etag}")
            development_token = development_sign_in(catalog.url)
            firebase_token = keys.issue("benchmark-citizen", "+84912000002")
            loads = {
                "catalog": (catalog.url, HEADERS),
                "citizen (development token)": (
                    catalog.url,
                    signed_in(catalog.url, development_token, body),
                ),
                "citizen (Firebase ID token)": (
                    firebase.url,
                    signed_in(firebase.url, firebase_token, body),
                ),
                "bare": (bare.url, HEADERS),
                "catalog 304": (catalog.url, {**HEADERS, "If-None-Match": etag}),
            }
            results = measure(loads, options)
            print(f"Google certificate fetches by the Firebase workers: {keys.fetches}")
    report(results, options)
    return 0


def embedded_environment(work: Path) -> dict[str, str]:
    """The process environment minus any ``SMARTAPP_*``: the app's embedded defaults, with
    the database in ``work`` and a secret given so nothing is written under ``instance/``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SMARTAPP_")}
    environ["SMARTAPP_DATABASE_URL"] = f"sqlite:///{work / 'smartapp.sqlite3'}"
    environ["SMARTAPP_SECRET_KEY"] = secrets.token_urlsafe(48)
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), environ.get("PYTHONPATH")]))
    return environ


def migrate(environ: dict[str, str]) -> None:
    subprocess.run(
        [str(VENV_BIN / "smartapp"), "db", "upgrade"], env=environ, check=True, capture_output=True
    )


@contextlib.contextmanager
def serve(name: str, app: str, environ: dict[str, str], work: Path) -> Iterator[Server]:
    """gunicorn serving ``app`` in its own process group, ended (all workers) on exit."""
    port = free_port()
    log = work / f"{name}.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                app,
            ],
            cwd=HERE,
            env=environ,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, f"http://127.0.0.1:{port}{QUERY}")
    try:
        wait_until_serving(server, process, log)
        yield server
    finally:
        stop(process)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(server: Server, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{server.name} server exited:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            fetch(server.url, HEADERS)
            return
        time.sleep(0.2)
    sys.exit(f"{server.name} server did not answer within 30 s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def fetch(
    url: str, headers: dict[str, str], method: str = "GET", body: bytes | None = None
) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers, method=method, data=body)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:  # 304 lands here
        return error.code, error.read(), dict(error.headers)


def fetch_catalog(url: str) -> tuple[bytes, str]:
    """The catalog's body and ETag, after checking it has tiles and honours If-None-Match."""
    status, body, headers = fetch(url, HEADERS)
    tiles = json.loads(body)["items"] if status == 200 else []
    if len(tiles) < 3:
        sys.exit(f"catalog answered {status} with {len(tiles)} tiles: {body[:500]!r}")
    etag = headers["ETag"]
    status, _, _ = fetch(url, {**HEADERS, "If-None-Match": etag})
    if status != 304:
        sys.exit(f"catalog answered {status}, not 304, to If-None-Match: {etag}")
    print(f"catalog tiles: {', '.join(tile['slug'] for tile in tiles)}")
    return body, etag


def development_sign_in(catalog_url: str) -> str:
    origin = catalog_url.split("/api/")[0]
    status, body, _ = fetch(
        f"{origin}/api/v1/auth/dev/sign-in",
        {"Content-Type": "application/json"},
        "POST",
        json.dumps({"phone_number": "+84912000001"}).encode(),
    )
    if status != 200:
        sys.exit(f"development sign-in answered {status}: {body[:500]!r}")
    return json.loads(body)["id_token"]


def accept_notice(origin: str, headers: dict[str, str]) -> None:
    """The citizen accepts the privacy notice, as the app asks before a ward is stored."""
    _, body, _ = fetch(f"{origin}/api/v1/privacy/notice", HEADERS)
    notice = json.loads(body)
    consent = {"version": notice["version"], "purposes": [p["slug"] for p in notice["purposes"]]}
    status, body, _ = fetch(
        f"{origin}/api/v1/privacy/consent",
        {**headers, "Content-Type": "application/json"},
        "POST",
        json.dumps(consent).encode(),
    )
    if status != 201:
        sys.exit(f"consent answered {status}: {body[:500]!r}")


def signed_in(catalog_url: str, token: str, anonymous_body: bytes) -> dict[str, str]:
    """The headers of a citizen with ``token`` whose profile has a ward, after checking the
    catalog answers them privately, with the same tiles (no plugin here gives badges)."""
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    origin = catalog_url.split("/api/")[0]
    accept_notice(origin, headers)
    status, body, _ = fetch(
        f"{origin}/api/v1/me",
        {**headers, "Content-Type": "application/json"},
        "PATCH",
        json.dumps({"ward_code": WARD_CODE}).encode(),
    )
    if status != 200 or json.loads(body)["ward_code"] != WARD_CODE:
        sys.exit(f"PATCH /me answered {status}: {body[:500]!r}")
    status, body, response_headers = fetch(catalog_url, headers)
    if status != 200 or response_headers.get("Cache-Control") != "private, no-cache":
        sys.exit(f"signed-in catalog answered {status}, {response_headers}")
    if body != anonymous_body:
        sys.exit(f"signed-in catalog differs from the anonymous one: {body[:500]!r}")
    return headers


def wrk(url: str, headers: dict[str, str], seconds: int, options: argparse.Namespace) -> WrkResult:
    command = ["wrk", f"-t{options.threads}", f"-c{options.connections}", f"-d{seconds}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    latency = re.search(r"Latency\s+(\S+)", output)
    if rate is None or latency is None:
        sys.exit(f"unexpected wrk output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return WrkResult(float(rate.group(1)), latency.group(1), errors)


def measure(
    loads: dict[str, tuple[str, dict[str, str]]], options: argparse.Namespace
) -> dict[str, list[WrkResult]]:
    """Rounds of every load (rotating the order, so drift in the machine's load hits them
    alike; the 304 path last); every run must be free of errors."""
    for url, headers in loads.values():
        wrk(url, headers, WARM_UP_SECONDS, options)
    results: dict[str, list[WrkResult]] = {name: [] for name in loads}
    rotated = [name for name in loads if name != "catalog 304"]
    for round_number in range(options.rounds):
        shift = round_number % len(rotated)
        for name in [*rotated[shift:], *rotated[:shift], "catalog 304"]:
            result = wrk(*loads[name], options.duration, options)
            if result.errors:
                sys.exit(f"{name}: {result.errors} errors or non-2xx/3xx responses under load")
            results[name].append(result)
        line = ", ".join(
            f"{name} {runs[-1].requests_per_second:,.0f}" for name, runs in results.items()
        )
        print(f"round {round_number + 1}/{options.rounds} (req/s): {line}", flush=True)
    return results


def report(results: dict[str, list[WrkResult]], options: argparse.Namespace) -> None:
    medians = {
        name: statistics.median(r.requests_per_second for r in runs)
        for name, runs in results.items()
    }
    print()
    print(machine())
    print(
        f"wrk -t{options.threads} -c{options.connections} -d{options.duration}s, "
        f"{options.rounds} rounds, gunicorn {WORKERS} sync workers each, GET {QUERY}"
    )
    print()
    print("| endpoint | median req/s | rounds (req/s) | median latency |")
    print("| --- | ---: | --- | ---: |")
    for name, runs in results.items():
        per_round = ", ".join(f"{r.requests_per_second:,.0f}" for r in runs)
        latency = sorted(runs, key=lambda r: r.requests_per_second)[(len(runs) - 1) // 2].latency
        print(f"| {name} | {medians[name]:,.0f} | {per_round} | {latency} |")
    print()
    for name, runs in results.items():
        if name == "bare":
            continue
        round_ratios = [
            r.requests_per_second / b.requests_per_second
            for r, b in zip(runs, results["bare"], strict=True)
        ]
        ratio = statistics.median(round_ratios)
        print(
            f"{name} / bare, median of the per-round ratios: {ratio:.3f} "
            f"({min(round_ratios):.2f}–{max(round_ratios):.2f}); target ≥ {TARGET_RATIO}: "
            f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}; ratio of the medians: "
            f"{medians[name] / medians['bare']:.3f}"
        )


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    memory = re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text())
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    wrk_name = wrk_version.splitlines()[0].split(" [")[0] if wrk_version else "wrk"
    memory_text = f"{int(memory.group(1)) / 2**20:.1f} GiB" if memory else "unknown memory"
    packages = ", ".join(
        f"{name} {version(name)}"
        for name in (
            "smartapp",
            "flask",
            "werkzeug",
            "flask-smorest",
            "marshmallow",
            "sqlalchemy",
            "gunicorn",
        )
    )
    return "\n".join(
        [
            f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"machine: {len(os.sched_getaffinity(0))} CPUs "
            f"({model.group(1) if model else 'unknown model'}), {memory_text}",
            f"python {platform.python_version()}; {packages}; {wrk_name}",
            "load average (1, 5, 15 min) at the end: "
            + ", ".join(f"{load:.2f}" for load in os.getloadavg()),
        ]
    )


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted; servers stopped")
