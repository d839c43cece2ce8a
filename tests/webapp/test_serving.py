"""The app served by a real gunicorn, as `startup.sh` runs it on Azure: start-up, rebuilds, trust.

Each test serves its own artifacts root, made from the session's set by
`tests.artifact_sets.republish` (the real write path: `model.artifacts.new_set`, signed).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

from model.scoring.stored import STORED_FILES

from model.artifacts import switch_current
from tests.artifact_sets import republish, rewrite_manifest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CLIENTS = 40


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


def _post(url: str, body: dict, timeout: float = 30.0) -> tuple[int, str]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _health(url: str) -> dict:
    return json.loads(_get(url + "/api/health")[1])


@contextmanager
def serving(root: Path, log_path: Path, workers: int = 1, env: dict[str, str] | None = None):
    """gunicorn on `root` with the project's gunicorn.conf.py, as startup.sh starts it."""
    port = _free_port()
    env = {**os.environ, "SCORING_ARTIFACTS": str(root), "SCORING_RELOAD_SECONDS": "0.2",
           **(env or {})}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "app:server", "--config", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "6",
             "--timeout", "120", "--access-logfile", "-"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited early:\n{log_path.read_text()}")
            try:
                if _get(url + "/api/health", timeout=30)[0] in (200, 503):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer within 120 s:\n{log_path.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _scores(folder: Path, client_ids: list[int]) -> np.ndarray:
    """`model.predict_proba` on the clients' rows of the set in `folder`, read from its files."""
    model = joblib.load(folder / "model.joblib")
    clients = pd.read_parquet(folder / "clients.parquet")
    names = json.loads((folder / "feature_names.json").read_text())
    matrix = np.load(folder / "features.npy", mmap_mode="r")
    rows = clients.loc[client_ids, "row"].to_numpy()
    return np.asarray(model.predict_proba(pd.DataFrame(np.asarray(matrix[rows]), columns=names)))


@pytest.fixture(scope="module")
def served(artifacts_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("served") / "root"
    folder = republish(artifacts_dir, root)
    log_path = root.parent / "gunicorn.log"
    with serving(root, log_path) as url:
        yield url, folder, log_path


def test_gunicorn_serves_the_dashboard_and_the_api(served):
    url, folder, _ = served
    clients = pd.read_parquet(folder / "clients.parquet")
    status, page = _get(url + "/")
    assert status == 200 and "<title>" in page

    health = _health(url)
    assert health["status"] == "ok" and health["build_id"] == folder.name
    assert health["clients"] == len(clients)

    client_id = int(clients.index[0])
    status, body = _get(f"{url}/api/clients/{client_id}")
    assert status == 200
    assert json.loads(body)["probability"] == pytest.approx(
        float(clients.at[client_id, "probability_final"]), abs=1e-6)


def test_the_set_is_loaded_before_the_first_request(served):
    """gunicorn.conf.py loads the set in the worker before it answers anything."""
    url, folder, log_path = served
    lines = log_path.read_text().splitlines()
    loaded = next(i for i, line in enumerate(lines) if f"serving build {folder.name}" in line)
    first_request = next(i for i, line in enumerate(lines) if '"GET /' in line)
    assert loaded < first_request


def test_two_workers_share_the_set_the_master_loaded(artifacts_dir, tmp_path):
    """startup.sh runs a worker per core: the master loads the set once and forks them; each
    worker re-verifies on its own and writes the decision log through its own connections."""
    root = tmp_path / "root"
    folder = republish(artifacts_dir, root)
    log_path = tmp_path / "gunicorn.log"
    applicant = {"income": 150_000, "credit": 400_000, "annuity": 20_000, "goods": 400_000,
                 "age_years": 40, "children": 1, "family_members": 3, "contract": "Cash loans",
                 "income_type": "Working", "education": "Higher education",
                 "family_status": "Married", "own_car": "N", "own_realty": "Y"}
    # the re-verification on (the test session turns it off), far apart: it is started, not run
    with serving(root, log_path, workers=2, env={"SCORING_VERIFY_SECONDS": "3600"}) as url:
        answers = [_post(url + "/api/score", applicant) for _ in range(12)]
        health = _health(url)
    log = log_path.read_text()
    assert all(status == 200 for status, _ in answers), answers[:1]
    assert len({json.loads(body)["probability"] for _, body in answers}) == 1
    assert health["status"] == "ok" and health["build_id"] == folder.name
    assert log.count(f"serving build {folder.name}") == 1  # loaded once, by the master
    assert log.count("served artifact sets re-verified every") == 2  # a watcher per worker
    assert log.count("Booting worker") == 2


def test_unknown_client_gets_a_json_404(served):
    status, body = _get(served[0] + "/api/clients/1")
    assert status == 404
    assert "Client 1 not found" in json.loads(body)["error"]


def _store_in_another_order(sample: list[int]):
    """A change for `republish`: the feature rows stored in another order, and each sampled
    client given the next sampled client's row, so that a score tells which set served it."""
    def change(folder: Path) -> None:
        clients = pd.read_parquet(folder / "clients.parquet")
        matrix = np.load(folder / "features.npy")
        order = np.random.default_rng(7).permutation(len(matrix))  # new row r = old row order[r]
        new_row = np.empty_like(order)
        new_row[order] = np.arange(len(order))
        rows = new_row[clients["row"].to_numpy()]
        clients["row"] = rows.astype(clients["row"].dtype)
        shifted = clients.loc[sample[1:] + sample[:1], "row"].to_numpy()
        clients.loc[sample, "row"] = shifted
        np.save(folder / "features.npy", matrix[order])
        for name in STORED_FILES:  # the rows moved: this set is assessed on demand instead
            (folder / name).unlink(missing_ok=True)
        names = json.loads((folder / "feature_names.json").read_text())
        clients["probability"] = joblib.load(folder / "model.joblib").predict_proba(
            pd.DataFrame(matrix[order][clients["row"].to_numpy()], columns=names)).astype(np.float32)
        clients.sort_values("row").to_parquet(folder / "clients.parquet")

    return change


def test_a_rebuild_under_a_running_gunicorn_switches_whole_sets(artifacts_dir, tmp_path):
    """Rebuild into the served root while clients are being scored.

    The second set is not trained again (slow): it is the first set's files rewritten
    through the real write path (`republish`: new build folder, signed manifest,
    `current` switched), with the feature rows stored in another order (and the
    sampled clients' rows rotated so that both sets' scores differ). Every answer
    must be `model.predict_proba` on the rows of exactly one set, each thread must see
    the old set then the new one and never back, and health must name the new build.
    """
    root = tmp_path / "root"
    old = republish(artifacts_dir, root)
    clients = pd.read_parquet(old / "clients.parquet")
    sample = [int(c) for c in clients.index[:: max(1, len(clients) // SAMPLE_CLIENTS)][:SAMPLE_CLIENTS]]
    expected_old = dict(zip(sample, _scores(old, sample)))

    with serving(root, tmp_path / "gunicorn.log") as url:
        assert _health(url)["build_id"] == old.name
        stop, answers, errors = threading.Event(), [[] for _ in range(4)], []

        def client_loop(seen: list) -> None:
            i = 0
            while not stop.is_set():
                client_id = sample[i % len(sample)]
                started = time.monotonic()
                status, body = _get(f"{url}/api/clients/{client_id}", timeout=30)
                if status != 200:
                    errors.append((status, body))
                else:
                    seen.append((started, time.monotonic(), client_id, json.loads(body)["probability"]))
                i += 1

        threads = [threading.Thread(target=client_loop, args=(seen,)) for seen in answers]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        switch_started = time.monotonic()
        new = republish(old, root, change=_store_in_another_order(sample))
        deadline = time.monotonic() + 60
        while _health(url)["build_id"] != new.name:
            assert time.monotonic() < deadline, "the new build was not picked up within 60 s"
            time.sleep(0.1)
        switched = time.monotonic()
        time.sleep(1.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        health = _health(url)

    expected_new = dict(zip(sample, _scores(new, sample)))
    assert not errors
    assert all(abs(expected_old[c] - expected_new[c]) > 1e-6 for c in sample)
    assert health["status"] == "ok" and health["build_id"] == new.name
    labels_seen = set()
    for seen in answers:
        labels = []
        for started, ended, client_id, probability in seen:
            is_old = probability == pytest.approx(expected_old[client_id], abs=1e-9)
            is_new = probability == pytest.approx(expected_new[client_id], abs=1e-9)
            assert is_old != is_new, f"client {client_id}: {probability} is from neither set"
            label = "old" if is_old else "new"
            if ended < switch_started:
                assert label == "old"
            if started > switched:
                assert label == "new"
            labels.append(label)
        assert labels == sorted(labels, key=lambda x: x == "new"), "a thread saw the old set again"
        labels_seen.update(labels)
    assert labels_seen == {"old", "new"}


class _Payload:
    """Unpickling this runs code: it writes `marker`."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return exec, (f"open({str(self.marker)!r}, 'w').write('executed')",)


@pytest.mark.parametrize("key", [None, b"an attacker's key"], ids=["unsigned", "wrong-key"])
def test_a_crafted_pickle_with_a_rehashed_manifest_never_runs(artifacts_dir, tmp_path, key):
    """A model.joblib replaced by a pickle that runs code, with its sha256 updated in the
    manifest (unsigned or signed with another key), made current: the app refuses the set
    without unpickling it, keeps serving the previous set and says so in /api/health."""
    import shutil

    root = tmp_path / "root"
    good = republish(artifacts_dir, root)
    marker = tmp_path / "code-ran"
    client_id = int(pd.read_parquet(good / "clients.parquet").index[0])
    expected = float(_scores(good, [client_id])[0])

    with serving(root, tmp_path / "gunicorn.log") as url:
        assert _health(url)["build_id"] == good.name
        crafted = root / "20990101T000000.000000Z-0badc0de"
        shutil.copytree(good, crafted)
        joblib.dump(_Payload(marker), crafted / "model.joblib")
        rewrite_manifest(crafted, key, lambda m: m.update(build_id=crafted.name))
        switch_current(root, crafted.name)
        deadline = time.monotonic() + 30
        while (health := _health(url))["status"] != "degraded":
            assert time.monotonic() < deadline, f"the crafted set was not noticed: {health}"
            time.sleep(0.1)
        status, body = _get(f"{url}/api/clients/{client_id}")

    assert not marker.exists()
    assert health["build_id"] == good.name
    assert health["refused"]["file"] == str(crafted / "manifest.json")
    assert ("not signed" if key is None else "signed with another key") in health["refused"]["problem"]
    assert status == 200 and json.loads(body)["probability"] == pytest.approx(expected, abs=1e-9)
    joblib.load(crafted / "model.joblib")  # the payload is real: loading it does run code
    assert marker.read_text() == "executed"
