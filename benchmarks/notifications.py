"""Push dispatch throughput: a token campaign to N devices through real ``smartapp worker``
processes, against a local FCM-compatible server answering after ~30 ms
(``benchmarks/fcm_stub.py``: why not the tests' server is said there).

    .venv/bin/python benchmarks/notifications.py [--devices 100000 1000000] [--workers 1 2]

For each size and worker count: a throw-away PostgreSQL schema (``SMARTAPP_TEST_POSTGRES_URL``,
default the shared test database) migrated with the core lineage, N citizens and devices
inserted with ``generate_series``, one campaign with its N delivery rows written as dispatch
writes them, then W ``smartapp worker --burst`` processes (Redis DB 4) dispatching it.
Reported: devices/s (wall time from the workers' start to the campaign's final status),
CPU time per device (the workers' user + system time, ``wait4``: what a shared machine's
load does not change), peak RSS of each worker, FCM requests, how busy the machine's CPUs
were meanwhile (``/proc/stat``: whoever used them), and the load average. The
same-run baseline is the bare sender: the same transport (libcurl) sending N messages with
no database, in one process. ``--concurrency`` is ``SMARTAPP_FCM_CONCURRENCY``.
Also: the request count of a whole-province broadcast (it must be 1).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REDIS_URL = "redis://127.0.0.1:6379/4"
LATENCY = 0.03

# The same transport and the same window as a worker (2 x concurrency handed over and not
# yet answered), with no database.
BARE = """
import sys, threading, time
from smartapp.notifications.fcm import FcmGateway
from smartapp.notifications.gateway import PushMessage
host, count, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
gateway = FcmGateway("bench", emulator_host=host, concurrency=concurrency)
message = PushMessage("Lịch tiêm chủng", "Thứ Hai tại trạm y tế", token="",
                      data={"notification_id": "1"}, ttl_seconds=3600, collapse_key="n1")
window, failed = threading.Semaphore(2 * concurrency), []

def answer(index, result):
    if not result.sent:
        failed.append(result)
    window.release()

started, sent = time.perf_counter(), 0
while sent < count:  # hand over as many as have a free place, as a worker's round does
    window.acquire()
    free = 1
    while free < count - sent and window.acquire(blocking=False):
        free += 1
    gateway.send_to_tokens(message, [f"bare-{n}" for n in range(sent, sent + free)], answer)
    sent += free
for _ in range(2 * concurrency):
    window.acquire()
assert not failed, failed[:3]
cpu = time.process_time()
print(count / (time.perf_counter() - started), cpu / count * 1e6)
"""


def cpu_ticks() -> tuple[int, int]:
    """The machine's busy and total CPU ticks so far (``/proc/stat``): whether it was
    saturated during a run, whoever used it."""
    user, nice, system, idle, iowait, *rest = map(int, Path("/proc/stat").read_text().split()[1:9])
    total = user + nice + system + idle + iowait + sum(rest)
    return total - idle - iowait, total


def busy_since(start: tuple[int, int]) -> str:
    busy, total = cpu_ticks()
    return f"{(busy - start[0]) / max(1, total - start[1]):.0%}"


def counts(host: str) -> dict[str, int]:
    with urllib.request.urlopen(f"http://{host}/counts", timeout=10) as response:
        return json.load(response)


def environment(url: str, host: str, concurrency: int) -> dict[str, str]:
    return {
        **os.environ,
        "SMARTAPP_DATABASE_URL": url,
        "SMARTAPP_REDIS_URL": REDIS_URL,
        "SMARTAPP_ENV": "testing",
        "SMARTAPP_SECRET_KEY": "b" * 40,
        "SMARTAPP_FCM_EMULATOR_HOST": host,
        "SMARTAPP_FCM_CONCURRENCY": str(concurrency),
        "SMARTAPP_FIREBASE_PROJECT_ID": "",
        "PYTHONPATH": str(ROOT),
    }


def prepare(url: str, devices: int, province: bool = False) -> int:
    """Migrate, insert the audience, write one scheduled campaign; returns its id."""
    import sqlalchemy as sa

    from smartapp import create_app, lineages
    from smartapp.extensions import db
    from smartapp.notifications.claims import rows_written
    from smartapp.notifications.models import Campaign, CampaignStatus

    app = create_app(
        {
            "SMARTAPP_DATABASE_URL": url,
            "SMARTAPP_ENV": "testing",
            "SMARTAPP_SECRET_KEY": "b" * 40,
            "SMARTAPP_REDIS_URL": "",
            "SMARTAPP_FIREBASE_PROJECT_ID": "",
        },
        plugins=[],
    )
    with app.app_context():
        lineages.upgrade(lineages.core_lineage())
        db.session.execute(
            sa.text(
                "INSERT INTO citizens (firebase_uid, language, created_at) "
                "SELECT 'uid-' || n, 'vi', now() FROM generate_series(1, :n) AS n"
            ),
            {"n": devices},
        )
        db.session.execute(
            sa.text(
                "INSERT INTO notification_devices (token, citizen_id, platform, app_version, "
                "language, active, last_seen_at, created_at) SELECT :prefix || id, id, 'android',"
                " '3.2.0', 'vi', true, now(), now() FROM citizens"
            ),
            # tokens of their own in each run: the stub counts a token sent to twice
            {"prefix": f"token-{time.time_ns()}-"},
        )
        campaign = Campaign(
            title={"vi": "Lịch tiêm chủng"},
            body={"vi": "Thứ Hai tại trạm y tế"},
            data={},
            audience={"kind": "province"} if province else {"kind": "citizens", "citizens": []},
            ttl_seconds=3600,
            status=CampaignStatus.SCHEDULED,
            materialized=not province,
        )
        db.session.add(campaign)
        db.session.flush()
        if not province:  # the rows dispatch writes for a token audience
            db.session.execute(
                sa.text(
                    "INSERT INTO notification_deliveries (campaign_id, device_id, status, attempts,"
                    " token_removed) SELECT :c, id, 'pending', 0, false FROM notification_devices"
                ),
                {"c": campaign.id},
            )
        db.session.commit()
        if not province:  # and what dispatch does after writing them
            rows_written(devices)
        return campaign.id


def status(url: str, campaign_id: int) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        value = connection.scalar(
            sa.text("SELECT status FROM notification_campaigns WHERE id = :id"), {"id": campaign_id}
        )
    engine.dispose()
    return value


def dispatch(
    url: str, host: str, campaign_id: int, workers: int, concurrency: int
) -> dict[str, float]:
    import redis
    from rq import Queue

    from smartapp.notifications.tasks import dispatch_campaign

    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    queue = Queue("default", connection=connection)
    for _ in range(workers):  # one job per worker: they share the campaign's rows
        queue.enqueue(dispatch_campaign, campaign_id, job_timeout=7200)
    before, ticks = counts(host), cpu_ticks()
    smartapp = str(Path(sys.executable).with_name("smartapp"))
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [smartapp, "worker", "--burst"],
            env=environment(url, host, concurrency),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(workers)
    ]
    peaks, cpu = [], 0.0
    for process in processes:
        _, code, usage = os.wait4(process.pid, 0)
        peaks.append(usage.ru_maxrss / 1024)
        cpu += usage.ru_utime + usage.ru_stime
        if code:
            raise SystemExit(process.stderr.read().decode()[-2000:])
    elapsed = time.perf_counter() - started
    after = counts(host)
    return {
        "seconds": elapsed,
        "status": status(url, campaign_id),
        "requests": after["_requests"] - before.get("_requests", 0),
        "accepted": after["_accepted"] - before.get("_accepted", 0),
        "duplicates": after["_duplicates"] - before.get("_duplicates", 0),
        "peak_mib": max(peaks),
        "cpu": cpu,
        "busy": busy_since(ticks),
    }


def bare_sender(host: str, devices: int, concurrency: int, env: dict[str, str]) -> str:
    ticks = cpu_ticks()
    rate, cpu = map(
        float,
        subprocess.run(
            [sys.executable, "-c", BARE, host, str(devices), str(concurrency)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split(),
    )
    return (
        f"| bare sender (no database), 1 process | {devices:,} | {rate:,.0f} | {cpu:,.0f} µs | "
        f"{devices / rate:,.1f} s | — | {devices:,} | {busy_since(ticks)} | "
        f"{os.getloadavg()[0]:.1f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, default=500, help="SMARTAPP_FCM_CONCURRENCY")
    parser.add_argument(
        "--no-bare", action="store_true", help="skip the bare sender (measured in an earlier run)"
    )
    arguments = parser.parse_args()
    from smartapp.testing import postgres_schema

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "fcm_stub.py"), str(LATENCY)],
        stdout=subprocess.PIPE,
        text=True,
    )
    host = server.stdout.readline().strip()
    rows = []
    try:
        for devices in arguments.devices:
            if not arguments.no_bare:
                rows.append(bare_sender(host, devices, arguments.concurrency, env))
                print(rows[-1], flush=True)
            for workers in arguments.workers:
                with postgres_schema(prefix="smartapp_bench") as url:
                    campaign_id = prepare(url, devices)
                    result = dispatch(url, host, campaign_id, workers, arguments.concurrency)
                assert result["status"] == "sent" and result["accepted"] == devices, result
                assert result["duplicates"] == 0, result
                rows.append(
                    f"| token campaign, {workers} worker{'s' * (workers > 1)} | {devices:,} | "
                    f"{devices / result['seconds']:,.0f} | "
                    f"{result['cpu'] / devices * 1e6:,.0f} µs | {result['seconds']:,.1f} s | "
                    f"{result['peak_mib']:,.0f} MiB | {result['requests']:,} | "
                    f"{result['busy']} | {os.getloadavg()[0]:.1f} |"
                )
                print(rows[-1], flush=True)
        with postgres_schema(prefix="smartapp_bench") as url:
            campaign_id = prepare(url, 1000, province=True)
            result = dispatch(url, host, campaign_id, 1, arguments.concurrency)
        rows.append(
            f"| province broadcast (1,000 devices in the database) | all | — | — | "
            f"{result['seconds']:,.1f} s | {result['peak_mib']:,.0f} MiB | "
            f"{result['requests']} | {result['busy']} | {os.getloadavg()[0]:.1f} |"
        )
        print(rows[-1], flush=True)
    finally:
        server.terminate()
        server.wait(10)
    print(
        f"\nPython {platform.python_version()}, {os.cpu_count()} CPUs, load "
        f"{os.getloadavg()[0]:.1f}, latency {LATENCY * 1000:.0f} ms, "
        f"concurrency {arguments.concurrency}"
    )
    print(
        "| run | devices | devices/s | CPU per device | time | peak RSS per worker "
        "| FCM requests | machine busy | load |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
