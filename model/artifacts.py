"""Write artifact sets atomically and load them only when they are intact.

An artifact set is a folder. It is written under a temporary name beside its
destination and renamed into place at the end, with a `manifest.json` listing
the sha256 of every file and the library versions it was made with, so a failed
run never leaves half a model and a tampered or incompatible set is refused.
"""
from __future__ import annotations

import hashlib
import json
import logging
import platform
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
# Libraries whose version changes how a pickled model or its numbers behave.
TRACKED_LIBRARIES = ("numpy", "pandas", "scikit-learn", "imbalanced-learn", "lightgbm", "shap")


class ArtifactError(RuntimeError):
    """An artifact set is missing, incomplete, altered or made with other libraries."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in TRACKED_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def write_manifest(folder: Path, extra: dict | None = None) -> dict:
    """Record every file's sha256 and the library versions in `folder/manifest.json`."""
    files = {
        str(p.relative_to(folder)): sha256_of(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    manifest = {
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": library_versions(),
        "files": files,
        **(extra or {}),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


@contextmanager
def atomic_dir(destination: Path | str, manifest_extra: dict | None = None) -> Iterator[Path]:
    """Yield a temporary folder; on success write its manifest and swap it onto `destination`.

    On error the temporary folder is deleted and `destination` is left as it was.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{destination.name}.tmp-", dir=destination.parent))
    try:
        yield tmp
        write_manifest(tmp, manifest_extra)
        old = destination.with_name(f".{destination.name}.old")
        if old.exists():
            shutil.rmtree(old)
        if destination.exists():
            destination.rename(old)
        tmp.rename(destination)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log.info("artifacts written to %s", destination)


def atomic_file(path: Path) -> Path:
    """A temporary sibling of `path`: write there, then `tmp.replace(path)`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.tmp")


def verify(folder: Path | str, required: tuple[str, ...] = ()) -> dict:
    """Check the manifest of an artifact set; return it, or raise naming what is wrong."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise ArtifactError(f"{folder}: no {MANIFEST}; build the artifacts with `python -m model build`")
    manifest = json.loads(manifest_path.read_text())
    for name in required:
        if name not in manifest["files"]:
            raise ArtifactError(f"{folder}: required artifact {name} is not in the set")
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise ArtifactError(f"{folder}: artifact {name} is missing")
        if sha256_of(path) != expected:
            raise ArtifactError(f"{folder}: artifact {name} was altered (sha256 differs from manifest)")
    current = library_versions()
    for library, version in manifest["versions"].items():
        if library == "python":
            continue
        if _major_minor(current.get(library)) != _major_minor(version):
            raise ArtifactError(
                f"{folder}: built with {library} {version} but {current.get(library)} is "
                f"installed; rebuild with `python -m model build` or install {library}=={version}"
            )
    return manifest


def _major_minor(version: str | None) -> tuple[str, ...]:
    return tuple((version or "absent").split(".")[:2])
