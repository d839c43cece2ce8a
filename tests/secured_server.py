"""A real gunicorn serving the app with sign-in on (as `startup.sh`), for the HTTP and browser tests.

The accounts and API keys are created in the server's database before it starts, so
the demo accounts are not created (they only appear on an empty database).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PASSWORDS = {"advisor": "advisor-password-1", "manager": "manager-password-1", "admin": "admin-password-1"}


@dataclass
class SecuredServer:
    url: str
    database_url: str
    process: subprocess.Popen
    keys: dict[str, str] = field(default_factory=dict)   # advisor_key, manager_key, revoked_key

    def session(self, role: str | None) -> requests.Session:
        """A requests session signed in as the user `role` (None: no session)."""
        client = requests.Session()
        if role is not None:
            answer = client.post(f"{self.url}/login", allow_redirects=False,
                                 data={"username": role, "password": PASSWORDS[role],
                                       "csrf_token": login_token(client, self.url)})
            assert answer.status_code == 302, f"sign-in as {role} failed: {answer.status_code}"
        return client


def login_token(client: requests.Session, url: str) -> str:
    """The CSRF token of the sign-in form, as a browser gets it (GET /login, same cookie jar)."""
    import re

    page = client.get(f"{url}/login").text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_accounts(database_url: str) -> dict[str, str]:
    """One user per role (name = role) and three keys: advisor, manager and a revoked one."""
    from webapp.auth import accounts

    for role, password in PASSWORDS.items():
        accounts.add_user(role, role, password, database_url)
    keys = {"advisor_key": accounts.create_api_key("advisor-system", "advisor", database_url),
            "manager_key": accounts.create_api_key("manager-system", "manager", database_url),
            "revoked_key": accounts.create_api_key("old-system", "advisor", database_url)}
    accounts.revoke_api_key("old-system", database_url)
    return keys


def start(artifacts_root: Path, database_url: str, extra_env: dict | None = None,
          timeout: float = 120) -> SecuredServer:
    """gunicorn app:server in mode `local` on an artifacts root; waits for /api/health."""
    keys = prepare_accounts(database_url)
    port = free_port()
    env = {**os.environ, "SCORING_ARTIFACTS": str(artifacts_root), "PORT": str(port),
           "SCORING_AUTH": "local", "SCORING_DATABASE_URL": database_url,
           "SCORING_SECRET_KEY": "test-secret-key-for-this-run-only", **(extra_env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "app:server", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "4", "--timeout", "120"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{process.stdout.read()}")
        try:
            if requests.get(f"{url}/api/health", timeout=2).status_code == 200:
                return SecuredServer(url, database_url, process, keys)
        except requests.RequestException:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer /api/health within {timeout} s")


def stop(server: SecuredServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
