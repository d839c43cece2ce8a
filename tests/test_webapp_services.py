"""Pure parts of the advisor services: IDs, decision words, validation, probability path."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from webapp import services
from webapp.formatting import NBSP
from webapp.services import Score


@pytest.mark.parametrize("raw, expected", [
    ("100002", 100002), (" 100 002 ", 100002), (100002, 100002), (100002.0, 100002),
    ("abc", None), ("-5", None), ("", None), (None, None), (1.5, None), (True, None), ("0", None),
])
def test_parse_client_id(raw: object, expected: int | None) -> None:
    assert services.parse_client_id(raw) == expected


def test_prefix_matches_is_limited_and_ordered() -> None:
    ids = np.sort(np.array([str(i) for i in range(100000, 100300)]))
    assert services.prefix_matches(ids, "10001", 5) == ["100010", "100011", "100012", "100013", "100014"]
    assert services.prefix_matches(ids, "100299", 20) == ["100299"]
    assert services.prefix_matches(ids, "2", 20) == []


def test_distance_in_words_states_the_decision() -> None:
    assert services.distance_in_words(Score(0.10, 0.132, False), "fr") == f"3,2{NBSP}points sous le seuil : accordé"
    assert services.distance_in_words(Score(0.20, 0.132, True), "en") == f"6.8{NBSP}points above the threshold: refused"
    assert services.distance_in_words(Score(0.132, 0.132, True), "en") == "exactly at the threshold: refused"


def test_facts_from_a_raw_row() -> None:
    row = pd.Series({"DAYS_BIRTH": -12000, "AMT_INCOME_TOTAL": 202500.0, "AMT_CREDIT": 406597.5,
                     "AMT_ANNUITY": 24700.5, "AMT_GOODS_PRICE": np.nan, "NAME_CONTRACT_TYPE": "Cash loans",
                     "DAYS_EMPLOYED": 365243, "NAME_INCOME_TYPE": "Pensioner"})
    facts = {f.key: f.value for f in services.facts_from_row(row, "en")}
    assert facts["age"] == f"32{NBSP}years"
    assert facts["income"] == "€202,500"
    assert facts["goods"] == "n/a"
    assert facts["contract"] == "Cash loan"
    assert facts["employment"] == "not employed / pensioner"


def test_validation_reports_each_field_in_the_language() -> None:
    values = {"income": "1 234,5", "credit": "abc", "annuity": None, "children": "2.5",
              "goods": "", "employment_years": "", "age_years": "17"}
    clean, errors = services.validate_fields(values, list(values), "fr")
    assert clean["income"] == 1234.5
    assert clean["goods"] is None and clean["employment_years"] is None  # optional, blank
    assert set(errors) == {"credit", "annuity", "children", "age_years"}
    assert "abc" in errors["credit"] and "obligatoire" in errors["annuity"]
    assert errors["age_years"] == "Valeur attendue entre 18 et 100."
    _, errors_en = services.validate_fields({"income": "-3"}, ["income"], "en")
    assert errors_en["income"].startswith("Expected a value between 1,000 and")


def test_validation_of_choices_and_consistency() -> None:
    _, errors = services.validate_fields({"gender": "X", "age_years": "30", "employment_years": "20"},
                                         ["gender", "age_years", "employment_years"], "en")
    assert set(errors) == {"gender", "employment_years"}


def test_raw_row_uses_home_credit_conventions() -> None:
    row = services.raw_row_from_fields({"employment_years": 2.0, "age_years": 40.0, "income": 1000.0})
    assert row["DAYS_EMPLOYED"] == pytest.approx(-730.5)
    assert row["DAYS_BIRTH"] == pytest.approx(-14610.0)
    assert services.raw_row_from_fields({"employment_years": None})["DAYS_EMPLOYED"] == 365243.0
    back = services.fields_from_raw_row(pd.Series({"DAYS_EMPLOYED": -730.5, "AMT_INCOME_TOTAL": 1000.0}),
                                        ("employment_years", "income"))
    assert back == {"employment_years": 2.0, "income": 1000}


def test_probability_path_telescopes_to_the_final_probability() -> None:
    # base margin 0 -> p 0.5; contributions in log-odds; identity calibration.
    contributions = pd.Series({"a": 1.0, "b": -0.5, "c": 0.1, "d": 0.05})
    path = services.probability_path(0.0, contributions, top_n=2, calibrate=lambda p: p)
    sigmoid = lambda m: 1 / (1 + math.exp(-m))  # noqa: E731
    assert path.base == pytest.approx(0.5)
    assert [f for f, _ in path.steps] == ["a", "b"]
    assert path.steps[0][1] == pytest.approx(sigmoid(1.0) - 0.5)
    assert path.steps[1][1] == pytest.approx(sigmoid(0.5) - sigmoid(1.0))
    assert path.others_count == 2
    assert path.others == pytest.approx(sigmoid(0.65) - sigmoid(0.5))
    assert path.final == pytest.approx(sigmoid(0.65))
    total = path.base + sum(d for _, d in path.steps) + path.others
    assert total == pytest.approx(path.final)


def test_probability_path_goes_through_the_calibrator() -> None:
    contributions = pd.Series({"a": 2.0})
    halve = lambda p: np.asarray(p) / 2  # noqa: E731
    path = services.probability_path(0.0, contributions, top_n=10, calibrate=halve)
    assert path.base == pytest.approx(0.25)
    assert path.final == pytest.approx(0.5 / (1 + math.exp(-2.0)) * 2 / 2)
    assert path.others_count == 0 and path.others == pytest.approx(0.0)


def test_sentences_name_the_main_reasons() -> None:
    explanation = services.Explanation(base=0.08, steps=[("EXT", 0.05), ("AGE", -0.02)], others=0.0,
                                       others_count=0, final=0.11)
    labels = {"EXT": "External score 2 = 0.21", "AGE": "Age = 45 years"}
    sentences = services.explanation_sentences(explanation, labels, Score(0.11, 0.15, False), "en")
    assert sentences[0] == f"The main reason for the higher risk is: External score 2 = 0.21 (+5.0{NBSP}points)."
    assert sentences[1] == f"The factor that lowers the risk most is: Age = 45 years (−2.0{NBSP}points)."
    assert "from 8.0% for an average client to 11.0%" in sentences[2]
    assert sentences[2].endswith("4.0\u00a0points below the threshold: granted.")


def test_feature_labels_use_the_dictionary_and_units() -> None:
    dictionary = pd.DataFrame({"description_fr": ["Âge du client"], "description_en": ["Client's age"]},
                              index=pd.Index(["DAYS_BIRTH"], name="feature"))
    assert services.feature_label(dictionary, "DAYS_BIRTH", -365.25 * 45, "en") == f"Client's age = 45.0{NBSP}years"
    assert services.feature_label(dictionary, "AMT_CREDIT", 1000.0, "en") == "AMT_CREDIT = €1,000"
    assert services.feature_label(None, "CODE_GENDER__F", 1.0, "fr") == "CODE_GENDER__F = oui"


def test_only_changed_fields_are_applied() -> None:
    original = {"income": 202500, "employment_years": 2.0, "goods": None}
    clean = {"income": 202500.0, "employment_years": 3.0, "goods": None}
    assert services.changed_fields(clean, original) == {"employment_years": 3.0}
