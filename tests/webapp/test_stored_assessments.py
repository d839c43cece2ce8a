"""Stored clients are lookups: the build assesses every client through the batch path and the
app reads it back. Opening a client (file, why page, letter, `GET /api/clients/<id>`) then
scores nothing, and what it shows is what assessing the client now would give."""
from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from webapp.services import clients as client_service

SAMPLE = 80


def _sample(app_state, size: int) -> list[int]:
    """Clients of every kind: refused by the model, by a rule, sent to review, granted."""
    ids = app_state.clients.index.to_numpy()
    return [int(i) for i in np.random.default_rng(20).choice(ids, size=size, replace=False)]


def _same_assessment(stored, fresh) -> None:
    assert stored.client_id == fresh.client_id
    assert stored.probability == pytest.approx(fresh.probability, abs=1e-12)
    assert (stored.model_outcome, stored.recommendation, stored.has_history) == \
        (fresh.model_outcome, fresh.recommendation, fresh.has_history)
    assert [(r.id, r.credit_within) for r in stored.rules] == \
        [(r.id, r.credit_within) for r in fresh.rules]
    for a, b in zip(stored.rules, fresh.rules):
        assert (math.isnan(a.value) and math.isnan(b.value)) or a.value == b.value
    assert [(r.concept, r.feature, r.unit) for r in stored.reasons] == \
        [(r.concept, r.feature, r.unit) for r in fresh.reasons]
    for a, b in zip(stored.reasons, fresh.reasons):
        assert a.probability_change == pytest.approx(b.probability_change, abs=1e-9)
        assert a.value == b.value or (not a.value_known and not b.value_known)
    assert stored.counterfactual == fresh.counterfactual
    table, expected = stored.explanation.table, fresh.explanation.table
    assert list(table["key"]) == list(expected["key"])
    np.testing.assert_allclose(table["contribution"], expected["contribution"], atol=1e-5)
    np.testing.assert_allclose(table["probability_change"], expected["probability_change"],
                               atol=1e-6)
    assert stored.explanation.probability == pytest.approx(fresh.probability, abs=1e-6)


def test_the_set_stores_every_clients_assessment(app_state):
    assert app_state.stored is not None
    assert len(app_state.stored) == len(app_state.clients)
    assert app_state.stored.shap_values.shape == app_state.features.shape


def test_a_stored_assessment_is_the_assessment_made_now(app_state):
    """What the build stored, read back, against the scorer run on the client now (the
    explanation's contributions are float32 on disk, hence the tolerance)."""
    scorer = app_state.scorer
    kinds = set()
    for client_id in _sample(app_state, SAMPLE):
        row = int(app_state.clients.at[client_id, "row"])
        features = app_state.feature_row(client_id)
        application = app_state.applications.loc[[client_id]]
        stored = app_state.stored.assessment(row, scorer, client_id, features, application)
        fresh = scorer.assess_one(features, application, counterfactual=True)
        _same_assessment(stored, fresh)
        kinds.add(stored.recommendation)
        kinds.add(stored.counterfactual.status)
    assert {"granted", "refused", "found"} <= kinds  # the sample covers the cases that matter


class _Counter:
    def __init__(self) -> None:
        self.calls = 0


@pytest.fixture
def state_now(served_state):
    """The state the routes serve now (another test may have swapped the session's set)."""
    from webapp.serving import get_state

    return get_state()


@pytest.fixture
def scoring_calls(state_now, monkeypatch):
    """Counts every call of the model, of SHAP and of the feature builder of the state the
    routes and services serve."""
    served_state = state_now
    counter = _Counter()
    model, explainer = served_state.scorer.model, served_state.scorer.explainer

    def counted(target, name):
        original = getattr(target, name)

        def wrapper(*args, **kwargs):
            counter.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(target, name, wrapper)

    for target, name in ((model, "predict_proba"), (model, "predict_margin"),
                         (explainer.engine_, "values"), (served_state.builder, "transform"),
                         (served_state.builder, "transform_application")):
        counted(target, name)
    if explainer.no_history_ is not None:
        counted(explainer.no_history_engine_, "values")
    return counter


def test_opening_a_stored_client_scores_nothing(state_now, api, scoring_calls, monkeypatch):
    served_state = state_now
    client_id = _sample(served_state, 1)[0]
    client_service.client_result(client_id, 10, "fr", counterfactual=True)  # file, why page
    client_service.client_assessment(client_id)
    answer = api.get(f"/api/clients/{client_id}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    letter = api.get(f"/clients/{client_id}/letter.pdf")
    assert letter.status_code == 200
    assert scoring_calls.calls == 0
    # the counter does count: an edit is scored on demand, and so is a set without stored
    # assessments
    client_service.whatif_result(client_id, client_service.whatif_original(client_id), 5, "fr")
    edited = scoring_calls.calls
    assert edited > 0
    without = dataclasses.replace(served_state, stored=None)
    monkeypatch.setattr(client_service, "get_state", lambda: without)
    assert api.get(f"/api/clients/{client_id}").status_code == 200
    assert scoring_calls.calls > edited


def test_the_api_tells_what_is_stored(app_state, api):
    """`GET /api/clients/<id>` presents the stored assessment: its probability, decision,
    reasons and proposal, as the build wrote them."""
    for client_id in _sample(app_state, 10):
        stored = app_state.stored.record(int(app_state.clients.at[client_id, "row"]))
        body = api.get(f"/api/clients/{client_id}").get_json()
        assert body["probability"] == stored["probability"]
        assert body["decision"] == stored["recommendation"]
        assert [(r["concept"], r["feature"]) for r in body["principal_reasons"]] == \
            [(r["concept"], r["feature"]) for r in json.loads(stored["reasons"])]
        proposal = json.loads(stored["proposal"])
        if body["counterfactual"] is not None:
            assert body["counterfactual"]["status"] == proposal["status"]


@pytest.fixture
def calls_by_kind(state_now, monkeypatch):
    """Per kind of work: calls of the model, of SHAP, of the feature builder and reads of a
    stored feature row, while the code under test runs (the CPU work a request costs,
    counted rather than timed: a guard that cannot flake)."""
    from webapp import serving

    served_state = state_now
    counts: dict[str, int] = {}
    model, explainer = served_state.scorer.model, served_state.scorer.explainer

    def counted(target, name, kind):
        original = getattr(target, name)

        def wrapper(*args, **kwargs):
            counts[kind] = counts.get(kind, 0) + 1
            return original(*args, **kwargs)

        monkeypatch.setattr(target, name, wrapper)

    counted(model, "predict_proba", "model")
    counted(explainer, "_values", "shap")  # every SHAP computation goes through it
    counted(served_state.builder, "transform", "builder")
    counted(served_state.builder, "transform_application", "builder")
    counted(serving.AppState, "feature_row", "row reads")
    return counts


def test_a_whatif_edit_scores_one_row_once(state_now, calls_by_kind):
    client_id = _sample(state_now, 1)[0]
    values = dict(client_service.whatif_original(client_id))
    values["credit"] = float(values["credit"]) * 0.8
    calls_by_kind.clear()
    result, errors = client_service.whatif_result(client_id, values, 5, "fr")
    assert not errors and result is not None
    # the stored row read once, no builder (numbers edited over the stored row), the model
    # once, SHAP once (the proposal is not searched on an edit)
    assert calls_by_kind == {"row reads": 1, "model": 1, "shap": 1}


def test_a_new_applicant_is_built_once_and_scored_twice(api, calls_by_kind):
    """`POST /api/score`: the application through the builder once (its prudent candidates,
    the empty external scores filled or not, take the numeric fast path over its row), the
    model once for it and once for all its candidates together, SHAP once, no stored row."""
    applicant = {"income": 300_000, "credit": 150_000, "annuity": 9_000, "goods": 150_000,
                 "age_years": 52, "children": 0, "family_members": 2, "ext_source_2": 0.75,
                 "contract": "Cash loans", "gender": "F", "income_type": "Working",
                 "education": "Higher education", "family_status": "Married", "own_car": "Y",
                 "own_realty": "Y"}
    calls_by_kind.clear()
    answer = api.post("/api/score", json=applicant)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["decision"] == "granted"  # nothing to search: no proposal grid
    # one pass of the builder: `transform` (which calls `transform_application`, counted too)
    assert calls_by_kind == {"builder": 2, "model": 2, "shap": 1}
