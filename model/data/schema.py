"""Declared schema of the eight Home Credit files.

The column lists, their order and their kinds were read off the real Kaggle
files (`kaggle_columns.json`); the generator writes exactly these and the
loader accepts nothing less.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

_COLUMNS_FILE = Path(__file__).with_name("kaggle_columns.json")


@dataclass(frozen=True)
class TableSchema:
    """What a table must look like: its columns in Kaggle's order, their kinds and keys."""

    name: str
    columns: dict[str, str]  # column -> "int" | "float" | "str"
    keys: tuple[str, ...]
    unique_key: str | None = None  # a column that must not repeat
    required: bool = True  # False: the pipeline goes on without it
    non_negative: tuple[str, ...] = ()  # amounts and counts that are never below 0
    allowed: dict[str, tuple] = field(default_factory=dict)  # column -> the only values it may hold

    @property
    def column_names(self) -> list[str]:
        return list(self.columns)


_KEYS = {
    "application_train": (("SK_ID_CURR",), "SK_ID_CURR", True),
    "application_test": (("SK_ID_CURR",), "SK_ID_CURR", True),
    "bureau": (("SK_ID_CURR", "SK_ID_BUREAU"), "SK_ID_BUREAU", False),
    "bureau_balance": (("SK_ID_BUREAU",), None, False),
    "previous_application": (("SK_ID_PREV", "SK_ID_CURR"), "SK_ID_PREV", False),
    "POS_CASH_balance": (("SK_ID_PREV", "SK_ID_CURR"), None, False),
    "installments_payments": (("SK_ID_PREV", "SK_ID_CURR"), None, False),
    "credit_card_balance": (("SK_ID_PREV", "SK_ID_CURR"), None, False),
}


# Value rules read off the real Kaggle files: these amounts and counts are never negative
# there (minimum income 25,650, credit 45,000; previous amounts and payments from 0), so a
# negative one is a data error (a sign flipped in an export), not a client to train on.
_APPLICATION_AMOUNTS = ("AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE",
                        "CNT_CHILDREN", "CNT_FAM_MEMBERS")
_NON_NEGATIVE = {
    "application_train": _APPLICATION_AMOUNTS,
    "application_test": _APPLICATION_AMOUNTS,
    "bureau": ("AMT_CREDIT_SUM", "AMT_ANNUITY"),
    "previous_application": ("AMT_ANNUITY", "AMT_APPLICATION", "AMT_CREDIT", "AMT_GOODS_PRICE"),
    "installments_payments": ("AMT_INSTALMENT", "AMT_PAYMENT"),
    "credit_card_balance": ("AMT_CREDIT_LIMIT_ACTUAL",),
}
_ALLOWED = {"application_train": {"TARGET": (0, 1)}}  # 1 = payment difficulties


def _load_schemas() -> dict[str, TableSchema]:
    columns = json.loads(_COLUMNS_FILE.read_text())
    return {
        name: TableSchema(name, columns[name], keys, unique, required,
                          _NON_NEGATIVE.get(name, ()), _ALLOWED.get(name, {}))
        for name, (keys, unique, required) in _KEYS.items()
    }


SCHEMAS: dict[str, TableSchema] = _load_schemas()
TABLE_NAMES: tuple[str, ...] = tuple(SCHEMAS)
HISTORY_TABLES: tuple[str, ...] = tuple(n for n, s in SCHEMAS.items() if not s.required)
