"""The loader reads every format, validates the schema and names what is wrong."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest

from model.data.loader import SchemaError, load_table, load_tables
from model.data.schema import HISTORY_TABLES, SCHEMAS, TABLE_NAMES


def _tiny_application(n: int = 4, with_target: bool = True) -> pd.DataFrame:
    """A schema-complete application table of `n` clients."""
    schema = SCHEMAS["application_train" if with_target else "application_test"]
    data = {}
    for column, kind in schema.columns.items():
        if kind == "str":
            data[column] = ["Cash loans"] * n
        elif kind == "int":
            data[column] = list(range(n))
        else:
            data[column] = [1.5] * n
    frame = pd.DataFrame(data)
    frame["SK_ID_CURR"] = range(100001, 100001 + n)
    if with_target:
        frame["TARGET"] = [i % 2 for i in range(n)]  # the two classes, as in Kaggle
    return frame


def _write_applications(folder: Path, train: pd.DataFrame | None = None) -> None:
    (train if train is not None else _tiny_application()).to_csv(
        folder / "application_train.csv", index=False)
    _tiny_application(with_target=False).to_parquet(folder / "application_test.parquet")


def test_reads_csv_and_parquet_and_skips_absent_history(tmp_path, caplog):
    _write_applications(tmp_path)
    with caplog.at_level(logging.WARNING):
        tables = load_tables(tmp_path)
    assert set(tables) == {"application_train", "application_test"}
    assert list(tables["application_train"].columns) == SCHEMAS["application_train"].column_names
    assert tables["application_train"]["NAME_CONTRACT_TYPE"].dtype == "category"
    assert tables["application_train"]["AMT_CREDIT"].dtype == "float32"
    for name in HISTORY_TABLES:  # each absent optional table is named in the log
        assert name in caplog.text


def test_missing_required_file_names_the_table(tmp_path):
    _tiny_application(with_target=False).to_csv(tmp_path / "application_test.csv", index=False)
    with pytest.raises(SchemaError, match="application_train: no file found"):
        load_tables(tmp_path)


def test_missing_column_names_file_and_column(tmp_path):
    _write_applications(tmp_path, _tiny_application().drop(columns=["AMT_ANNUITY"]))
    with pytest.raises(SchemaError, match=r"application_train\.csv: missing column\(s\) AMT_ANNUITY"):
        load_table(tmp_path, "application_train")


def test_wrong_dtype_names_file_column_and_value(tmp_path):
    train = _tiny_application()
    train["AMT_CREDIT"] = train["AMT_CREDIT"].astype(object)
    train.loc[2, "AMT_CREDIT"] = "lots"
    _write_applications(tmp_path, train)
    with pytest.raises(SchemaError, match=r"application_train\.csv: column AMT_CREDIT must be numeric.*'lots'"):
        load_table(tmp_path, "application_train")


def test_duplicated_client_id_is_refused(tmp_path):
    train = _tiny_application()
    train.loc[3, "SK_ID_CURR"] = train.loc[0, "SK_ID_CURR"]
    _write_applications(tmp_path, train)
    with pytest.raises(SchemaError, match=r"application_train\.csv: column SK_ID_CURR has duplicated values.*100001"):
        load_table(tmp_path, "application_train")


def test_unreadable_file_is_named(tmp_path):
    _write_applications(tmp_path)
    (tmp_path / "bureau.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(SchemaError, match=r"bureau\.parquet: cannot be read"):
        load_tables(tmp_path)


def test_reads_the_real_sample_with_kaggle_columns(sample_dir, tmp_path):
    # The real sample ships as .zip; a copy as .csv.zip must read the same way.
    shutil.copy(sample_dir / "bureau.zip", tmp_path / "bureau.csv.zip")
    tables = {name: load_table(sample_dir, name) for name in TABLE_NAMES}
    assert len(tables["application_train"]) == 5000
    assert tables["application_train"]["TARGET"].mean() == pytest.approx(0.0772, abs=1e-3)
    for name, table in tables.items():
        assert list(table.columns) == SCHEMAS[name].column_names, name
    pd.testing.assert_frame_equal(load_table(tmp_path, "bureau"), tables["bureau"])
