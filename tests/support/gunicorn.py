"""Real gunicorn workers for the tests, started with the shipped ``gunicorn.conf.py``."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve(wsgi_source: str, directory: Path, env: dict[str, str], workers: int = 2
          ) -> Iterator[str]:
    """``gunicorn -c gunicorn.conf.py -w WORKERS`` serving ``app`` from ``wsgi_source`` (the
    text of a module written to ``directory``); yields the base URL once ``/healthz`` answers."""
    (directory / "test_wsgi.py").write_text(wsgi_source)
    port = free_port()
    paths = [str(directory), str(ROOT / "tests" / "example_plugin"), str(ROOT)]
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", str(CONFIG),
         "-w", str(workers), "-b", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
         "test_wsgi:app"],
        env={**os.environ, **env, "PYTHONPATH": os.pathsep.join(paths)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:  # not listening or still booting
                pass
            assert server.poll() is None, server.stdout.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
