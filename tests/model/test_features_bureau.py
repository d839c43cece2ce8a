"""Bureau and bureau_balance aggregates on the hand-made example (values computed by hand)."""
from __future__ import annotations

import numpy as np
import pytest
from tests.features_tiny import tiny_features


@pytest.fixture(scope="module")
def features():
    return tiny_features()[1]


def test_overall_statistics(features):
    row = features.loc[1]  # credits 11 (active, 1000, debt 400) and 12 (closed, 3000, debt 0)
    assert row["BURO_COUNT"] == 2
    assert row["BURO_DAYS_CREDIT_MIN"] == -300
    assert row["BURO_DAYS_CREDIT_MAX"] == -100
    assert row["BURO_DAYS_CREDIT_MEAN"] == -200
    assert row["BURO_DAYS_CREDIT_VAR"] == pytest.approx(20000.0)  # sample variance of 2 values
    assert row["BURO_AMT_CREDIT_SUM_SUM"] == 4000
    assert row["BURO_AMT_CREDIT_SUM_MAX"] == 3000
    assert row["BURO_DEBT_CREDIT_RATIO_MEAN"] == pytest.approx(0.2)  # (0.4 + 0) / 2


def test_active_and_closed_subsets(features):
    row = features.loc[1]
    assert row["BURO_ACTIVE_COUNT"] == 1
    assert row["BURO_CLOSED_COUNT"] == 1
    assert row["BURO_ACTIVE_AMT_CREDIT_SUM_MEAN"] == 1000
    assert row["BURO_CLOSED_AMT_CREDIT_SUM_MEAN"] == 3000
    assert row["BURO_ACTIVE_BB_MONTHS_MIN_MIN"] == -2
    # client 3 only has a closed credit: active statistics missing, active count 0
    assert features.loc[3, "BURO_ACTIVE_COUNT"] == 0
    assert np.isnan(features.loc[3, "BURO_ACTIVE_DAYS_CREDIT_MEAN"])
    # a credit amount of 0 gives a missing debt ratio, not an infinite one
    assert np.isnan(features.loc[3, "BURO_DEBT_CREDIT_RATIO_MEAN"])


def test_category_shares(features):
    assert features.loc[1, "BURO_CREDIT_TYPE_Consumer_credit_MEAN"] == 0.5
    assert features.loc[1, "BURO_CREDIT_TYPE_Car_loan_MEAN"] == 0.5
    assert features.loc[1, "BURO_CREDIT_ACTIVE_Active_MEAN"] == 0.5
    # test client 4: "Mortgage" never seen for training clients -> OTHER
    assert features.loc[4, "BURO_CREDIT_TYPE__OTHER_MEAN"] == 1


def test_bureau_balance_status_counts_and_shares(features):
    row = features.loc[1]  # credit 11: statuses 0, 1, 0; credit 12: C, C
    assert row["BURO_BB_MONTHS_COUNT"] == 5
    assert row["BURO_BB_STATUS_0_COUNT"] == 2
    assert row["BURO_BB_STATUS_1_COUNT"] == 1
    assert row["BURO_BB_STATUS_C_COUNT"] == 2
    assert row["BURO_BB_STATUS_0_SHARE_MEAN"] == pytest.approx(1 / 3)  # mean(2/3, 0)
    assert row["BURO_BB_STATUS_1_SHARE_MEAN"] == pytest.approx(1 / 6)  # mean(1/3, 0)
    assert row["BURO_BB_STATUS_C_SHARE_MEAN"] == pytest.approx(0.5)  # mean(0, 1)
    assert row["BURO_BB_MONTHS_MIN_MIN"] == -6
    assert row["BURO_BB_MONTHS_MAX_MAX"] == 0
    assert row["BURO_BB_MONTHS_COUNT_MEAN"] == 2.5
    # client 3's credit has no monthly record: 0 months, shares missing
    assert features.loc[3, "BURO_BB_MONTHS_COUNT"] == 0
    assert np.isnan(features.loc[3, "BURO_BB_STATUS_0_SHARE_MEAN"])
    # status "X" only appears for a test client: OTHER
    assert features.loc[4, "BURO_BB_STATUS__OTHER_COUNT"] == 1


def test_client_without_history_has_zero_counts(features):
    row = features.loc[2]
    counts = [c for c in features.columns if c.endswith("_COUNT")
              and c.startswith(("BURO", "PREV", "POS", "INSTAL", "CC"))]
    assert len(counts) >= 10
    assert (row[counts] == 0).all()
    assert np.isnan(row["BURO_DAYS_CREDIT_MEAN"])
    assert np.isnan(row["BURO_CREDIT_TYPE_Car_loan_MEAN"])
