"""The served set is verified again while it is served (issue 19, item 6): a changed or
truncated file makes the app refuse it and serve the last good set, health naming the file."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.artifact_sets import republish
from webapp import set_watch
from webapp import serving


@pytest.fixture
def root(artifacts_dir, tmp_path, monkeypatch, app_database):
    """An artifacts root of its own, served by the app (SCORING_ARTIFACTS)."""
    folder = tmp_path / "root"
    monkeypatch.setenv("SCORING_ARTIFACTS", str(folder))
    return folder


@pytest.fixture
def client():
    import app as app_module

    return app_module.server.test_client()


def _edit_one_row(folder) -> None:
    """What the finding did: one row of features.npy changed in place."""
    matrix = np.load(folder / "features.npy", mmap_mode="r+")
    matrix[0] = matrix[0] * 0 + 1e6
    matrix.flush()
    del matrix


def _truncate(folder) -> None:
    path = folder / "features.npy"
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 3)


def test_features_are_mapped_read_only(artifacts_dir):
    state = serving.load_state(artifacts_dir)
    assert not state.features.flags.writeable and state.features.filename


def test_a_changed_file_falls_back_to_the_last_good_set(artifacts_dir, root, client):
    good = republish(artifacts_dir, root)
    assert serving.refresh().artifacts_dir == good
    first_client = int(serving.get_state().clients.index[0])
    before = client.get(f"/api/clients/{first_client}").get_json()["probability"]
    newer = republish(artifacts_dir, root)
    assert serving.refresh().artifacts_dir == newer
    assert serving.recheck_served() == []  # untouched: nothing refused

    _edit_one_row(newer)
    problems = serving.recheck_served()
    assert [Path(p.file).name for p in problems] == ["features.npy"]
    health = client.get("/api/health")
    body = health.get_json()
    assert health.status_code == 200 and body["status"] == "degraded"
    assert body["build_id"] == good.name and body["refused"]["file"].endswith("features.npy")
    assert client.get(f"/api/clients/{first_client}").get_json()["probability"] == before


def test_a_truncated_matrix_without_a_fallback_is_a_503_naming_the_file(artifacts_dir, root, client):
    only = republish(artifacts_dir, root)
    state = serving.refresh()
    first_client = int(state.clients.index[-1])
    _truncate(only)
    answer = client.get(f"/api/clients/{first_client}")  # met by a request before any re-check
    assert answer.status_code == 503
    health = client.get("/api/health")
    assert health.status_code == 503 and health.get_json()["file"].endswith("features.npy")
    assert serving.recheck_served() == []  # already refused: nothing served to re-check


def test_the_background_watch_refuses_within_its_interval(artifacts_dir, root, client):
    only = republish(artifacts_dir, root)
    serving.refresh()
    stop = threading.Event()
    set_watch.start(serving.recheck_served, interval=0.2, stop=stop)
    try:
        _edit_one_row(only)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and client.get("/api/health").status_code == 200:
            time.sleep(0.2)
        health = client.get("/api/health")
    finally:
        stop.set()
    assert health.status_code == 503 and health.get_json()["file"].endswith("features.npy")


@pytest.mark.parametrize("raw, seconds", [("", 300.0), ("60", 60.0), ("0", 0.0), ("soon", 300.0)])
def test_the_interval_is_configurable(monkeypatch, raw, seconds):
    monkeypatch.setenv("SCORING_VERIFY_SECONDS", raw)
    assert set_watch.verify_seconds() == seconds
