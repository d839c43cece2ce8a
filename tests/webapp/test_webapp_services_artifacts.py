"""Advisor services on a real artifact set: the page numbers are the model's numbers."""
from __future__ import annotations

import os

import numpy as np
import pytest

from webapp.ui import fields
from webapp.services import clients
from webapp.service_errors import ServiceError, error_message
from tests.scoring_paths import new_application, whatif_features


@pytest.fixture(scope="module")
def state(request):
    folder = os.environ.get("SCORING_TEST_ARTIFACTS")
    if folder:
        os.environ["SCORING_ARTIFACTS"] = folder
    else:
        request.getfixturevalue("artifacts_dir")
    from webapp.serving import get_state

    return get_state()


@pytest.fixture(scope="module")
def client_id(state) -> int:
    return int(state.clients.index[state.clients["set"] == "train"][3])


def test_score_is_the_models_output(state, client_id: int) -> None:
    score = clients.client_score(str(client_id))
    direct = float(state.model.predict_proba(state.feature_row(client_id))[0])
    assert score.probability == pytest.approx(direct, abs=1e-9)
    assert score.probability == pytest.approx(float(state.clients.at[client_id, "probability_final"]), abs=1e-5)
    assert score.threshold == state.model.threshold_
    assert score.refused == (direct >= state.model.threshold_)


def test_explanation_ends_at_the_displayed_probability(state, client_id: int) -> None:
    result = clients.client_result(client_id, 10, "fr")
    explanation = result.explanation
    assert len(explanation.steps) == 10
    total = explanation.base + sum(d for _, d in explanation.steps) + explanation.others
    assert total == pytest.approx(result.score.probability, abs=1e-6)
    assert explanation.final == pytest.approx(result.score.probability, abs=1e-6)
    assert explanation.others_count > 0
    assert set(result.labels) == {key for key, _ in explanation.steps}
    assert 2 <= len(result.sentences) <= 6  # score, up to 4 principal reasons, a counterweight


def test_unchanged_what_if_reproduces_the_stored_score(state, client_id: int) -> None:
    original = clients.whatif_original(client_id)
    result, errors = clients.whatif_result(client_id, original, 10, "fr")
    assert errors == {}
    stored = clients.client_score(client_id).probability
    assert result.score.probability == pytest.approx(stored, abs=1e-6)


def test_edited_credit_changes_the_score(state) -> None:
    """An unaffordable loan goes through the builder and never lowers the score; it raises
    it for some clients only: the monotone constraints let the small quick-mode model
    (16 trees on the sample) split on few affordability features (5 of 40 measured)."""
    raised = 0
    for client_id in state.clients.index[state.clients["set"] == "train"][:40]:
        client_id = int(client_id)
        edited = clients.whatif_original(client_id) | {"credit": 4_000_000, "annuity": 300_000,
                                                        "income": 20_000}
        result, errors = clients.whatif_result(client_id, edited, 3, "fr")
        assert errors == {}
        features, _ = whatif_features(state, client_id, {"credit": 4_000_000.0})
        assert features.at[client_id, "AMT_CREDIT"] == 4_000_000
        before = clients.client_score(client_id).probability
        assert result.score.probability >= before - 1e-9
        raised += result.score.probability > before + 1e-6
    assert raised >= 1


def test_invalid_what_if_value_gives_a_message_not_a_score(state, client_id: int) -> None:
    edited = clients.whatif_original(client_id) | {"income": "-3"}
    result, errors = clients.whatif_result(client_id, edited, 10, "en")
    assert result is None and "income" in errors


def test_what_if_employment_cannot_exceed_the_clients_age(state, client_id: int) -> None:
    age = -float(state.applications.at[client_id, "DAYS_BIRTH"]) / 365.25
    edited = clients.whatif_original(client_id) | {"employment_years": str(int(age - 14) + 2)}
    result, errors = clients.whatif_result(client_id, edited, 10, "en")
    assert result is None and set(errors) == {"employment_years"}
    fine = clients.whatif_original(client_id) | {"employment_years": "1"}
    assert clients.whatif_result(client_id, fine, 10, "en")[1] == {}


def test_new_applicant_is_scored_without_history(state) -> None:
    result, errors = clients.new_applicant_result(fields.NEW_APPLICANT_DEFAULTS, 10, "fr")
    assert errors == {}
    assert 0.0 <= result.score.probability <= 1.0
    app = new_application(state, fields.validate_fields(
        fields.NEW_APPLICANT_DEFAULTS, fields.NEW_APPLICANT_FIELDS, "fr")[0])
    features = state.scorer.features(app)
    assert result.assessment.has_history is False and result.assessment.client_id is None
    assert list(features.columns) == state.feature_names
    assert features.iloc[0]["AMT_INCOME_TOTAL"] == pytest.approx(147150)
    assert app.iloc[0]["NAME_INCOME_TYPE"] == "Working"
    if "BURO_COUNT" in features.columns:
        assert features.iloc[0]["BURO_COUNT"] == 0  # no bureau credit known


def test_a_choice_never_seen_in_the_stored_rows_is_encoded_as_other(state) -> None:
    seen = set(state.applications["NAME_INCOME_TYPE"].dropna().astype(str))
    unseen = [c for c in fields.FIELD_SPECS["income_type"].choices if c not in seen]
    if not unseen:
        pytest.skip("every income type of the form occurs in this artifact set")
    clean = fields.validate_fields({**fields.NEW_APPLICANT_DEFAULTS, "income_type": unseen[0]},
                                   fields.NEW_APPLICANT_FIELDS, "fr")[0]
    app = new_application(state, clean)
    features = state.scorer.features(app)
    assert app.iloc[0]["NAME_INCOME_TYPE"] == unseen[0]  # not silently NaN
    assert features.iloc[0]["NAME_INCOME_TYPE__OTHER"] == 1
    assert features.iloc[0]["NAME_INCOME_TYPE__MISSING"] == 0


def test_search_and_unknown_clients(state, client_id: int) -> None:
    prefix = str(client_id)[:3]
    found = clients.search_client_ids(prefix)
    assert 0 < len(found.ids) <= clients.SEARCH_LIMIT
    assert all(str(value).startswith(prefix) for value in found.ids)
    assert found.total == sum(str(int(i)).startswith(prefix) for i in state.clients.index)
    assert clients.search_client_ids(str(client_id)).ids == [client_id]
    with pytest.raises(ServiceError) as error:
        clients.client_score(999_999_999)
    assert error_message(error.value, "fr") == "Client 999999999 introuvable : vérifiez l'identifiant."
    facts = clients.client_file(client_id, "fr").facts
    assert [f.key for f in facts][:3] == ["age", "income", "credit"]
    assert not any("nan" in f.value.lower() for f in facts)
    assert np.isfinite(clients.client_score(client_id).probability)


def test_data_summary_counts_the_loaded_clients(state) -> None:
    summary = clients.data_summary()
    assert summary.clients == len(state.clients) == summary.train_clients + summary.test_clients
    assert summary.train_clients == int(state.clients["TARGET"].notna().sum())
    assert summary.features == state.features.shape[1]
    text = clients.loaded_text(summary, "fr")
    assert text.startswith(f"{summary.clients:,}".replace(",", "\u202f") + " clients chargés")


def test_derived_values_belong_to_their_own_loaded_state(state) -> None:
    from webapp.serving import load_state

    other = load_state(state.artifacts_dir)  # a reload: same folder, new state
    assert state.derived("probe", lambda s: "first") == "first"
    assert state.derived("probe", lambda s: "ignored") == "first"  # computed once
    assert other.derived("probe", lambda s: "second") == "second"  # never the other's value
