"""Application-row features on the hand-made example: cleaning, ratios, one-hot codes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.features_tiny import tiny_features, tiny_tables


@pytest.fixture(scope="module")
def fitted():
    return tiny_features()


@pytest.fixture(scope="module")
def unrestricted():
    """The tiny features with nothing excluded (protected and no-direction ones included)."""
    from model.features.builder import FeatureBuilder

    tables = tiny_tables()
    builder = FeatureBuilder(min_category_count=1, excluded=()).fit(tables)
    return builder, builder.transform(tables)


def test_days_employed_anomaly_becomes_missing_with_a_flag(fitted):
    _, features = fitted
    assert np.isnan(features.loc[1, "DAYS_EMPLOYED"])
    assert features.loc[1, "DAYS_EMPLOYED_ANOM"] == 1
    assert features.loc[2, "DAYS_EMPLOYED"] == -1000
    assert features.loc[2, "DAYS_EMPLOYED_ANOM"] == 0
    assert features.loc[2, "DAYS_EMPLOYED_PERC"] == pytest.approx(0.1)  # -1000 / -10000


def test_ratios_by_hand(fitted, unrestricted):
    _, features = fitted
    row = features.loc[1]
    assert row["CREDIT_INCOME_RATIO"] == pytest.approx(2.0)  # 200,000 / 100,000
    assert row["ANNUITY_INCOME_PERC"] == pytest.approx(0.1)  # 10,000 / 100,000
    assert "PAYMENT_RATE" not in features.columns  # no direction: left out of the model
    assert "EXT_SOURCES_STD" not in features.columns
    assert unrestricted[1].loc[1, "PAYMENT_RATE"] == pytest.approx(0.05)  # 10,000 / 200,000
    assert unrestricted[1].loc[1, "EXT_SOURCES_STD"] == pytest.approx(0.2)
    assert row["GOODS_CREDIT_RATIO"] == pytest.approx(0.9)  # 180,000 / 200,000
    assert row["INCOME_PER_PERSON"] == pytest.approx(50000.0)  # 100,000 / 2
    assert row["EXT_SOURCES_MEAN"] == pytest.approx(0.4)  # (0.2 + 0.6) / 2, source 2 missing
    assert row["EXT_SOURCES_MIN"] == pytest.approx(0.2)
    assert row["DOCUMENT_COUNT"] == 2


def test_zero_credit_gives_missing_ratio_not_infinity(fitted, unrestricted):
    _, features = fitted
    assert np.isnan(unrestricted[1].loc[2, "PAYMENT_RATE"])
    assert np.isnan(features.loc[2, "GOODS_CREDIT_RATIO"])
    assert not np.isinf(features.to_numpy()).any()


def test_one_hot_codes_with_missing_and_unseen_buckets(fitted, unrestricted):
    builder, features = fitted
    income = [c for c in builder.feature_names_ if c.startswith("NAME_INCOME_TYPE_")]
    assert income == ["NAME_INCOME_TYPE_Pensioner", "NAME_INCOME_TYPE_Working",
                      "NAME_INCOME_TYPE__MISSING", "NAME_INCOME_TYPE__OTHER"]
    assert features.loc[[1, 2, 3], income].to_numpy().tolist() == [
        [0, 1, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0]]
    # test client 4: "Businessman" never seen in training -> OTHER; gender "XNA" -> MISSING
    assert features.loc[4, income].tolist() == [0, 0, 0, 1]
    assert not [c for c in features.columns if c.startswith("CODE_GENDER")]  # protected
    _, everything = unrestricted
    assert everything.loc[4, "CODE_GENDER__MISSING"] == 1
    assert everything.loc[4, "CODE_GENDER_F"] == 0


def test_rare_categories_go_to_other():
    tables = tiny_tables()
    from model.features.builder import FeatureBuilder

    builder = FeatureBuilder(min_category_count=2).fit(tables)
    features = builder.transform(tables)
    # "Working" has 2 training rows, "Pensioner" only 1: it shares the OTHER column
    assert "NAME_INCOME_TYPE_Pensioner" not in builder.feature_names_
    assert features.loc[2, "NAME_INCOME_TYPE__OTHER"] == 1
    assert features.loc[1, "NAME_INCOME_TYPE_Working"] == 1


def test_transform_application_matches_transform(fitted):
    builder, features = fitted
    app = pd.concat([tiny_tables()["application_train"], tiny_tables()["application_test"]])
    alone = builder.transform_application(app)
    assert list(alone.columns) == builder.application_features_
    pd.testing.assert_frame_equal(alone, features[builder.application_features_])
    assert builder.feature_names_[: len(alone.columns)] == builder.application_features_


def test_what_if_rows_with_plain_strings_and_edited_amounts(fitted):
    builder, _ = fitted
    row = tiny_tables()["application_train"].iloc[[0]].astype(object)  # as a form sends it
    row["AMT_CREDIT"] = 400000.0
    out = builder.transform_application(row)
    assert out.loc[1, "CREDIT_INCOME_RATIO"] == pytest.approx(4.0)  # 400,000 / 100,000
    assert out.loc[1, "NAME_INCOME_TYPE_Working"] == 1


def test_non_numeric_field_is_named_in_the_error(fitted):
    builder, _ = fitted
    row = tiny_tables()["application_train"].iloc[[0]].astype(object)
    row["AMT_CREDIT"] = "a lot"
    with pytest.raises(ValueError, match="AMT_CREDIT"):
        builder.transform_application(row)


def test_age_past_60_and_65_counts_days_beyond_each_birthday_shown_in_years(fitted):
    """The age hinges (config.AGE_KNOTS_YEARS) follow DAYS_BIRTH: 0 before the birthday, the
    negative days beyond it after, missing when age is; the dictionary files them under the
    customer's "Âge" and shows them in years."""
    from model.features.dictionary import feature_dictionary
    from webapp.services.reasons import format_unit

    builder, _ = fitted
    rows = pd.concat([tiny_tables()["application_train"].iloc[[0]]] * 4, ignore_index=True)
    rows["SK_ID_CURR"] = [1, 2, 3, 4]
    ages = [30.0, 62.5, 67.0, np.nan]
    rows["DAYS_BIRTH"] = [-a * 365.25 for a in ages]
    out = builder.transform_application(rows)
    past_60 = out["DAYS_BIRTH_PAST_60"].to_numpy()
    past_65 = out["DAYS_BIRTH_PAST_65"].to_numpy()
    assert past_60[:3] == pytest.approx([0.0, -2.5 * 365.25, -7 * 365.25], abs=0.01)
    assert past_65[:3] == pytest.approx([0.0, 0.0, -2 * 365.25], abs=0.01)
    assert np.isnan(past_60[3]) and np.isnan(past_65[3])

    dictionary = feature_dictionary(builder).set_index("feature")
    for name, words in (("DAYS_BIRTH_PAST_60", "Âge au-delà de 60 ans"),
                        ("DAYS_BIRTH_PAST_65", "Âge au-delà de 65 ans")):
        entry = dictionary.loc[name]
        assert (entry["concept"], entry["unit"], entry["description_fr"]) == ("age", "years", words)
    assert format_unit(past_60[2], "years", "fr") == "7\u00a0ans"  # no-break space
