"""Feedback under load: submitting a report with three 1 MB photos, and "my reports",
next to a bare Flask endpoint in the same run.

    .venv/bin/python benchmarks/feedback.py [--rounds 3] [--duration 8] [--clients 8] [--reports 10]

The real app (``catalog_app:app``, the installed plugins, feedback among them) and the bare
app (``bare_app:app`` answering the same bytes as a "my reports" page) run under gunicorn
with 2 sync workers on the embedded defaults (a fresh SQLite file, photos on disk, no
Redis), as ``catalog.py`` does. Each round, ``--clients`` threads keep one server busy for
``--duration`` seconds, then the next, the order alternating:

* **submit**: three photos uploaded one by one (``POST …/photos``, ~1 MB JPEG each: a
  phone photo's noise, so it does not compress away), then ``POST …/reports`` naming them;
  the report's latency is "submit", each upload's "upload", all four one after the
  other "whole";
* **list**: ``GET …/reports`` by other citizens, each with ``--reports`` reports of three
  photos filed before the rounds, so every page is the same size all along;
* **bare**: ``GET /api/v1/utilities`` on the bare app, the same JSON document as "list".

Targets: submit p95 ≤ 300 ms with the photos uploaded, list p95 ≤ 20 ms. Prints a table.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from catalog import embedded_environment, migrate, serve
from PIL import Image

API = "/api/v1/u/feedback"
#: what is timed: the report request, one photo upload, the three uploads and the report
#: one after the other, "my reports", the bare endpoint
NAMES = ("submit", "upload", "whole", "list", "bare")
RATE_LIMITS = {
    "reports_per_citizen": "100000/hour",
    "photos_per_citizen": "100000/hour",
    "writes_per_address": "100000/hour",
}
BODY = {
    "category": "road-damage",
    "title": "Ổ gà trước chợ Long Hoa",
    "description": "Ổ gà sâu, xe máy dễ té.",
    "latitude": 11.3101,
    "longitude": 106.0983,
    "ward_code": 25459,
    "answers": {"size": "large"},
    "public": True,
}


def phone_photo(target_bytes: int = 1_000_000) -> bytes:
    """A JPEG of about ``target_bytes``: random noise, as a camera sensor's, compresses
    as badly as a real photo."""
    random.seed(7)
    side = 900
    while True:
        image = Image.frombytes("RGB", (side, side), random.randbytes(side * side * 3))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        if buffer.tell() >= target_bytes:
            return buffer.getvalue()
        side += 100


def prepare(environ: dict[str, str], clients: int) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Citizens' tokens, an admin's token, and the demo categories, made in-process on the
    same database and secret as the servers."""
    os.environ.update(environ)
    from smartapp import create_app
    from smartapp.extensions import db
    from smartapp.identity.services import create_staff

    app = create_app()
    with app.app_context():
        from smartapp_feedback.categories import seed_demo_categories

        seed_demo_categories()
        admin = create_staff("bench@staff.test", "bench password 123", "admin")
        db.session.commit()
        admin_token = app.extensions["smartapp.staff_tokens"].issue(
            admin.id, admin.token_generation
        )
        verifier = app.extensions["smartapp.verifiers"]["development"]
        tokens = [verifier.issue(f"+8491200{i:04d}", None) for i in range(clients)]
    return (
        [{"Authorization": f"Bearer {t}"} for t in tokens],
        {"Authorization": f"Bearer {admin_token}"},
    )


def submit_once(
    session: requests.Session,
    base: str,
    headers: dict[str, str],
    photo: bytes,
    samples: dict[str, list[float]],
) -> None:
    ids = []
    began = time.perf_counter()
    for _ in range(3):
        started = time.perf_counter()
        response = session.post(
            f"{base}{API}/photos", headers=headers, files={"file": ("IMG.jpg", photo, "image/jpeg")}
        )
        samples["upload"].append(time.perf_counter() - started)
        if response.status_code != 201:
            sys.exit(f"upload answered {response.status_code}: {response.text[:300]}")
        ids.append(response.json()["id"])
    started = time.perf_counter()
    response = session.post(
        f"{base}{API}/reports", headers=headers, json={**BODY, "photo_ids": ids}
    )
    samples["submit"].append(time.perf_counter() - started)
    samples["whole"].append(time.perf_counter() - began)
    if response.status_code != 201:
        sys.exit(f"submit answered {response.status_code}: {response.text[:300]}")


def consent(base: str, citizens: list[dict[str, str]]) -> None:
    """Each citizen accepts the privacy notice, as the app asks before the first report."""
    notice = requests.get(f"{base}/api/v1/privacy/notice", timeout=10).json()
    body = {"version": notice["version"], "purposes": [p["slug"] for p in notice["purposes"]]}
    for headers in citizens:
        answer = requests.post(
            f"{base}/api/v1/privacy/consent", headers=headers, json=body, timeout=10
        )
        if answer.status_code != 201:
            sys.exit(f"consent answered {answer.status_code}: {answer.text[:300]}")


def file_reports(base: str, citizens: list[dict[str, str]], photo: bytes, count: int) -> None:
    """``count`` reports with three photos for each citizen, one thread per citizen."""
    unused: dict[str, list[float]] = {name: [] for name in NAMES}

    def run(headers: dict[str, str]) -> None:
        session = requests.Session()
        for _ in range(count):
            submit_once(session, base, headers, photo, unused)

    threads = [threading.Thread(target=run, args=(h,)) for h in citizens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def get_once(
    session: requests.Session,
    url: str,
    headers: dict[str, str],
    name: str,
    samples: dict[str, list[float]],
) -> None:
    started = time.perf_counter()
    response = session.get(url, headers=headers)
    samples[name].append(time.perf_counter() - started)
    if response.status_code != 200:
        sys.exit(f"{name} answered {response.status_code}: {response.text[:300]}")


def load(
    kind: str,
    urls: dict[str, str],
    citizens: list[dict[str, str]],
    photo: bytes,
    duration: float,
    samples: dict[str, list[float]],
) -> None:
    deadline = time.monotonic() + duration

    def client(headers: dict[str, str]) -> None:
        session = requests.Session()
        local: dict[str, list[float]] = {name: [] for name in NAMES}
        while time.monotonic() < deadline:
            if kind == "submit":
                submit_once(session, urls["app"], headers, photo, local)
            elif kind == "list":
                get_once(session, f"{urls['app']}{API}/reports", headers, "list", local)
            else:
                get_once(session, f"{urls['bare']}/api/v1/utilities", {}, "bare", local)
        with lock:
            for name, values in local.items():
                samples[name].extend(values)

    lock = threading.Lock()
    threads = [threading.Thread(target=client, args=(h,)) for h in citizens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--reports", type=int, default=10, help="each listing citizen's")
    args = parser.parse_args()
    photo = phone_photo()
    with tempfile.TemporaryDirectory(prefix="feedback-bench-") as folder:
        work = Path(folder)
        environ = embedded_environment(work)
        environ["SMARTAPP_FEEDBACK_PHOTO_DIR"] = str(work / "photos")
        migrate(environ)
        citizens, admin = prepare(environ, 2 * args.clients)
        submitters, listers = citizens[: args.clients], citizens[args.clients :]
        with serve("app", "catalog_app:app", environ, work) as app_server:
            base = app_server.url.split("/api/")[0]
            settings = requests.put(
                f"{base}/api/v1/admin/plugins/feedback/settings",
                headers=admin,
                json=RATE_LIMITS,
                timeout=10,
            )
            settings.raise_for_status()
            consent(base, citizens)
            file_reports(base, listers, photo, args.reports)
            page = requests.get(f"{base}{API}/reports", headers=listers[0], timeout=10)
            assert len(page.json()["items"]) == min(args.reports, 20)
            payload = work / "bare-payload.json"
            payload.write_text(json.dumps(page.json(), ensure_ascii=False), encoding="utf-8")
            environ["BARE_PAYLOAD_FILE"] = str(payload)
            with serve("bare", "bare_app:app", environ, work) as bare_server:
                urls = {"app": base, "bare": bare_server.url.split("/api/")[0]}
                samples: dict[str, list[float]] = {name: [] for name in NAMES}
                kinds = ["submit", "list", "bare"]
                for round_number in range(args.rounds):
                    for kind in kinds if round_number % 2 == 0 else kinds[::-1]:
                        who = submitters if kind == "submit" else listers
                        load(kind, urls, who, photo, args.duration, samples)
                    print(
                        f"round {round_number + 1}: "
                        + ", ".join(f"{k} {len(v)}" for k, v in samples.items()),
                        flush=True,
                    )
    print(
        f"\n{len(photo):,}-byte photos, {args.clients} clients, {args.rounds} rounds × "
        f"{args.duration:g} s, {args.reports} reports a listed page, "
        f"Python {platform.python_version()}\n"
    )
    print("| request | requests | p50 | p95 | target p95 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    targets = {"submit": "≤ 300 ms", "list": "≤ 20 ms"}
    for name in NAMES:
        values = samples[name]
        print(
            f"| {name} | {len(values):,} | {statistics.median(values) * 1000:.1f} ms | "
            f"{p95(values):.1f} ms | {targets.get(name, '')} |"
        )


if __name__ == "__main__":
    main()
