"""Synthetic generator: Kaggle's exact files, consistent keys, real quirks, planted signal."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.data.loader import load_tables
from model.data.schema import SCHEMAS, TABLE_NAMES
from model.synth.generate import count_test_clients, generate

N_CLIENTS = 2000
COLUMNS_FILE = Path(__file__).resolve().parents[2] / "model" / "data" / "kaggle_columns.json"


def _kind(dtype) -> str:
    return "int" if dtype.kind in "iu" else "float" if dtype.kind == "f" else "str"


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(N_CLIENTS, seed=7, out_dir=out)
    return out


@pytest.fixture(scope="module")
def raw(synth_dir) -> dict[str, pd.DataFrame]:
    """The eight files as written (no loader shrinking), to check what a user would read."""
    return {name: pd.read_parquet(synth_dir / f"{name}.parquet") for name in TABLE_NAMES}


def test_writes_exactly_the_eight_kaggle_files(synth_dir):
    assert sorted(p.name for p in synth_dir.iterdir()) == sorted(f"{n}.parquet" for n in TABLE_NAMES)


def test_columns_order_and_kinds_match_the_declared_kaggle_columns(raw):
    declared = json.loads(COLUMNS_FILE.read_text())
    for name, frame in raw.items():
        assert list(frame.columns) == list(declared[name]), name
        kinds = {c: _kind(frame[c].dtype) for c in frame}
        assert kinds == declared[name], name


def test_columns_order_and_kinds_match_the_real_sample(raw, sample_dir):
    for name, frame in raw.items():
        real = pd.read_csv(sample_dir / f"{name}.zip", low_memory=False)
        assert list(frame.columns) == list(real.columns), name
        mismatched = {c for c in real if _kind(real[c].dtype) != _kind(frame[c].dtype)}
        assert not mismatched, f"{name}: kinds differ for {sorted(mismatched)}"


def test_row_counts_and_test_clients(raw):
    assert len(raw["application_train"]) == N_CLIENTS
    assert len(raw["application_test"]) == count_test_clients(N_CLIENTS) == 317  # 2000 * 48744 / 307511
    assert count_test_clients(307_511) == 48_744


def test_history_sizes_per_client_are_kaggle_like(raw):
    clients = len(raw["application_train"]) + len(raw["application_test"])
    # Kaggle's rows per client (train + test): bureau 4.82, previous 4.69, POS 28.1,
    # installments 38.2, cards 10.8; bureau_balance 15.9 months per bureau record.
    expected = {"bureau": 4.82, "previous_application": 4.69, "POS_CASH_balance": 28.1,
                "installments_payments": 38.2, "credit_card_balance": 10.8}
    for name, per_client in expected.items():
        assert len(raw[name]) / clients == pytest.approx(per_client, rel=0.25), name
    assert len(raw["bureau_balance"]) / len(raw["bureau"]) == pytest.approx(15.9, rel=0.25)


def test_keys_are_unique_and_every_child_points_to_a_parent(raw):
    train, test = raw["application_train"], raw["application_test"]
    clients = pd.concat([train.SK_ID_CURR, test.SK_ID_CURR])
    assert clients.is_unique
    bureau, previous = raw["bureau"], raw["previous_application"]
    assert bureau.SK_ID_BUREAU.is_unique and previous.SK_ID_PREV.is_unique
    assert bureau.SK_ID_CURR.isin(clients).all()
    assert previous.SK_ID_CURR.isin(clients).all()
    assert raw["bureau_balance"].SK_ID_BUREAU.isin(bureau.SK_ID_BUREAU).all()
    owner = previous.set_index("SK_ID_PREV").SK_ID_CURR
    for name in ("POS_CASH_balance", "installments_payments", "credit_card_balance"):
        child = raw[name]
        assert child.SK_ID_PREV.isin(owner.index).all(), name
        assert (child.SK_ID_PREV.map(owner) == child.SK_ID_CURR).all(), f"{name}: SK_ID_CURR of another client"


def test_test_clients_have_their_own_history(raw):
    test_ids = raw["application_test"].SK_ID_CURR
    for name in ("bureau", "previous_application", "installments_payments"):
        assert raw[name].SK_ID_CURR.isin(test_ids).mean() > 0.05, name


def test_some_clients_have_no_bureau_and_some_no_previous_application(raw):
    ids = raw["application_train"].SK_ID_CURR
    no_bureau = 1 - ids.isin(raw["bureau"].SK_ID_CURR).mean()
    no_previous = 1 - ids.isin(raw["previous_application"].SK_ID_CURR).mean()
    assert 0.08 < no_bureau < 0.22  # Kaggle: 14 %
    assert 0.02 < no_previous < 0.09  # Kaggle: 5 %


def test_real_quirks_are_present(raw):
    app = raw["application_train"]
    pension = app.DAYS_EMPLOYED == 365243
    assert 0.13 < pension.mean() < 0.24  # Kaggle: 18 %
    assert (app.loc[pension, "NAME_INCOME_TYPE"].isin(["Pensioner", "Unemployed"])).mean() > 0.95
    assert (app.DAYS_EMPLOYED[~pension] < 0).all() and (app.DAYS_BIRTH < 0).all()
    assert set(app.CODE_GENDER.unique()) <= {"F", "M", "XNA"}
    assert (app.ORGANIZATION_TYPE == "XNA").mean() > 0.1
    previous = raw["previous_application"]
    assert 0.15 < (previous.AMT_CREDIT == 0).mean() < 0.30  # Kaggle: about 22 %
    for column in ("DAYS_FIRST_DRAWING", "DAYS_FIRST_DUE", "DAYS_LAST_DUE", "DAYS_TERMINATION"):
        assert (previous[column] == 365243).any(), column
    assert 0.4 < (previous.DAYS_FIRST_DRAWING == 365243).mean() / previous.DAYS_FIRST_DRAWING.notna().mean() < 1


def test_rare_gender_value_appears_at_kaggle_rate():
    from model.synth.sampler import TableSampler

    sampler = TableSampler("application_train", SCHEMAS["application_train"].columns)
    codes = sampler.draw("CODE_GENDER", 2_000_000, np.random.default_rng(0))
    xna = (codes == sampler.code("CODE_GENDER", "XNA")).sum()
    assert 10 <= xna <= 50  # 4 in 307,511 -> 26 expected in 2 M


def test_missing_rates_and_frequencies_close_to_the_real_sample(raw, sample_dir):
    real = pd.read_csv(sample_dir / "application_train.zip")
    synthetic = raw["application_train"]
    gaps = (synthetic.isna().mean() - real.isna().mean()).abs()
    assert gaps.max() < 0.06, gaps.sort_values().tail(3).to_dict()
    for column in ("NAME_CONTRACT_TYPE", "NAME_EDUCATION_TYPE", "NAME_INCOME_TYPE", "FLAG_OWN_CAR"):
        want = real[column].value_counts(normalize=True)
        got = synthetic[column].value_counts(normalize=True).reindex(want.index, fill_value=0)
        assert (got - want).abs().max() < 0.05, column
    for column in ("AMT_INCOME_TOTAL", "AMT_CREDIT", "DAYS_BIRTH", "EXT_SOURCE_2"):
        ratio = synthetic[column].median() / real[column].median()
        assert 0.85 < ratio < 1.15, column


def test_amounts_agree_within_an_application(raw):
    app = raw["application_train"]
    both = app.AMT_ANNUITY.notna()
    assert (app.AMT_ANNUITY[both] < app.AMT_CREDIT[both]).all()
    assert (app.CNT_FAM_MEMBERS.dropna() >= app.CNT_CHILDREN[app.CNT_FAM_MEMBERS.notna()] + 1).all()
    assert app.OWN_CAR_AGE[app.FLAG_OWN_CAR == "N"].isna().all()


def test_default_rate_is_about_eight_percent(raw):
    rate = raw["application_train"].TARGET.mean()
    assert 0.06 < rate < 0.10  # target 8 %; 2,000 clients give a standard error of 0.6 point


def test_planted_probabilities_are_those_the_targets_were_drawn_from(raw):
    """Replayed without writing a file (same seed and chunk size as the files), for every
    training client and no other; the targets drawn from them have the rate they predict and
    rank like them."""
    from sklearn.metrics import roc_auc_score

    from model.synth.generate import planted_probabilities

    train = raw["application_train"].set_index("SK_ID_CURR")
    replayed = planted_probabilities(N_CLIENTS, seed=7)
    assert replayed.index.equals(train.index)
    assert (replayed.TARGET == train.TARGET).all()
    planted = replayed.planted_probability
    assert planted.between(0, 1).all()
    expected = planted.mean()
    standard_error = np.sqrt((planted * (1 - planted)).sum()) / N_CLIENTS
    assert abs(train.TARGET.mean() - expected) < 3 * standard_error
    assert roc_auc_score(train.TARGET, planted) > 0.75
    # Another seed plants other probabilities.
    assert not np.allclose(planted_probabilities(N_CLIENTS, seed=8).planted_probability, planted)


def test_planted_signal_shows_in_several_tables(raw):
    app = raw["application_train"].set_index("SK_ID_CURR")
    bad = app.TARGET == 1
    for column in ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"):
        assert app.loc[bad, column].mean() < app.loc[~bad, column].mean() - 0.03, column
    inst = raw["installments_payments"]
    late = (inst.DAYS_ENTRY_PAYMENT > inst.DAYS_INSTALMENT).groupby(inst.SK_ID_CURR).mean()
    target = app.TARGET.reindex(late.index).dropna()
    late = late.loc[target.index]
    assert late[target == 1].mean() > 1.3 * late[target == 0].mean()
    previous = raw["previous_application"]
    refused = (previous.NAME_CONTRACT_STATUS == "Refused").groupby(previous.SK_ID_CURR).mean()
    target = app.TARGET.reindex(refused.index).dropna()
    refused = refused.loc[target.index]
    assert refused[target == 1].mean() > 1.2 * refused[target == 0].mean()


def test_no_single_application_column_gives_the_target_away(raw):
    from sklearn.metrics import roc_auc_score

    app = raw["application_train"]
    for column in app.select_dtypes("number").columns.drop(["SK_ID_CURR", "TARGET"]):
        values = app[column].fillna(app[column].median())
        if values.nunique() > 1:
            auc = roc_auc_score(app.TARGET, values)
            assert max(auc, 1 - auc) < 0.72, column


def test_files_load_through_the_loader(synth_dir, raw):
    tables = load_tables(synth_dir)
    assert set(tables) == set(TABLE_NAMES)
    for name in TABLE_NAMES:
        assert len(tables[name]) == len(raw[name]), name


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    first, again, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    rows = generate(300, seed=11, out_dir=first)
    assert generate(300, seed=11, out_dir=again) == rows
    generate(300, seed=12, out_dir=other)
    for name in TABLE_NAMES:
        data = (first / f"{name}.parquet").read_bytes()
        assert data == (again / f"{name}.parquet").read_bytes(), name
        assert data != (other / f"{name}.parquet").read_bytes(), name


def test_csv_format_loads_and_replaces_stale_parquet(tmp_path):
    generate(200, seed=1, out_dir=tmp_path)
    rows = generate(200, seed=2, out_dir=tmp_path, file_format="csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.csv" for n in TABLE_NAMES)
    header = pd.read_csv(tmp_path / "bureau.csv", nrows=0)
    assert list(header.columns) == SCHEMAS["bureau"].column_names
    tables = load_tables(tmp_path)
    assert {n: len(t) for n, t in tables.items()} == rows


def test_bad_arguments_raise_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="clients"):
        generate(0, seed=1, out_dir=tmp_path)
    with pytest.raises(ValueError, match="format"):
        generate(10, seed=1, out_dir=tmp_path, file_format="xlsx")
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_an_interrupted_run_leaves_no_file_behind(tmp_path, monkeypatch):
    import model.synth.generate as generate_module

    calls = []
    real_make_cards = generate_module.make_cards

    def failing_make_cards(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the second chunk fails, after the first was written
            raise RuntimeError("disk full")
        return real_make_cards(*args, **kwargs)

    monkeypatch.setattr(generate_module, "make_cards", failing_make_cards)
    with pytest.raises(RuntimeError, match="disk full"):
        generate(300, seed=1, out_dir=tmp_path, chunk_clients=100)
    assert not list(tmp_path.iterdir())  # neither Kaggle files nor the temporary folder
