"""The one place for paths, seeds and business constants.

Every path can be overridden by an environment variable so that the same code
runs on a laptop, in CI and on the Azure web app without edits.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _path_from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default


# Raw Kaggle-format tables dropped by the user (gitignored).
DATA_DIR = _path_from_env("SCORING_DATA_DIR", PROJECT_ROOT / "data" / "raw")
# Synthetic tables generated when no real data is present (gitignored).
SYNTH_DIR = _path_from_env("SCORING_SYNTH_DIR", PROJECT_ROOT / "data" / "synthetic")


def artifacts_dir() -> Path:
    """Trained model, feature matrix, SHAP and drift outputs read by the app (gitignored).

    Read from the environment at each call, not at import, because tests and the app's
    first start point `SCORING_ARTIFACTS` elsewhere after `model.config` is imported.
    """
    return _path_from_env("SCORING_ARTIFACTS", PROJECT_ROOT / "artifacts")


# Artifact sets kept under the artifacts root for audit (at least 2: a running app serves the
# previous set until it notices the new `current`). See model/artifacts.py.
KEEP_SETS = int(os.environ.get("SCORING_KEEP_SETS", "3"))
# How often (seconds) the app re-reads the artifacts root's `current` pointer.
RELOAD_CHECK_SECONDS = float(os.environ.get("SCORING_RELOAD_SECONDS", "2"))
# The HMAC key of artifact manifests is read from SCORING_ARTIFACT_KEY at use, never stored
# here; it is required when SCORING_ENV=production (model.artifacts.signing_key).

# MLflow file store (gitignored).
MLRUNS_DIR = _path_from_env("SCORING_MLRUNS", PROJECT_ROOT / "mlruns")
# The real 5,000-client Kaggle slice used by tests (read only, never committed).
SAMPLE_DIR = _path_from_env(
    "SCORING_SAMPLE_DIR", PROJECT_ROOT.parent / "shared" / "data" / "homecredit-sample"
)

SEED = 42

# Business cost of a decision: a missed defaulter (false negative) costs ten
# times a wrongly refused good client (false positive).
COST_FN = 10
COST_FP = 1

# Size of the synthetic data set built for the demo when nothing else exists.
DEMO_CLIENTS = int(os.environ.get("SCORING_DEMO_CLIENTS", "5000"))
