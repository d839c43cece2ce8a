"""`python -m model score` on a real Dask `LocalCluster` (2 worker processes): the real
sample scored as the API scores it, a worker killed mid-run, bad rows set aside, nothing
half-written."""
from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.data.loader import load_table
from model.engine import ONE_THREAD
from model.scoring.batch import errors_path, score_file

HISTORY = ("bureau", "bureau_balance", "previous_application", "POS_CASH_balance",
           "installments_payments", "credit_card_balance")


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes of one thread, as `python -m model score` starts by default."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      env=ONE_THREAD, memory_limit="3GiB") as local, Client(local) as client:
        yield local, client


@pytest.fixture(scope="module")
def sample_scored(cluster, sample_dir, artifacts_dir, tmp_path_factory):
    """The real sample's application_test (5,000 clients) with its history, scored once."""
    out = tmp_path_factory.mktemp("batch") / "scores.parquet"
    summary = score_file(artifacts_dir, sample_dir, out, scheduler=cluster[0].scheduler_address)
    return summary, pd.read_parquet(out).set_index("SK_ID_CURR")


def _subset(sample_dir: Path, folder: Path, clients: int, edit=None) -> Path:
    """A data folder with the first `clients` test applications (CSV) and their history,
    after `edit(tables)` (a place to put bad values in)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"application_test": pd.read_csv(sample_dir / "application_test.zip").iloc[:clients]}
    ids = set(tables["application_test"]["SK_ID_CURR"])
    for name in HISTORY:
        frame = pd.read_csv(sample_dir / f"{name}.zip")
        if "SK_ID_CURR" in frame.columns:
            frame = frame[frame["SK_ID_CURR"].isin(ids)]
        tables[name] = frame
    tables["bureau_balance"] = tables["bureau_balance"][
        tables["bureau_balance"]["SK_ID_BUREAU"].isin(tables["bureau"]["SK_ID_BUREAU"])]
    if edit is not None:
        edit(tables)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def test_the_sample_is_scored_as_the_api_scores_each_client(sample_scored, sample_dir, api,
                                                            cluster):
    summary, scores = sample_scored
    from model.scoring.load import cached_scorer

    # each worker verified and read the set once at most, however many partitions it scored
    loads = [info.misses for info in cluster[1].run(cached_scorer.cache_info).values()]
    assert max(loads) == 1 and sum(info.hits for info in
                                   cluster[1].run(cached_scorer.cache_info).values()) >= 2
    expected = load_table(sample_dir, "application_test")["SK_ID_CURR"]
    assert summary.clients == len(scores) == len(expected) == 5000
    assert scores.index.is_unique and set(scores.index) == set(expected)
    assert summary.problems == 0 and pd.read_csv(summary.errors).empty
    reasons_seen = 0
    for client_id in scores.index[::50]:  # 100 clients
        row, body = scores.loc[client_id], api.get(f"/api/clients/{client_id}").get_json()
        assert row["probability"] == body["probability"]
        assert row["model_outcome"] == body["model_decision"]
        assert row["recommendation"] == body["decision"]
        assert [r["id"] for r in json.loads(row["rules"])] == [r["id"] for r in body["policy_rules"]]
        assert row["build_id"] == body["build_id"]
        reasons = body["principal_reasons"]
        reasons_seen += len(reasons)
        for k in range(1, 5):
            if k > len(reasons):
                assert pd.isna(row[f"reason_{k}_concept"])
                continue
            assert row[f"reason_{k}_concept"] == reasons[k - 1]["concept"]
            assert row[f"reason_{k}_feature"] == reasons[k - 1]["feature"]
            assert row[f"reason_{k}_points"] == pytest.approx(
                100 * reasons[k - 1]["probability_change"], abs=1e-9)
    assert reasons_seen > 0  # some clients were refused for reasons: the columns were compared


def test_a_worker_killed_mid_run_still_gives_every_client_once(cluster, sample_dir,
                                                               artifacts_dir, tmp_path):
    local, client = cluster
    data = _subset(sample_dir, tmp_path / "data", 600)
    out, work = tmp_path / "scores.parquet", tmp_path / "work"
    work.mkdir()
    before = client.run(os.getpid)
    run: dict = {}
    thread = threading.Thread(target=lambda: run.update(summary=score_file(
        artifacts_dir, data, out, scheduler=local.scheduler_address, partition_clients=40,
        work_dir=work)))
    thread.start()
    deadline = time.monotonic() + 120
    while not list(work.glob("*/out/*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.05)
    finished_when_killed = len(list(work.glob("*/out/*.parquet")))
    victim = sorted(before.values())[0]
    os.kill(victim, signal.SIGKILL)
    thread.join(timeout=300)
    assert 0 < finished_when_killed < 15  # killed after the first of 15 partitions, before the last
    assert victim not in client.run(os.getpid).values()  # the nanny started a new process
    scores = pd.read_parquet(out)
    expected = pd.read_csv(data / "application_test.csv")["SK_ID_CURR"]
    assert run["summary"].clients == len(scores) == 600
    assert scores["SK_ID_CURR"].is_unique and set(scores["SK_ID_CURR"]) == set(expected)


def _bad_values(tables: dict) -> None:
    app, bureau = tables["application_test"], tables["bureau"]
    app["AMT_INCOME_TOTAL"] = app["AMT_INCOME_TOTAL"].astype(object)
    app.loc[2, "AMT_INCOME_TOTAL"] = "12 000"        # row 3: a text in a number
    app.loc[4, "AMT_CREDIT"] = -1000.0               # row 5: a negative amount
    tables["application_test"] = pd.concat([app, app.iloc[[7]]], ignore_index=True)  # row 8 twice
    owner = bureau["SK_ID_CURR"].iloc[0]
    bureau["AMT_CREDIT_SUM"] = bureau["AMT_CREDIT_SUM"].astype(object)
    bureau.iloc[0, bureau.columns.get_loc("AMT_CREDIT_SUM")] = "unknown"  # a bad history row
    tables["_bad_client_ids"] = app.loc[[2, 4, 7], "SK_ID_CURR"].tolist() + [owner]


def test_bad_rows_go_to_the_error_file_naming_the_column(cluster, sample_dir, artifacts_dir,
                                                          tmp_path):
    edited: dict = {}

    def edit(tables):
        _bad_values(tables)
        edited.update(bad=tables.pop("_bad_client_ids"))

    data = _subset(sample_dir, tmp_path / "data", 60, edit)
    out = tmp_path / "scores.csv"
    summary = score_file(artifacts_dir, data, out, file_format="csv",
                         scheduler=cluster[0].scheduler_address)
    errors = pd.read_csv(errors_path(out))
    assert errors_path(out) == tmp_path / "scores.errors.csv"
    found = {(t, r, c) for t, r, c in errors[["table", "row", "column"]].itertuples(index=False)}
    assert {("application_test", 3, "AMT_INCOME_TOTAL"), ("application_test", 5, "AMT_CREDIT"),
            ("application_test", 8, "SK_ID_CURR"), ("application_test", 61, "SK_ID_CURR"),
            ("bureau", 1, "AMT_CREDIT_SUM")} == found
    assert errors.set_index("column").loc["AMT_INCOME_TOTAL", "problem"] == \
        "must be a number but holds '12 000'"
    scores = pd.read_csv(out)
    bad = set(edited["bad"])
    assert not bad & set(scores["SK_ID_CURR"])  # set aside, not scored on wrong features
    assert len(scores) == summary.clients == 60 - len(bad)
    assert set(errors["SK_ID_CURR"]) == bad


def test_a_refused_set_leaves_nothing_behind(artifacts_dir, sample_dir, tmp_path):
    import shutil

    from model.artifacts import ArtifactError

    altered = tmp_path / "set"
    shutil.copytree(artifacts_dir, altered)
    with open(altered / "policy.json", "a") as handle:
        handle.write(" ")
    out = tmp_path / "out" / "scores.parquet"
    out.parent.mkdir()
    (out.parent / "keep.txt").write_text("not ours")
    with pytest.raises(ArtifactError, match="altered"):
        score_file(altered, sample_dir, out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["keep.txt"]


def test_one_shap_call_for_a_batch_gives_each_client_its_own_assessment(artifacts_dir,
                                                                       sample_tables):
    """The batch path (`ClientExplainer.explain_many`) and one client at a time agree."""
    from model.scoring.load import load_scorer

    scorer = load_scorer(artifacts_dir, typical=False)
    history = {k: v for k, v in sample_tables.items() if not k.startswith("application")}
    apps = sample_tables["application_test"].iloc[:120]
    together = scorer.assess(apps, history)
    for i in np.linspace(0, len(apps) - 1, 12).astype(int):
        alone = scorer.assess(apps.iloc[[i]], history)[0]
        assert together[i].to_dict() == alone.to_dict()
        assert json.dumps(together[i].explanation.to_dict(), default=str) == \
            json.dumps(alone.explanation.to_dict(), default=str)
    assert any(a.reasons for a in together)


def test_the_command_names_a_missing_input_folder(artifacts_dir, tmp_path, caplog):
    from model.__main__ import main

    out = tmp_path / "scores.parquet"
    assert main(["score", "--artifacts", str(artifacts_dir), "--data", str(tmp_path / "nowhere"),
                 "--out", str(out)]) == 2
    assert "nowhere: no such file or folder of applications to score" in caplog.text
    assert list(tmp_path.iterdir()) == []


def test_the_proposal_is_the_scorers_when_asked(cluster, sample_dir, artifacts_dir, tmp_path):
    from model.data.loader import load_tables
    from model.scoring.load import load_scorer

    data = _subset(sample_dir, tmp_path / "data", 30)
    out = tmp_path / "scores.parquet"
    score_file(artifacts_dir, data, out, counterfactual=True, scheduler=cluster[0].scheduler_address)
    scores = pd.read_parquet(out).set_index("SK_ID_CURR")
    tables = load_tables(data, ("application_test", *HISTORY))
    apps = tables.pop("application_test")
    expected = load_scorer(artifacts_dir, typical=False).assess(apps, tables, counterfactual=True)
    assert "proposal" in scores.columns and len(expected) == len(scores) == 30
    for assessment in expected:
        proposal = json.loads(scores.at[assessment.client_id, "proposal"])
        assert proposal == json.loads(json.dumps(assessment.to_dict()["counterfactual"], default=str))
    assert {a.recommendation for a in expected} - {"granted"}  # some proposals were searched
