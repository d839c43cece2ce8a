"""Fairness report: figures checked against hand computations (model/fairness.py)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from model import fairness
from model.fairness_text import group_sentence, proxy_sentence

YEAR = 365.25


def tiny() -> pd.DataFrame:
    # threshold 0.5 -> refused where p >= 0.5.
    # F: y 1 0 0 1, p .9 .6 .1 .2 -> refused 1 1 0 0
    #    default rate 2/4; refusal 2/4; recall 1/2 (the .9); good refused 1/2 (the .6);
    #    mean predicted 1.8/4 = .45
    # M: y 0 0 0 1, p .1 .2 .3 .7 -> refused 0 0 0 1
    #    default rate 1/4; refusal 1/4; recall 1/1; good refused 0/3; mean predicted 1.3/4
    return pd.DataFrame({"TARGET": [1, 0, 0, 1, 0, 0, 0, 1],
                         "probability": [.9, .6, .1, .2, .1, .2, .3, .7],
                         "CODE_GENDER": ["F"] * 4 + ["M"] * 4,
                         "DAYS_BIRTH": [-a * YEAR for a in (22, 30, 40, 50, 60, 70, 24.99, 25.0)]})


def test_group_rates_match_the_hand_computation():
    frame = tiny()
    rows, overall = fairness.group_metrics(frame["TARGET"], frame["probability"],
                                           frame["CODE_GENDER"], 0.5, ["F", "M", "XNA"], n_boot=20)
    f, m, xna = rows
    assert (f["count"], f["default_rate"], f["refusal_rate"], f["recall"],
            f["false_refusal_rate"]) == (4, 0.5, 0.5, 0.5, 0.5)
    assert f["mean_predicted"] == pytest.approx(0.45)
    assert (m["count"], m["default_rate"], m["refusal_rate"], m["recall"],
            m["false_refusal_rate"]) == (4, 0.25, 0.25, 1.0, 0.0)
    assert m["mean_predicted"] == pytest.approx(0.325)
    # XNA is reported although no client has it.
    assert xna["count"] == 0 and xna["refusal_rate"] is None and xna["recall_ci"] is None
    # Overall: 3 defaults of 8, 3 refused of 8, 2 of the 3 defaults refused, 1 of 5 goods.
    assert (overall["count"], overall["default_rate"], overall["refusal_rate"],
            overall["recall"], overall["false_refusal_rate"]) == (8, 3 / 8, 3 / 8, 2 / 3, 1 / 5)


def test_disparate_impact_ratio_and_flag():
    frame = tiny()
    rows, _ = fairness.group_metrics(frame["TARGET"], frame["probability"], frame["CODE_GENDER"],
                                     0.5, ["F", "M", "XNA"], n_boot=10)
    # Approval: F 1 - 0.5 = 0.5, M 1 - 0.25 = 0.75; reference M; F ratio 0.5 / 0.75 = 0.667.
    assert fairness.disparate_impact(rows, limit=0.8, min_group=4) == "M"
    f, m, xna = rows
    assert f["disparate_impact"] == pytest.approx(2 / 3) and f["flag"]
    assert m["disparate_impact"] == 1.0 and not m["flag"]
    assert xna["disparate_impact"] is None and not xna["flag"]
    # With the configured minimum group size (30), four clients are never flagged.
    assert fairness.disparate_impact(rows) is None
    assert not any(r["flag"] for r in rows)


def test_bootstrap_intervals_are_seeded_and_bracket_the_estimate():
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame({"y": (rng.random(n) < 0.2).astype(int), "p": rng.random(n),
                          "g": rng.choice(["F", "M"], n)})
    def run():
        return fairness.group_metrics(frame["y"], frame["p"], frame["g"], 0.5, ["F", "M"],
                                      n_boot=30, seed=7)
    first, second = run(), run()
    assert first == second
    for row in first[0]:
        for name in fairness.RATE_METRICS:
            low, high = row[f"{name}_ci"]
            assert low <= row[name] <= high and low < high


def test_age_bands_at_their_edges():
    bands = fairness.age_band(pd.Series([-a * YEAR for a in (18, 24.99, 25.0, 34.99, 35, 64.99, 65,
                                                              90)] + [np.nan]))
    assert bands.tolist() == ["<25", "<25", "25-34", "25-34", "35-44", "55-64", "65+", "65+", None]
    assert fairness.age_band_labels() == ["<25", "25-34", "35-44", "45-54", "55-64", "65+"]


def test_cramers_v_extremes_and_proxy_decisions():
    gender = pd.Series(["F"] * 10 + ["M"] * 10)
    assert fairness.cramers_v(pd.Series(["a"] * 10 + ["b"] * 10), gender) == pytest.approx(1.0)
    assert fairness.cramers_v(pd.Series(["a", "b"] * 10), gender) == pytest.approx(0.0)
    apps = pd.DataFrame({"CODE_GENDER": gender,
                         "NAME_INCOME_TYPE": ["Maternity leave"] * 10 + ["Working"] * 10,
                         "NAME_FAMILY_STATUS": ["Married", "Single / not married"] * 10})
    checks = {p["column"]: p for p in fairness.proxy_check(
        apps, ["NAME_INCOME_TYPE_Working"], gender_di_flagged=False,
        columns=("NAME_INCOME_TYPE", "NAME_FAMILY_STATUS"))}
    income = checks["NAME_INCOME_TYPE"]
    assert income["decision"] == "kept_monitored" and income["used_by_model"]
    assert {c["value"]: c["share_women"] for c in income["categories"]} == {
        "Maternity leave": 1.0, "Working": 0.0}
    assert checks["NAME_FAMILY_STATUS"]["decision"] == "kept"
    assert not checks["NAME_FAMILY_STATUS"]["used_by_model"]
    flagged = fairness.proxy_check(apps, [], gender_di_flagged=True, columns=("NAME_INCOME_TYPE",))
    assert flagged[0]["decision"] == "remove"
    assert "V de Cramér 1,00" in proxy_sentence(flagged[0], "fr")
    assert "to be removed" in proxy_sentence(flagged[0], "en")


def test_report_sentences_in_both_languages():
    frame = tiny()
    apps = frame.assign(NAME_INCOME_TYPE="Working")
    # Lending rules fire on the first two women and the last man: F 2/4, M 1/4.
    fired = frame.assign(policy_fired=[True, True, False, False, False, False, False, True])
    report = fairness.fairness_report(fired, 0.5, apps, [], n_boot=10)
    women = report["attributes"]["gender"]["groups"][0]
    assert group_sentence(women, "fr").startswith("Femmes : 4 clients, taux de défaut observé 50,0")
    assert group_sentence(women, "en").startswith("Women: 4 clients, observed default rate 50.0%")
    assert "Too few clients to conclude." in group_sentence(women, "en")
    assert [g["policy_rule_rate"] for g in report["attributes"]["gender"]["groups"]] == [0.5, 0.25, None]
    assert "A lending rule applies to 50% of them." in group_sentence(women, "en")
    xna = report["attributes"]["gender"]["groups"][2]
    assert group_sentence(xna, "fr") == ("Sexe non renseigné (XNA) : aucun client dans "
                                         "l'échantillon de validation.")
    ages = {g["group"]: g["count"] for g in report["attributes"]["age"]["groups"]}
    assert ages == {"<25": 2, "25-34": 2, "35-44": 1, "45-54": 1, "55-64": 1, "65+": 1}
    json.dumps(report)  # JSON-ready: no numpy scalars, no NaN
    assert report["protected_features_in_model"] == []
    assert fairness.protected_features(["CODE_GENDER_F", "AMT_CREDIT", "CODE_GENDERX"]) == [
        "CODE_GENDER_F"]
    with pytest.raises(ValueError, match="DAYS_BIRTH"):
        fairness.fairness_report(frame.drop(columns="DAYS_BIRTH"), 0.5, apps, [])


def test_fairness_json_of_the_real_sample_build(artifacts_dir, sample_tables):
    report = json.loads((artifacts_dir / "fairness.json").read_text())
    holdout = pd.read_parquet(artifacts_dir / "holdout.parquet")
    metrics = json.loads((artifacts_dir / "metrics.json").read_text())
    train = sample_tables["application_train"].set_index("SK_ID_CURR")
    assert len(holdout) == report["n_clients"] == metrics["n_clients"]["holdout"]
    assert report["threshold"] == pytest.approx(metrics["threshold"])
    gender = report["attributes"]["gender"]
    assert [g["group"] for g in gender["groups"]] == ["F", "M", "XNA"]
    # Independent computation from holdout.parquet and the raw table, with plain pandas.
    frame = holdout.join(train[["CODE_GENDER"]])
    frame["refused"] = frame["probability"] >= report["threshold"]
    by_gender = frame.groupby(frame["CODE_GENDER"].astype(str))
    for row in gender["groups"]:
        if row["count"] == 0:
            assert row["group"] not in by_gender.groups
            continue
        part = by_gender.get_group(row["group"])
        assert row["count"] == len(part)
        assert row["refusal_rate"] == pytest.approx(part["refused"].mean())
        assert row["default_rate"] == pytest.approx(part["TARGET"].mean())
        assert row["false_refusal_rate"] == pytest.approx(part.loc[part["TARGET"] == 0, "refused"].mean())
        assert row["recall"] == pytest.approx(part.loc[part["TARGET"] == 1, "refused"].mean())
        ratio = train.loc[part.index, "AMT_ANNUITY"] / train.loc[part.index, "AMT_INCOME_TOTAL"]
        assert row["policy_rule_rate"] >= (ratio > 0.35).mean()  # the debt-service rule at least
    assert sum(g["count"] for g in report["attributes"]["age"]["groups"]) == len(holdout)
    assert {p["column"] for p in report["proxies"]} >= {"NAME_INCOME_TYPE", "NAME_FAMILY_STATUS",
                                                        "OCCUPATION_TYPE"}
