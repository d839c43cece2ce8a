"""Raw files the loader must refuse (or, for encodings, read correctly), each with a
message naming the file, the column and the problem (issue 13)."""
from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from model.data.loader import SchemaError, load_table, load_tables
from test_loader import _tiny_application, _write_applications


def test_a_latin1_csv_is_read_as_text(tmp_path):
    train = _tiny_application()
    train["NAME_TYPE_SUITE"] = ["Family", "Unaccompanied", "Spouse, partner", "Famille élargie"]
    train.to_csv(tmp_path / "application_train.csv", index=False, encoding="latin-1")
    table = load_table(tmp_path, "application_train")
    assert table["NAME_TYPE_SUITE"].tolist() == ["Family", "Unaccompanied", "Spouse, partner",
                                                 "Famille élargie"]  # was b'Family'
    assert table["NAME_TYPE_SUITE"].dtype == "category"


def test_utf8_text_is_unchanged(tmp_path):
    train = _tiny_application()
    train["NAME_TYPE_SUITE"] = ["Famille élargie"] * 4
    train.to_csv(tmp_path / "application_train.csv", index=False, encoding="utf-8")
    assert set(load_table(tmp_path, "application_train")["NAME_TYPE_SUITE"]) == {"Famille élargie"}


@pytest.mark.parametrize("column", ["AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"])
def test_negative_amounts_are_refused(tmp_path, column):
    train = _tiny_application()
    train.loc[2, column] = -150000.0
    _write_applications(tmp_path, train)
    with pytest.raises(SchemaError, match=rf"application_train\.csv: column {column} must not be "
                                          r"negative but holds -150000 \(row 2; 1 of 4 rows"):
        load_table(tmp_path, "application_train")


def test_all_negative_incomes_are_refused(tmp_path):
    train = _tiny_application()
    train["AMT_INCOME_TOTAL"] = -train["AMT_INCOME_TOTAL"]
    _write_applications(tmp_path, train)
    with pytest.raises(SchemaError, match=r"AMT_INCOME_TOTAL must not be negative.*4 of 4 rows"):
        load_tables(tmp_path)


def test_negative_history_amounts_are_refused(tmp_path):
    from model.data.schema import SCHEMAS

    _write_applications(tmp_path)
    schema = SCHEMAS["installments_payments"]
    rows = {c: [1.0, 2.0] for c in schema.column_names}
    rows["AMT_PAYMENT"] = [10.0, -3.0]
    pd.DataFrame(rows).to_csv(tmp_path / "installments_payments.csv", index=False)
    with pytest.raises(SchemaError, match=r"installments_payments\.csv: column AMT_PAYMENT must not be negative"):
        load_tables(tmp_path)


def test_a_header_only_train_file_is_refused(tmp_path):
    _write_applications(tmp_path, _tiny_application().iloc[:0])
    with pytest.raises(SchemaError, match=r"application_train\.csv: no rows \(header only\)"):
        load_tables(tmp_path)


def test_a_target_other_than_0_or_1_is_refused(tmp_path):
    train = _tiny_application()
    train.loc[1, "TARGET"] = 7
    _write_applications(tmp_path, train)
    with pytest.raises(SchemaError, match=r"application_train\.csv: column TARGET must be one of 0, 1 "
                                          r"but holds 7 \(row 1\)"):
        load_table(tmp_path, "application_train")


@pytest.mark.parametrize("separator, said", [(";", "';'"), ("\t", "tabs")])
def test_a_csv_with_another_separator_is_refused_clearly(tmp_path, separator, said):
    train = _tiny_application()
    train["NAME_TYPE_SUITE"] = "Spouse, partner"  # a comma inside a text: the C tokenizer's error
    train.to_csv(tmp_path / "application_train.csv", index=False, sep=separator)
    with pytest.raises(SchemaError, match=rf"application_train\.csv: columns are separated by {said}, "
                                          r"not by commas.*SK_ID_CURR"):
        load_table(tmp_path, "application_train")


def test_a_zipped_csv_with_semicolons_is_refused_clearly(tmp_path):
    text = _tiny_application().to_csv(index=False, sep=";")
    with zipfile.ZipFile(tmp_path / "application_train.zip", "w") as archive:
        archive.writestr("application_train.csv", text)
    with pytest.raises(SchemaError, match=r"application_train\.zip: columns are separated by ';'"):
        load_table(tmp_path, "application_train")
