"""Previous applications, POS, installments and credit card aggregates on the hand-made example."""
from __future__ import annotations

import numpy as np
import pytest
from tests.features_tiny import tiny_features


@pytest.fixture(scope="module")
def features():
    return tiny_features()[1]


def test_previous_applications(features):
    row = features.loc[1]  # asked/granted: 100/80, 200/0 (refused), 50/100
    assert row["PREV_COUNT"] == 3
    assert row["PREV_APPROVED_COUNT"] == 2
    assert row["PREV_REFUSED_COUNT"] == 1
    assert row["PREV_APP_CREDIT_PERC_MEAN"] == pytest.approx(0.875)  # (1.25 + 0.5) / 2
    assert row["PREV_APP_CREDIT_PERC_MAX"] == pytest.approx(1.25)
    assert row["PREV_APP_CREDIT_PERC_VAR"] == pytest.approx(0.28125)
    assert row["PREV_APPROVED_AMT_APPLICATION_MEAN"] == 75
    assert row["PREV_REFUSED_AMT_APPLICATION_MEAN"] == 200
    assert np.isnan(row["PREV_REFUSED_APP_CREDIT_PERC_MEAN"])  # granted 0: missing, not inf
    assert row["PREV_DAYS_FIRST_DUE_MAX"] == -30  # 365243 means "no date"
    assert row["PREV_NAME_CONTRACT_STATUS_Refused_MEAN"] == pytest.approx(1 / 3)
    assert row["PREV_NAME_CONTRACT_TYPE__MISSING_MEAN"] == pytest.approx(1 / 3)  # "XNA"
    # test client 4: status "Unused offer" never seen in training
    assert features.loc[4, "PREV_NAME_CONTRACT_STATUS__OTHER_MEAN"] == 1
    assert features.loc[4, "PREV_APPROVED_COUNT"] == 0


def test_pos_cash(features):
    row = features.loc[1]  # days past due 0, 5, 10; months -1, -2, -3
    assert row["POS_COUNT"] == 3
    assert row["POS_SK_DPD_MAX"] == 10
    assert row["POS_SK_DPD_MEAN"] == 5
    assert row["POS_MONTHS_BALANCE_MAX"] == -1
    assert row["POS_NAME_CONTRACT_STATUS_Active_MEAN"] == pytest.approx(2 / 3)


def test_installments(features):
    row = features.loc[1]  # paid 5 days late in full; 5 days early half; unpaid, nothing owed
    assert row["INSTAL_COUNT"] == 3
    assert row["INSTAL_DPD_MAX"] == 5
    assert row["INSTAL_DPD_MEAN"] == 2.5
    assert row["INSTAL_DBD_SUM"] == 5
    assert row["INSTAL_LATE_MEAN"] == 0.5
    assert row["INSTAL_LATE_SUM"] == 1
    assert row["INSTAL_PAYMENT_PERC_MEAN"] == pytest.approx(0.75)  # 0/0 is missing
    assert row["INSTAL_PAYMENT_DIFF_SUM"] == 50
    assert row["INSTAL_PAYMENT_DIFF_MEAN"] == pytest.approx(50 / 3)
    assert row["INSTAL_AMT_PAYMENT_MIN"] == 0
    assert row["INSTAL_NUM_INSTALMENT_VERSION_NUNIQUE"] == 2


def test_credit_card(features):
    row = features.loc[1]  # balances 100 and 300, limits 1000 and 0
    assert row["CC_COUNT"] == 2
    assert row["CC_AMT_BALANCE_MIN"] == 100
    assert row["CC_AMT_BALANCE_MAX"] == 300
    assert row["CC_AMT_BALANCE_SUM"] == 400
    assert row["CC_AMT_BALANCE_VAR"] == pytest.approx(20000.0)
    assert row["CC_BALANCE_LIMIT_RATIO_MAX"] == pytest.approx(0.1)  # limit 0: missing
    assert row["CC_NAME_CONTRACT_STATUS_Active_MEAN"] == 1
    assert features.loc[3, "CC_COUNT"] == 0
    assert np.isnan(features.loc[3, "CC_AMT_BALANCE_MEAN"])
