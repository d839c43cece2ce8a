"""Fixtures of the trust-layer tests: a fresh database of each kind, the real PostgreSQL.

PostgreSQL is the server `.ci/run` starts (`SCORING_TEST_POSTGRES_URL`) or a throwaway
cluster (`tests/postgres_server.py`); without either those tests skip with the reason.
"""
from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def postgres_base():
    """URL of a PostgreSQL server whose role may create databases and roles."""
    url = os.environ.get("SCORING_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    from tests.postgres_server import Cluster

    try:
        cluster = Cluster.start()
    except Exception as error:  # no binaries, no unprivileged user...
        pytest.skip(f"no PostgreSQL server could start: {error}")
    yield cluster.url
    from webapp import db

    db.dispose()
    cluster.stop()


@pytest.fixture
def postgres_database(postgres_base, request):
    """A new, empty database on the real server (its URL, as the owner role)."""
    from tests.postgres_server import fresh_database

    return fresh_database(postgres_base, request.node.nodeid)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request, tmp_path):
    """A fresh database of each kind the app supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/app.db"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def app_database(tmp_path, monkeypatch):
    """The app's own database (SCORING_DATABASE_URL) pointed at a fresh SQLite file."""
    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("SCORING_DATABASE_URL", url)
    return url
