"""The Flask extensions, created unbound and attached in ``create_app`` with ``init_app``."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any, cast

from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    Connection,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    Table,
    TypeDecorator,
    event,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql import Executable

# Named constraints let Alembic alter them later, and SQLite batch migrations need names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model, core and plugins alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def declared_tables(package: str) -> frozenset[str]:
    """The tables declared by the models of the top-level package ``package``."""
    return frozenset(
        table.name
        for mapper in Base.registry.mappers
        if mapper.class_.__module__.partition(".")[0] == package
        and isinstance(table := mapper.local_table, Table)
    )


def utcnow() -> datetime:
    """Timezone-aware now, the only clock models use."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database: SQLite drops the offset of
    ``DateTime(timezone=True)``, and an app in Vietnam would read it as local time."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: use smartapp.plugin.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


#: how long a SQLite writer waits for the write lock before giving up ("database is locked")
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: requests that only read; any other request may write
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        # SQLite's own lower() folds ASCII letters only ("Đèn" stays "Đèn"); Python's folds
        # every letter, as PostgreSQL's does in a UTF-8 database. SQLite lets an application
        # replace a built-in function (its ICU extension replaces this one; Python's sqlite3
        # is not built with ICU).
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        # pysqlite's own transaction handling breaks SAVEPOINTs (hooks run in savepoints):
        # let SQLAlchemy emit BEGIN itself, as its SQLite documentation recommends.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        # Readers do not block the writer (several gunicorn workers on the embedded default).
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


#: ``app.extensions`` key marking a process whose every transaction writes (``smartapp worker``)
WRITER_PROCESS = "smartapp.writer_process"


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Connection) -> None:
    """SQLite allows one writer at a time. A transaction that read and then writes cannot
    wait for the lock: when another worker committed in between, its snapshot is stale and
    SQLite fails at once with "database is locked", whatever the busy timeout. So a request
    that may write (not a safe method) takes the write lock up front (``BEGIN IMMEDIATE``),
    where the busy timeout makes it wait its turn. Everything else keeps ``BEGIN`` and reads
    concurrently (WAL): read requests, and the command line and tests, whose long-lived
    sessions would otherwise hold the lock. A read request that writes (the search log, a
    citizen's first token) ends its reads before it writes, so its write opens a fresh
    transaction that waits its turn too. A worker process (``smartapp worker``) writes in
    every job, so it takes the lock up front too. See docs/operations.md."""
    if connection.dialect.name == "sqlite":
        writing = (has_request_context() and request.method not in SAFE_METHODS) or (
            has_app_context() and current_app.extensions.get(WRITER_PROCESS, False)
        )
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
cache = Cache()


# Every limit is declared on its route (``@limiter.limit``). flask-limiter's app-wide
# ``before_request`` check finds none to apply and costs each request that reaches Flask
# ≈ 46 µs (benchmarks/README.md); no public setting of flask-limiter 4 turns it off.
# Storage, fallback and key prefix are the public ``RATELIMIT_*`` settings of ``config.py``.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def changed_rows(statement: Executable) -> int:
    """Run an ``UPDATE`` or ``DELETE`` in the current session and count the rows it changed:
    how a compare-and-set claim (``… WHERE status = 'scheduled'``) learns that it won."""
    return cast("CursorResult[Any]", db.session.execute(statement)).rowcount


def api_of(app: Flask | None = None) -> Api:
    """The app's flask-smorest ``Api``: one per app, since an ``Api`` keeps a single spec."""
    return (app or current_app).extensions["smartapp.api"]
