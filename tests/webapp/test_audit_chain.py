"""The decision log's guarantees (issue 19, item 5): a hash chain that names the first broken
link, an app role on PostgreSQL that can only read and append, private SQLite files, and a
CSV export that is never cut."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from webapp import db
from webapp.db import audit_log

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _row(actor: str = "ana", **extra) -> dict:
    return {"at": datetime.now(timezone.utc), "screen": "test", "actor": actor, "actor_type": "user",
            "role": "advisor", "client_id": 100002, "probability": 0.2, "threshold": 0.5,
            "reasons": [["AMT_CREDIT", 0.01]], "inputs": {"income": 1.5e5, "name": "é"}, **extra}


def test_an_untouched_log_verifies(any_database):
    for actor in ("ana", "bob", "chloé"):
        audit_log.append(_row(actor), any_database)
    verdict = audit_log.verify_chain(any_database)
    assert verdict.ok and verdict.checked == 3, str(verdict)


def _rewrite_behind_the_app(url: str, statement: str) -> None:
    """What the SQLite file's owner can do: drop the triggers, then change history."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER decision_log_no_update"))
        connection.execute(text("DROP TRIGGER decision_log_no_delete"))
        connection.execute(text(statement))
    engine.dispose()


def test_a_row_rewritten_behind_the_app_is_named(tmp_path):
    url = f"sqlite:///{tmp_path}/app.db"
    ids = [audit_log.append(_row(actor), url) for actor in ("ana", "bob", "chloé", "dan")]
    _rewrite_behind_the_app(url, f"UPDATE decision_log SET probability = 0.033 WHERE id = {ids[1]}")
    verdict = audit_log.verify_chain(url)
    assert not verdict.ok and verdict.broken_id == ids[1] and "rewritten" in verdict.problem


def test_a_removed_row_breaks_the_next_link(tmp_path):
    url = f"sqlite:///{tmp_path}/app.db"
    ids = [audit_log.append(_row(actor), url) for actor in ("ana", "bob", "chloé")]
    _rewrite_behind_the_app(url, f"DELETE FROM decision_log WHERE id = {ids[1]}")
    verdict = audit_log.verify_chain(url)
    assert verdict.broken_id == ids[2] and "prev_hash" in verdict.problem


def test_the_command_line_names_the_first_broken_link(tmp_path):
    url = f"sqlite:///{tmp_path}/app.db"
    ids = [audit_log.append(_row(actor), url) for actor in ("ana", "bob", "chloé")]
    env = {**os.environ, "SCORING_DATABASE_URL": url}

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "webapp", "audit", "verify"], cwd=PROJECT_ROOT,
                              env=env, capture_output=True, text=True, timeout=120)

    intact = verify()
    assert intact.returncode == 0 and "intact: 3 chained rows" in intact.stdout
    _rewrite_behind_the_app(url, f"UPDATE decision_log SET actor = 'mallory' WHERE id = {ids[0]}")
    broken = verify()
    assert broken.returncode == 1 and f"BROKEN at row {ids[0]}" in broken.stderr


def test_sqlite_files_are_private(tmp_path):
    url = f"sqlite:///{tmp_path}/app.db"
    audit_log.append(_row(), url)
    files = [tmp_path / "app.db", tmp_path / "app.db-wal", tmp_path / "app.db-shm"]
    assert all(path.exists() for path in files)
    assert [oct(stat.S_IMODE(path.stat().st_mode)) for path in files] == ["0o600"] * 3


# --- PostgreSQL: the app's role reads and appends, nothing else ------------------------------------

@pytest.fixture
def app_role_url(postgres_database):
    """The app's login role on a database migrated by the owner (the URL's role): granted
    the migration's group role `scoring_app`, as docs/deploy.md tells the operator."""
    db.engine(postgres_database)  # migrations, as the owner
    login = f"app_{os.getpid()}"
    owner = create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login}).scalar()
        if not exists:
            connection.execute(text(f"CREATE ROLE {login} LOGIN"))
        connection.execute(text(f"GRANT scoring_app TO {login}"))
    owner.dispose()
    return postgres_database.replace("://scoring@", f"://{login}@")


def test_the_app_role_appends_and_reads(app_role_url):
    first = audit_log.append(_row("ana"), app_role_url)
    second = audit_log.append(_row("bob"), app_role_url)
    assert second > first and audit_log.verify_chain(app_role_url).checked == 2


@pytest.mark.parametrize("statement", [
    "TRUNCATE decision_log",
    "UPDATE decision_log SET actor = 'mallory'",
    "DELETE FROM decision_log",
    "ALTER TABLE decision_log DISABLE TRIGGER decision_log_append_only",
    "DROP TRIGGER decision_log_append_only ON decision_log",
    "DROP TABLE decision_log",
])
def test_the_app_role_cannot_rewrite_the_log(app_role_url, statement):
    audit_log.append(_row("ana"), app_role_url)
    engine = create_engine(app_role_url)
    with pytest.raises(Exception, match="permission denied|must be owner|must be the owner"):
        with engine.begin() as connection:
            connection.execute(text(statement))
    engine.dispose()
    assert audit_log.verify_chain(app_role_url).checked == 1
