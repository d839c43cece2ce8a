"""Artifact sets: versioned, signed, switched atomically, pruned without touching others' files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from model import artifacts
from model.artifacts import (ArtifactError, atomic_dir, current_set, new_set, read_current,
                             switch_current, verify)
from tests.artifact_sets import rewrite_manifest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _publish(root: Path, files: dict[str, str], keep: int | None = None) -> Path:
    with new_set(root, keep=keep) as pending:
        for name, text in files.items():
            (pending.tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (pending.tmp / name).write_text(text)
    return pending.folder


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_build_is_a_new_signed_folder_named_by_its_build_id(tmp_path):
    folder = _publish(tmp_path, {"model.joblib": "m", "drift/summary.json": "{}"})
    manifest = verify(folder, required=("model.joblib",))
    assert folder.parent == tmp_path and artifacts.BUILD_ID.match(folder.name)
    assert manifest["build_id"] == folder.name
    assert sorted(manifest["files"]) == ["drift/summary.json", "model.joblib"]
    assert manifest["signature"]["algorithm"] == "HMAC-SHA256"
    assert read_current(tmp_path) == folder.name and current_set(tmp_path) == folder
    # Nothing but the set and the pointer is left in the root.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([folder.name, "current"])


def test_build_ids_differ_by_content_even_in_the_same_second(tmp_path):
    first = _publish(tmp_path, {"a.txt": "1"})
    second = _publish(tmp_path, {"a.txt": "2"})
    assert first != second and first.is_dir()  # the old set is kept
    assert current_set(tmp_path) == second


def test_failed_build_leaves_the_current_set_and_no_litter(tmp_path):
    good = _publish(tmp_path, {"model.joblib": "old"})
    with pytest.raises(RuntimeError, match="boom"):
        with new_set(tmp_path) as pending:
            (pending.tmp / "model.joblib").write_text("half")
            raise RuntimeError("boom")
    assert current_set(tmp_path) == good
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([good.name, "current"])


def _killed_build(root: Path) -> Path:
    """A real build process killed (SIGKILL) while writing its set: its temporary folder."""
    code = ("import sys, time; from model.artifacts import new_set\n"
            "with new_set(sys.argv[1]) as p:\n"
            "    (p.tmp / 'model.joblib').write_text('half'); print(p.tmp, flush=True); time.sleep(60)")
    process = subprocess.Popen([sys.executable, "-c", code, str(root)], cwd=PROJECT_ROOT,
                               stdout=subprocess.PIPE, text=True)
    litter = Path(process.stdout.readline().strip())
    process.kill()
    process.wait()
    process.stdout.close()
    return litter


def test_killed_build_litter_is_cleaned_at_the_next_build_and_only_ours(tmp_path, caplog):
    litter = _killed_build(tmp_path)
    assert (litter / "model.joblib").is_file() and litter.parent == tmp_path
    dead = _dead_pid()
    (tmp_path / f".current.tmp-{dead}").write_text("x")
    alive = tmp_path / f".build-{os.getppid()}-running"  # a build still in progress elsewhere
    alive.mkdir()
    foreign = [tmp_path / ".build-notes", tmp_path / "my-notes", tmp_path / ".cache"]
    for folder in foreign:
        folder.mkdir()
    with caplog.at_level("WARNING", logger="model.artifacts"):
        _publish(tmp_path, {"a.txt": "1"})
    assert not litter.exists() and not (tmp_path / f".current.tmp-{dead}").exists()
    assert "interrupted build" in caplog.text and litter.name in caplog.text
    assert alive.is_dir() and all(folder.is_dir() for folder in foreign)


def test_old_sets_are_pruned_to_the_last_n_but_never_foreign_or_current_ones(tmp_path):
    # Looks like a build folder but its manifest does not name it: not ours, never deleted.
    foreign = tmp_path / "20200101T000000.000000Z-00000000"
    foreign.mkdir()
    (foreign / "manifest.json").write_text(json.dumps({"build_id": "someone-else"}))
    sets = [_publish(tmp_path, {"a.txt": str(i)}, keep=3) for i in range(5)]
    assert [s.is_dir() for s in sets] == [False, False, True, True, True]
    assert foreign.is_dir()
    # The pointer moved back to an old set (rollback): pruning keeps it.
    switch_current(tmp_path, sets[2].name)
    artifacts.prune(tmp_path, keep=2)
    assert sets[2].is_dir() and sets[4].is_dir() and foreign.is_dir()


def test_keep_is_at_least_two_so_the_set_still_being_served_survives(tmp_path):
    sets = [_publish(tmp_path, {"a.txt": str(i)}, keep=1) for i in range(3)]
    assert [s.is_dir() for s in sets] == [False, True, True]


def test_atomic_dir_still_writes_a_signed_single_output(tmp_path):
    with atomic_dir(tmp_path / "out") as tmp:
        (tmp / "model.joblib").write_text("m")
    verify(tmp_path / "out", required=("model.joblib",))
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize(
    "damage, file, message",
    [
        (lambda f: (f / "model.joblib").write_text("tampered"), "model.joblib", "was altered"),
        (lambda f: (f / "model.joblib").unlink(), "model.joblib", "listed in the manifest but missing"),
        (lambda f: (f / "manifest.json").unlink(), "manifest.json", "is missing"),
        (lambda f: (f / "manifest.json").write_text("{not json"), "manifest.json", "not valid JSON"),
        (lambda f: rewrite_manifest(f, None), "manifest.json", "not signed"),
        (lambda f: rewrite_manifest(f, b"another key"), "manifest.json", "signed with another key"),
        (lambda f: rewrite_manifest(f, artifacts.DEVELOPMENT_KEY, lambda m: m.pop("files")),
         "manifest.json", 'no "files"'),
    ],
)
def test_damaged_set_is_refused_naming_the_file_and_problem(tmp_path, damage, file, message):
    folder = _publish(tmp_path, {"model.joblib": "m"})
    damage(folder)
    with pytest.raises(ArtifactError, match=message) as error:
        verify(folder)
    assert error.value.file == str(folder / file) and message in error.value.problem


def test_signature_covers_every_field_not_only_the_hashes(tmp_path):
    folder = _publish(tmp_path, {"model.joblib": "m"})
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["quick"] = "edited"  # the signature is kept, the content changed
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="does not match its content"):
        verify(folder)


def test_required_file_absent_from_manifest_is_named(tmp_path):
    folder = _publish(tmp_path, {"model.joblib": "m"})
    with pytest.raises(ArtifactError, match="required but not listed") as error:
        verify(folder, required=("features.npy",))
    assert error.value.file.endswith("features.npy")


def test_incompatible_library_version_is_refused(tmp_path):
    folder = _publish(tmp_path, {"model.joblib": "m"})
    rewrite_manifest(folder, artifacts.DEVELOPMENT_KEY,
                     lambda m: m["versions"].update(lightgbm="1.0.0"))
    with pytest.raises(ArtifactError, match="built with lightgbm 1.0.0"):
        verify(folder)


def test_the_key_comes_from_the_environment_and_is_required_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("SCORING_ARTIFACT_KEY", "a-real-secret")
    folder = _publish(tmp_path, {"model.joblib": "m"})
    verify(folder)
    monkeypatch.setenv("SCORING_ARTIFACT_KEY", "another-secret")
    with pytest.raises(ArtifactError, match="signed with another key"):
        verify(folder)
    monkeypatch.delenv("SCORING_ARTIFACT_KEY")
    monkeypatch.setenv("SCORING_ENV", "production")
    with pytest.raises(ArtifactError, match="SCORING_ARTIFACT_KEY is not set"):
        verify(folder)
    with pytest.raises(ArtifactError, match="SCORING_ARTIFACT_KEY is not set"):
        _publish(tmp_path / "other", {"a.txt": "1"})  # refused before any work
    assert not (tmp_path / "other").exists() or not any((tmp_path / "other").iterdir())


@pytest.mark.parametrize("pointer, message", [
    ("../../etc", "does not name a build id"),
    ("20990101T000000.000000Z-deadbeef", "which does not exist"),
])
def test_a_bad_current_pointer_is_named(tmp_path, pointer, message):
    (tmp_path / "current").write_text(pointer)
    with pytest.raises(ArtifactError, match=message):
        current_set(tmp_path)


def test_an_old_flat_set_is_reported_not_replaced(tmp_path):
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "model.joblib").write_text("real model")
    with pytest.raises(ArtifactError, match="old, unversioned layout"):
        current_set(tmp_path)
    assert artifacts.holds_any_set(tmp_path)


@pytest.mark.parametrize("content", ["legacy", "broken-pointer", "unrelated-only"])
def test_start_up_never_deletes_or_overwrites_what_it_did_not_create(tmp_path, monkeypatch, content):
    """`ensure_demo_artifacts` builds only into a root with no set, and deletes nothing."""
    from model import pipeline

    built = []
    monkeypatch.setattr(pipeline, "build", lambda data, root, quick: built.append(root) or root)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    if content == "legacy":
        (tmp_path / "manifest.json").write_text("{}")
        (tmp_path / "model.joblib").write_text("real model")
    elif content == "broken-pointer":
        (tmp_path / "current").write_text("20990101T000000.000000Z-deadbeef")
    before = sorted(str(p.relative_to(tmp_path)) + ":" + (p.read_text() if p.is_file() else "")
                    for p in tmp_path.rglob("*"))
    assert pipeline.ensure_demo_artifacts(tmp_path) is None or content == "unrelated-only"
    after = sorted(str(p.relative_to(tmp_path)) + ":" + (p.read_text() if p.is_file() else "")
                   for p in tmp_path.rglob("*"))
    assert after == before
    assert built == ([tmp_path] if content == "unrelated-only" else [])


def test_importing_the_app_builds_and_loads_nothing(tmp_path):
    """`import app` creates the Dash app only: no demo build, no artifact load."""
    root = tmp_path / "empty-root"
    code = ("import sys, app; "
            "print(sorted(m for m in ('model.pipeline', 'lightgbm', 'model.synth.generate') "
            "if m in sys.modules)); "
            "from webapp import serving; print(len(serving._SERVED))")
    env = {**os.environ, "SCORING_ARTIFACTS": str(root)}
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["[]", "0"]
    assert not root.exists()
