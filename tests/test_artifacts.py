"""Artifact sets are written whole or not at all, and refused when altered."""
from __future__ import annotations

import json

import pytest

from model.artifacts import ArtifactError, atomic_dir, verify


def _write_set(folder, files: dict[str, str]) -> None:
    with atomic_dir(folder) as tmp:
        for name, text in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text)


def test_complete_set_verifies_and_lists_every_file(tmp_path):
    _write_set(tmp_path / "set", {"model.joblib": "m", "drift/summary.json": "{}"})
    manifest = verify(tmp_path / "set", required=("model.joblib",))
    assert sorted(manifest["files"]) == ["drift/summary.json", "model.joblib"]
    assert manifest["versions"]["lightgbm"] != "absent"


def test_failed_run_leaves_the_previous_set_untouched(tmp_path):
    _write_set(tmp_path / "set", {"model.joblib": "old"})
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_dir(tmp_path / "set") as tmp:
            (tmp / "model.joblib").write_text("half")
            raise RuntimeError("boom")
    assert (tmp_path / "set" / "model.joblib").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["set"]  # no temporary folder left
    verify(tmp_path / "set")


def test_new_set_replaces_the_old_one(tmp_path):
    _write_set(tmp_path / "set", {"a.txt": "1"})
    _write_set(tmp_path / "set", {"b.txt": "2"})
    assert sorted(p.name for p in (tmp_path / "set").iterdir()) == ["b.txt", "manifest.json"]


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda f: (f / "model.joblib").write_text("tampered"), "model.joblib was altered"),
        (lambda f: (f / "model.joblib").unlink(), "model.joblib is missing"),
        (lambda f: (f / "manifest.json").unlink(), "no manifest.json"),
    ],
)
def test_damaged_set_is_refused_with_the_file_named(tmp_path, damage, message):
    _write_set(tmp_path / "set", {"model.joblib": "m"})
    damage(tmp_path / "set")
    with pytest.raises(ArtifactError, match=message):
        verify(tmp_path / "set")


def test_required_file_absent_from_manifest_is_named(tmp_path):
    _write_set(tmp_path / "set", {"model.joblib": "m"})
    with pytest.raises(ArtifactError, match="required artifact features.npy"):
        verify(tmp_path / "set", required=("features.npy",))


def test_incompatible_library_version_is_refused(tmp_path):
    _write_set(tmp_path / "set", {"model.joblib": "m"})
    manifest_path = tmp_path / "set" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["versions"]["lightgbm"] = "1.0.0"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="built with lightgbm 1.0.0"):
        verify(tmp_path / "set")
