"""The app's database: one engine per URL, migrations applied at start.

SQLite (default, `data/app.db`) runs in WAL mode so that page requests writing the
decision log do not block each other's reads; PostgreSQL is used through psycopg 3
when `SCORING_DATABASE_URL=postgresql+psycopg://...`. A SQLite file is created mode 0600
(the log names clients and advisors); SQLite gives its WAL and shared-memory files the
database file's mode.

`status(url)` tells `/api/health` whether the database answers and whether the last write
to the decision log succeeded: a read-only database answers reads but loses the log.
"""
from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from webapp.auth import config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_lock = threading.Lock()
_engines: dict[str, tuple[Engine, sessionmaker]] = {}


class DatabaseError(RuntimeError):
    """The database cannot be reached or refused a write (the caller tells the user)."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable on app crash, fast commits
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _normalise(url: str) -> str:
    # "postgresql://" alone would pick psycopg2, which we do not install.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    return url


def engine(url: str | None = None) -> Engine:
    """The engine of `url` (default: the configured one), migrated on first use."""
    return _entry(url)[0]


def _entry(url: str | None) -> tuple[Engine, sessionmaker]:
    url = _normalise(url or config.database_url())
    with _lock:
        if url not in _engines:
            if url.startswith("sqlite:///"):
                _private_sqlite_file(url)
            created = create_engine(url, pool_pre_ping=True)
            if created.dialect.name == "sqlite":
                event.listen(created, "connect", _sqlite_pragmas)
            migrate(created)
            _engines[url] = (created, sessionmaker(created, expire_on_commit=False))
        return _engines[url]


def _forget_pooled_connections() -> None:
    """In a forked child (a gunicorn worker forked from the master that imported the app):
    the parent's pooled connections are the parent's; the child opens its own (SQLAlchemy's
    "Using Connection Pools with Multiprocessing or os.fork()"), never closing the parent's."""
    for created, _ in _engines.values():
        created.dispose(close=False)


os.register_at_fork(after_in_child=_forget_pooled_connections)


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file (and its folder) readable by its owner only, before SQLite
    creates it with the process umask (0644: every local user could read the log)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return  # in memory, or a URI (read-only opens, tests): SQLite's own rules
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        for existing in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if existing.exists():
                existing.chmod(0o600)
    except OSError as error:  # a read-only folder: SQLite reports it when it connects
        log.warning("cannot make %s private: %s", path, error)


_last_write_ok: dict[str, bool] = {}


def note_write(ok: bool, url: str | None = None) -> None:
    """Remember whether the latest write to the decision log succeeded (for `status`)."""
    _last_write_ok[_normalise(url or config.database_url())] = ok


def status(url: str | None = None) -> str:
    """"ok" when the database answers a query and the last log write (if any) succeeded,
    else "unavailable"."""
    try:
        with connection(url) as open_connection:
            open_connection.execute(text("SELECT 1"))
    except DatabaseError:
        return "unavailable"
    return "ok" if _last_write_ok.get(_normalise(url or config.database_url()), True) else "unavailable"


def _reachable(url: str | None) -> tuple[Engine, sessionmaker]:
    try:
        return _entry(url)
    except Exception as error:  # unreachable server, bad URL, folder not writable
        raise DatabaseError(f"database unavailable: {type(error).__name__}") from error


@contextmanager
def session(url: str | None = None) -> Iterator[Session]:
    """A unit of work: committed on success, rolled back on error; a failure of the database
    itself (server down, disk full, locked) comes out as `DatabaseError`."""
    with _reachable(url)[1]() as db:
        try:
            yield db
            db.commit()
        except SQLAlchemyError as error:
            db.rollback()
            raise DatabaseError(f"database error: {type(error).__name__}") from error
        except Exception:
            db.rollback()
            raise


_sqlite_writers: dict[str, threading.Lock] = {}


def write_lock(url: str | None = None):
    """A lock to hold while writing to SQLite: threads of one process then queue on it and
    wake at once, instead of SQLite's busy handler sleeping 1, 2, 5, 10... ms between retries
    (sequential p95 of a log write 4.5 -> 0.7 ms, docs/benchmarks.md "Decision log").
    PostgreSQL handles concurrent inserts itself: no lock."""
    url = _normalise(url or config.database_url())
    if not url.startswith("sqlite"):
        return nullcontext()
    with _lock:
        return _sqlite_writers.setdefault(url, threading.Lock())


@contextmanager
def connection(url: str | None = None) -> Iterator[Connection]:
    """A connection in a transaction (committed on success), for single fast statements."""
    try:
        with _reachable(url)[0].begin() as open_connection:
            yield open_connection
    except SQLAlchemyError as error:
        raise DatabaseError(f"database error: {type(error).__name__}") from error


def migrate(target: Engine) -> None:
    """Bring the schema to the newest Alembic revision (programmatic `alembic upgrade head`)."""
    from alembic import command
    from alembic.config import Config

    alembic_config = Config()
    alembic_config.set_main_option("script_location", str(MIGRATIONS))
    with target.begin() as connection:
        alembic_config.attributes["connection"] = connection
        command.upgrade(alembic_config, "head")
    log.info("database schema up to date (%s)", target.url.render_as_string(hide_password=True))


def dispose() -> None:
    """Close every pooled connection (tests, and before a fork)."""
    with _lock:
        for created, _ in _engines.values():
            created.dispose()
        _engines.clear()
