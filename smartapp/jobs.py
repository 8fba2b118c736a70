"""Background jobs: RQ on Redis when ``SMARTAPP_REDIS_URL`` is set, else run in-process.

The embedded default has no Redis, so a job runs at once in the caller's process; with
Redis it goes to a queue served by ``smartapp worker`` processes on any number of hosts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

from smartapp.extensions import WRITER_PROCESS, db

DEFAULT_QUEUE = "default"
_AFTER_COMMIT = "smartapp.after_commit"

log = logging.getLogger(__name__)


def init_app(app: Flask, redis_url: str | None) -> None:
    app.extensions["smartapp.redis"] = (
        Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=0.5)
        if redis_url
        else None
    )


def redis_connection() -> Redis | None:
    """The app's Redis connection, or ``None`` on the embedded default."""
    return current_app.extensions["smartapp.redis"]


def enqueue(
    function: Callable[..., Any],
    *args: Any,
    queue: str = DEFAULT_QUEUE,
    at: datetime | None = None,
    **kwargs: Any,
) -> str | None:
    """Run ``function(*args, **kwargs)`` in the background (at ``at``, an aware datetime,
    through RQ's scheduler); returns the RQ job id, or ``None`` when it runs in-process.
    ``function`` must be importable by its module path."""
    connection = redis_connection()
    if connection is None:
        delay = (at - datetime.now(UTC)).total_seconds() if at else 0
        if delay > 0:  # the embedded default: a timer in this process
            app = current_app.app_context().app  # the app itself, not the proxy
            timer = threading.Timer(delay, _run_in_app_context, (app, function, args, kwargs))
            timer.daemon = True
            timer.start()
        else:
            _run_in_app_context(current_app, function, args, kwargs)
        return None
    rq_queue = Queue(queue, connection=connection)
    job = (
        rq_queue.enqueue_at(at, function, *args, **kwargs)
        if at
        else rq_queue.enqueue(function, *args, **kwargs)
    )
    return job.id


def _run_in_app_context(
    app: Flask, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    # A fresh app context is a fresh database session, as a worker's would be: the job
    # commits its own work and never sees (or ends) the caller's transaction.
    with app.app_context():
        function(*args, **kwargs)


def enqueue_after_commit(
    session: Session | scoped_session[Any], function: Callable[..., Any], *args: Any, **kwargs: Any
) -> None:
    """:func:`enqueue` once ``session``'s transaction commits, and never if it rolls back.

    The work is in the database already (an outbox the caller wrote in the same
    transaction); this only wakes a worker up. If Redis is unreachable the enqueue is logged
    and dropped: the periodic sweep of the outbox finds the work anyway.
    """
    current = session() if isinstance(session, scoped_session) else session
    # the savepoint (or transaction) it belongs to: its rollback must drop it
    owner = current.get_nested_transaction() or current.get_transaction()
    current.info.setdefault(_AFTER_COMMIT, []).append((owner, function, args, kwargs))


def after_commit(function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """:func:`enqueue_after_commit` on the app's session: work outside the database (files
    to delete) that must follow the commit of the change that needs it, and never a
    rollback."""
    enqueue_after_commit(db.session, function, *args, **kwargs)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's release: the transaction around it may still roll back
    for _, function, args, kwargs in session.info.pop(_AFTER_COMMIT, []):
        try:
            enqueue(function, *args, **kwargs)
        except RedisError:
            log.warning(
                "could not enqueue %s: Redis unreachable; the sweep will retry",
                function.__qualname__,
                exc_info=True,
            )
        except Exception:  # run in-process: the caller's work is committed, keep it so
            log.exception("background job %s failed", function.__qualname__)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_commit(session: Session, previous_transaction: SessionTransaction) -> None:
    """Drop the work queued within the transaction or savepoint rolled back, only that."""
    queued = session.info.get(_AFTER_COMMIT)
    if queued:
        session.info[_AFTER_COMMIT] = [
            item for item in queued if not _within(item[0], previous_transaction)
        ]


def _within(owner: SessionTransaction | None, transaction: SessionTransaction) -> bool:
    if owner is None:  # queued before the session began: it belongs to the outermost
        return transaction.parent is None
    while owner is not None:
        if owner is transaction:
            return True
        owner = owner.parent
    return False


def every(app: Flask, seconds: int, function: Callable[[], Any]) -> None:
    """Run ``function`` every ``seconds`` on some worker: once per period, however many
    ``smartapp worker`` processes run (needs Redis)."""
    app.extensions.setdefault("smartapp.periodic", {})[function] = seconds


def _enqueue_periodic(
    connection: Redis, periodic: dict[Callable[[], Any], int], stop: threading.Event
) -> None:
    """Each period, the first worker to claim the period's key in Redis enqueues the job.

    A thread of every worker rather than RQ's scheduler: a scheduler killed with SIGKILL
    keeps its lock for a minute and a surviving worker retries it only every few minutes,
    which is too long for the sweep that recovers a dead worker's campaign.
    """
    queue = Queue(DEFAULT_QUEUE, connection=connection)
    while not stop.wait(1.0):
        now = int(datetime.now(UTC).timestamp())
        for function, seconds in periodic.items():
            name = f"{function.__module__}.{function.__qualname__}"
            try:
                if connection.set(
                    f"smartapp:periodic:{name}:{now // seconds}", 1, nx=True, ex=2 * seconds
                ):
                    queue.enqueue(function, result_ttl=0, failure_ttl=3600)
            except RedisError:
                log.warning("could not enqueue %s: Redis unreachable", name)


def run_worker(connection: Redis, queues: list[str], burst: bool = False) -> None:
    """Serve ``queues`` in this process, inside the current app context, with RQ's
    scheduler (timed jobs) and the periodic jobs of :func:`every`.

    ``SimpleWorker`` runs each job in the worker process itself: RQ's default forks a child
    per job, which would inherit the parent's database connections mid-use.
    """
    from rq import SimpleWorker

    # Every job writes (claims, results): on SQLite it takes the write lock up front, as a
    # write request does (``extensions._sqlite_begin``), so that two workers never meet a
    # stale read snapshot and fail half-way through a step.
    current_app.extensions[WRITER_PROCESS] = True
    stop = threading.Event()
    periodic = current_app.extensions.get("smartapp.periodic", {})
    if periodic and not burst:
        threading.Thread(
            target=_enqueue_periodic,
            args=(connection, periodic, stop),
            name="smartapp-periodic",
            daemon=True,
        ).start()
    try:
        # maintenance every 30 s (RQ: 10 min) also re-takes the scheduler lock of a dead worker
        SimpleWorker(
            [Queue(name, connection=connection) for name in queues],
            connection=connection,
            maintenance_interval=30,
        ).work(burst=burst, with_scheduler=True)
    finally:
        stop.set()
