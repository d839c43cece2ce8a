"""The loan, with the directions lending expects (issue 18), through the app's scoring path.

At the same income, a larger loan (credit, annuity and goods price scaled together) never
lowers the probability of default, for stored clients edited the way the what-if edits them
(history kept) and for new applicants (no history: the application-only model). On the
real-sample build the model also listens: doubling the loan strictly raises the probability
for most clients, and lowers it for none. The sweep over every client is
`benchmarks/bench_loan_directions.py`; these tests use samples.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.training.constraints import constraint_vector, feature_directions
from tests.scoring_paths import model_directions

EXAMPLES = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
EPS = 1e-9
LOAN = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")
SAMPLE_CLIENTS = 500
# Issue 18: at least 80 % strictly higher, none lower. Before issue 18: 7.4 % and 45.7 % (1,526
# lower); with the loan's first trees at a learning rate of 0.1, 75.6 % and 75.9 %; at 0.01
# (config.LOAN_BASE_*), every client of the sample (benchmarks/bench_loan_directions.py).
MIN_STRICT_SHARE = 0.80


@pytest.fixture(scope="module")
def state(artifacts_dir):
    from webapp.serving import load_state

    return load_state(artifacts_dir)


@pytest.fixture(scope="module")
def train_ids(state) -> np.ndarray:
    """Training clients with a complete loan (credit, annuity, goods price, income)."""
    apps = state.applications
    train = state.clients.index[state.clients["set"] == "train"]
    complete = apps.loc[train, [*LOAN, "AMT_INCOME_TOTAL"]].notna().all(axis=1)
    return train[complete.to_numpy()].to_numpy()


def stored_probability(state, client_id: int, factor: float) -> float:
    """A stored client's probability with the loan scaled by `factor` (the what-if path)."""
    from tests.scoring_paths import whatif_features

    raw = state.applications.loc[client_id]
    edits = {"credit": float(raw["AMT_CREDIT"]) * factor,
             "annuity": float(raw["AMT_ANNUITY"]) * factor,
             "goods": float(raw["AMT_GOODS_PRICE"]) * factor}
    features, _ = whatif_features(state, client_id, edits)
    return float(state.model.predict_proba(features)[0])


def new_applicant_probabilities(state, apps: pd.DataFrame, factor: float) -> np.ndarray:
    """Probabilities of application rows without history, loan scaled by `factor`
    (the new-applicant path: `score_applications`, the builder, the routed model)."""
    from tests.scoring_paths import score_applications

    scaled = apps.copy()
    for column in LOAN:
        scaled[column] = scaled[column].astype(np.float64) * factor
    return score_applications(state, scaled)


def test_goods_price_enters_only_relative_to_the_credit(state):
    for model in (state.model, state.model.no_history_):
        assert "AMT_GOODS_PRICE" not in model.feature_names_
        assert "GOODS_CREDIT_RATIO" in model.feature_names_
    directions = feature_directions(state.builder.features_)
    for name in ("AMT_CREDIT", "AMT_ANNUITY", "CREDIT_INCOME_RATIO", "ANNUITY_INCOME_PERC"):
        assert directions[name] == 1, name
    assert directions["GOODS_CREDIT_RATIO"] == -1
    # One table of directions for both models: each model's vector is the table on its columns.
    for model in (state.model, state.model.no_history_):
        expected = list(constraint_vector(model.feature_names_, {
            k: v for k, v in directions.items() if k in model.feature_names_}))
        assert model_directions(model.classifier_) == expected


@EXAMPLES
@given(position=st.integers(0, 10_000), factor=st.floats(1.01, 5.0))
def test_a_larger_loan_never_lowers_the_probability_of_a_stored_client(state, train_ids,
                                                                      position, factor):
    client_id = int(train_ids[position % len(train_ids)])
    assert stored_probability(state, client_id, factor) >= (
        stored_probability(state, client_id, 1.0) - EPS)


@EXAMPLES
@given(position=st.integers(0, 10_000), factor=st.floats(1.01, 5.0),
       income=st.floats(30_000, 1_000_000), credit=st.floats(20_000, 3_000_000),
       term_years=st.floats(0.5, 30), goods_share=st.floats(0.5, 1.0))
def test_a_larger_loan_never_lowers_the_probability_of_a_new_applicant(
        state, train_ids, position, factor, income, credit, term_years, goods_share):
    apps = state.applications.loc[[int(train_ids[position % len(train_ids)])]].reset_index()
    apps["AMT_INCOME_TOTAL"] = income
    apps["AMT_CREDIT"] = credit
    apps["AMT_ANNUITY"] = credit / term_years
    apps["AMT_GOODS_PRICE"] = credit * goods_share
    before, after = (new_applicant_probabilities(state, apps, k)[0] for k in (1.0, factor))
    assert after >= before - EPS


def test_doubling_the_loan_raises_the_probability_for_most_clients_and_lowers_it_for_none(
        state, train_ids):
    """Real-sample build: 500 clients with history (what-if path) and the same 500 as new
    applicants (history removed): strictly higher for at least 80 %, lower for none."""
    if len(train_ids) < SAMPLE_CLIENTS:
        pytest.skip("fewer training clients than the sample (synthetic session set)")
    rng = np.random.default_rng(18)
    ids = rng.choice(train_ids, SAMPLE_CLIENTS, replace=False)
    with_history = state.model.has_history(pd.concat([state.feature_row(int(i)) for i in ids]))
    ids = ids[with_history]
    stored = np.array([[stored_probability(state, int(i), k) for k in (1.0, 2.0)] for i in ids])
    apps = state.applications.loc[ids].reset_index()
    new = np.column_stack([new_applicant_probabilities(state, apps, k) for k in (1.0, 2.0)])
    for label, pair in (("with history", stored), ("new applicants", new)):
        before, after = pair[:, 0], pair[:, 1]
        assert (after < before - EPS).sum() == 0, label
        share = float((after > before + EPS).mean())
        assert share >= MIN_STRICT_SHARE, f"{label}: {share:.1%} strictly higher"


def test_the_training_loan_rule_scales_the_loan_as_the_app_does(state, train_ids):
    """`SegmentInputs.loan_scaled`, which the loan rule of training uses: at factor 1 the
    application features of the stored clients with a complete loan come back unchanged;
    doubled, the credit and its ratio to income double, the goods price relative to the
    credit does not move, and clients with part of the loan missing are left out."""
    from model.training.segments import segment_inputs

    ids = pd.Index(train_ids[:200], name="SK_ID_CURR")
    apps = state.applications.loc[ids].reset_index()
    apps.loc[0, "AMT_ANNUITY"] = np.nan  # an incomplete loan: not asked about
    inputs = segment_inputs(state.builder, {"application_train": apps})
    same = inputs.loan_scaled(ids, 1.0)
    assert ids[0] not in same.index and len(same) == len(ids) - (
        apps[["AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "AMT_INCOME_TOTAL"]]
        .isna().any(axis=1).sum())
    rows = np.asarray(state.features)[state.clients.loc[same.index, "row"].to_numpy()]
    stored = pd.DataFrame(rows, columns=state.feature_names, index=same.index)[same.columns]
    np.testing.assert_allclose(same.to_numpy(), stored.to_numpy(), rtol=1e-6, equal_nan=True)
    doubled = inputs.loan_scaled(ids, 2.0)
    np.testing.assert_allclose(doubled["AMT_CREDIT"], 2 * same["AMT_CREDIT"], rtol=1e-6)
    np.testing.assert_allclose(doubled["CREDIT_INCOME_RATIO"], 2 * same["CREDIT_INCOME_RATIO"],
                               rtol=1e-5)
    np.testing.assert_allclose(doubled["GOODS_CREDIT_RATIO"], same["GOODS_CREDIT_RATIO"],
                               rtol=1e-5, equal_nan=True)
