"""Start-up rules: production refuses an unsafe configuration; the demo gets its accounts once."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _start(artifacts_dir: Path, database_url: str, **env: str) -> subprocess.CompletedProcess:
    """`import app` as gunicorn does (logging configured first), in a fresh interpreter."""
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("SCORING_AUTH", "SCORING_ENV", "SCORING_SECRET_KEY")}
    environment.update(SCORING_ARTIFACTS=str(artifacts_dir), SCORING_DATABASE_URL=database_url, **env)
    return subprocess.run([sys.executable, "-c", "import logging; logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s'); import app"], cwd=PROJECT_ROOT, env=environment,
                          capture_output=True, text=True, timeout=300)


def test_production_without_secret_key_nor_admin_refuses_to_start(artifacts_dir, tmp_path):
    url = f"sqlite:///{tmp_path}/app.db"
    started = _start(artifacts_dir, url, SCORING_ENV="production")
    assert started.returncode != 0
    assert "refusing to start" in started.stderr
    assert "SCORING_SECRET_KEY is not set" in started.stderr and "no active admin account" in started.stderr

    from webapp.auth import accounts

    assert accounts.count_users(url) == 0  # never creates demo accounts in production
    started = _start(artifacts_dir, url, SCORING_ENV="production", SCORING_SECRET_KEY="k" * 40)
    assert started.returncode != 0 and "no active admin account" in started.stderr
    assert "SCORING_SECRET_KEY" not in started.stderr.split("refusing to start")[1]

    accounts.add_user("boss", "admin", "a long admin password", url)
    started = _start(artifacts_dir, url, SCORING_ENV="production", SCORING_SECRET_KEY="k" * 40,
                     SCORING_ARTIFACT_KEY="a" * 40)
    assert started.returncode == 0, started.stderr
    assert accounts.count_users(url) == 1


def test_production_refuses_auth_off(artifacts_dir, tmp_path):
    started = _start(artifacts_dir, f"sqlite:///{tmp_path}/app.db", SCORING_ENV="production",
                     SCORING_AUTH="off", SCORING_SECRET_KEY="k" * 40)
    assert started.returncode != 0 and "SCORING_AUTH=off is refused" in started.stderr


def test_auth_off_is_logged_as_a_warning(artifacts_dir, tmp_path):
    started = _start(artifacts_dir, f"sqlite:///{tmp_path}/app.db", SCORING_AUTH="off")
    assert started.returncode == 0 and "WARNING" in started.stderr and "NO SIGN-IN" in started.stderr


def test_demo_accounts_are_created_and_printed_once(artifacts_dir, tmp_path):
    url = f"sqlite:///{tmp_path}/app.db"
    first = _start(artifacts_dir, url, SCORING_AUTH="local")
    assert first.returncode == 0, first.stderr
    lines = [line for line in first.stderr.splitlines() if "demo account created" in line]
    assert len(lines) == 3 and all("password" in line for line in lines)
    assert "SCORING_SECRET_KEY is not set" in first.stderr  # random per-process key, with a warning
    from webapp.auth import accounts

    name, password = lines[0].split("user '")[1].split("'")[0], lines[0].rsplit("password ", 1)[1].strip()
    assert accounts.authenticate(name, password, url)[0] is not None
    second = _start(artifacts_dir, url, SCORING_AUTH="local")
    assert second.returncode == 0 and "demo account created" not in second.stderr


@pytest.mark.parametrize("mode", ["ldap", ""])
def test_unknown_mode_is_refused(artifacts_dir, tmp_path, mode):
    started = _start(artifacts_dir, f"sqlite:///{tmp_path}/app.db", SCORING_AUTH=mode or " ")
    assert started.returncode != 0 and "is not one of local, azure, off" in started.stderr
