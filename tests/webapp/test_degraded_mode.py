"""Artifact problems never give a 500 or raw exception text: the last good set keeps serving,
else `/api/health` answers 503 JSON naming the file and the problem, and pages say it."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from flask import Flask

from model import artifacts, config
from model.artifacts import switch_current
from tests.artifact_sets import republish, rewrite_manifest
from webapp import serving as state
from webapp.services import clients
from webapp.service_errors import ServiceError, error_message
from webapp.http.api import register_api


def _resign(folder: Path, edit=None) -> None:
    rewrite_manifest(folder, artifacts.DEVELOPMENT_KEY, edit)


def _truncate_matrix(folder: Path) -> None:
    path = folder / "features.npy"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # header intact, data cut
    _resign(folder)


def _drop_last_row(folder: Path) -> None:
    matrix = np.load(folder / "features.npy")
    np.save(folder / "features.npy", matrix[:-1])
    _resign(folder)


def _replace_model(folder: Path, value: object) -> None:
    import joblib

    joblib.dump(value, folder / "model.joblib")
    _resign(folder)


# damage applied to a published set, file at fault, words of the problem
DAMAGES = {
    "unreadable manifest": (lambda f: (f / "manifest.json").write_bytes(b"\x00\xff{"),
                            "manifest.json", "not valid JSON"),
    "manifest without files": (lambda f: _resign(f, lambda m: m.pop("files")),
                               "manifest.json", 'no "files"'),
    "wrong signature": (lambda f: rewrite_manifest(f, b"another key"),
                        "manifest.json", "signed with another key"),
    "unsigned": (lambda f: rewrite_manifest(f, None), "manifest.json", "not signed"),
    "wrong library version": (lambda f: _resign(f, lambda m: m["versions"].update(lightgbm="1.0.0")),
                              "manifest.json", "built with lightgbm 1.0.0"),
    "shape mismatch": (_drop_last_row, "clients.parquet", "rows"),
    "damaged file, hash updated": (_truncate_matrix, "features.npy", "cannot be read"),
    "signed but not a model": (lambda f: _replace_model(f, {"not": "a model"}), "model.joblib",
                               "does not hold a scoring model"),
    "file removed": (lambda f: (f / "model.joblib").unlink(), "model.joblib", "missing"),
}


@pytest.fixture
def api(monkeypatch):
    monkeypatch.setattr(config, "RELOAD_CHECK_SECONDS", 0.0)  # check `current` on every request
    server = Flask(__name__)
    register_api(server)
    return server.test_client()


def _serve(monkeypatch, root: Path) -> None:
    monkeypatch.setenv("SCORING_ARTIFACTS", str(root))


@pytest.mark.parametrize("case", list(DAMAGES))
def test_without_a_good_set_health_is_503_json_naming_the_file(case, artifacts_dir, tmp_path,
                                                                monkeypatch, api):
    damage, file, problem = DAMAGES[case]
    folder = republish(artifacts_dir, tmp_path / "root")
    damage(folder)
    _serve(monkeypatch, tmp_path / "root")
    for _ in range(2):
        response = api.get("/api/health")
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "unavailable"
        assert body["file"] == str(folder / file) and problem in body["problem"]
        assert "mmap length" not in body["error"] and "Traceback" not in body["error"]
    # The pages' message: the same file and problem, in the interface language.
    with pytest.raises(ServiceError) as error:
        clients.client_score("100002")
    message = error_message(error.value, "fr")
    assert message.startswith("Les résultats du modèle sont indisponibles")
    assert str(folder / file) in message and problem in message


def test_a_refused_set_is_verified_once_not_on_every_request(artifacts_dir, tmp_path,
                                                             monkeypatch, api):
    folder = republish(artifacts_dir, tmp_path / "root")
    _truncate_matrix(folder)  # passes the hash check, fails when read
    _serve(monkeypatch, tmp_path / "root")
    hashed = []
    real_sha = artifacts.sha256_of
    monkeypatch.setattr(artifacts, "sha256_of", lambda p: hashed.append(p) or real_sha(p))
    for _ in range(5):
        assert api.get("/api/health").status_code == 503
    files = json.loads((folder / "manifest.json").read_text())["files"]
    assert len(hashed) == len(files)  # one verification, then the refusal is remembered


@pytest.mark.parametrize("case", list(DAMAGES))
def test_a_bad_new_set_keeps_the_last_good_one_serving(case, artifacts_dir, tmp_path,
                                                       monkeypatch, api):
    damage, file, problem = DAMAGES[case]
    root = tmp_path / "root"
    good = republish(artifacts_dir, root)
    _serve(monkeypatch, root)
    client_id = int(state.get_state().clients.index[0])
    before = api.get(f"/api/clients/{client_id}").get_json()["probability"]

    bad = republish(good, root)
    damage(bad)
    assert state.refresh().build_id == good.name  # check now (requests check in the background)
    health = api.get("/api/health")
    assert health.status_code == 200
    body = health.get_json()
    assert body["status"] == "degraded" and body["build_id"] == good.name
    assert body["refused"]["file"] == str(bad / file) and problem in body["refused"]["problem"]
    assert api.get(f"/api/clients/{client_id}").get_json()["probability"] == before
    # Rolling `current` back to the good set clears the warning.
    switch_current(root, good.name)
    assert api.get("/api/health").get_json()["status"] == "ok"


@pytest.mark.parametrize("setup, file, problem", [
    (lambda root: None, "", "no artifact set yet"),
    (lambda root: root.mkdir() or (root / "current").write_text("20990101T000000.000000Z-deadbeef"),
     "20990101T000000.000000Z-deadbeef", "does not exist"),
    (lambda root: root.mkdir() or (root / "current").write_text("garbage"), "current",
     "does not name a build id"),
    (lambda root: root.mkdir() or (root / "manifest.json").write_text("{}"), "", "old, unversioned"),
])
def test_root_problems_are_named(setup, file, problem, tmp_path, monkeypatch, api):
    root = tmp_path / "root"
    setup(root)
    _serve(monkeypatch, root)
    response = api.get("/api/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["file"] == str(root / file if file else root) and problem in body["problem"]
