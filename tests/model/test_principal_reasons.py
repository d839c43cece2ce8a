"""Principal reasons: at most 4, never unreasonable or protected, the chart's own numbers,
and the sentences read out name exactly them, in order (the "Score externe 3" bug)."""
from __future__ import annotations


from model import config
from model.explain.local import MAX_REASONS, principal_reasons
from model.features.concepts import BY_KEY
from webapp.services.reasons import explanation_sentences


def _row(key, change, reasonable=True, other=False):
    return {"key": key, "is_other": other, "reasonable": reasonable,
            "probability_change": change, "contribution": change * 10,
            "label": key, "label_fr": key, "label_en": key, "key_value": None, "unit": ""}


def test_principal_reasons_by_hand():
    rows = [_row("external", 0.05), _row("age", -0.02), _row("details", 0.09, reasonable=False),
            _row("bureau", 0.01), _row("loan", 0.03), _row("income", 0.002), _row("region", 0.004),
            _row("__other__", 0.2, reasonable=False, other=True)]
    reasons = principal_reasons(rows)
    # raising only, reasonable only, largest first, four at most
    assert [r["concept"] for r in reasons] == ["external", "loan", "bureau", "region"]
    assert [r["probability_change"] for r in reasons] == [0.05, 0.03, 0.01, 0.004]
    assert principal_reasons([_row("age", -0.1)]) == []
    assert principal_reasons([_row("age", 0.0001)]) == []  # rounds to "0,0 point": no reason


def test_reasons_sentences_and_chart_agree_for_sample_clients(app_state):
    explainer = app_state.explainer
    checked = 0
    for client_id in app_state.clients.index:  # every client of the build (10,000 on the real sample)
        client_id = int(client_id)
        explanation = explainer.explain(app_state.feature_row(client_id),
                                        raw_application_row=app_state.applications.loc[[client_id]],
                                        top_n=100, language="fr")
        reasons = explanation.principal_reasons
        assert len(reasons) <= MAX_REASONS
        table = explanation.table.set_index("key")
        for reason in reasons:
            assert BY_KEY[reason["concept"]].reasonable
            assert reason["concept"] not in {c.lower() for c in config.PROTECTED_ATTRIBUTES}
            # the chart's bar of that concept carries the same number
            assert table.loc[reason["concept"], "probability_change"] == reason["probability_change"]
        # the chart's largest reasonable risk-raising bars, in order, are the reasons
        chart = explanation.table[explanation.table["reasonable"]
                                  & (explanation.table["probability_change"] >= 0.0005)]
        chart = chart.sort_values("probability_change", ascending=False, kind="stable")
        assert chart["key"].head(MAX_REASONS).tolist() == [r["concept"] for r in reasons]
        for language in ("fr", "en"):
            sentences = explanation_sentences(explanation, language)
            said = [s for s in sentences if s.startswith(("Raison ", "Reason "))]
            assert len(said) == len(reasons)
            for rank, (sentence, reason) in enumerate(zip(said, reasons), start=1):
                assert sentence.startswith(f"Raison {rank} : « {reason['label_fr']} »"
                                           if language == "fr"
                                           else f"Reason {rank}: '{reason['label_en']}'")
        checked += 1
    assert checked == len(app_state.clients)


def test_api_returns_principal_reasons(app_state):
    from flask import Flask

    from webapp.http.api import register_api

    server = Flask(__name__)
    register_api(server)
    client = server.test_client()
    client_id = int(app_state.clients.index[0])
    body = client.get(f"/api/clients/{client_id}?lang=fr").get_json()
    reasons = body["principal_reasons"]
    assert 0 < len(reasons) <= MAX_REASONS
    assert set(reasons[0]) == {"concept", "label", "probability_change"}
    changes = [r["probability_change"] for r in reasons]
    assert changes == sorted(changes, reverse=True) and changes[-1] > 0
    said = [s for s in body["sentences"] if s.startswith("Raison ")]
    assert [s.split("« ")[1].split(" »")[0] for s in said] == [r["label"] for r in reasons]
    assert body["counterfactual"]["status"] in ("granted", "found", "none")
    form = {"income": "150000", "credit": "500000", "annuity": "25000", "goods": "450000",
            "employment_years": "5", "age_years": "40", "children": "0", "family_members": "2",
            "contract": "Cash loans", "income_type": "Working", "education": "Higher education",
            "family_status": "Married", "own_car": "N", "own_realty": "Y"}
    scored = client.post("/api/score", json=form)
    assert scored.status_code == 200, scored.get_json()
    body = scored.get_json()
    assert isinstance(body["principal_reasons"], list) and "counterfactual" in body
    assert all(r["probability_change"] > 0 for r in body["principal_reasons"])
