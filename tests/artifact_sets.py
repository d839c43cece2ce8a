"""Test helpers that write artifact sets through the real write path (`model.artifacts`).

`republish` copies a built set into another root as a new, properly signed set, with
an optional change to its files; `rewrite_manifest` re-hashes a set's files and
re-signs (or strips) the manifest, as someone who changed files would.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from model.artifacts import MANIFEST, _file_hashes, new_set, sign_manifest


def republish(source: Path, root: Path, change: Callable[[Path], None] | None = None,
              keep: int | None = None) -> Path:
    """A copy of the set `source` published under `root` (new build id, signed, made current)."""
    manifest = json.loads((source / MANIFEST).read_text())
    extra = {k: v for k, v in manifest.items()
             if k not in {"files", "signature", "build_id", "created_at", "versions"}}
    with new_set(root, manifest_extra=extra, keep=keep) as pending:
        for name in manifest["files"]:
            target = pending.tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, target)
        if change is not None:
            change(pending.tmp)
    return pending.folder


def rewrite_manifest(folder: Path, key: bytes | None, edit: Callable[[dict], None] | None = None) -> None:
    """Re-hash every file of `folder`, apply `edit`, then sign with `key` (None: unsigned)."""
    path = folder / MANIFEST
    manifest = json.loads(path.read_text())
    manifest.pop("signature", None)
    manifest["files"] = _file_hashes(folder)
    if edit is not None:
        edit(manifest)
    if key is not None:
        manifest = sign_manifest(manifest, key)
    path.write_text(json.dumps(manifest, indent=2))
