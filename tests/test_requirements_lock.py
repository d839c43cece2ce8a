"""requirements.txt says what the project accepts (ranges); requirements.lock says what CI and
the Docker image install (exact versions). A requirement added to the first without
regenerating the second must fail here, before a fresh machine resolves it on its own."""
from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK_COMMAND = "uv pip compile requirements.txt"
REGENERATE = ("regenerate the lock: pip install uv && uv pip compile requirements.txt "
              "--python-version 3.11 --python-platform x86_64-manylinux_2_28 -o requirements.lock")


def _requirements(path: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def _lock(path: Path) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        assert match, f"requirements.lock line {number} is not an exact pin: {raw!r}"
        pins[canonicalize_name(match.group(1))] = Version(match.group(2))
    return pins


def test_lock_records_the_command_that_made_it():
    header = (ROOT / "requirements.lock").read_text().splitlines()[:3]
    assert any(LOCK_COMMAND in line for line in header), REGENERATE


def test_every_requirement_is_pinned_in_the_lock_within_its_range():
    pins = _lock(ROOT / "requirements.lock")
    problems = []
    for requirement in _requirements(ROOT / "requirements.txt"):
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement.name} is not in requirements.lock")
        elif not requirement.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{requirement.name}=={pins[name]} is outside {requirement.specifier}")
    assert not problems, "; ".join(problems) + f" ({REGENERATE})"


def test_the_lock_parser_catches_a_stale_lock(tmp_path):
    """The check above can fail: a requirement missing from the lock, or a pin out of range."""
    (tmp_path / "requirements.txt").write_text("numpy>=2.0,<3\nnew-package>=1\n")
    (tmp_path / "requirements.lock").write_text("numpy==1.26.4\n")
    pins = _lock(tmp_path / "requirements.lock")
    reqs = {canonicalize_name(r.name): r for r in _requirements(tmp_path / "requirements.txt")}
    assert "new-package" not in pins
    assert not reqs["numpy"].specifier.contains(pins["numpy"])
