"""Comparison groups, percentiles, histograms and the Compare screen's figures.

Every expected value is worked out by hand from the small frames below.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from webapp.services import population as pop
from webapp.figures import population as fig


def _days(years: float) -> float:
    return -round(years * pop.DAYS_PER_YEAR)


@pytest.fixture()
def clients() -> pd.DataFrame:
    """Eight clients; client 6 is a test client (no outcome): Cash, 34 years, income 110,000."""
    rows = {
        # id: (TARGET, contract, age, income)
        1: (0.0, "Cash loans", 35, 120_000),
        2: (1.0, "Cash loans", 36, 130_000),
        3: (0.0, "Revolving loans", 35, 120_000),   # other contract
        4: (0.0, "Cash loans", 45, 120_000),        # other age band
        5: (0.0, "Cash loans", 33, 250_000),        # other income band
        6: (np.nan, "Cash loans", 34, 110_000),     # the client (test set)
        7: (0.0, "Cash loans", 39, 149_000),
        8: (1.0, "Cash loans", 31, 100_000),        # lower income edge belongs to the band
    }
    frame = pd.DataFrame.from_dict(
        rows, orient="index", columns=["TARGET", "NAME_CONTRACT_TYPE", "age", "AMT_INCOME_TOTAL"])
    frame["DAYS_BIRTH"] = frame.pop("age").map(_days)
    frame["NAME_CONTRACT_TYPE"] = frame["NAME_CONTRACT_TYPE"].astype("category")
    frame.index.name = "SK_ID_CURR"
    return frame


def _ids(clients: pd.DataFrame, mask: np.ndarray) -> set[int]:
    return set(clients.index[mask].tolist())


def test_band_codes_use_left_closed_bands_and_flag_missing():
    edges = (0.0, 10.0, 20.0, np.inf)
    codes = pop.band_codes(np.array([0.0, 9.9, 10.0, 25.0, np.nan, -1.0]), edges)
    assert codes.tolist() == [0, 0, 1, 2, -1, -1]
    assert pop.band_of(15.0, edges) == pop.Band(1, 10.0, 20.0)
    assert pop.band_of(np.nan, edges).index == -1


def test_similar_clients_share_contract_age_band_and_income_band(clients):
    mask = pop.comparison_mask(clients, 6, "similar")
    assert _ids(clients, mask) == {1, 2, 7, 8}


def test_similar_ignores_an_unknown_fact_of_the_client(clients):
    clients.loc[6, "AMT_INCOME_TOTAL"] = np.nan
    # income no longer restricts: client 5 (income 250,000) joins
    assert _ids(clients, pop.similar_mask(clients, 6)) == {1, 2, 5, 7, 8}


def test_all_group_is_every_training_client_but_the_client(clients):
    assert _ids(clients, pop.comparison_mask(clients, 6, "all")) == {1, 2, 3, 4, 5, 7, 8}
    assert 1 not in _ids(clients, pop.comparison_mask(clients, 1, "all"))


def test_unknown_client_and_group_give_clear_errors(clients):
    with pytest.raises(pop.UnknownClientError, match="client 999 is not in the loaded data"):
        pop.comparison_mask(clients, 999, "all")
    with pytest.raises(ValueError, match="unknown comparison group 'friends'"):
        pop.comparison_mask(clients, 6, "friends")
    with pytest.raises(ValueError, match="plot_columns"):
        pop.comparison_mask(clients, 6, "neighbours")


def test_neighbours_are_found_on_standardised_features():
    # Client 0 at (0, 0). Candidates A..D; f2 is f1's spread times 1000, so once
    # standardised both count equally: squared distances (x s^2) A 1, B 1, D 8, C 18.
    # Raw distances would rank B (0, 1000) last.
    index = pd.Index([10, 11, 12, 13, 14, 15], name="SK_ID_CURR")
    clients = pd.DataFrame({"TARGET": [np.nan, 0, 1, 0, 0, np.nan]}, index=index)
    features = pd.DataFrame(
        {"f1": [0.0, 1.0, 0.0, 3.0, 2.0, 0.0], "f2": [0.0, 0.0, 1000.0, 3000.0, 2000.0, 0.0]},
        index=index,
    )
    # client 15 (test set) sits exactly on the client but has no outcome: never a neighbour
    assert _ids(clients, pop.neighbour_mask(clients, features, 10, k=2)) == {11, 12}
    assert _ids(clients, pop.neighbour_mask(clients, features, 10, k=3)) == {11, 12, 14}
    assert pop.neighbour_mask(clients, features, 10, k=50).sum() == 4


def test_neighbours_treat_a_missing_value_as_the_mean():
    index = pd.Index([1, 2, 3, 4], name="SK_ID_CURR")
    clients = pd.DataFrame({"TARGET": [np.nan, 0, 0, 1]}, index=index)
    # reference f1 values 0, 10, 5 -> mean 5: the client's missing f1 is 5, nearest is client 4
    features = pd.DataFrame({"f1": [np.nan, 0.0, 10.0, 5.0]}, index=index)
    assert _ids(clients, pop.neighbour_mask(clients, features, 1, k=1)) == {4}


def test_percentile_counts_half_the_ties_and_ignores_missing():
    assert pop.percentile_of([1, 2, 3, 4, np.nan], 3) == pytest.approx(62.5)
    assert pop.percentile_of([1, 2, 3, 4], 10) == 100.0
    assert pop.percentile_of([1, 2, 3, 4], np.nan) is None
    assert pop.percentile_of([np.nan], 1.0) is None


def test_histogram_of_few_values_has_one_bar_per_value_and_class_shares():
    hist = pop.split_histogram([0, 0, 1, 1, 1, np.nan], [0, 1, 0, 0, 1, 0])
    assert hist["center"].tolist() == [0.0, 1.0]
    assert hist["repaid"].tolist() == pytest.approx([1 / 3, 2 / 3])
    assert hist["defaulted"].tolist() == pytest.approx([0.5, 0.5])


def test_histogram_keeps_outliers_in_end_bars_and_reaches_the_client():
    values = np.append(np.arange(1000.0), 1e6)
    target = np.zeros(1001)
    target[-1] = 1  # the outlier is the only defaulter
    hist = pop.split_histogram(values, target, client_value=-50.0, bins=10)
    assert len(hist) == 10
    assert hist["left"].iloc[0] == -50.0
    assert hist["right"].iloc[-1] < 1000  # range stops at the 99.5 % quantile
    assert hist["defaulted"].tolist() == [0.0] * 9 + [1.0]  # outlier counted in the last bar
    assert hist["repaid"].sum() == pytest.approx(1.0)


def test_histogram_labels_can_name_other_classes():
    hist = pop.split_histogram([1.0, 2.0], [0, 1], labels=("reference", "current"))
    assert list(hist.columns) == ["left", "right", "center", "reference", "current"]
    assert pop.split_histogram([np.nan], [0]).empty


def test_scatter_sample_is_reproducible_within_the_group_and_complete():
    frame = pd.DataFrame({"x": np.arange(100.0), "y": np.arange(100.0)})
    frame.loc[3, "y"] = np.nan
    mask = np.arange(100) < 50
    first = pop.scatter_sample(frame, mask, n=10, seed=1)
    again = pop.scatter_sample(frame, mask, n=10, seed=1)
    assert first.index.tolist() == again.index.tolist()
    assert len(first) == 10 and first.index.is_monotonic_increasing
    assert first.index.max() < 50
    small = pop.scatter_sample(frame, mask, n=1000)
    assert len(small) == 49 and 3 not in small.index


def test_feature_label_falls_back_to_the_column_name():
    dictionary = pd.DataFrame(
        {"description_fr": ["Revenu total"], "description_en": ["Total income"]},
        index=pd.Index(["AMT_INCOME_TOTAL"], name="feature"),
    )
    assert pop.feature_label(dictionary, "AMT_INCOME_TOTAL", "fr") == "Revenu total"
    assert pop.feature_label(dictionary, "AMT_INCOME_TOTAL", "en") == "Total income"
    assert pop.feature_label(dictionary, "OTHER", "en") == "OTHER"
    assert pop.feature_label(None, "OTHER", "fr") == "OTHER"


@pytest.mark.parametrize(("rank", "lang", "text"), [
    (1, "fr", "1er"), (83, "fr", "83e"), (1, "en", "1st"), (2, "en", "2nd"), (3, "en", "3rd"),
    (11, "en", "11th"), (12, "en", "12th"), (13, "en", "13th"), (21, "en", "21st"), (83, "en", "83rd"),
])
def test_ordinals(rank, lang, text):
    assert fig.ordinal(rank, lang) == text


def test_percentile_sentence_reads_like_an_advisor_would_say_it():
    text = fig.percentile_sentence(100002, "Revenu", 202500.0, 83.2, 12345, "fr")
    assert text.startswith("Le client 100002 est au 83e centile de « Revenu » (202\u202f500)")
    assert "12\u202f345 clients" in text
    assert "99th percentile" in fig.percentile_sentence(1, "Income", 5.0, 99.9, 3, "en")
    assert "inconnue" in fig.percentile_sentence(1, "Revenu", None, None, 3, "fr")
    assert fig.class_sentence(80.0, 35.0, "fr") == (
        "Parmi les clients ayant remboursé, 80\u202f% ont une valeur inférieure ; "
        "parmi les clients en défaut, 35\u202f%.")


def test_distribution_figure_marks_the_client_with_a_labelled_star():
    hist = pop.split_histogram([0, 0, 1, 1, 1], [0, 1, 0, 0, 1])
    figure = go.Figure(fig.distribution_figure(hist, 42, 1.0, "Flag", "en"))  # validates the dict
    bars = [t for t in figure.data if t.type == "bar"]
    assert [b.name for b in bars] == ["Clients who repaid", "Clients who defaulted"]
    assert bars[1].marker.pattern.shape == "/" and bars[0].marker.pattern.shape == ""
    assert list(bars[0].y) == pytest.approx([100 / 3, 200 / 3], rel=1e-3)
    star = [t for t in figure.data if t.type == "scatter"][0]
    assert star.marker.symbol == "star" and star.text == ("Client 42: 1",)
    assert figure.layout.separators == ".,"
    french = go.Figure(fig.distribution_figure(hist, 42, 1.0, "Drapeau", "fr"))
    assert french.layout.separators == ",\u202f"  # "0,25" and "1 000" on the axes
    empty = go.Figure(fig.distribution_figure(pop.split_histogram([], []), 42, 1.0, "Flag", "en"))
    assert "No known value" in empty.layout.annotations[0].text


def test_scatter_figure_splits_decisions_by_marker_shape():
    sample = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0],
                           "probability": [0.1, 0.6, 0.7]})
    figure = go.Figure(fig.scatter_figure(sample, "a", "b", 0.5, 7, (2.5, 2.5, 0.55), ("A", "B"), "fr"))
    granted, refused, client = figure.data
    assert (granted.marker.symbol, len(granted.x)) == ("circle", 1)
    assert (refused.marker.symbol, len(refused.x)) == ("x", 2)
    assert client.marker.symbol == "star" and client.text == ("Client 7",)
    summary = fig.scatter_summary(sample, "A", "B", 0.5, 7,
                                  (pop.Rank(2.5, 40.0, 1234), pop.Rank(2.5, 60.0, 1200)), "fr")
    assert "3 clients" in summary and "67\u202f%" in summary
    assert "40e centile de « A » parmi 1\u202f234 clients comparables" in summary
    assert "60e centile de « B » parmi 1\u202f200 clients comparables" in summary
    missing = fig.scatter_summary(sample, "A", "B", 0.5, 7,
                                  (pop.Rank(None, None, 3), pop.Rank(2.5, 60.0, 3)), "en")
    assert "Client 7 is not shown" in missing


def test_days_columns_are_compared_in_years_and_the_no_value_code_is_missing():
    values = pd.Series([-365.25 * 40, 365243.0, 0.0])
    years = pop.in_years(values)
    assert years.iloc[0] == pytest.approx(40.0) and np.isnan(years.iloc[1]) and years.iloc[2] == 0.0


def _dictionary() -> pd.DataFrame:
    """Rows as model/features/dictionary.py writes them (description, unit, concept, column)."""
    rows = [  # feature, description_fr, description_en, unit, concept, column
        ("DAYS_BIRTH", "Âge (en jours, négatif)", "Age (in days, negative)", "years", "age", "DAYS_BIRTH"),
        ("DAYS_EMPLOYED", "Ancienneté dans l'emploi actuel (en jours, négatif)",
         "Time in current job (in days, negative)", "years", "income", "DAYS_EMPLOYED"),
        # a flag made from DAYS_EMPLOYED: its unit is not years, its values are 0/1
        ("DAYS_EMPLOYED_ANOM", "Sans emploi déclaré", "No declared employment", "days", "income",
         "DAYS_EMPLOYED_ANOM"),
        ("AMT_INCOME_TOTAL", "Revenu annuel", "Annual income", "eur", "income", "AMT_INCOME_TOTAL"),
        ("EXT", "Score externe", "External score", "score", "external", "EXT"),
        ("CODE_GENDER", "Sexe", "Gender", "", "other", "CODE_GENDER"),
        ("CODE_GENDER_M", "Sexe : M", "Gender: M", "category", "other", "CODE_GENDER"),
    ]
    frame = pd.DataFrame(rows, columns=["feature", "description_fr", "description_en", "unit",
                                        "concept", "column"])
    return frame.set_index("feature")


def test_years_are_decided_by_the_dictionary_unit_and_labelled_without_the_days_text():
    dictionary = _dictionary()
    assert pop.years_features(dictionary) == {"DAYS_BIRTH", "DAYS_EMPLOYED"}
    assert pop.years_features(None) == frozenset()
    assert pop.axis_label(dictionary, "DAYS_BIRTH", "fr") == "Âge (années)"  # the age concept
    assert pop.axis_label(dictionary, "DAYS_BIRTH", "en") == "Age (years)"
    assert pop.axis_label(dictionary, "DAYS_EMPLOYED", "fr") == "Ancienneté dans l'emploi actuel (années)"
    assert pop.axis_label(dictionary, "DAYS_EMPLOYED_ANOM", "fr") == "Sans emploi déclaré"
    assert pop.axis_label(dictionary, "AMT_INCOME_TOTAL", "en") == "Annual income"


def test_protected_attributes_and_features_made_from_them_are_never_offered(clients):
    dictionary = _dictionary()
    assert pop.is_protected(dictionary, "CODE_GENDER") and pop.is_protected(dictionary, "CODE_GENDER_M")
    assert not pop.is_protected(dictionary, "DAYS_BIRTH")
    plot_columns = pd.DataFrame({"EXT": np.arange(8.0), "CODE_GENDER_M": np.ones(8)}, index=clients.index)
    clients["CODE_GENDER"] = 1.0  # numeric and described: only the protected rule keeps it out
    names = pop.comparable_features(dictionary, plot_columns, clients)
    # top features first, then the client-table facts the dictionary describes
    assert names == ["EXT", "AMT_INCOME_TOTAL", "DAYS_BIRTH"]


def test_compare_client_gives_percentiles_overall_and_by_outcome(clients):
    # group "similar" of client 6 = {1, 2, 7, 8}; incomes 120k, 130k (default), 149k, 100k (default)
    plot_columns = pd.DataFrame({"EXT": np.arange(8.0)}, index=clients.index)
    result = pop.compare_client(clients, plot_columns, 6, "AMT_INCOME_TOTAL", "similar")
    assert result.client_value == 110_000 and result.count == 4
    assert result.percentile == pytest.approx(25.0)  # only 100k is below
    assert result.repaid_percentile == pytest.approx(0.0)  # repaid: 120k, 149k
    assert result.defaulted_percentile == pytest.approx(50.0)  # defaulted: 130k, 100k
    assert result.histogram["repaid"].sum() == pytest.approx(1.0)
    age = pop.compare_client(clients, plot_columns, 6, "DAYS_BIRTH", "all", years=True)
    assert age.client_value == pytest.approx(34.0, abs=0.01)  # in years
    with pytest.raises(KeyError, match="'NOPE'"):
        pop.compare_client(clients, plot_columns, 6, "NOPE", "all")


def test_scatter_points_and_client_point(clients):
    clients["probability"] = np.linspace(0.1, 0.8, 8)
    plot_columns = pd.DataFrame({"EXT": [np.nan, 1, 2, 3, 4, 5, 6, 7.0]}, index=clients.index)
    mask = pop.comparison_mask(clients, 6, "all")
    points = pop.scatter_points(clients, plot_columns, mask, "EXT", "AMT_INCOME_TOTAL")
    assert list(points.index) == [2, 3, 4, 5, 7, 8]  # client 1 has no EXT, 6 is the client
    assert list(points.columns) == ["x", "y", "probability"]
    x, y, p = pop.client_point(clients, plot_columns, 6, "EXT", "AMT_INCOME_TOTAL")
    assert (x, y, p) == (5.0, 110_000.0, pytest.approx(0.6))
    assert pop.client_point(clients, plot_columns, 1, "EXT", "AMT_INCOME_TOTAL") is None


def test_group_sentences_name_the_criteria():
    similar = fig.group_sentence("similar", 1234, "fr", "Cash loans", pop.Band(1, 30.0, 40.0),
                                 pop.Band(4, 300_000.0, np.inf))
    assert similar == ("Groupe de comparaison : clients au même type de contrat (Cash loans), dans "
                       "la même tranche d'âge (30 à 40 ans) et de revenu (300\u202f000\u00a0€ et plus) : "
                       "1\u202f234 clients.")
    assert "under 30 years" in fig.group_sentence("similar", 5, "en", None, pop.Band(0, 0.0, 30.0))
    assert "(unknown)" in fig.group_sentence("similar", 5, "en", None, pop.Band(0, 0.0, 30.0))
    assert fig.group_sentence("neighbours", 1000, "en", n_features=10) == (
        "Comparison group: the 1,000 clients nearest on the model's 10 most influential features.")


def test_figure_numbers_are_rounded_to_significant_digits_for_the_browser():
    from webapp.figures.plain import significant

    from dash._utils import to_json

    rounded = significant([123456.0, 0.0123456, 0.0, np.nan, -2.71828])
    assert json.loads(to_json(rounded)) == [123500.0, 0.01235, 0.0, None, -2.718]  # any encoder
    assert significant([0.987654], digits=2).tolist() == [0.99]


def test_discrete_features_are_found_even_when_a_value_is_rare():
    values = np.zeros(10_001)
    values[::2] = 1.0
    values[7] = 2.0  # odd position: outside the stride sample of every 5th value
    assert pop.discrete_values(values).tolist() == [0.0, 1.0, 2.0]
    assert pop.discrete_values(np.arange(10_000.0)) is None
    hist = pop.split_histogram(values, np.zeros(10_001))
    assert hist["center"].tolist() == [0.0, 1.0, 2.0]
    assert hist["repaid"].iloc[2] == pytest.approx(1 / 10_001)


def test_a_prebuilt_neighbour_index_gives_the_same_group():
    rng = np.random.default_rng(3)
    index = pd.Index(np.arange(200) + 1000, name="SK_ID_CURR")
    clients = pd.DataFrame({"TARGET": rng.integers(0, 2, 200).astype(float)}, index=index)
    clients.iloc[:20, 0] = np.nan
    features = pd.DataFrame(rng.normal(size=(200, 3)), index=index, columns=list("abc"))
    prebuilt = pop.neighbour_index(clients, features)
    for sk_id in (1000, 1050, 1199):
        direct = pop.comparison_mask(clients, sk_id, "neighbours", features, k=25)
        assert direct.sum() == 25
        assert (pop.comparison_mask(clients, sk_id, "neighbours", k=25, index=prebuilt) == direct).all()


def test_state_reads_one_feature_row_from_the_matrix_file(tmp_path):
    """The app reads a client's row with a positioned read (resident memory stays flat)."""
    from webapp.serving import _read_row

    matrix = np.arange(4 * 5, dtype=np.float32).reshape(4, 5)
    matrix[2, 1] = np.nan
    np.save(tmp_path / "features.npy", matrix)
    mapped = np.load(tmp_path / "features.npy", mmap_mode="r")
    row = _read_row(mapped, 2)
    assert row.shape == (1, 5) and row.dtype == np.float32
    np.testing.assert_array_equal(row, [[10.0, np.nan, 12.0, 13.0, 14.0]])
    np.testing.assert_array_equal(_read_row(mapped, 3), [[15.0, 16.0, 17.0, 18.0, 19.0]])
    np.testing.assert_array_equal(_read_row(matrix, 0), [[0.0, 1.0, 2.0, 3.0, 4.0]])  # in memory


# --- axis scales -------------------------------------------------------------------------------

def test_clipped_axis_spans_the_1st_to_99th_percentile_widened_to_the_client():
    values = np.arange(101.0)  # quantiles 1 % and 99 %: exactly 1 and 99
    axis = pop.axis_range(values, "clipped")
    assert (axis.kind, axis.low, axis.high) == ("linear", 1.0, 99.0)
    assert pop.axis_range(values, "clipped", client_value=100.0).high == 100.0
    hist, off = pop.scaled_histogram(values, np.zeros(101), axis, bins=10)
    assert off == 2  # 0 and 100 are off the axis, not piled into the end bars
    assert hist["left"].iloc[0] == 1.0 and hist["right"].iloc[-1] == 99.0
    assert hist["repaid"].sum() == pytest.approx(99 / 101)  # shares of every known value


def test_linear_axis_shows_every_value_and_log_axis_drops_the_non_positive():
    values = np.array([-5.0, 0.0, 1.0, 10.0, 100.0, 1000.0] + [2.0] * 20 + list(range(3, 40)))
    target = np.zeros(len(values))
    linear = pop.axis_range(values, "linear")
    hist, off = pop.scaled_histogram(values, target, linear, bins=5)
    assert off == 0 and hist["left"].iloc[0] == -5.0 and hist["right"].iloc[-1] == 1000.0
    log = pop.axis_range(values, "log")
    assert log.kind == "log" and log.keeps([-1.0, 0.0, 0.5, np.nan]).tolist() == [False, False, True, False]
    hist, off = pop.scaled_histogram(values, target, log, bins=3)
    assert off == 2  # -5 and 0
    # geometric edges from 1 to 1000: 1, 10, 100, 1000; centres their geometric means
    np.testing.assert_allclose(hist["left"], [1.0, 10.0, 100.0])
    np.testing.assert_allclose(hist["center"], [10 ** 0.5, 10 ** 1.5, 10 ** 2.5])
    with pytest.raises(ValueError, match="unknown axis scale 'cubic'"):
        pop.axis_range(values, "cubic")


def test_a_feature_with_few_values_is_never_clipped():
    flags = np.array([0.0] * 995 + [1.0] * 5)  # the 99th percentile is 0: clipping would hide the 1s
    axis = pop.axis_range(flags, "clipped")
    assert (axis.low, axis.high, axis.kind) == (None, None, "linear")
    hist, off = pop.scaled_histogram(flags, np.zeros(1000), axis)
    assert off == 0 and hist["center"].tolist() == [0.0, 1.0]


def test_client_rank_is_among_the_group_with_its_count():
    values = np.array([5.0, 1.0, 2.0, np.nan, 4.0, 3.0])
    mask = np.array([False, True, True, True, True, False])
    # the client (position 0, value 5) against 1, 2, 4 (NaN ignored): 3 of 3 below
    assert pop.client_rank(values, mask, 0) == pop.Rank(5.0, 100.0, 3)
    assert pop.client_rank(values, mask, 3) == pop.Rank(None, None, 3)


def test_off_axis_sentences_in_both_languages():
    assert fig.off_axis_sentence(12, "clipped", "fr").startswith("12 valeurs hors de l'axe")
    assert fig.off_axis_sentence(1200, "log", "en").startswith("1,200 values off the axis")
    assert fig.off_axis_sentence(3, "clipped", "fr", points=True).startswith("3 points hors des axes")
    assert fig.off_axis_sentence(0, "clipped", "fr") == ""
    assert fig.off_axis_sentence(5, "linear", "fr") == ""


def test_long_axis_titles_are_wrapped_on_at_most_three_lines():
    title = ("Demandes précédentes : heure de la demande, maximum des demandes refusées "
             "au cours des sept dernières années")
    lines = fig.wrap(title, 36).split("<br>")
    assert 1 < len(lines) <= 3 and all(len(line) <= 36 for line in lines)
    assert lines[0] == "Demandes précédentes : heure de la"
    assert lines[-1].endswith("…")
    assert fig.wrap("Âge (années)", 36) == "Âge (années)"


def test_scatter_figure_draws_the_chosen_scales_and_hides_an_off_axis_client():
    sample = pd.DataFrame({"x": [1.0, 10.0, 100.0], "y": [1.0, 2.0, 3.0], "probability": [0.1, 0.6, 0.7]})
    axes = (pop.AxisRange("log", "log"), pop.AxisRange("clipped", "linear", 1.0, 3.0))
    long = "Une variable au nom très long qui ne tiendrait pas sur la hauteur du graphique"
    figure = go.Figure(fig.scatter_figure(sample, "x", "y", 0.5, 7, (5.0, 2.0, 0.2), (long, "B"), "fr",
                                          axes=axes))
    assert figure.layout.xaxis.type == "log"
    assert figure.layout.yaxis.range == pytest.approx((0.94, 3.06))
    assert "<br>" in figure.layout.xaxis.title.text
    assert [t.name for t in figure.data][-1] == "Client 7"
    hidden = go.Figure(fig.scatter_figure(sample, "x", "y", 0.5, 7, (-5.0, 2.0, 0.2), ("A", "B"), "fr",
                                          axes=axes))
    assert "Client 7" not in [t.name for t in hidden.data]  # -5 cannot sit on a log axis


def test_distribution_figure_on_a_log_axis_marks_the_client_at_its_value():
    values = np.geomspace(1, 1000, 200)
    axis = pop.axis_range(values, "log")
    hist, _ = pop.scaled_histogram(values, np.zeros(200), axis, client_value=100.0)
    figure = go.Figure(fig.distribution_figure(hist, 7, 100.0, "Montant", "fr", axis=axis))
    assert figure.layout.xaxis.type == "log"
    # Plotly places shapes in data values on a log axis too (in log units, the line drew at 2)
    assert figure.layout.shapes[0].x0 == pytest.approx(100.0)
    np.testing.assert_allclose(np.diff(np.log10(hist["center"])), np.log10(1000) / 30)


# --- what the Compare screen calls (on a small loaded state) ----------------------------------

@pytest.fixture()
def served(clients, monkeypatch):
    """A real AppState over the eight clients, served by `get_state` (nothing on disk)."""
    from pathlib import Path
    from types import SimpleNamespace

    from webapp.serving import AppState

    clients = clients.copy()
    clients["probability"] = np.linspace(0.1, 0.8, 8)
    clients["CODE_GENDER"] = ["F", "M", "F", "M", "F", "M", "F", "M"]
    plot_columns = pd.DataFrame({"EXT": [0.5, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, np.nan]},
                                index=clients.index)
    state = AppState(
        artifacts_dir=Path("."), manifest={}, model=SimpleNamespace(threshold_=0.5), builder=None,
        dictionary=_dictionary(), feature_names=["EXT"], features=np.zeros((8, 1), np.float32),
        clients=clients, applications=pd.DataFrame(index=clients.index), plot_columns=plot_columns,
        metrics={}, cost_curve=pd.DataFrame(), comparison_md="", shap_global=None, shap_sample=None,
        drift_summary=None, drift_report_path=None)
    monkeypatch.setattr(pop, "get_state", lambda: state)
    return state


def test_the_variable_list_has_clean_labels_and_no_gender_nor_empty_entry(served):
    setup = pop.compare_setup("6", "fr")
    labels = {c.value: c.label for c in setup.choices}
    assert list(labels) == ["EXT", "AMT_INCOME_TOTAL", "DAYS_BIRTH"]
    assert labels["DAYS_BIRTH"] == "Âge (années)"
    assert all(c.value and c.label for c in setup.choices)
    assert not any("jours" in label for label in labels.values())
    assert (setup.first, setup.second) == ("EXT", "AMT_INCOME_TOTAL")
    with pytest.raises(pop.ServiceError) as refused:
        pop.distribution_view("6", "CODE_GENDER", "all", "linear", "fr")
    assert refused.value.key == "unknown_feature"
    with pytest.raises(pop.ServiceError) as unknown:
        pop.compare_setup("999", "fr")
    assert unknown.value.key == "unknown_client"


def test_histogram_sentence_and_scatter_caption_state_one_percentile_and_count(served, monkeypatch):
    # Only 3 points drawn for the scatter: ranks among them would differ from the group's.
    monkeypatch.setattr(pop, "SCATTER_POINTS", 3)
    # group "all" of client 6 = 1, 2, 3, 4, 5, 7, 8; EXT known for 6 of them (8 is NaN):
    # 0.5, 0.1, 0.2, 0.3, 0.4, 0.7 -> client 6 (0.6) has 5 below: 5 / 6 = 83.3 % -> 83e
    distribution = pop.distribution_view("6", "EXT", "all", "linear", "fr")
    scatter = pop.scatter_view("6", "EXT", "DAYS_BIRTH", "all", "linear", "fr")
    assert len(scatter.sample) == 3
    assert (distribution.comparison.percentile, distribution.comparison.count) == (
        pytest.approx(500 / 6), 6)
    assert scatter.ranks[0] == pop.Rank(0.6, pytest.approx(500 / 6), 6)
    c = distribution.comparison
    sentence = fig.percentile_sentence(6, distribution.label, c.client_value, c.percentile, c.count, "fr")
    caption = fig.scatter_summary(scatter.sample, *scatter.labels, scatter.threshold, 6,
                                  scatter.ranks, "fr")
    assert "83e centile de « Score externe » (0,60) parmi 6 clients comparables" in sentence
    assert "83e centile de « Score externe » parmi 6 clients comparables" in caption
    assert "centile de « Âge (années) » parmi 7 clients comparables" in caption
    assert distribution.group.count == 7 and distribution.group.contract == "Prêt personnel"


def test_the_clients_without_a_known_value_are_said_not_counted():
    # group of 4,999, 4,996 of them with a known value: the 3 others are said, so the two
    # numbers on the screen add up instead of contradicting each other
    assert fig.unknown_sentence(4999, 4996, "fr") == (
        "3 clients du groupe dont la valeur est inconnue ne sont pas comptés.")
    assert fig.unknown_sentence(10, 9, "en") == "1 client of the group whose value is unknown is not counted."
    assert fig.unknown_sentence(10, 10, "fr") == ""


def test_the_clients_label_leans_towards_the_middle_of_the_chart():
    hist = pop.split_histogram(np.arange(100.0), np.zeros(100), bins=10)
    left = go.Figure(fig.distribution_figure(hist, 7, 1.0, "X", "fr"))
    right = go.Figure(fig.distribution_figure(hist, 7, 98.0, "X", "fr"))
    stars = [[t for t in f.data if t.type == "scatter"][0] for f in (left, right)]
    assert [s.textposition for s in stars] == ["top right", "top left"]
    assert stars[0].cliponaxis is False


def test_a_log_scale_without_positive_values_says_so():
    values = -np.arange(1.0, 50.0)  # days before the application: all negative
    axis = pop.axis_range(values, "log")
    hist, off = pop.scaled_histogram(values, np.zeros(49), axis)
    assert hist.empty and off == 49
    empty = go.Figure(fig.distribution_figure(hist, 7, -3.0, "Jours", "fr", axis=axis))
    assert "Aucune valeur positive de « Jours »" in empty.layout.annotations[0].text
    sample = pd.DataFrame({"x": [], "y": [], "probability": []}, dtype=float)
    scatter = go.Figure(fig.scatter_figure(sample, "x", "y", 0.5, 7, None, ("A", "B"), "en",
                                           axes=(axis, pop.AxisRange("log", "log"))))
    assert "No positive value" in scatter.layout.annotations[0].text
