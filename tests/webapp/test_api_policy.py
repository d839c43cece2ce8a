"""Lending rules in every score: API (`POST /api/score`, `GET /api/clients/<id>`) and screens."""
from __future__ import annotations

import pytest

from model.scoring.policy import evaluate
from webapp import ids
from tests.rendered import rendered_text

APPLICATION = {"income": 150000, "credit": 500000, "annuity": 25000, "age_years": 40,
               "children": 0, "family_members": 2, "contract": "Cash loans", "gender": "F",
               "income_type": "Working", "education": "Higher education",
               "family_status": "Married", "own_car": "N", "own_realty": "Y"}
UNAFFORDABLE = {**APPLICATION, "income": 10000, "credit": 5000000, "annuity": 900000}


@pytest.fixture(scope="module")
def state(artifacts_dir):
    from webapp.serving import get_state

    return get_state()


_text = rendered_text


def _client_firing(state, rule_id: str | None) -> int:
    """A stored client whose raw application fires `rule_id` (None: fires no rule)."""
    for sk_id, row in state.applications.iloc[:2000].iterrows():
        fired = [hit.id for hit in evaluate(row, state.policy_rules)]
        if (rule_id is None and not fired) or (rule_id is not None and fired == [rule_id]):
            return int(sk_id)
    pytest.skip(f"no stored client fires exactly {rule_id}")


def test_the_set_carries_its_rules(state, artifacts_dir):
    assert (artifacts_dir / "policy.json").is_file()
    assert [r.id for r in state.policy_rules] == ["debt_service_ratio", "credit_to_income",
                                                  "minimum_age"]


def test_unaffordable_application_is_refused_by_the_debt_service_rule(api):
    body = api.post("/api/score", json=UNAFFORDABLE).get_json()
    assert body["decision"] == "refused"
    rules = {rule["id"]: rule for rule in body["policy_rules"]}
    assert rules["debt_service_ratio"]["outcome"] == "refused"
    assert rules["debt_service_ratio"]["text"].startswith("Debt-service ratio of 9,000%")
    assert set(rules) == {"debt_service_ratio", "credit_to_income"}
    assert body["model_decision"] in {"granted", "refused"}
    assert "lending rule" in body["decision_text"]
    # The model's reasons stay the model's: no rule among them.
    assert not {r["feature"] for r in body["reasons"]} & set(rules)
    french = api.post("/api/score?lang=fr", json=UNAFFORDABLE).get_json()
    assert french["policy_rules"][0]["text"].startswith("Taux d'endettement de 9\u202f000")


def test_normal_application_has_no_rule_and_the_model_decides(api, state):
    body = api.post("/api/score", json=APPLICATION).get_json()
    assert body["policy_rules"] == []
    assert body["decision"] == body["model_decision"] == (
        "refused" if body["probability"] >= state.model.threshold_ else "granted")


def test_review_rule_through_the_api(api):
    # 2 000 000 / 150 000 = 13.3 times the income (cap 10), annuity 30 000 / 150 000 = 0.2.
    body = api.post("/api/score", json={**APPLICATION, "credit": 2000000, "annuity": 30000}).get_json()
    assert body["decision"] == "review"
    assert [(r["id"], r["outcome"]) for r in body["policy_rules"]] == [("credit_to_income", "review")]


def test_stored_clients_get_their_rules(api, state):
    refused_id = _client_firing(state, "debt_service_ratio")
    body = api.get(f"/api/clients/{refused_id}").get_json()
    assert body["decision"] == "refused"
    assert [r["id"] for r in body["policy_rules"]] == ["debt_service_ratio"]
    plain_id = _client_firing(state, None)
    body = api.get(f"/api/clients/{plain_id}").get_json()
    assert body["policy_rules"] == [] and body["decision"] == body["model_decision"]


@pytest.fixture(scope="module")
def pages(artifacts_dir):
    import app  # noqa: F401  registers the Dash pages
    from webapp.pages import client, new_applicant, whatif, why

    return client, new_applicant, whatif, why


@pytest.mark.parametrize("lang, decision, rule", [
    ("fr", "Refusé", "Taux d'endettement de 9\u202f000"),
    ("en", "Refused", "Debt-service ratio of 9,000%"),
])
def test_new_applicant_screen_shows_the_rule_apart_from_the_reasons(pages, lang, decision, rule):
    from webapp.services import clients

    _, new_applicant, _, _ = pages
    result, errors = clients.new_applicant_result(UNAFFORDABLE, clients.DEFAULT_TOP_N, lang)
    assert not errors
    view = new_applicant.result_view(result, lang)
    text = _text(view)
    assert decision in text and rule in text and "✗" in text  # word and icon, not colour alone
    rules_box = _find(view, ids.NEW_POLICY_RULES)
    assert rule in _text(rules_box)
    assert rule not in _text(_find(view, "new-sentences"))


def test_whatif_screen_turns_to_refused_when_the_annuity_is_unaffordable(pages, state):
    from webapp.services import clients

    _, _, whatif, _ = pages
    client_id = _client_firing(state, None)
    edited = {**clients.whatif_original(client_id), "income": "10000", "annuity": "900000"}
    result, errors = clients.whatif_result(client_id, edited, clients.DEFAULT_TOP_N, "en")
    assert not errors and result.decision.outcome == "refused"
    text = _text(_find(whatif.result_view(result, 0.1, "en"), ids.WHATIF_POLICY_RULES))
    assert "Debt-service ratio of 9,000%" in text and "above the 35% cap" in text


@pytest.mark.parametrize("lang, word", [("fr", "Refusé"), ("en", "Refused")])
def test_client_file_and_why_show_the_rule(pages, state, lang, word):
    client, _, _, why = pages
    client_id = _client_firing(state, "debt_service_ratio")
    page = client.layout(client_id=str(client_id), lang=lang)
    assert word in _text(_find(page, ids.CLIENT_DECISION))
    assert "35" in _text(_find(page, ids.CLIENT_POLICY_RULES))
    assert "35" in _text(_find(why.render(client_id, 5, lang), ids.WHY_POLICY_RULES))


def _find(component, element_id):
    """The component with `element_id` in a Dash layout tree."""
    if getattr(component, "id", None) == element_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            found = _find(child, element_id)
            if found is not None:
                return found
    return None


def test_state_reads_the_sets_rules_not_the_live_config(tmp_path, monkeypatch):
    from model.artifacts import ArtifactError
    from model.scoring.policy import rules_from_config, write_policy
    from model.scoring.load import policy_rules as _policy_rules

    monkeypatch.setenv("SCORING_POLICY_MAX_DEBT_SERVICE_RATIO", "0.5")
    built_with = rules_from_config()
    write_policy(tmp_path, built_with)
    monkeypatch.setenv("SCORING_POLICY_MAX_DEBT_SERVICE_RATIO", "0.2")
    listed = {"policy.json": "(its hash in the signed manifest)"}
    assert _policy_rules(tmp_path, listed)[0].threshold == 0.5  # the set's, not today's 0.2
    (tmp_path / "policy.json").write_text('{"rules": [{"id": "x"}]}')
    with pytest.raises(ArtifactError, match="policy.json"):
        _policy_rules(tmp_path, listed)
    older = tmp_path / "older-set"
    older.mkdir()
    assert _policy_rules(older, {})[0].threshold == 0.2  # a set without policy.json: never no rules
