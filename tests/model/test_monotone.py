"""Directions a credit officer knows, checked through the fitted builder and model.

Property tests (Hypothesis, bounded examples): for stored clients (edited the way
the what-if edits them) and for generated new applicants (no history), lowering
the income never lowers the probability, raising an external score never raises
it, raising the annuity (so annuity / income) never lowers it. Then the what-if
examples of issue 10 move in the expected direction.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.training.calibration import ProbabilityCalibrator
from model.training.constraints import constraint_vector, feature_directions
from tests.scoring_paths import model_directions, whatif_features

EXAMPLES = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
EPS = 1e-9


@pytest.fixture(scope="module")
def state(artifacts_dir):
    from webapp.serving import load_state

    return load_state(artifacts_dir)


@pytest.fixture(scope="module")
def stored_ids(state) -> list[int]:
    return [int(i) for i in state.clients.index[::97][:60]]


def stored_probability(state, client_id: int, **edits: float) -> float:
    """Probability of a stored client with raw application fields edited (the what-if path:
    the set's scorer on the edited row)."""
    from webapp.ui.fields import FIELD_SPECS

    by_column = {spec.column: name for name, spec in FIELD_SPECS.items()}
    clean = {by_column[column]: value for column, value in edits.items()}
    features, app = whatif_features(state, client_id, clean)
    return state.scorer.assess_one(features, app).probability


def new_probability(state, **fields: float) -> float:
    """Probability of a new applicant (typical application + raw fields, no history), as
    the new-applicant form and `POST /api/score` assess it."""
    return state.scorer.assess_new(fields).probability


def raw(state, client_id: int, column: str) -> float:
    return float(state.applications.at[client_id, column])


def test_directions_are_resolved_from_the_builder_structure(state):
    directions = feature_directions(state.builder.features_)
    assert directions["EXT_SOURCE_1"] == directions["EXT_SOURCES_MEAN"] == -1
    assert directions["AMT_INCOME_TOTAL"] == directions["INCOME_PER_PERSON"] == -1
    assert directions["CREDIT_INCOME_RATIO"] == directions["ANNUITY_INCOME_PERC"] == 1
    assert directions["INSTAL_DPD_MAX"] == directions["INSTAL_LATE_MEAN"] == 1
    assert directions["POS_SK_DPD_MAX"] == 1
    assert "INSTAL_PAYMENT_DIFF_VAR" not in directions  # a spread has no direction
    assert "BURO_DAYS_CREDIT_MEAN" not in directions
    assert {"PAYMENT_RATE", "EXT_SOURCES_STD"}.isdisjoint(state.model.feature_names_)
    expected = list(constraint_vector(state.model.feature_names_, directions))
    assert model_directions(state.model.classifier_) == expected
    sub = state.model.no_history_
    assert model_directions(sub.classifier_) == list(
        constraint_vector(sub.feature_names_, {k: v for k, v in directions.items()
                                               if k in sub.feature_names_}))


def test_the_calibrator_never_reverses_the_order():
    raw_scores = np.linspace(0.01, 0.99, 200)
    reversed_labels = (raw_scores < 0.3).astype(int)  # higher score, fewer defaults
    for method in ("sigmoid", "isotonic"):
        mapped = ProbabilityCalibrator(method).fit(raw_scores, reversed_labels).predict(raw_scores)
        assert (np.diff(mapped) >= -EPS).all(), method


@EXAMPLES
@given(position=st.integers(0, 59), factor=st.floats(0.05, 0.95))
def test_lowering_income_never_lowers_the_probability(state, stored_ids, position, factor):
    client_id = stored_ids[position]
    income = raw(state, client_id, "AMT_INCOME_TOTAL")
    before = stored_probability(state, client_id, AMT_INCOME_TOTAL=income)
    after = stored_probability(state, client_id, AMT_INCOME_TOTAL=max(1000.0, income * factor))
    assert after >= before - EPS


@EXAMPLES
@given(position=st.integers(0, 59), source=st.sampled_from(["EXT_SOURCE_2", "EXT_SOURCE_3"]),
       share=st.floats(0.0, 1.0))
def test_raising_an_external_score_never_raises_the_probability(state, stored_ids, position,
                                                                source, share):
    client_id = stored_ids[position]
    low = raw(state, client_id, source)
    if np.isnan(low):
        low = 0.0
    high = low + share * (1.0 - low)
    before = new_probability(state, **{source: low})
    after = new_probability(state, **{source: high})
    assert after <= before + EPS
    # the same for the stored client, its history kept
    features_low = stored_features_with(state, client_id, source, low)
    features_high = stored_features_with(state, client_id, source, high)
    assert (state.model.predict_proba(features_high)[0]
            <= state.model.predict_proba(features_low)[0] + EPS)


def stored_features_with(state, client_id: int, column: str, value: float) -> pd.DataFrame:
    """The client's stored row with one raw application field set (history kept)."""
    app = state.applications.loc[[client_id]].copy()
    app[column] = np.asarray([value], dtype=np.float64)
    recomputed = state.builder.transform_application(app.reset_index())
    row = state.feature_row(client_id).copy()
    row[recomputed.columns] = recomputed.to_numpy(np.float32)
    return row


@EXAMPLES
@given(position=st.integers(0, 59), factor=st.floats(1.05, 4.0),
       income=st.floats(30_000, 500_000), credit=st.floats(50_000, 2_000_000))
def test_raising_annuity_over_income_never_lowers_the_probability(state, stored_ids, position,
                                                                  factor, income, credit):
    client_id = stored_ids[position]
    annuity = raw(state, client_id, "AMT_ANNUITY")
    if np.isnan(annuity):
        annuity = 20_000.0
    before = stored_probability(state, client_id, AMT_ANNUITY=annuity)
    after = stored_probability(state, client_id, AMT_ANNUITY=min(annuity * factor, 1_000_000))
    assert after >= before - EPS
    base = {"AMT_INCOME_TOTAL": income, "AMT_CREDIT": credit}
    assert (new_probability(state, **base, AMT_ANNUITY=0.05 * income * factor)
            >= new_probability(state, **base, AMT_ANNUITY=0.05 * income) - EPS)


def test_the_what_if_examples_of_the_issue_move_the_expected_way(state, stored_ids):
    """Issue 10: income to 20,000 must not lower the risk, credit to 10,000 must not raise
    it, annuity to 60,000 a year must not lower it (it used to turn a refusal into a grant).

    A lower credit may leave the score unchanged: on the 5,000-client sample the
    constrained model finds little signal in the credit amount itself (docs/benchmarks.md).
    """
    from webapp.services import clients

    for client_id in stored_ids[:25]:
        original = clients.whatif_original(client_id)
        stored = clients.whatif_result(client_id, original, 3, "en")[0].score.probability

        def simulated(**edit) -> float:
            result, errors = clients.whatif_result(client_id, {**original, **edit}, 3, "en")
            assert not errors, errors
            return result.score.probability

        if original["income"] > 20_000:
            assert simulated(income=20_000) >= stored - EPS
        if original["credit"] > 10_000:
            assert simulated(credit=10_000) <= stored + EPS
        if original["annuity"] is not None and original["annuity"] < 60_000:
            assert simulated(annuity=60_000) >= stored - EPS


def test_the_what_if_screen_shows_the_loan_term():
    from webapp.services import clients

    assert clients.loan_term_years(500_000, 25_000) == pytest.approx(20.0)
    assert clients.loan_term_years(500_000, 0) is None
    assert clients.loan_term_text({"credit": "500 000", "annuity": "25 000"}, "fr") == (
        "Durée du prêt : 20,0 ans (crédit / annuité). À crédit égal, une annuité plus élevée "
        "raccourcit le prêt mais pèse davantage sur le revenu.")
    assert clients.loan_term_text({"credit": "500,000", "annuity": ""}, "en").startswith(
        "Loan term: cannot be computed")
