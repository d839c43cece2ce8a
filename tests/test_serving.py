"""The app served by a real gunicorn, as `startup.sh` runs it on Azure."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 10.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def gunicorn_url(artifacts_dir):
    port = _free_port()
    env = {**os.environ, "SCORING_ARTIFACTS": str(artifacts_dir), "PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "app:server", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "2", "--timeout", "120"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited early:\n{process.stdout.read()}")
        try:
            if _get(f"{url}/api/health", timeout=2)[0] == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("gunicorn did not answer /api/health within 120 s")
    yield url
    process.terminate()
    process.wait(timeout=30)


def test_gunicorn_serves_the_dashboard_and_the_api(gunicorn_url, artifacts_dir):
    from webapp.state import load_state

    state = load_state(artifacts_dir)
    status, page = _get(gunicorn_url + "/")
    assert status == 200 and "<title>" in page

    status, body = _get(gunicorn_url + "/api/health")
    health = json.loads(body)
    assert health["clients"] == len(state.clients)
    assert health["threshold"] == pytest.approx(state.model.threshold_)

    client_id = int(state.clients.index[0])
    status, body = _get(f"{gunicorn_url}/api/clients/{client_id}")
    assert status == 200
    assert json.loads(body)["probability"] == pytest.approx(
        float(state.clients.at[client_id, "probability_final"]), abs=1e-6)


def test_unknown_client_gets_a_json_404(gunicorn_url):
    status, body = _get(gunicorn_url + "/api/clients/1")
    assert status == 404
    assert "Client 1 not found" in json.loads(body)["error"]
