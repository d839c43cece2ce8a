"""Fixtures of the trust-layer tests: a fresh database of each kind, the real PostgreSQL.

PostgreSQL is the server `.ci/run` starts (`SCORING_TEST_POSTGRES_URL`) or a throwaway
cluster (`tests/postgres_server.py`); without either those tests skip with the reason.
"""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def postgres_base():
    """URL of a PostgreSQL server whose role may create databases and roles."""
    from tests.postgres_server import running_server

    with running_server() as url:
        yield url


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


@pytest.fixture
def app_client(artifacts_dir, app_database):
    """A test client of the real app (app.py, sign-in off) on the session's set and a fresh log."""
    import app as app_module

    return app_module.server.test_client()


@pytest.fixture
def client_id(artifacts_dir) -> int:
    """A client of the session's set."""
    from webapp.serving import get_state

    return int(get_state().clients.index[0])
