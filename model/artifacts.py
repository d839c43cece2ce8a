"""Versioned, signed artifact sets: written whole, switched atomically, trusted before unpickling.

Layout of the artifacts root (`config.artifacts_dir()`, env `SCORING_ARTIFACTS`):

    <root>/20261201T201500.123456Z-3fa2c9e1/   one immutable set per build, named by its build id
    <root>/current                      a one-line text file: the build id being served

A build writes its files into `<root>/.build-<pid>-<random>/`, then writes the
manifest (sha256 of every file, library versions, build id) signed with
HMAC-SHA256, renames the folder to its build id and replaces `current` through a
temporary file and `os.replace` (a file, not a symlink: Azure Files mounts do not
keep symlinks). Readers therefore see the old set or the new one, never half of
one. Old sets are pruned to the last `config.KEEP_SETS`; only folders whose
manifest carries their own name as build id are ever deleted, so nothing this
code did not write goes away. A build killed midway leaves its `.build-*` folder,
removed (with a log line) by the next build once its process is gone.

The signature is checked before anything else is read, so a pickle rewritten
together with its hash in the manifest is refused without being unpickled.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import platform
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from model import config

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CURRENT = "current"
# Libraries whose version changes how a pickled model or its numbers behave.
TRACKED_LIBRARIES = ("numpy", "pandas", "scikit-learn", "imbalanced-learn", "lightgbm", "shap")
# UTC time to the microsecond (orders builds made within one second) + content hash.
BUILD_ID = re.compile(r"^\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8}$")
BUILD_TMP_PREFIX = ".build-"
_BUILD_TMP = re.compile(r"^\.build-(\d+)-[A-Za-z0-9_]+$")
_POINTER_TMP = re.compile(r"^\.current\.tmp-(\d+)$")
SIGNATURE_ALGORITHM = "HMAC-SHA256"
KEY_VARIABLE = "SCORING_ARTIFACT_KEY"
# Public on purpose: it only keeps development sets consistent, it protects nothing.
DEVELOPMENT_KEY = b"pret-a-depenser development artifact key (not a secret)"
# A manifest lists a few dozen files; anything far larger is not one of ours.
MAX_MANIFEST_BYTES = 4 << 20
_warned_development_key = False


class ArtifactError(RuntimeError):
    """An artifact set is missing, incomplete, altered, unsigned or made with other libraries.

    `file` is the path at fault (or None) and `problem` a sentence safe to show users.
    """

    def __init__(self, problem: str, file: Path | str | None = None) -> None:
        self.problem, self.file = problem, (str(file) if file is not None else None)
        super().__init__(f"{self.file}: {problem}" if self.file else problem)


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


# --- signing -------------------------------------------------------------------------------------

def signing_key() -> bytes:
    """The HMAC key from `SCORING_ARTIFACT_KEY`; required when `SCORING_ENV=production`.

    Elsewhere a fixed development key is used and said so once in the log, so that a
    laptop or CI works without setup while production never runs on a known key.
    """
    global _warned_development_key
    value = os.environ.get(KEY_VARIABLE, "")
    if value:
        return value.encode()
    if os.environ.get("SCORING_ENV", "").lower() == "production":
        raise ArtifactError(f"{KEY_VARIABLE} is not set; it is required when SCORING_ENV=production")
    if not _warned_development_key:
        log.warning("%s is not set: artifact sets are signed and checked with the fixed "
                    "DEVELOPMENT key, which anyone can use to forge a set; set it in production",
                    KEY_VARIABLE)
        _warned_development_key = True
    return DEVELOPMENT_KEY


def key_id(key: bytes) -> str:
    """A short name of a key, to tell 'signed with another key' apart from 'altered'."""
    return hmac.new(key, b"key-id", hashlib.sha256).hexdigest()[:8]


def _canonical(manifest: dict) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sign_manifest(manifest: dict, key: bytes | None = None) -> dict:
    """`manifest` with a `signature` over everything else in it."""
    key = signing_key() if key is None else key
    value = hmac.new(key, _canonical(manifest), hashlib.sha256).hexdigest()
    return {**manifest, "signature": {"algorithm": SIGNATURE_ALGORITHM, "key_id": key_id(key),
                                      "value": value}}


def check_signature(manifest: dict, path: Path, key: bytes | None = None) -> None:
    """Raise `ArtifactError` unless `manifest` carries a valid signature made with our key."""
    key = signing_key() if key is None else key
    signature = manifest.get("signature")
    if not isinstance(signature, dict) or not isinstance(signature.get("value"), str):
        raise ArtifactError("the manifest is not signed; the set is refused (rebuild it with "
                            "`python -m model build`, which signs it)", path)
    if signature.get("algorithm") != SIGNATURE_ALGORITHM:
        raise ArtifactError(f"unknown signature algorithm {signature.get('algorithm')!r}", path)
    expected = hmac.new(key, _canonical(manifest), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature["value"]):
        if signature.get("key_id") != key_id(key):
            raise ArtifactError(f"the manifest is signed with another key (key id "
                                f"{signature.get('key_id')!r}, this app has {key_id(key)!r}); "
                                f"the set is refused", path)
        raise ArtifactError("the manifest's signature does not match its content (altered "
                            "after signing); the set is refused", path)


# --- writing -------------------------------------------------------------------------------------

def _file_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): sha256_of(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def write_manifest(folder: Path, extra: dict | None = None) -> dict:
    """Record every file's sha256 and the library versions in `folder/manifest.json`, signed."""
    manifest = sign_manifest({
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": library_versions(),
        "files": _file_hashes(folder),
        **(extra or {}),
    })
    tmp = folder / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2))
    tmp.replace(folder / MANIFEST)
    return manifest


@dataclass
class PendingSet:
    """A set being built: write into `tmp`; after the `with` block `folder` and `build_id` are set."""
    root: Path
    tmp: Path
    build_id: str | None = None
    folder: Path | None = None


def new_build_id(files: dict[str, str], now: datetime | None = None) -> str:
    """UTC timestamp + the first 8 hex digits of a hash over the set's file hashes."""
    now = now or datetime.now(timezone.utc)
    content = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:8]
    return f"{now.strftime('%Y%m%dT%H%M%S.%fZ')}-{content}"


@contextmanager
def new_set(root: Path | str, manifest_extra: dict | None = None,
            keep: int | None = None) -> Iterator[PendingSet]:
    """Yield a `PendingSet`; on success sign it, rename it to its build id and switch `current`.

    On error (or interruption) the temporary folder is removed and `current` is untouched.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    signing_key()  # fail before hours of work if production has no key
    clean_interrupted(root)
    pending = PendingSet(root, Path(tempfile.mkdtemp(prefix=f"{BUILD_TMP_PREFIX}{os.getpid()}-",
                                                     dir=root)))
    try:
        yield pending
        files = _file_hashes(pending.tmp)
        build_id = new_build_id(files)
        write_manifest(pending.tmp, {**(manifest_extra or {}), "build_id": build_id})
        final = root / build_id
        pending.tmp.chmod(0o755)  # mkdtemp makes it private; the app may run as another user
        pending.tmp.rename(final)
    except BaseException:
        shutil.rmtree(pending.tmp, ignore_errors=True)
        raise
    pending.build_id, pending.folder = build_id, final
    switch_current(root, build_id)
    prune(root, config.KEEP_SETS if keep is None else keep)
    log.info("artifact set %s written to %s and made current", build_id, final)


@contextmanager
def atomic_dir(destination: Path | str, manifest_extra: dict | None = None) -> Iterator[Path]:
    """Yield a temporary folder; on success write its signed manifest and swap it onto `destination`.

    For single outputs such as `python -m model train --out DIR` (the app serves versioned
    sets from `new_set`). On error the temporary folder is deleted and `destination` is left.
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


def switch_current(root: Path, build_id: str) -> None:
    """Point `root/current` at `build_id` in one `os.replace` (readers never see a partial file)."""
    if not BUILD_ID.match(build_id) or not (root / build_id).is_dir():
        raise ArtifactError(f"no artifact set named {build_id!r}", root)
    tmp = root / f".{CURRENT}.tmp-{os.getpid()}"
    with open(tmp, "w") as handle:
        handle.write(build_id + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / CURRENT)
    _fsync_dir(root)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_interrupted(root: Path) -> list[Path]:
    """Remove what killed builds left behind: only our own temporary names, from dead processes."""
    removed = []
    for path in sorted(Path(root).iterdir()):
        match = _BUILD_TMP.match(path.name) if path.is_dir() else _POINTER_TMP.match(path.name)
        if match is None or _pid_alive(int(match.group(1))):
            continue
        log.warning("removing %s left by an interrupted build (process %s is gone)",
                    path, match.group(1))
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def own_sets(root: Path) -> list[str]:
    """Build ids of the sets this code wrote under `root` (manifest names its folder), oldest first."""
    ids = []
    for path in sorted(Path(root).iterdir()) if Path(root).is_dir() else []:
        if not (BUILD_ID.match(path.name) and path.is_dir()):
            continue
        try:
            manifest = json.loads((path / MANIFEST).read_text())
        except (OSError, ValueError):
            continue
        if isinstance(manifest, dict) and manifest.get("build_id") == path.name:
            ids.append(path.name)
    return ids


def prune(root: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` (at least 2) of our sets, never the current one.

    Two at least: a running app keeps serving the previous set until it notices the switch.
    """
    keep = max(2, keep)
    current = read_current(root)
    removed = []
    for build_id in own_sets(root)[:-keep]:
        if build_id == current:
            continue
        shutil.rmtree(root / build_id, ignore_errors=True)
        log.info("removed old artifact set %s (keeping the last %d)", build_id, keep)
        removed.append(build_id)
    return removed


# --- reading -------------------------------------------------------------------------------------

def read_current(root: Path) -> str | None:
    """The build id `root/current` names, or None when there is no pointer."""
    pointer = Path(root) / CURRENT
    try:
        with open(pointer, "rb") as handle:
            text = handle.read(200).decode("ascii", errors="replace").strip()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ArtifactError(f"cannot be read ({type(error).__name__})", pointer) from None
    if not BUILD_ID.match(text):
        raise ArtifactError("does not name a build id (expected e.g. 20261201T201500.123456Z-3fa2c9e1)",
                            pointer)
    return text


def current_set(root: Path | str) -> Path:
    """The folder of the set `root/current` points to; raise `ArtifactError` saying why not."""
    root = Path(root)
    build_id = read_current(root)
    if build_id is None:
        if (root / MANIFEST).is_file():
            raise ArtifactError("holds an artifact set in the old, unversioned layout (no "
                                f"'{CURRENT}' pointer); build a new set with `python -m model "
                                f"build --out {root}`", root)
        raise ArtifactError("no artifact set yet; build one with `python -m model build`", root)
    folder = root / build_id
    if not folder.is_dir():
        raise ArtifactError(f"'{CURRENT}' points to {build_id}, which does not exist", folder)
    return folder


def set_folder(path: Path | str) -> Path:
    """A set's folder from either the folder itself or an artifacts root (its `current` set):
    what the command line takes, so `--artifacts artifacts/` and a build folder both work."""
    path = Path(path)
    return path if (path / MANIFEST).is_file() else current_set(path)


def holds_any_set(root: Path | str) -> bool:
    """True when `root` holds a set in any layout (pointer, build folder or an old flat set)."""
    root = Path(root)
    if not root.is_dir():
        return False
    return ((root / CURRENT).exists() or (root / MANIFEST).exists()
            or any(BUILD_ID.match(p.name) for p in root.iterdir()))


def read_manifest(folder: Path) -> dict:
    """The parsed manifest of a set, or `ArtifactError` naming what is wrong with it."""
    path = folder / MANIFEST
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_MANIFEST_BYTES + 1)
    except FileNotFoundError:
        raise ArtifactError("is missing; build the artifacts with `python -m model build`",
                            path) from None
    except OSError as error:
        raise ArtifactError(f"cannot be read ({type(error).__name__})", path) from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ArtifactError(f"is larger than {MAX_MANIFEST_BYTES >> 20} MB: not a manifest", path)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ArtifactError("is not valid JSON", path) from None
    if not isinstance(manifest, dict):
        raise ArtifactError("is not a JSON object", path)
    return manifest


def verify(folder: Path | str, required: tuple[str, ...] = ()) -> dict:
    """Check signature, files and versions of an artifact set; return its manifest.

    Order matters: the signature is checked first, so nothing a forger wrote is trusted,
    and nothing here unpickles. Raises `ArtifactError` naming the file and the problem.
    """
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    manifest = read_manifest(folder)
    check_signature(manifest, manifest_path)
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise ArtifactError('has no "files" list of the set\'s files and their sha256', manifest_path)
    versions = manifest.get("versions")
    if not isinstance(versions, dict):
        raise ArtifactError('has no "versions" of the libraries the set was made with', manifest_path)
    for name in required:
        if name not in files:
            raise ArtifactError("is required but not listed in the manifest", folder / name)
    current = library_versions()
    for library, version in versions.items():
        if library == "python":
            continue
        if _major_minor(current.get(library)) != _major_minor(str(version)):
            raise ArtifactError(
                f"built with {library} {version} but {current.get(library)} is installed; "
                f"rebuild with `python -m model build` or install {library}=={version}",
                manifest_path)
    for name, expected in files.items():
        path = folder / name
        if not path.is_file():
            raise ArtifactError("is listed in the manifest but missing", path)
        if not hmac.compare_digest(sha256_of(path), str(expected)):
            raise ArtifactError("was altered (its sha256 differs from the signed manifest)", path)
    return manifest


def _major_minor(version: str | None) -> tuple[str, ...]:
    return tuple((version or "absent").split(".")[:2])
