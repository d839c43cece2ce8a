"""Shared fixtures: the real Kaggle sample and small synthetic data sets."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Tests that are not about sign-in call the app and the API without a session; the
# sign-in tests choose their mode explicitly (gunicorn's environment, register_auth(mode=)).
os.environ.setdefault("SCORING_AUTH", "off")
# No background re-verification of served sets during tests that alter sets on purpose;
# tests/webapp/test_set_reverify.py runs it explicitly.
os.environ.setdefault("SCORING_VERIFY_SECONDS", "0")
# The decision log of a test session goes to a throwaway SQLite file, never data/app.db.
_TEST_DB_FOLDER = tempfile.mkdtemp(prefix="scoring-test-db-")
os.environ.setdefault("SCORING_DATABASE_URL", f"sqlite:///{_TEST_DB_FOLDER}/app.db")

from model import config  # noqa: E402

requires_sample = pytest.mark.skipif(
    not (config.SAMPLE_DIR / "application_train.zip").is_file(),
    reason=f"real Home Credit sample not found in {config.SAMPLE_DIR} (set SCORING_SAMPLE_DIR)",
)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """Folder of the real 5,000-client Kaggle slice; skips the test when absent."""
    if not (config.SAMPLE_DIR / "application_train.zip").is_file():
        pytest.skip(f"real Home Credit sample not found in {config.SAMPLE_DIR}")
    return config.SAMPLE_DIR


@pytest.fixture(scope="session")
def sample_tables(sample_dir: Path) -> dict:
    """All eight real tables, loaded once per test session (read-only: copy before editing)."""
    from model.data.loader import load_tables

    return load_tables(sample_dir)


@pytest.fixture(scope="session")
def artifacts_root(tmp_path_factory) -> Path:
    """An artifacts root holding one quick set built once per session by the real pipeline.

    Built from the real sample when present, else from a small synthetic data set,
    and exported as SCORING_ARTIFACTS so that the app under test serves its `current` set.
    `SCORING_TEST_ARTIFACTS=<artifacts root>` reuses an existing root instead (read only).
    """
    import os

    from model.pipeline import build

    if os.environ.get("SCORING_TEST_ARTIFACTS"):
        root = Path(os.environ["SCORING_TEST_ARTIFACTS"]).resolve()
        os.environ["SCORING_ARTIFACTS"] = str(root)
        return root
    work = tmp_path_factory.mktemp("artifacts")
    if (config.SAMPLE_DIR / "application_train.zip").is_file():
        data_dir = config.SAMPLE_DIR
    else:
        from model.synth.generate import generate

        data_dir = work / "synthetic"
        generate(n_clients=2000, seed=config.SEED, out_dir=data_dir)
    root = work / "root"
    build(data_dir, root, quick=True, mlruns_dir=work / "mlruns")
    os.environ["SCORING_ARTIFACTS"] = str(root)
    return root


@pytest.fixture(scope="session")
def artifacts_dir(artifacts_root: Path) -> Path:
    """The folder holding the session set's files (`artifacts_root/<build id>`)."""
    from model.artifacts import current_set

    return current_set(artifacts_root)


@pytest.fixture(scope="session")
def app_state(artifacts_dir: Path):
    """The loaded app state of the session's artifact set (`SCORING_TEST_ARTIFACTS=<root>`
    reuses an existing root's current set, as the browser tests do)."""
    from webapp.serving import load_state

    return load_state(artifacts_dir)


@pytest.fixture(scope="session")
def api(artifacts_dir: Path):
    """A Flask test client of the JSON API and the letter route, serving the session's set
    (the routes reach it through `webapp.serving.get_state()`, like the app)."""
    from flask import Flask

    from webapp.http.api import register_api
    from webapp.http.letter import register_letter

    server = Flask(__name__)
    register_api(server)
    register_letter(server)
    return server.test_client()


@pytest.fixture(scope="session")
def served_state(artifacts_dir: Path):
    """The state the routes serve (`webapp.serving.get_state()` on the session's set)."""
    from webapp.serving import get_state

    return get_state()
