"""The JSON API answers with the same numbers as the model, and clear errors."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def state(artifacts_dir):
    from webapp.serving import load_state

    return load_state(artifacts_dir)


def test_health_describes_the_loaded_model(api, state):
    body = api.get("/api/health").get_json()
    assert body["clients"] == len(state.clients)
    assert body["model"] == state.model.kind


def test_client_score_matches_the_model(api, state):
    client_id = int(state.clients.index[3])
    body = api.get(f"/api/clients/{client_id}").get_json()
    expected = float(state.model.predict_proba(state.feature_row(client_id))[0])
    assert body["probability"] == pytest.approx(expected, abs=1e-6)
    assert body["decision"] == ("refused" if expected >= state.model.threshold_ else "granted")
    # The reasons are the explainer's five largest steps, in its order and with its numbers;
    # with the steps left out ("others") they walk from the base probability exactly to the
    # client's probability.
    explained = state.explainer.explain(state.feature_row(client_id), top_n=5, language="en")
    table = explained.table
    shown = table[~table["is_other"].astype(bool)]
    assert [r["feature"] for r in body["reasons"]] == [str(k) for k in shown["key"]]
    assert [r["probability_change"] for r in body["reasons"]] == pytest.approx(
        shown["probability_change"].tolist(), abs=1e-9)
    assert body["base_probability"] == pytest.approx(explained.base_probability, abs=1e-9)
    assert body["base_probability"] + float(table["probability_change"].sum()) == pytest.approx(
        expected, abs=1e-6)


@pytest.mark.parametrize("raw, status, message", [
    ("1", 404, "Client 1 not found: check the ID."),
    ("abc", 400, "“abc” is not a client ID (a whole number is expected)."),
])
def test_bad_client_ids_get_json_errors(api, raw, status, message):
    response = api.get(f"/api/clients/{raw}")
    assert response.status_code == status
    assert response.get_json() == {"error": message, "client_id": raw}


def test_new_application_is_scored_or_refused_field_by_field(api):
    fields = {"income": 150000, "credit": 500000, "annuity": 25000, "age_years": 40,
              "children": 0, "family_members": 2, "contract": "Cash loans", "gender": "F",
              "income_type": "Working", "education": "Higher education",
              "family_status": "Married", "own_car": "N", "own_realty": "Y"}
    body = api.post("/api/score", json=fields).get_json()
    assert 0.0 <= body["probability"] <= 1.0 and body["decision"] in {"granted", "refused"}

    response = api.post("/api/score", json={**fields, "income": -5})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"income"}
    assert api.post("/api/score", data="not json").status_code == 400


def test_missing_artifacts_give_503_json_not_a_traceback(tmp_path, monkeypatch):
    from flask import Flask

    from webapp.http.api import register_api

    monkeypatch.setenv("SCORING_ARTIFACTS", str(tmp_path / "no-artifacts"))
    server = Flask(__name__)
    register_api(server)
    api = server.test_client()
    for response in (api.get("/api/health"), api.get("/api/clients/100002"),
                     api.post("/api/score", json={"income": 1}), api.get("/reports/drift.html")):
        assert response.status_code == 503
        assert "no-artifacts" in response.get_json()["error"]
