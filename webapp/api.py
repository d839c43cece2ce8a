"""A small JSON API beside the dashboard, for other systems of the lender.

`GET /api/health`, `GET /api/clients/<id>` (score, decision, policy rules, top reasons, the
`principal_reasons` by concept and the `counterfactual`: what would change the decision),
`POST /api/score` (the new-applicant form's fields as JSON: income, credit, annuity,
age_years, contract, ...; gender is optional and never used for the score, the answer
lists it under `not_used_for_score` when sent) and
`GET /reports/drift.html` (the Evidently report). Errors come back as JSON with
an explicit message and a 4xx status, never a traceback.
"""
from __future__ import annotations

import logging

from flask import Flask, abort, jsonify, request, send_file

from model.artifacts import ArtifactError
from webapp.api_decisions import register_decision_api
from webapp.state import get_state
from webapp.validation import InputError, load_json, shorten

log = logging.getLogger(__name__)


def _error(message: str, status: int, **details):
    return jsonify({"error": message, **details}), status


def _language() -> str:
    """The API answers in English unless `?lang=fr` asks for French."""
    return "fr" if request.args.get("lang") == "fr" else "en"


def _service_error(error, **details):
    """A service error as JSON: 404 unknown client, 503 artifacts missing, else 400."""
    from webapp.services.errors import error_message

    status = {"unknown_client": 404, "artifacts_missing": 503, "log_unavailable": 503,
              "explanation_unavailable": 503}.get(error.key, 400)
    return _error(error_message(error, _language()), status, **details)


def result_payload(result, language: str = "en") -> dict:
    """A scored row as JSON: probability, threshold, decision in words and the main reasons.

    `decision` is "granted", "refused" or "review": the lending policy rules that fired
    (`policy_rules`: id, outcome, text) decide whatever the probability, and are listed
    apart from the model's `reasons`.
    """
    from webapp.services.clients import decision_in_words

    score, explanation, decision = result.score, result.explanation, result.decision
    return {
        "probability": score.probability,
        "threshold": score.threshold,
        "decision": decision.outcome,
        "model_decision": "refused" if score.refused else "granted",
        "decision_text": decision_in_words(score, decision, language),
        "policy_rules": [{"id": r.id, "outcome": r.outcome, "text": r.text} for r in decision.rules],
        "base_probability": explanation.base,
        "reasons": [
            {"feature": key, "label": result.labels.get(key, key), "probability_change": change}
            for key, change in explanation.steps
        ],
        "sentences": result.sentences,
        # the concepts raising the risk most, largest first (issue 11): what the sentences name
        "principal_reasons": [
            {"concept": r.concept, "label": r.label, "probability_change": r.probability_change}
            for r in result.principal_reasons
        ],
    }


def protected_fields_given(fields: dict) -> list[str]:
    """Fields sent that are protected attributes: accepted, validated, never used for the
    score (the feature builder leaves them out), and named as such in the answer."""
    from model.config import PROTECTED_ATTRIBUTES
    from webapp.fields import FIELD_SPECS

    return [name for name, spec in FIELD_SPECS.items()
            if spec.column in PROTECTED_ATTRIBUTES and fields.get(name) not in (None, "")]


def client_payload(client_id: object, top_n: int = 5, language: str = "en") -> dict:
    """What the API says about a known client (raises `ServiceError` for an unknown one)."""
    from webapp.services.clients import client_result, parse_client_id

    from webapp.decision_change import client_counterfactual, counterfactual_payload

    result = client_result(client_id, top_n, language)
    return {"client_id": parse_client_id(client_id), **result_payload(result, language),
            "counterfactual": counterfactual_payload(client_counterfactual(client_id), language)}


def register_api(server: Flask) -> None:
    """Attach the API routes to the Flask server under the Dash app."""
    register_decision_api(server)

    @server.get("/api/health")
    def health():
        """The build being served and the database; 503 when either cannot serve
        (`webapp.health`: no score is shown unless its log row is written)."""
        from webapp.health import health_report

        body, status = health_report()
        return jsonify(body), status

    @server.get("/api/clients/<client_id>")
    def client(client_id: str):
        from webapp.services.errors import ServiceError

        try:
            return jsonify(client_payload(client_id, language=_language()))
        except ServiceError as error:
            return _service_error(error, client_id=shorten(client_id))

    @server.post("/api/score")
    def score():
        from webapp.services.clients import new_applicant_result
        from webapp.services.errors import ServiceError

        try:  # bad JSON and deep nesting are refused before any field is read
            fields = load_json(request.get_data(cache=False), allow_constants=True)
        except InputError as error:
            return _error(error.message, 400, field=error.field)
        if not isinstance(fields, dict):
            return _error("send a JSON object of application fields", 400, field="body")
        language = _language()
        try:
            result, errors = new_applicant_result(fields, top_n=5, lang=language)
        except ServiceError as error:
            return _service_error(error)
        if errors:
            return _error("invalid application fields", 422, fields=errors)
        from webapp.decision_change import counterfactual_payload, new_applicant_counterfactual

        change = new_applicant_counterfactual(fields, language)
        return jsonify({**result_payload(result, language),
                        "counterfactual": counterfactual_payload(change, language),
                        "not_used_for_score": protected_fields_given(fields)})

    @server.get("/reports/drift.html")
    def drift_report():
        try:
            path = get_state().drift_report_path
        except ArtifactError as error:
            return _error(str(error), 503)
        if path is None:
            abort(404)
        return send_file(path, mimetype="text/html")
