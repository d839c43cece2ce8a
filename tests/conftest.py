"""Shared fixtures: the real Kaggle sample and small synthetic data sets."""
from __future__ import annotations

from pathlib import Path

import pytest

from model import config

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
def artifacts_dir(tmp_path_factory) -> Path:
    """A quick artifact set built once per session by the real pipeline.

    Built from the real sample when present, else from a small synthetic data set,
    and exported as SCORING_ARTIFACTS so that the app under test reads it.
    """
    import os

    from model.pipeline import build

    root = tmp_path_factory.mktemp("artifacts")
    if (config.SAMPLE_DIR / "application_train.zip").is_file():
        data_dir = config.SAMPLE_DIR
    else:
        from model.synth.generate import generate

        data_dir = root / "synthetic"
        generate(n_clients=2000, seed=config.SEED, out_dir=data_dir)
    out = build(data_dir, root / "set", quick=True, mlruns_dir=root / "mlruns")
    os.environ["SCORING_ARTIFACTS"] = str(out)
    return out


@pytest.fixture(scope="session")
def app_state(request):
    """The loaded app state of the session's artifact set (`SCORING_TEST_ARTIFACTS=<folder>`
    reuses an existing set, as the browser tests do)."""
    import os

    from webapp.state import load_state

    folder = os.environ.get("SCORING_TEST_ARTIFACTS")
    if folder:
        os.environ["SCORING_ARTIFACTS"] = folder
    else:
        folder = str(request.getfixturevalue("artifacts_dir"))
    return load_state(Path(folder))
