"""Monitoring over time (issue 22): PSI and Jeffreys intervals against hand-computed values,
the back-test's figures, the dated synthetic stream, periods, maturity, alerts, and the two
stores (Evidently workspace, database table) replacing a period monitored again."""
from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import config
from model.monitoring.backtest import backtest, decile_table, hosmer_lemeshow, jeffreys_interval
from model.monitoring.periods import SCORE, maturity, monitor_periods, period_labels
from model.monitoring.psi import (PopulationStability, band, bin_shares, psi_from_shares,
                                  reference_edges)
from model.scoring.dates import add_application_dates, read_application_dates
from model.synth.stream import DATE_COLUMN, OUTCOMES_FILE, drift_shift, generate_stream


# --- PSI ----------------------------------------------------------------------------------------

def test_psi_of_two_share_vectors_is_the_hand_computed_value():
    # 0.2 ln(0.3/0.5)·(-1) + 0.2 ln(0.7/0.5) = 0.2 · 0.5108256 + 0.2 · 0.3364722
    assert psi_from_shares([0.5, 0.5], [0.3, 0.7]) == pytest.approx(0.1694596, abs=1e-7)
    assert psi_from_shares([0.5, 0.5], [0.5, 0.5]) == 0.0


def test_bins_come_from_the_reference_and_missing_values_have_their_own():
    edges = reference_edges(np.array([1.0, 2.0, 3.0, 4.0]), bins=2)
    assert edges.tolist() == [2.5]  # the median: bins (-inf, 2.5], (2.5, inf), missing
    shares = bin_shares(np.array([1.0, 2.0, 3.0, np.nan]), edges)
    assert shares.tolist() == [0.5, 0.25, 0.25]
    model = PopulationStability(bins=2).fit(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}))
    # reference [0.5, 0.5, 0 -> 1e-4]: 0 + 0.25 ln(0.25/0.5)·(-1) + (0.25 - 1e-4) ln(0.25/1e-4)
    expected = 0.25 * math.log(2) + (0.25 - 1e-4) * math.log(0.25 / 1e-4)
    assert expected == pytest.approx(2.1285159, abs=1e-6)
    assert model.transform(pd.DataFrame({"x": [1.0, 2.0, 3.0, np.nan]}))["x"] == pytest.approx(expected)


def test_bins_are_never_refitted_on_the_current_batch():
    model = PopulationStability().fit(pd.DataFrame({"x": np.arange(100.0)}))
    before = model.edges_["x"].copy()
    model.transform(pd.DataFrame({"x": np.arange(100.0) + 1000}))
    assert np.array_equal(model.edges_["x"], before)
    # everything above the reference's top decile: one bin holds all, PSI far past 0.25
    assert model.transform(pd.DataFrame({"x": np.arange(100.0) + 1000}))["x"] > 2


def test_bands_are_the_configured_rules_of_thumb():
    assert band(0.099) == "stable" and band(0.10) == "watch" and band(0.249) == "watch"
    assert band(0.25) == "drift" and band(None) == "stable"


# --- Jeffreys intervals and the back-test -------------------------------------------------------

def _jeffreys_upper_one_trial(level: float) -> float:
    """d = 0, n = 1: Beta(1/2, 3/2), whose CDF is (2/pi)(asin(sqrt x) + sqrt(x(1 - x)))
    (closed form, solved by bisection: no scipy)."""
    target, low, high = 1 - (1 - level) / 2, 0.0, 1.0
    for _ in range(100):
        mid = (low + high) / 2
        cdf = 2 / math.pi * (math.asin(math.sqrt(mid)) + math.sqrt(mid * (1 - mid)))
        low, high = (mid, high) if cdf < target else (low, mid)
    return (low + high) / 2


def test_jeffreys_interval_matches_the_closed_form_and_its_conventions():
    upper = _jeffreys_upper_one_trial(0.95)
    assert upper == pytest.approx(0.85325, abs=1e-5)  # the closed form solved to 1e-30
    assert jeffreys_interval(0, 1) == pytest.approx((0.0, upper), abs=1e-9)
    assert jeffreys_interval(1, 1) == pytest.approx((1 - upper, 1.0), abs=1e-9)  # symmetry, d = n
    lower, upper = jeffreys_interval(5, 10)
    assert lower == pytest.approx(1 - upper) and lower < 0.5 < upper
    assert jeffreys_interval(0, 0)[0] != jeffreys_interval(0, 0)[0]  # NaN: no clients


def test_backtest_of_a_perfectly_ranked_and_calibrated_period():
    # 10 deciles of 100 clients; decile k predicted k/20 and observed exactly k/20 defaults
    probability = np.repeat(np.arange(1, 11) / 20, 100)
    target = np.concatenate([np.r_[np.ones(k * 5), np.zeros(100 - k * 5)] for k in range(1, 11)])
    table = decile_table(probability, target)
    assert table["observed_rate"].tolist() == pytest.approx((np.arange(1, 11) / 20).tolist())
    assert hosmer_lemeshow(table) == pytest.approx((0.0, 1.0))
    result = backtest(probability, target)
    assert result["calibration"]["passed"] and result["rank_inversions"] == 0
    assert table["prediction_inside"].all()
    separated = backtest(np.r_[np.full(50, 0.1), np.full(50, 0.9)], np.r_[np.zeros(50), np.ones(50)])
    assert separated["auc"] == 1.0 and separated["gini"] == 1.0 and separated["ks"] == 1.0
    # predicted 5 % where 50 % default: the calibration test fails
    assert not backtest(np.full(200, 0.05), np.r_[np.zeros(100), np.ones(100)])["calibration"]["passed"]


# --- the dated stream and the periods -----------------------------------------------------------

def _frame(folder: Path) -> pd.DataFrame:
    apps = pd.read_parquet(folder / "application_test.parquet")
    apps["CREDIT_INCOME"] = apps["AMT_CREDIT"] / apps["AMT_INCOME_TOTAL"]
    # a fixed score: the monitored quantity needs no model to be tested
    external = apps[["EXT_SOURCE_2", "EXT_SOURCE_3"]].mean(axis=1).fillna(0.5)
    apps["probability"] = 1 / (1 + np.exp(8 * external - 1))
    apps["application_date"] = pd.to_datetime(apps[DATE_COLUMN]).dt.date
    return apps


INPUTS = ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "AMT_CREDIT", "CREDIT_INCOME",
          "DAYS_BIRTH", "AMT_ANNUITY"]


@pytest.fixture(scope="module")
def streams(tmp_path_factory) -> dict[str, Path]:
    """A drifting 12-month stream and a stable one (the training reference), 4,800 clients each."""
    root = tmp_path_factory.mktemp("streams")
    generate_stream(4800, 12, 7, root / "drift", drift=True)
    generate_stream(4800, 12, 8, root / "reference", drift=False)
    return {"drift": root / "drift", "reference": root / "reference"}


def test_stream_dates_months_and_outcomes_six_months_later(streams):
    apps = pd.read_parquet(streams["drift"] / "application_test.parquet")
    months = pd.to_datetime(apps[DATE_COLUMN]).dt.to_period("M").astype(str)
    assert months.value_counts().sort_index().tolist() == [400] * 12
    assert months.iloc[0] == "2025-01" and months.iloc[-1] == "2025-12"
    outcomes = pd.read_csv(streams["drift"] / OUTCOMES_FILE, parse_dates=["observed_at"])
    assert list(outcomes.columns) == ["SK_ID_CURR", "TARGET", "observed_at"]
    assert "TARGET" not in apps.columns
    joined = outcomes.merge(apps[["SK_ID_CURR", DATE_COLUMN]], on="SK_ID_CURR")
    lag = joined["observed_at"] - pd.to_datetime(joined[DATE_COLUMN])
    assert lag.dt.days.between(181, 184).all()  # six calendar months
    # the drift: none before month 7, then growing; external scores fall, defaults rise
    assert [drift_shift(m) for m in (1, 6)] == [0.0, 0.0] and 0 < drift_shift(7) < drift_shift(12)
    apps["month"] = pd.to_datetime(apps[DATE_COLUMN]).dt.month
    apps = apps.merge(outcomes, on="SK_ID_CURR")
    early, late = apps[apps["month"] <= 6], apps[apps["month"] == 12]
    assert late["EXT_SOURCE_3"].mean() < early["EXT_SOURCE_3"].mean() - 0.1
    assert late["TARGET"].mean() > early["TARGET"].mean()


def test_drifted_months_raise_alerts_and_months_one_to_six_none(streams):
    reference, current = _frame(streams["reference"]), _frame(streams["drift"])
    stability = PopulationStability().fit(
        reference[["probability", *INPUTS]].rename(columns={"probability": SCORE}))
    outcomes = pd.read_csv(streams["drift"] / OUTCOMES_FILE)
    entries = monitor_periods(current[["SK_ID_CURR", "probability", "application_date"]],
                              stability, inputs=current.set_index("SK_ID_CURR")[INPUTS],
                              outcomes=outcomes)
    assert [e["period"] for e in entries] == [f"2025-{m:02d}" for m in range(1, 13)]
    for entry in entries[:6]:
        assert entry["alerts"] == [] and entry["status"] == "stable", entry["psi"]
    for entry in entries[6:]:
        assert entry["status"] in ("watch", "drift") and entry["alerts"], entry["psi"]
        assert {a["input"] for a in entry["alerts"]} & {"EXT_SOURCE_2", "EXT_SOURCE_3", SCORE}
    assert all(e["status"] == "drift" for e in entries[8:])
    # as of the last application (end of December): months 1-6 matured, 7-12 not yet
    assert [e["backtest"] is not None for e in entries] == [True] * 6 + [False] * 6
    assert entries[6]["maturity"] == {**entries[6]["maturity"], "matured": False,
                                      "matures_on": "2026-01-31"}
    assert 0.5 < entries[0]["backtest"]["auc"] <= 1


def test_period_labels_and_maturity():
    dates = pd.Series([date(2025, 1, 31), date(2025, 2, 1), date(2025, 12, 31)])
    assert period_labels(dates).tolist() == ["2025-01", "2025-02", "2025-12"]
    assert period_labels(dates, "quarter").tolist() == ["2025Q1", "2025Q1", "2025Q4"]
    # June's last day + 6 months: 30 December
    assert maturity("2025-06", "month", date(2025, 12, 29))["matured"] is False
    assert maturity("2025-06", "month", date(2025, 12, 30)) == {
        "matured": True, "matures_on": "2025-12-30", "months": 6}
    with pytest.raises(ValueError, match="--period"):
        period_labels(dates, "fortnight")


# --- batch dates --------------------------------------------------------------------------------

def test_application_dates_of_a_batch_file(tmp_path):
    frame = pd.DataFrame({"SK_ID_CURR": [1, 2], "APPLICATION_DATE": ["2025-03-01", "2025-04-02"],
                          "WHEN": ["2025-05-05", "later"]})
    frame.to_csv(tmp_path / "apps.csv", index=False)
    dates = read_application_dates(tmp_path / "apps.csv")
    assert dates.to_dict() == {1: date(2025, 3, 1), 2: date(2025, 4, 2)}
    with pytest.raises(ValueError, match=r"apps.csv: column WHEN holds 'later', not a date \(client 2"):
        read_application_dates(tmp_path / "apps.csv", "WHEN")
    with pytest.raises(ValueError, match=r"no date column 'DAY' \(--date-column\)"):
        read_application_dates(tmp_path / "apps.csv", "DAY")
    frame.drop(columns=["APPLICATION_DATE", "WHEN"]).to_csv(tmp_path / "plain.csv", index=False)
    assert read_application_dates(tmp_path / "plain.csv") is None  # the scoring day then
    out = tmp_path / "scores.parquet"
    pd.DataFrame({"SK_ID_CURR": [2, 1], "probability": [0.1, 0.2]}).to_parquet(out)
    add_application_dates(out, "parquet", dates, date(2026, 1, 1))
    written = pd.read_parquet(out)
    assert written["application_date"].tolist() == [date(2025, 4, 2), date(2025, 3, 1)]
    add_application_dates(out, "parquet", None, date(2026, 1, 1))
    assert set(pd.read_parquet(out)["application_date"]) == {date(2026, 1, 1)}


# --- stores: a period monitored again replaces its run and its row ------------------------------

def test_rerunning_a_period_replaces_its_evidently_run(tmp_path):
    from model.monitoring.run import EvidentlyStore, evidently_run

    rng = np.random.default_rng(0)
    reference = pd.DataFrame({SCORE: rng.random(300), "x": rng.normal(size=300)})
    current = pd.DataFrame({SCORE: rng.random(120), "x": rng.normal(1, 1, size=120)})
    store = EvidentlyStore(tmp_path / "workspace")
    first = store.replace("2025-01", evidently_run(reference, current, "2025-01", date(2025, 1, 1)))
    store.replace("2025-02", evidently_run(reference, current, "2025-02", date(2025, 2, 1)))
    second = store.replace("2025-01", evidently_run(reference, current, "2025-01", date(2025, 1, 1)))
    again = EvidentlyStore(tmp_path / "workspace")  # the same project, found by name
    runs = [again.workspace.get_run(again.project.id, r) for r in again.workspace.list_runs(again.project.id)]
    assert sorted(r.metadata["period"] for r in runs) == ["2025-01", "2025-02"]
    assert first != second
    assert {r.timestamp.date() for r in runs} == {date(2025, 1, 1), date(2025, 2, 1)}


def test_rerunning_a_period_replaces_its_database_row(tmp_path):
    from webapp.db.monitoring import replace_periods, stored_periods

    url = f"sqlite:///{tmp_path}/app.db"
    entry = {"period": "2025-01", "status": "stable", "clients": 10, "alerts": [],
             "psi": {"score": 0.01, "inputs": {"x": 0.02}}, "maturity": {"matured": False},
             "backtest": None}
    replace_periods([entry, {**entry, "period": "2025-02"}], "month", url)
    replace_periods([{**entry, "status": "drift", "alerts": [{"input": "x", "metric": "psi",
                                                             "value": 0.3, "band": "drift"}]}],
                    "month", url)
    rows = stored_periods(url)
    assert [(r["period"], r["status"]) for r in rows] == [("2025-01", "drift"), ("2025-02", "stable")]
    assert rows[0]["alerts"][0]["input"] == "x" and rows[0]["rates"]["psi_inputs"] == {"x": 0.02}


def test_monitor_names_a_bad_score_file(tmp_path):
    from model.__main__ import main

    pd.DataFrame({"SK_ID_CURR": [1], "probability": [0.2]}).to_csv(tmp_path / "s.csv", index=False)
    assert main(["monitor", "--scores", str(tmp_path / "s.csv"), "--out", str(tmp_path / "m"),
                 "--artifacts", str(tmp_path / "none")]) == 2
    assert config.PSI_BANDS == {"watch": 0.10, "drift": 0.25}


def test_monitor_reads_the_decision_log_scores_decisions_and_overrides(tmp_path, artifacts_dir):
    """`--log`: the app's own log (written by its real write path), one row per client and
    day, the approval, final approval and override rates of each month."""
    from datetime import datetime, timezone

    from model.monitoring.run import monitor
    from webapp.db import audit_log

    url = f"sqlite:///{tmp_path}/app.db"
    base = {"screen": "client", "actor": "conseiller", "actor_type": "user", "role": "advisor",
            "threshold": 0.1}
    rows = []
    for client, (month, p, outcome) in enumerate([(1, 0.05, "granted"), (1, 0.30, "refused"),
                                                  (1, 0.07, "granted"), (2, 0.40, "refused")]):
        at = datetime(2025, month, 3 + client, 9, tzinfo=timezone.utc)
        rows.append({**base, "at": at, "client_id": 100 + client, "probability": p,
                     "recommendation": outcome})
    for row in rows:
        audit_log.append(row, url)
    audit_log.append({**rows[0], "probability": 0.05}, url)  # shown twice the same day: once
    audit_log.append({**rows[1], "kind": "decision", "final_decision": "granted", "override": True,
                      "reason_category": "other", "override_reason": "guarantor"}, url)
    audit_log.append({**rows[2], "kind": "decision", "final_decision": "granted"}, url)
    summary = monitor(artifacts_dir, tmp_path / "out", log_url=url, evidently=False)
    january, february = summary["periods"]
    assert (january["period"], january["clients"], february["clients"]) == ("2025-01", 3, 1)
    assert january["approval_rate"] == pytest.approx(2 / 3)
    assert january["final_approval_rate"] == 1.0 and january["override_rate"] == 0.5
    assert february["override_rate"] is None and february["backtest"] is None
    assert not january["judged"] and january["alerts"] == []  # 3 clients: too few to judge
    assert (tmp_path / "out" / "summary.json").is_file()
