"""A batch's reasons (`ClientExplainer.reasons_many`, matrix products) are the reasons of each
client's explanation table (`explain_many`, the why page's): same concepts in the same order,
same drivers and values, same points. The batch file and the stored assessments use the first,
the screens the second; a customer must read the same reasons in both."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from model.scoring.applications import KEY

CLIENTS = 600


def _same_reasons(fast: list[dict], slow: list[dict], client: int) -> None:
    assert [r["concept"] for r in fast] == [r["concept"] for r in slow], client
    for a, b in zip(fast, slow):
        for name in ("feature", "unit", "label_fr", "label_en", "feature_label_fr",
                     "feature_label_en"):
            assert a[name] == b[name], (client, name)
        if isinstance(b["value"], str) or isinstance(a["value"], str):
            assert a["value"] == b["value"], client
        else:
            assert (math.isnan(a["value"]) and math.isnan(b["value"])) or a["value"] == b["value"]
        for name in ("probability_change", "contribution", "feature_contribution"):
            assert a[name] == pytest.approx(b[name], rel=1e-9, abs=1e-12), (client, name)


def _features(app_state, clients: np.ndarray) -> pd.DataFrame:
    rows = app_state.clients.loc[clients, "row"].to_numpy()
    return pd.DataFrame(np.asarray(app_state.features[rows], dtype=np.float32),
                        columns=app_state.feature_names, index=pd.Index(clients, name=KEY))


def _applications(app_state, clients: np.ndarray) -> pd.DataFrame:
    return app_state.applications.loc[clients]


def _rows(app_state, clients: np.ndarray) -> tuple[pd.DataFrame, list[dict]]:
    return _features(app_state, clients), _applications(app_state, clients).to_dict("records")


def test_batch_reasons_are_the_explanation_tables_reasons(app_state):
    explainer = app_state.explainer
    ids = app_state.clients.index.to_numpy()
    clients = np.random.default_rng(17).choice(ids, size=min(CLIENTS, len(ids)), replace=False)
    features, raws = _rows(app_state, clients)
    fast = explainer.reasons_many(features, raws)
    slow = explainer.explain_many(features, raws, top_n=100)
    told = sum(len(reasons) for reasons in fast)
    assert told > len(clients) // 2  # the comparison covers real reasons, not empty lists
    for client, mine, theirs in zip(clients, fast, slow):
        _same_reasons(mine, theirs.principal_reasons, int(client))


def test_batch_reasons_of_applicants_without_history(app_state):
    """The application-only model's segment: its own base value, SHAP values and calibrator."""
    scorer = app_state.scorer
    ids = app_state.clients.index.to_numpy()[:200]
    applications = _applications(app_state, ids).reset_index()
    features = scorer.features(applications)  # no history tables: every client is new
    assert not scorer.model.has_history(features).any()
    raws = applications.drop(columns=KEY).to_dict("records")
    fast = scorer.explainer.reasons_many(features, raws)
    slow = scorer.explainer.explain_many(features, raws, top_n=100)
    assert sum(len(reasons) for reasons in fast) > 0
    for client, mine, theirs in zip(ids, fast, slow):
        _same_reasons(mine, theirs.principal_reasons, int(client))


def test_assessments_without_tables_tell_the_same_reasons(app_state):
    scorer = app_state.scorer
    ids = app_state.clients.index.to_numpy()[:150]
    applications, features = _applications(app_state, ids), _features(app_state, ids)
    full = scorer.assess_features(features, applications)
    light = scorer.assess_features(features, applications, explanations=False)
    assert all(a.explanation is None for a in light)
    assert sum(len(a.reasons) for a in full) > 0
    for a, b in zip(light, full):
        assert (a.probability, a.recommendation, a.rules) == (b.probability, b.recommendation,
                                                              b.rules)
        _same_reasons([vars(r) for r in a.reasons], [vars(r) for r in b.reasons], a.client_id)
