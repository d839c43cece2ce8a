"""Pure parts of the advisor services: IDs, decision words, validation, probability path."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from webapp.ui import fields
from webapp.services import clients
from webapp.service_errors import ServiceError, error_message
from webapp.formatting import NARROW_NBSP as NARROW, NBSP
from webapp.services.clients import Score


@pytest.mark.parametrize("raw, expected", [
    ("100002", 100002), (" 100 002 ", 100002), (100002, 100002), (100002.0, 100002),
    ("abc", None), ("-5", None), ("", None), (None, None), (1.5, None), (True, None), ("0", None),
])
def test_parse_client_id(raw: object, expected: int | None) -> None:
    assert clients.parse_client_id(raw) == expected


def test_prefix_matches_is_limited_and_ordered() -> None:
    ids = np.sort(np.array([str(i) for i in range(100000, 100300)]))
    assert clients.prefix_matches(ids, "10001", 5) == ["100010", "100011", "100012", "100013", "100014"]
    assert clients.prefix_matches(ids, "100299", 20) == ["100299"]
    assert clients.prefix_matches(ids, "2", 20) == []


def test_distance_in_words_states_the_decision() -> None:
    assert clients.distance_in_words(Score(0.10, 0.132, False), "fr") == f"3,2{NBSP}points sous le seuil : accordé"
    assert clients.distance_in_words(Score(0.20, 0.132, True), "en") == f"6.8{NBSP}points above the threshold: refused"
    assert clients.distance_in_words(Score(0.132, 0.132, True), "en") == "exactly at the threshold: refused"


def test_facts_from_a_raw_row() -> None:
    row = pd.Series({"DAYS_BIRTH": -12000, "AMT_INCOME_TOTAL": 202500.0, "AMT_CREDIT": 406597.5,
                     "AMT_ANNUITY": 24700.5, "AMT_GOODS_PRICE": np.nan, "NAME_CONTRACT_TYPE": "Cash loans",
                     "DAYS_EMPLOYED": 365243, "NAME_INCOME_TYPE": "Pensioner"})
    facts = {f.key: f.value for f in clients.facts_from_row(row, "en")}
    assert facts["age"] == f"32{NBSP}years"
    assert facts["income"] == "€202,500"
    assert facts["goods"] == "n/a"
    assert facts["contract"] == "Cash loan"
    assert facts["employment"] == "not employed / pensioner"
    assert facts["annuity"] == "€24,700 per year"  # a yearly sum says so (not a monthly instalment)
    french = {f.key: f.value for f in clients.facts_from_row(row, "fr")}
    assert french["annuity"] == f"24{NARROW}700{NBSP}€ par an" and french["goods"] == "—"
    assert clients.facts_from_row(row.drop("AMT_ANNUITY"), "fr")[3].value == "—"


def test_validation_reports_each_field_in_the_language() -> None:
    values = {"income": "1 234,5", "credit": "abc", "annuity": None, "children": "2.5",
              "goods": "", "employment_years": "", "age_years": "17"}
    clean, errors = fields.validate_fields(values, list(values), "fr")
    assert clean["income"] == 1234.5
    assert clean["goods"] is None and clean["employment_years"] is None  # optional, blank
    assert set(errors) == {"credit", "annuity", "children", "age_years"}
    assert "abc" in errors["credit"] and "obligatoire" in errors["annuity"]
    assert errors["age_years"] == "Valeur attendue entre 18 et 100."
    _, errors_en = fields.validate_fields({"income": "-3"}, ["income"], "en")
    assert errors_en["income"].startswith("Expected a value between 1,000 and")


def test_validation_of_choices_and_consistency() -> None:
    _, errors = fields.validate_fields({"gender": "X", "age_years": "30", "employment_years": "20"},
                                         ["gender", "age_years", "employment_years"], "en")
    assert set(errors) == {"gender", "employment_years"}


def test_raw_row_uses_home_credit_conventions() -> None:
    row = fields.raw_row_from_fields({"employment_years": 2.0, "age_years": 40.0, "income": 1000.0})
    assert row["DAYS_EMPLOYED"] == pytest.approx(-730.5)
    assert row["DAYS_BIRTH"] == pytest.approx(-14610.0)
    assert fields.raw_row_from_fields({"employment_years": None})["DAYS_EMPLOYED"] == 365243.0
    back = fields.fields_from_raw_row(pd.Series({"DAYS_EMPLOYED": -730.5, "AMT_INCOME_TOTAL": 1000.0}),
                                        ("employment_years", "income"))
    assert back == {"employment_years": 2.0, "income": 1000}


def _rows() -> list[dict]:
    """An explanation's rows as model.explain returns them (waterfall order, 'other' last)."""
    return pd.DataFrame({
        "key": ["external", "age", "__other__"],
        "is_other": [False, False, True],
        "n_features": [6, 1, 40],
        "label": ["External credit scores", "Age", "Other items (40)"],
        "label_en": ["External credit scores", "Age", "Other items (40)"],
        "label_fr": ["Scores de crédit externes", "Âge", "Autres éléments (40)"],
        "key_value": [0.2143, -45.2 * 365.25, float("nan")],
        "unit": ["score", "years", ""],
        "probability_change": [0.05, -0.02, 0.004],
    }).to_dict("records")


def test_explanation_from_the_explainer_rows() -> None:
    explanation = clients.explanation_from_rows(_rows(), base=0.08, final=0.114)
    assert explanation.steps == [("external", 0.05), ("age", -0.02)]
    assert explanation.others == pytest.approx(0.004) and explanation.others_count == 40
    total = explanation.base + sum(d for _, d in explanation.steps) + explanation.others
    assert total == pytest.approx(explanation.final)


def test_step_labels_join_label_and_value() -> None:
    labels = clients.step_labels(_rows(), "en")
    # the concept's label and the client's key value in its unit (45.2 years -> 45 completed)
    assert labels == {"external": "External credit scores (0.21 out of 1)",
                      "age": "Age (45\u00a0years)"}


def test_only_changed_fields_are_applied() -> None:
    original = {"income": 202500, "employment_years": 2.0, "goods": None}
    clean = {"income": 202500.0, "employment_years": 3.0, "goods": None}
    assert fields.changed_fields(clean, original) == {"employment_years": 3.0}


def test_missing_artifacts_give_a_message_not_a_traceback(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCORING_ARTIFACTS", str(tmp_path / "absent"))
    with pytest.raises(ServiceError) as error:
        clients.client_score("100002")
    message = error_message(error.value, "fr")
    assert message.startswith("Les résultats du modèle sont indisponibles")
    assert "python -m model build" in message
    assert clients.search_client_ids("1000") == clients.ClientSearch([], 0)
    assert clients.client_exists(100002) is False
