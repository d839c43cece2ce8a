"""The feature builder on the real 5,000 + 5,000-client Kaggle sample (skipped without it)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from model.features.build import build_features


@pytest.fixture(scope="module")
def built(sample_tables):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = build_features(sample_tables)
    return result, caught


def test_at_least_500_features_for_train_and_test_clients(built, sample_tables):
    (builder, features, target), _ = built
    assert len(builder.feature_names_) >= 500
    assert features.shape == (10000, len(builder.feature_names_))
    train_ids = sample_tables["application_train"]["SK_ID_CURR"].to_numpy()
    assert target.loc[train_ids].notna().all()
    assert target.drop(train_ids).isna().all()
    assert target.loc[train_ids].mean() == pytest.approx(0.0772)


def test_train_and_test_alone_give_identical_columns(built, sample_tables):
    (builder, features, _), _ = built
    history = {k: v for k, v in sample_tables.items() if not k.startswith("application")}
    test = builder.transform({"application_test": sample_tables["application_test"], **history})
    assert list(test.columns) == builder.feature_names_
    pd.testing.assert_frame_equal(test, features.loc[test.index])


def test_no_warnings_no_infinities(built):
    (_, features, _), caught = built
    assert [str(w.message) for w in caught] == []
    assert not np.isinf(features.to_numpy()).any()


def test_known_quirks_are_cleaned(built, sample_tables):
    (_, features, _), _ = built
    raw = sample_tables["application_train"].set_index("SK_ID_CURR")["DAYS_EMPLOYED"]
    anomalous = raw.index[raw == 365243]
    assert len(anomalous) > 100
    assert features.loc[anomalous, "DAYS_EMPLOYED"].isna().all()
    assert (features.loc[anomalous, "DAYS_EMPLOYED_ANOM"] == 1).all()
    assert (features["PREV_COUNT"] >= 0).all() and features["PREV_COUNT"].notna().all()
