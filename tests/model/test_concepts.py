"""Concepts as data: the builder's structure in the dictionary, ~13 concepts a customer
recognises, exact sums, "other" rarely the largest bar, values in their unit."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.features.aggregate import FeatureInfo
from model.features.concepts import BY_KEY, CONCEPTS, OTHER, concept_of, unit_of
from webapp.services.reasons import format_unit, key_value_text


def test_concepts_by_hand():
    app = "application"
    assert concept_of(FeatureInfo("DAYS_BIRTH", app, "raw", "DAYS_BIRTH")) == "age"
    assert concept_of(FeatureInfo("EXT_SOURCES_MEAN", app, "mean", "EXT_SOURCES_MEAN")) == "external"
    assert concept_of(FeatureInfo("FLAG_DOCUMENT_3", app, "raw", "FLAG_DOCUMENT_3")) == "details"
    assert concept_of(FeatureInfo("WEEKDAY_APPR_PROCESS_START_MONDAY", app, "one_hot",
                                  "WEEKDAY_APPR_PROCESS_START", value="MONDAY")) == "details"
    assert concept_of(FeatureInfo("PREV_HOUR_APPR_PROCESS_START_MAX", "previous_application",
                                  "max", "HOUR_APPR_PROCESS_START")) == "details"
    assert concept_of(FeatureInfo("PREV_AMT_CREDIT_MAX", "previous_application", "max",
                                  "AMT_CREDIT")) == "previous"
    assert concept_of(FeatureInfo("BURO_BB_STATUS_1_COUNT", "bureau_balance", "count",
                                  "BB_STATUS", value="1")) == "bureau"
    assert concept_of(FeatureInfo("APARTMENTS_AVG", app, "raw", "APARTMENTS_AVG")) == "family"
    assert concept_of(FeatureInfo("SOMETHING_NEW", app, "raw", "SOMETHING_NEW")) == OTHER
    assert unit_of(FeatureInfo("AMT_CREDIT", app, "raw", "AMT_CREDIT")) == "eur"
    assert unit_of(FeatureInfo("DAYS_BIRTH", app, "raw", "DAYS_BIRTH")) == "years"
    assert unit_of(FeatureInfo("INSTAL_LATE_MEAN", "installments_payments", "mean", "LATE")) == "percent"
    assert unit_of(FeatureInfo("BURO_DAYS_CREDIT_VAR", "bureau", "var", "DAYS_CREDIT")) == ""
    # never a meaningless item told to a customer
    assert not BY_KEY["details"].reasonable and not BY_KEY[OTHER].reasonable


def test_the_sample_dictionary_carries_the_structure(sample_tables):
    from model.features.builder import FeatureBuilder

    tables = {k: v for k, v in sample_tables.items() if k != "application_test"}
    tables["application_train"] = tables["application_train"].iloc[:800]
    dictionary = FeatureBuilder().fit(tables).dictionary_
    for column in ("column", "subset", "value", "unit", "concept", "concept_fr", "group_en"):
        assert column in dictionary.columns, column
    used = set(dictionary["concept"])
    assert OTHER not in used  # every feature of the real tables has a concept
    assert 8 <= len(used) <= 14
    assert used <= {c.key for c in CONCEPTS}
    row = dictionary.set_index("feature").loc["BURO_ACTIVE_AMT_CREDIT_SUM_MEAN"]
    assert (row["source"], row["column"], row["subset"], row["aggregation"], row["unit"]) == (
        "bureau", "AMT_CREDIT_SUM", "active", "mean", "eur")
    assert row["concept"] == "bureau" and row["group_en"].startswith("Credit bureau: ")


def test_other_is_rarely_the_largest_bar(app_state):
    """Done-when: "Other" is the largest concept for fewer than 20 % of clients."""
    from webapp.services.clients import DEFAULT_TOP_N

    ids = app_state.clients.index[::20]  # 500 clients spread over train and test
    largest_other = 0
    for client_id in ids:
        x = app_state.feature_row(int(client_id))
        table = app_state.explainer.explain(x, top_n=DEFAULT_TOP_N).table
        total = table["contribution"].sum()
        _, values = app_state.explainer.explain_rows(x)
        assert total == pytest.approx(values.to_numpy().sum(), abs=1e-9)  # exact per concept
        top = table.iloc[int(np.argmax(np.abs(table["probability_change"].to_numpy())))]
        largest_other += bool(top["is_other"] or top["key"] == OTHER)
    assert largest_other / len(ids) < 0.20


def test_values_in_their_natural_unit():
    nnbsp, nbsp = "\u202f", "\u00a0"
    assert format_unit(-12005.0, "years", "fr") == f"32{nbsp}ans"
    assert format_unit(-12005.0, "years", "en") == "32 years".replace(" ", nbsp)
    assert format_unit(450000.0, "eur", "fr") == f"450{nnbsp}000{nbsp}€"
    assert format_unit(450000.0, "eur", "en") == "€450,000"
    assert format_unit(0.123, "percent", "fr") == f"12{nnbsp}%"
    assert format_unit(0.5163, "score", "en") == "0.52 out of 1"
    assert format_unit(2.0, "rating", "fr") == "note 2 sur 3"
    assert format_unit(float("nan"), "eur", "fr") == "—"
    assert format_unit("Working", "category", "fr") != ""
    assert key_value_text({"key": "bureau", "unit": "count", "key_value": 3.0}, "fr") == \
        "3 crédits déclarés"
    assert key_value_text({"key": "previous", "unit": "count", "key_value": 1.0}, "en") == \
        "1 application"
    assert key_value_text({"key": "family", "unit": "", "key_value": np.nan}, "en") == ""


def test_an_old_dictionary_without_concepts_still_groups_by_concept():
    from model.explain.grouping import feature_concepts

    old = pd.DataFrame({"feature": ["DAYS_BIRTH", "BURO_COUNT", "FLAG_DOCUMENT_3"],
                        "source": ["application", "bureau", "application"],
                        "aggregation": ["raw", "count", "raw"]})
    concepts = feature_concepts(["DAYS_BIRTH", "BURO_COUNT", "FLAG_DOCUMENT_3", "X"], old)
    assert concepts.tolist() == ["age", "bureau", "details", OTHER]
