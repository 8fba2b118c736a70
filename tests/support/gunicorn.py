"""Real gunicorn workers for the core's tests, started with the shipped ``gunicorn.conf.py``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from smartapp.testing import gunicorn_server

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"


@contextmanager
def serve(
    wsgi_source: str, directory: Path, env: dict[str, str], workers: int = 2
) -> Iterator[str]:
    """:func:`smartapp.testing.gunicorn_server` with the checkout's configuration, its
    example plugins importable."""
    with gunicorn_server(
        wsgi_source,
        directory,
        env,
        workers=workers,
        config=CONFIG,
        python_path=[str(ROOT / "tests" / "example_plugin"), str(ROOT)],
    ) as base:
        yield base
