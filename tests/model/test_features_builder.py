"""FeatureBuilder contract: same columns for any input, fitted on training clients only."""
from __future__ import annotations

import logging
import re

import joblib
import numpy as np
import pandas as pd
import pytest
from tests.features_tiny import tiny_features, tiny_tables

from model.features.builder import FeatureBuilder
from model.features.dictionary import feature_dictionary


@pytest.fixture(scope="module")
def fitted():
    return tiny_features()


def test_train_test_and_new_client_get_identical_columns(fitted):
    builder, _ = fitted
    tables = tiny_tables()
    train = builder.transform({k: v for k, v in tables.items() if k != "application_test"})
    test = builder.transform({k: v for k, v in tables.items() if k != "application_train"})
    new = tables["application_test"].assign(SK_ID_CURR=99)  # a new applicant, no history
    alone = builder.transform({"application": new})
    empty = builder.transform({"application": new,
                               **{k: v.iloc[:0] for k, v in tables.items()
                                  if not k.startswith("application")}})
    for frame in (train, test, alone, empty):
        assert list(frame.columns) == builder.feature_names_
        assert (frame.dtypes == np.float32).all()
    assert train.index.tolist() == [1, 2, 3]
    assert test.index.tolist() == [4]
    pd.testing.assert_frame_equal(alone, empty)
    counts = [c for c in builder.feature_names_ if c.endswith("_COUNT")
              and c.startswith(("BURO", "PREV", "POS", "INSTAL", "CC"))]
    assert (alone.loc[99, counts] == 0).all()
    assert alone.loc[99, builder.application_features_].equals(
        test.loc[4, builder.application_features_])


def test_names_are_safe_for_lightgbm_and_unique(fitted):
    builder, _ = fitted
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", n) for n in builder.feature_names_)
    assert len(set(builder.feature_names_)) == len(builder.feature_names_)
    assert list(builder.get_feature_names_out()) == builder.feature_names_


def test_fit_ignores_test_rows():
    tables = tiny_tables()
    reference = FeatureBuilder(min_category_count=1).fit(tables)
    changed = tiny_tables()
    test = changed["application_test"]
    test["NAME_INCOME_TYPE"] = pd.Categorical(["Student"])
    test["ORGANIZATION_TYPE"] = pd.Categorical(["Transport: type 9"])
    bureau = changed["bureau"]
    bureau["CREDIT_TYPE"] = bureau["CREDIT_TYPE"].cat.add_categories("Interplanetary loan")
    bureau.loc[bureau["SK_ID_CURR"] == 4, "CREDIT_TYPE"] = "Interplanetary loan"
    previous = changed["previous_application"]
    previous["CODE_REJECT_REASON"] = previous["CODE_REJECT_REASON"].cat.add_categories("ALIEN")
    previous.loc[previous["SK_ID_CURR"] == 4, "CODE_REJECT_REASON"] = "ALIEN"
    refitted = FeatureBuilder(min_category_count=1).fit(changed)
    assert refitted.feature_names_ == reference.feature_names_
    assert refitted.application_.encoder_.categories_ == reference.application_.encoder_.categories_
    for a, b in zip(refitted.modules_, reference.modules_):
        assert a.encoder_.categories_ == b.encoder_.categories_
    pd.testing.assert_frame_equal(refitted.dictionary_, reference.dictionary_)
    # ... while the changed test rows do land in the OTHER buckets
    features = refitted.transform(changed)
    assert features.loc[4, "NAME_INCOME_TYPE__OTHER"] == 1
    assert features.loc[4, "BURO_CREDIT_TYPE__OTHER_MEAN"] == 1


def test_absent_optional_table_at_fit_drops_its_columns(caplog):
    tables = tiny_tables()
    del tables["credit_card_balance"], tables["bureau_balance"]
    with caplog.at_level(logging.WARNING):
        builder = FeatureBuilder(min_category_count=1).fit(tables)
    assert "credit_card_balance absent" in caplog.text
    assert not [c for c in builder.feature_names_ if c.startswith(("CC_", "BURO_BB_"))]
    assert "BURO_COUNT" in builder.feature_names_
    assert list(builder.transform(tables).columns) == builder.feature_names_


def test_table_absent_at_transform_gives_zero_counts_and_missing_statistics(fitted):
    builder, full = fitted
    tables = tiny_tables()
    del tables["previous_application"]
    features = builder.transform(tables)
    assert list(features.columns) == builder.feature_names_
    assert (features["PREV_COUNT"] == 0).all()
    assert features["PREV_AMT_CREDIT_MEAN"].isna().all()
    pd.testing.assert_series_equal(features["BURO_COUNT"], full["BURO_COUNT"])


def test_joblib_round_trip(fitted, tmp_path):
    builder, features = fitted
    joblib.dump(builder, tmp_path / "builder.joblib")
    loaded = joblib.load(tmp_path / "builder.joblib")
    pd.testing.assert_frame_equal(loaded.transform(tiny_tables()), features)


def test_dictionary_describes_every_feature(fitted):
    builder, _ = fitted
    table = feature_dictionary(builder)
    assert list(table.columns) == ["feature", "source", "aggregation", "description_fr",
                                   "description_en", "group", "column", "subset", "value",
                                   "unit", "concept", "concept_fr", "concept_en", "group_fr",
                                   "group_en"]
    assert table["feature"].tolist() == builder.feature_names_
    pd.testing.assert_frame_equal(table, builder.dictionary_)
    described = table.set_index("feature")
    assert described.loc["CREDIT_INCOME_RATIO", "description_fr"] == "Montant du crédit / revenu annuel"
    assert described.loc["CREDIT_INCOME_RATIO", "description_en"] == "Loan amount as a multiple of income"
    assert described.loc["NAME_INCOME_TYPE_Working", "group"] == "NAME_INCOME_TYPE"
    assert described.loc["BURO_ACTIVE_AMT_CREDIT_SUM_OVERDUE_MEAN", "description_en"] == (
        "Credit bureau: average overdue amount over active credits")
    # every description is plain language, never the raw column name
    for language in ("description_fr", "description_en"):
        assert not table[language].str.contains(r"[A-Z]{3,}_[A-Z]{3,}").any(), language


def test_fit_requires_training_applications():
    with pytest.raises(ValueError, match="application_train"):
        FeatureBuilder().fit({"application_test": tiny_tables()["application_test"]})


def test_duplicate_client_ids_are_reported(fitted):
    builder, _ = fitted
    train = tiny_tables()["application_train"]
    with pytest.raises(ValueError, match="SK_ID_CURR"):
        builder.transform({"application_train": train, "application_test": train})
