"""Principal reasons a customer can check: at most 4, each raising the risk by at least
`config.MIN_REASON_POINTS`, never unreasonable, protected or lowering the risk, each told
with the value of the feature that drives it (the client's stored value), the chart's own
numbers, and the sentences read out name exactly them, in order."""
from __future__ import annotations

import math

import numpy as np
import pytest

from model import config
from model.explain.local import MAX_REASONS, principal_reasons
from model.features.concepts import BY_KEY
from webapp.services.clients import step_labels
from webapp.services.reasons import explanation_sentences, reason_value_text


def _member(feature, contribution, value=1.0):
    return {"feature": feature, "contribution": contribution, "feature_contribution": contribution,
            "value": value, "unit": "", "label_fr": feature, "label_en": feature}


def _row(key, change, reasonable=True, other=False, members=None):
    return {"key": key, "is_other": other, "reasonable": reasonable,
            "probability_change": change, "contribution": change * 10,
            "label": key, "label_fr": key, "label_en": key, "key_value": None, "unit": "",
            "members": members if members is not None else [_member(f"{key}_x", change * 10)]}


def test_principal_reasons_by_hand():
    rows = [_row("external", 0.05), _row("age", -0.02), _row("details", 0.09, reasonable=False),
            _row("bureau", 0.01), _row("loan", 0.03), _row("income", 0.002), _row("region", 0.004),
            _row("__other__", 0.2, reasonable=False, other=True)]
    reasons = principal_reasons(rows)
    # raising by at least 0.5 point only, reasonable only, largest first, four at most
    assert config.MIN_REASON_POINTS == 0.005
    assert [r["concept"] for r in reasons] == ["external", "loan", "bureau"]
    assert [r["probability_change"] for r in reasons] == [0.05, 0.03, 0.01]
    assert principal_reasons([_row("age", -0.1)]) == []
    assert principal_reasons([_row("age", 0.0049)]) == []  # under half a point: noise
    five = [_row(f"c{i}", 0.01 * (i + 1)) for i in range(6)]
    assert len(principal_reasons(five)) == MAX_REASONS == 4


def test_the_driver_is_the_member_raising_the_risk_most():
    """116976's case: the income itself lowers the risk, the job length raises it: the
    reason is told with the job length, never with the income."""
    income = _row("income", 0.02, members=[_member("AMT_INCOME_TOTAL", -0.2, 247_500.0),
                                           _member("DAYS_EMPLOYED_PERC", 0.5, 0.0),
                                           _member("NAME_EDUCATION_TYPE", 0.1, "Secondary")])
    (reason,) = principal_reasons([income])
    assert reason["feature"] == "DAYS_EMPLOYED_PERC" and reason["value"] == 0.0
    assert reason["feature_contribution"] == 0.5
    # a concept raising the risk whose members all lower it cannot be told: skipped
    odd = _row("region", 0.02, members=[_member("REGION_RATING_CLIENT", -0.1)])
    assert principal_reasons([odd]) == []


def _stored_value(state, client_id: int, feature: str):
    """The client's stored value of a feature: the raw application's for a raw field, else
    the feature matrix's."""
    if feature in state.applications.columns:
        value = state.applications.at[client_id, feature]
        return value if isinstance(value, str) else float(value)
    return float(state.feature_row(client_id)[feature].iloc[0])


def _same(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-6, abs=1e-9)


def test_reasons_values_sentences_and_chart_agree_for_sample_clients(app_state):
    """400 clients spread over the build (every client: benchmarks/bench_reasons.py)."""
    ids = app_state.clients.index[:: max(1, len(app_state.clients) // 400)][:400]
    seen_reasons = 0
    for client_id in ids:
        client_id = int(client_id)
        assessment = app_state.scorer.assess_one(app_state.feature_row(client_id),
                                                 app_state.applications.loc[[client_id]])
        explanation, reasons = assessment.explanation, assessment.reasons
        assert len(reasons) <= MAX_REASONS
        table = explanation.table.set_index("key")
        for reason in reasons:
            assert BY_KEY[reason.concept].reasonable
            assert reason.concept not in {c.lower() for c in config.PROTECTED_ATTRIBUTES}
            assert reason.probability_change >= config.MIN_REASON_POINTS
            assert reason.contribution > 0 and reason.feature_contribution > 0, reason
            # the chart's bar of that concept carries the same number
            assert table.loc[reason.concept, "probability_change"] == reason.probability_change
            # the value told is the client's own stored value of the driving feature
            assert _same(reason.value, _stored_value(app_state, client_id, reason.feature)), reason
        # the chart's largest reasonable risk-raising bars, in order, are the reasons
        chart = explanation.table[explanation.table["reasonable"]
                                  & (explanation.table["probability_change"] >= config.MIN_REASON_POINTS)]
        chart = chart.sort_values("probability_change", ascending=False, kind="stable")
        assert chart["key"].head(MAX_REASONS).tolist() == [r.concept for r in reasons]
        for language in ("fr", "en"):
            sentences = explanation_sentences(assessment, language)
            said = [s for s in sentences if s.startswith(("Raison ", "Reason "))]
            assert len(said) == len(reasons)
            for rank, (sentence, reason) in enumerate(zip(said, reasons), start=1):
                assert sentence.startswith(f"Raison {rank} : « {reason.label_fr} »"
                                           if language == "fr"
                                           else f"Reason {rank}: '{reason.label_en}'")
            if not reasons:
                plain = [s.replace("\u00a0", " ") for s in sentences]
                assert any("0,5 point" in s or "0.5 point" in s for s in plain)
            # each reason's bar tells the value its sentence tells, not another of the concept
            labels = step_labels(explanation.rows, language, reasons)
            for sentence, reason in zip(said, reasons):
                told = reason_value_text(reason, language)
                assert told in sentence and told in labels[reason.concept], (client_id, reason)
        seen_reasons += len(reasons)
    assert seen_reasons > 0
