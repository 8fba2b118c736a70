"""Background jobs: RQ on Redis when ``SMARTAPP_REDIS_URL`` is set, else run in-process.

The embedded default has no Redis, so a job runs at once in the caller's process; with
Redis it goes to a queue served by ``smartapp worker`` processes on any number of hosts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from redis import Redis
from rq import Queue

DEFAULT_QUEUE = "default"


def init_app(app: Flask, redis_url: str | None) -> None:
    app.extensions["smartapp.redis"] = (
        Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=0.5)
        if redis_url else None
    )


def redis_connection() -> Redis | None:
    """The app's Redis connection, or ``None`` on the embedded default."""
    return current_app.extensions["smartapp.redis"]


def enqueue(function: Callable[..., Any], *args: Any, queue: str = DEFAULT_QUEUE,
            **kwargs: Any) -> str | None:
    """Run ``function(*args, **kwargs)`` in the background; returns the RQ job id, or ``None``
    when it ran in-process. ``function`` must be importable by its module path."""
    connection = redis_connection()
    if connection is None:
        function(*args, **kwargs)
        return None
    job = Queue(queue, connection=connection).enqueue(function, *args, **kwargs)
    return job.id


def run_worker(connection: Redis, queues: list[str], burst: bool = False) -> None:
    """Serve ``queues`` in this process, inside the current app context.

    ``SimpleWorker`` runs each job in the worker process itself: RQ's default forks a child
    per job, which would inherit the parent's database connections mid-use.
    """
    from rq import SimpleWorker

    SimpleWorker([Queue(name, connection=connection) for name in queues],
                 connection=connection).work(burst=burst)
