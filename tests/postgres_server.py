"""A throwaway PostgreSQL cluster for the decision-log tests (Debian's `postgresql` binaries).

`.ci/run` starts one and exports `SCORING_TEST_POSTGRES_URL`; without it the tests start
their own (initdb into a temporary folder, owned by a non-root user when run as root,
pg_ctl on a free loopback port). When neither works the tests are skipped with the reason.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unprivileged_user() -> str | None:
    """initdb and postgres refuse to run as root: the user to run them as (None: not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and no unprivileged user to run PostgreSQL")


def _as_user(command: list[str]) -> list[str]:
    user = _unprivileged_user()
    return ["runuser", "-u", user, "--", *command] if user else command


class Cluster:
    """Start with `Cluster.start()`; `url` for SQLAlchemy; `stop()` removes everything."""

    def __init__(self, folder: Path, port: int, bin_dir: Path) -> None:
        self.folder, self.port, self.bin_dir = folder, port, bin_dir
        self.url = f"postgresql+psycopg://scoring@127.0.0.1:{port}/postgres"

    @classmethod
    def start(cls) -> "Cluster":
        bin_dir = _binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql)")
        folder = Path(tempfile.mkdtemp(prefix="scoring-pg-"))
        owner = _unprivileged_user()
        if owner:
            shutil.chown(folder, owner)
            folder.chmod(0o700)
        data = folder / "data"
        port = _port()
        run = lambda *args: subprocess.run(_as_user(list(args)), check=True, capture_output=True, text=True)  # noqa: E731
        try:
            run(str(bin_dir / "initdb"), "-D", str(data), "-U", "scoring", "-A", "trust", "-E", "UTF8")
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60",
                "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        except subprocess.CalledProcessError as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(f"PostgreSQL did not start: {error.stderr.strip()[-300:]}") from error
        return cls(folder, port, bin_dir)

    def stop(self) -> None:
        subprocess.run(_as_user([str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast",
                                 "-w", "stop"]), capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def fresh_database(base_url: str, label: str) -> str:
    """Create an empty database on the server of `base_url` (named from `label` and the
    process id) and return its URL."""
    import hashlib

    from sqlalchemy import text

    from webapp import db

    name = f"t_{os.getpid()}_{hashlib.sha256(label.encode()).hexdigest()[:10]}"
    admin = db.engine(base_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    return base_url.rsplit("/", 1)[0] + "/" + name


@contextmanager
def running_server():
    """The URL of a PostgreSQL server for a test session: `SCORING_TEST_POSTGRES_URL` (the one
    `.ci/run` starts) or a throwaway cluster, stopped at exit. Skips the tests without one."""
    import pytest

    url = os.environ.get("SCORING_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    try:
        cluster = Cluster.start()
    except Exception as error:  # no binaries, no unprivileged user...
        pytest.skip(f"no PostgreSQL server could start: {error}")
    try:
        yield cluster.url
    finally:
        from webapp import db

        db.dispose()
        cluster.stop()
