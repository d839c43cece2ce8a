"""Protected attributes never reach the model, its explanations or the API's answer.

Done when (issue 10): in an artifact set built from the real sample, no feature
name, SHAP value, reason or API field of the score comes from a protected
attribute; they stay in the client tables for the fairness report.
"""
from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
import pytest
from tests.features_tiny import tiny_tables
from flask import Flask

from model.config import PROTECTED_ATTRIBUTES
from model.features.builder import FeatureBuilder

N_EXPLAINED = 200


@pytest.fixture(scope="module")
def state(artifacts_dir):
    from webapp.serving import load_state

    return load_state(artifacts_dir)


@pytest.fixture(scope="module")
def protected_features(state) -> set[str]:
    """The column names a protected field would get (its one-hot codes learnt on training)."""
    builder = state.builder
    names = set()
    for column in PROTECTED_ATTRIBUTES:
        names |= {f"{column}_{suffix}" for suffix in
                  builder.application_.encoder_.suffixes_.get(column, [])} | {column}
    return names


def _from_protected(name: str) -> bool:
    return any(name == column or name.startswith(f"{column}_") for column in PROTECTED_ATTRIBUTES)


def test_no_feature_comes_from_a_protected_attribute(artifacts_dir, state, protected_features):
    names = json.loads((artifacts_dir / "feature_names.json").read_text())
    assert protected_features  # the builder did see CODE_GENDER's categories
    assert not protected_features & set(names)
    assert not [n for n in names if _from_protected(n)]
    builder = joblib.load(artifacts_dir / "feature_builder.joblib")
    assert not [i.name for i in builder.features_ if i.column in PROTECTED_ATTRIBUTES]
    dictionary = pd.read_csv(artifacts_dir / "feature_dictionary.csv")
    assert not dictionary["group"].isin(PROTECTED_ATTRIBUTES).any()
    assert list(state.model.feature_names_) == names
    assert not [n for n in state.model.no_history_.feature_names_ if _from_protected(n)]


def test_protected_columns_stay_in_the_client_tables(artifacts_dir):
    clients = pd.read_parquet(artifacts_dir / "clients.parquet")
    applications = pd.read_parquet(artifacts_dir / "applications.parquet")
    for table in (clients, applications):
        assert {"CODE_GENDER", "DAYS_BIRTH"} <= set(table.columns)
        assert table["CODE_GENDER"].notna().mean() > 0.99


def test_explanations_of_200_clients_never_cite_a_protected_attribute(state):
    from model.explain.local import ClientExplainer

    explainer = ClientExplainer(state.model, state.dictionary)
    ids = state.clients.index[:: max(1, len(state.clients) // N_EXPLAINED)][:N_EXPLAINED]
    rows = pd.concat([state.feature_row(int(i)) for i in ids])
    _, values = explainer.explain_rows(rows)
    assert not [c for c in values.columns if _from_protected(c)]
    assert np.isfinite(values.to_numpy()).all()
    for client_id in ids:
        for language in ("fr", "en"):
            table = explainer.explain(state.feature_row(int(client_id)), top_n=10,
                                      language=language).table
            cited = set(table["key"]) | set(table["main_feature"])
            assert not [k for k in cited if _from_protected(str(k))], client_id
            assert not table["label"].str.contains("Sexe|Gender", case=False).any()


@pytest.fixture(scope="module")
def api(artifacts_dir):
    from webapp.http.api import register_api

    server = Flask(__name__)
    register_api(server)
    return server.test_client()


APPLICATION = {"income": 150000, "credit": 500000, "annuity": 25000, "age_years": 40,
               "children": 0, "family_members": 2, "contract": "Cash loans",
               "income_type": "Working", "education": "Higher education",
               "family_status": "Married", "own_car": "N", "own_realty": "Y",
               "ext_source_2": 0.5, "ext_source_3": 0.4}


def test_api_score_ignores_gender_and_says_so(api):
    answers = {gender: api.post("/api/score", json={**APPLICATION, "gender": gender}).get_json()
               for gender in ("F", "M")}
    without = api.post("/api/score", json=APPLICATION)
    assert without.status_code == 200  # gender is optional
    without = without.get_json()
    assert answers["F"]["probability"] == answers["M"]["probability"] == without["probability"]
    assert answers["F"]["not_used_for_score"] == ["gender"]
    assert without["not_used_for_score"] == []
    for body in (*answers.values(), without):
        assert not [r for r in body["reasons"] if _from_protected(r["feature"])]
        assert not any("gender" in r["label"].lower() for r in body["reasons"])


def test_a_feature_derived_from_an_excluded_field_is_excluded_with_it():
    tables = tiny_tables()
    builder = FeatureBuilder(min_category_count=1, excluded=("DAYS_BIRTH",)).fit(tables)
    assert "DAYS_BIRTH" not in builder.feature_names_
    assert "DAYS_EMPLOYED_PERC" not in builder.feature_names_  # DAYS_EMPLOYED / DAYS_BIRTH
    assert "DAYS_EMPLOYED" in builder.feature_names_
    features = builder.transform(tables)
    assert list(features.columns) == builder.feature_names_


@pytest.mark.parametrize("lang, words", [("fr", "Jamais utilisé pour le score"),
                                         ("en", "Never used for the score")])
def test_the_form_says_gender_is_optional_and_unused(artifacts_dir, lang, words):
    import app  # noqa: F401  (Dash executes the page modules: they need the app first)
    from webapp.ui import fields
    from webapp.pages.new_applicant import field_control

    assert not fields.FIELD_SPECS["gender"].required
    text = str(field_control("gender", lang))
    assert words in text
    assert "'value': ''" in text  # a "not given" choice, selected by default
    assert words not in str(field_control("income_type", lang))
