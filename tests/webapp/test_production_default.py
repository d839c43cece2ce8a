"""Production is the default wherever the app is deployed (issue 19, item 3); `python app.py`
on a laptop stays the demo."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def startup(tmp_path):
    """Run startup.sh with `python` and `gunicorn` replaced by scripts that only say they were
    reached, so the checks run for real and nothing is built or served."""
    for name in ("python", "gunicorn"):
        stand_in = tmp_path / name
        stand_in.write_text(f"#!/bin/sh\necho reached {name} >&2\n")
        stand_in.chmod(0o755)

    def run(**env: str) -> subprocess.CompletedProcess:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("SCORING_")}
        clean.update(PATH=f"{tmp_path}:/usr/bin:/bin", **env)
        return subprocess.run(["bash", str(ROOT / "startup.sh")], env=clean, capture_output=True,
                              text=True, timeout=60)
    return run


def test_the_image_sets_production():
    lines = [line.strip().rstrip("\\").strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    assert "SCORING_ENV=production" in lines


@pytest.mark.parametrize("given, missing", [
    ({}, ["SCORING_SECRET_KEY", "SCORING_ARTIFACT_KEY"]),
    ({"SCORING_SECRET_KEY": "s" * 40}, ["SCORING_ARTIFACT_KEY"]),
    ({"SCORING_ENV": "production", "SCORING_ARTIFACT_KEY": "a" * 40}, ["SCORING_SECRET_KEY"]),
])
def test_startup_refuses_production_without_its_keys(startup, given, missing):
    started = startup(**given)
    assert started.returncode == 1 and "refusing to start in production" in started.stderr
    assert "reached" not in started.stderr
    named = started.stderr.split("production:")[1].split("not set")[0].split()
    assert named == missing


def test_development_must_be_asked_for_and_is_loud(startup):
    started = startup(SCORING_ENV="development")
    assert "DEVELOPMENT MODE" in started.stderr and "reached gunicorn" in started.stderr
    keyed = startup(SCORING_SECRET_KEY="s" * 40, SCORING_ARTIFACT_KEY="a" * 40)
    assert keyed.returncode == 0 and "DEVELOPMENT" not in keyed.stderr and "reached gunicorn" in keyed.stderr


def test_production_start_names_the_artifact_key(tmp_path, monkeypatch):
    from webapp.auth.guard import check_startup

    monkeypatch.setenv("SCORING_DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    monkeypatch.setenv("SCORING_ENV", "production")
    monkeypatch.delenv("SCORING_ARTIFACT_KEY", raising=False)
    monkeypatch.setenv("SCORING_SECRET_KEY", "k" * 40)
    assert any("SCORING_ARTIFACT_KEY is not set" in problem for problem in check_startup("local"))
    monkeypatch.setenv("SCORING_ARTIFACT_KEY", "a" * 40)
    assert not any("SCORING_ARTIFACT_KEY" in problem for problem in check_startup("local"))


def test_a_bare_local_start_is_still_the_demo(monkeypatch):
    from webapp.auth import config

    monkeypatch.delenv("SCORING_ENV", raising=False)
    assert not config.is_production() and not config.is_development()
