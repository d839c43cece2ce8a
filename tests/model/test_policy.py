"""Lending policy rules, evaluated on rows worked out by hand (model/scoring/policy.py)."""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from model.scoring import policy

YEAR = 365.25
NNBSP = "\u202f"


def app(income=100_000.0, credit=500_000.0, annuity=20_000.0, age=40.0) -> dict:
    return {"AMT_INCOME_TOTAL": income, "AMT_CREDIT": credit, "AMT_ANNUITY": annuity,
            "DAYS_BIRTH": -age * YEAR}


@pytest.fixture
def rules(monkeypatch):
    monkeypatch.delenv("SCORING_POLICY_MAX_DEBT_SERVICE_RATIO", raising=False)
    monkeypatch.delenv("SCORING_POLICY_MAX_CREDIT_TO_INCOME", raising=False)
    return policy.rules_from_config()


def ids(fired) -> list[str]:
    return [hit.id for hit in fired]


def test_the_unaffordable_loan_of_the_issue_is_refused(rules):
    # annuity / income = 900 000 / 10 000 = 90 (cap 0.35): refused;
    # credit / income = 5 000 000 / 10 000 = 500 (cap 10): review; refusal wins.
    fired = policy.evaluate(app(income=10_000, credit=5_000_000, annuity=900_000), rules)
    assert ids(fired) == ["debt_service_ratio", "credit_to_income"]
    assert [hit.value for hit in fired] == [90.0, 500.0]
    assert policy.decide(False, fired) == "refused"


def test_a_normal_application_fires_nothing(rules):
    # 20 000 / 100 000 = 0.20 <= 0.35; 500 000 / 100 000 = 5 <= 10; age 40 >= 18.
    fired = policy.evaluate(app(), rules)
    assert fired == []
    assert policy.decide(False, fired) == "granted" and policy.decide(True, fired) == "refused"


@pytest.mark.parametrize("annuity, fires", [(35_000, False), (35_001, True)])
def test_debt_service_cap_is_strictly_above(rules, annuity, fires):
    # 35 000 / 100 000 = 0.35 exactly: at the cap, not above it.
    assert ("debt_service_ratio" in ids(policy.evaluate(app(annuity=annuity), rules))) is fires


@pytest.mark.parametrize("credit, decision", [(1_000_000, "granted"), (1_000_001, "review")])
def test_credit_above_ten_times_income_goes_to_review(rules, credit, decision):
    # 1 000 000 / 100 000 = 10 (not above); one euro more is above: review, even if the
    # model would grant.
    assert policy.decide(False, policy.evaluate(app(credit=credit), rules)) == decision


@pytest.mark.parametrize("age, fires", [(17.0, True), (17.99, True), (18.0, False)])
def test_minors_are_refused(rules, age, fires):
    fired = policy.evaluate(app(age=age), rules)
    assert ("minimum_age" in ids(fired)) is fires
    if fires:
        assert policy.decide(False, fired) == "refused"


def test_review_rule_overrides_a_model_refusal_but_not_a_refusal_rule(rules):
    review = policy.evaluate(app(credit=2_000_000), rules)  # 20 x income, ratio 0.2
    assert ids(review) == ["credit_to_income"] and policy.decide(True, review) == "review"
    both = policy.evaluate(app(credit=2_000_000, annuity=50_000), rules)
    assert policy.decide(False, both) == "refused"


def test_missing_or_zero_income(rules):
    # A missing income cannot be measured: nothing fires (the form requires it anyway).
    assert policy.evaluate(app(income=math.nan), rules) == []
    assert policy.evaluate({"AMT_CREDIT": 1.0}, rules) == []
    # A zero income with an annuity to pay is an infinite debt-service ratio.
    assert ids(policy.evaluate(app(income=0.0), rules)) == ["debt_service_ratio", "credit_to_income"]
    assert policy.evaluate(app(income=0.0, credit=0.0, annuity=0.0), rules) == []


def test_the_cap_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SCORING_POLICY_MAX_DEBT_SERVICE_RATIO", "0.5")
    rules = policy.rules_from_config()
    assert rules[0].threshold == 0.5
    assert policy.evaluate(app(annuity=40_000), rules) == []  # 0.40 <= 0.50
    assert ids(policy.evaluate(app(annuity=60_000), rules)) == ["debt_service_ratio"]


def test_rule_texts_in_both_languages(rules):
    hit = policy.evaluate(app(annuity=40_000), rules)[0]  # ratio 0.40
    assert hit.text("fr").startswith(f"Taux d'endettement de 40{NNBSP}%")
    assert f"plafond de 35{NNBSP}%" in hit.text("fr")
    assert hit.text("en").startswith("Debt-service ratio of 40%") and "35% cap" in hit.text("en")
    odd = policy.evaluate(app(annuity=35_400), rules)[0]  # 0.354: one decimal, not "35 %"
    assert f"35,4{NNBSP}%" in odd.text("fr") and "35.4%" in odd.text("en")
    minor = policy.evaluate(app(age=17.5), rules)[-1]
    assert "17 ans" in minor.text("fr") and "17 years" in minor.text("en")
    assert rules[1].describe("en") == "Credit over yearly income (times) above 10: manager review"


def test_vectorised_mask_agrees_with_single_rows(rules):
    rows = [app(), app(annuity=50_000), app(credit=3_000_000), app(age=16)]
    mask = policy.fired_mask(pd.DataFrame(rows), rules)
    assert mask.to_dict("list") == {"debt_service_ratio": [False, True, False, False],
                                    "credit_to_income": [False, False, True, False],
                                    "minimum_age": [False, False, False, True]}
    for i, row in enumerate(rows):
        assert ids(policy.evaluate(row, rules)) == [c for c in mask.columns if mask.at[i, c]]
    with pytest.raises(ValueError, match="AMT_ANNUITY"):
        policy.fired_mask(pd.DataFrame({"AMT_INCOME_TOTAL": [1.0]}), rules)


def test_policy_file_round_trip_and_bad_files(tmp_path, rules):
    path = policy.write_policy(tmp_path, rules)
    assert policy.read_policy(path) == rules
    data = json.loads(path.read_text())
    data["rules"][0]["outcome"] = "maybe"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="policy.json.*outcome"):
        policy.read_policy(path)
    path.write_text("{}")
    with pytest.raises(ValueError, match="policy.json"):
        policy.read_policy(path)
    with pytest.raises(ValueError, match="unknown measure"):
        policy.rules_from_records([{**json.loads(json.dumps(data["rules"][1])), "measure": "x"}])
