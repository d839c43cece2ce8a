"""Declared schema of the eight Home Credit files.

The column lists, their order and their kinds were read off the real Kaggle
files (`kaggle_columns.json`); the generator writes exactly these and the
loader accepts nothing less.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
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


def _load_schemas() -> dict[str, TableSchema]:
    columns = json.loads(_COLUMNS_FILE.read_text())
    return {
        name: TableSchema(name, columns[name], keys, unique, required)
        for name, (keys, unique, required) in _KEYS.items()
    }


SCHEMAS: dict[str, TableSchema] = _load_schemas()
TABLE_NAMES: tuple[str, ...] = tuple(SCHEMAS)
HISTORY_TABLES: tuple[str, ...] = tuple(n for n, s in SCHEMAS.items() if not s.required)
