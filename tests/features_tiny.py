"""Tiny hand-made Home Credit tables whose feature values are computed by hand in the tests.

Clients 1, 2, 3 are training clients (client 2 has no history at all), client 4
is a test client with categories never seen in training.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from model.data.schema import SCHEMAS
from model.features.builder import FeatureBuilder


def table(name: str, rows: list[dict]) -> pd.DataFrame:
    """A table with every column of the Kaggle schema, typed like `load_tables` types them."""
    out = {}
    for column, kind in SCHEMAS[name].columns.items():
        values = [row.get(column) for row in rows]
        if kind == "str":
            out[column] = pd.Series(values, dtype="object").astype("category")
        elif kind == "int" and all(v is not None for v in values):
            out[column] = pd.Series(values, dtype=np.int64)
        else:
            out[column] = pd.Series([np.nan if v is None else v for v in values],
                                    dtype=np.float32)
    return pd.DataFrame(out)


def tiny_tables() -> dict[str, pd.DataFrame]:
    """The eight tables of the hand-made example."""
    app = dict(CODE_GENDER="F", NAME_CONTRACT_TYPE="Cash loans", DAYS_BIRTH=-10000,
               AMT_INCOME_TOTAL=100000.0, AMT_CREDIT=200000.0, AMT_ANNUITY=10000.0,
               AMT_GOODS_PRICE=180000.0, CNT_FAM_MEMBERS=2.0)
    train = [
        {**app, "SK_ID_CURR": 1, "TARGET": 0, "DAYS_EMPLOYED": 365243,
         "NAME_INCOME_TYPE": "Working", "EXT_SOURCE_1": 0.2, "EXT_SOURCE_3": 0.6,
         "FLAG_DOCUMENT_3": 1, "FLAG_DOCUMENT_5": 1},
        {**app, "SK_ID_CURR": 2, "TARGET": 1, "DAYS_EMPLOYED": -1000, "AMT_CREDIT": 0.0,
         "NAME_INCOME_TYPE": "Pensioner"},
        {**app, "SK_ID_CURR": 3, "TARGET": 0, "DAYS_EMPLOYED": -500,
         "NAME_INCOME_TYPE": "Working"},
    ]
    test = [{**app, "SK_ID_CURR": 4, "DAYS_EMPLOYED": -200, "CODE_GENDER": "XNA",
             "NAME_INCOME_TYPE": "Businessman"}]
    bureau = [
        dict(SK_ID_CURR=1, SK_ID_BUREAU=11, CREDIT_ACTIVE="Active", CREDIT_TYPE="Consumer credit",
             DAYS_CREDIT=-100, AMT_CREDIT_SUM=1000.0, AMT_CREDIT_SUM_DEBT=400.0),
        dict(SK_ID_CURR=1, SK_ID_BUREAU=12, CREDIT_ACTIVE="Closed", CREDIT_TYPE="Car loan",
             DAYS_CREDIT=-300, AMT_CREDIT_SUM=3000.0, AMT_CREDIT_SUM_DEBT=0.0),
        dict(SK_ID_CURR=3, SK_ID_BUREAU=31, CREDIT_ACTIVE="Closed", CREDIT_TYPE="Car loan",
             DAYS_CREDIT=-700, AMT_CREDIT_SUM=0.0, AMT_CREDIT_SUM_DEBT=0.0),
        dict(SK_ID_CURR=4, SK_ID_BUREAU=41, CREDIT_ACTIVE="Active", CREDIT_TYPE="Mortgage",
             DAYS_CREDIT=-50, AMT_CREDIT_SUM=500.0, AMT_CREDIT_SUM_DEBT=100.0),
    ]
    balance = [dict(SK_ID_BUREAU=b, MONTHS_BALANCE=m, STATUS=s) for b, m, s in [
        (11, 0, "0"), (11, -1, "1"), (11, -2, "0"), (12, -5, "C"), (12, -6, "C"), (41, 0, "X"),
    ]]
    previous = [
        dict(SK_ID_PREV=101, SK_ID_CURR=1, NAME_CONTRACT_STATUS="Approved",
             NAME_CONTRACT_TYPE="Cash loans", AMT_APPLICATION=100.0, AMT_CREDIT=80.0,
             DAYS_FIRST_DUE=365243.0),
        dict(SK_ID_PREV=102, SK_ID_CURR=1, NAME_CONTRACT_STATUS="Refused",
             NAME_CONTRACT_TYPE="XNA", AMT_APPLICATION=200.0, AMT_CREDIT=0.0,
             DAYS_FIRST_DUE=-30.0),
        dict(SK_ID_PREV=103, SK_ID_CURR=1, NAME_CONTRACT_STATUS="Approved",
             NAME_CONTRACT_TYPE="Cash loans", AMT_APPLICATION=50.0, AMT_CREDIT=100.0),
        dict(SK_ID_PREV=401, SK_ID_CURR=4, NAME_CONTRACT_STATUS="Unused offer",
             NAME_CONTRACT_TYPE="Consumer loans", AMT_APPLICATION=10.0, AMT_CREDIT=10.0),
    ]
    pos = [dict(SK_ID_PREV=101, SK_ID_CURR=1, MONTHS_BALANCE=m, SK_DPD=d, SK_DPD_DEF=0,
                NAME_CONTRACT_STATUS=s)
           for m, d, s in [(-1, 0, "Active"), (-2, 5, "Active"), (-3, 10, "Completed")]]
    installments = [
        dict(SK_ID_PREV=101, SK_ID_CURR=1, NUM_INSTALMENT_VERSION=v, NUM_INSTALMENT_NUMBER=n,
             DAYS_INSTALMENT=due, DAYS_ENTRY_PAYMENT=paid, AMT_INSTALMENT=owed, AMT_PAYMENT=amount)
        for v, n, due, paid, owed, amount in [
            (1.0, 1, -30.0, -25.0, 100.0, 100.0),
            (1.0, 2, -60.0, -65.0, 100.0, 50.0),
            (2.0, 3, -90.0, None, 0.0, 0.0),
        ]
    ]
    cards = [dict(SK_ID_PREV=105, SK_ID_CURR=1, MONTHS_BALANCE=m, AMT_BALANCE=balance_,
                  AMT_CREDIT_LIMIT_ACTUAL=limit, CNT_DRAWINGS_CURRENT=0, SK_DPD=0,
                  SK_DPD_DEF=0, NAME_CONTRACT_STATUS="Active")
             for m, balance_, limit in [(-1, 100.0, 1000), (-2, 300.0, 0)]]
    return {
        "application_train": table("application_train", train),
        "application_test": table("application_test", test),
        "bureau": table("bureau", bureau),
        "bureau_balance": table("bureau_balance", balance),
        "previous_application": table("previous_application", previous),
        "POS_CASH_balance": table("POS_CASH_balance", pos),
        "installments_payments": table("installments_payments", installments),
        "credit_card_balance": table("credit_card_balance", cards),
    }


def tiny_features() -> tuple[FeatureBuilder, pd.DataFrame]:
    """Builder fitted on the tiny tables (every category kept) and the features of clients 1-4."""
    tables = tiny_tables()
    builder = FeatureBuilder(min_category_count=1).fit(tables)
    return builder, builder.transform(tables)
