"""A small JSON API beside the dashboard, for other systems of the lender.

`GET /api/health`, `GET /api/clients/<id>` (score, decision, policy rules, top reasons, the
`principal_reasons` by concept and the `counterfactual`: what would change the decision),
`POST /api/score` (the new-applicant form's fields as JSON: income, credit, annuity,
age_years, contract, ...; gender is optional and never used for the score, the answer
lists it under `not_used_for_score` when sent), `POST /api/score/batch` (a list of such
objects, at most `config.API_BATCH_MAX`: per-application results or 422s) and
`GET /reports/drift.html` (the Evidently report). Errors come back as JSON with
an explicit message and a 4xx status, never a traceback.
"""
from __future__ import annotations

import logging

from flask import Flask, abort, jsonify, request, send_file

from model.artifacts import ArtifactError
from webapp.http.api_decisions import register_decision_api
from webapp.http.errors import api_language, json_error, service_error_response
from webapp.serving import get_state
from webapp.http.validation import InputError, load_json, shorten

log = logging.getLogger(__name__)


def result_payload(result, language: str = "en") -> dict:
    """An assessment as JSON: probability, threshold, the recommendation after the lending
    rules and why.

    `decision` is "granted", "refused" or "review": the lending policy rules that fired
    (`policy_rules`: id, outcome, text, the customer's `value`, the `limit` and the largest
    `credit_within` it at the same term) decide whatever the probability, and are listed
    apart from the model's `reasons` (the waterfall) and `principal_reasons` (at most four,
    each with the `feature` that drives it and its `value` as shown).
    """
    from webapp.services.clients import decision_in_words

    assessment, score, explanation, decision = (result.assessment, result.score,
                                                result.explanation, result.decision)
    return {
        "probability": score.probability,
        "threshold": score.threshold,
        "decision": decision.outcome,
        "model_decision": assessment.model_outcome,
        "decision_text": decision_in_words(score, decision, language),
        "policy_rules": [{**rule.to_dict(), "text": hit.text}
                         for rule, hit in zip(assessment.rules, decision.rules)],
        "base_probability": explanation.base,
        "reasons": [
            {"feature": key, "label": result.labels.get(key, key), "probability_change": change}
            for key, change in explanation.steps
        ],
        "sentences": result.sentences,
        "principal_reasons": [
            {"concept": r.concept, "label": r.label, "probability_change": r.probability_change,
             "feature": r.feature, "value": r.value}
            for r in result.principal_reasons
        ],
        "build_id": assessment.build_id,
        "model_version": assessment.model_version,
    }


def counterfactual_of(result, language: str) -> dict | None:
    """The API's `counterfactual` of an assessment: None when granted (nothing to change)."""
    from webapp.services.decision_change import counterfactual_payload

    change = result.counterfactual
    if change is None:
        return None
    return counterfactual_payload(change, language, [r.concept for r in result.principal_reasons])


def protected_fields_given(fields: dict) -> list[str]:
    """Fields sent that are protected attributes: accepted, validated, never used for the
    score (the feature builder leaves them out), and named as such in the answer."""
    from model.config import PROTECTED_ATTRIBUTES
    from webapp.ui.fields import FIELD_SPECS

    return [name for name, spec in FIELD_SPECS.items()
            if spec.column in PROTECTED_ATTRIBUTES and fields.get(name) not in (None, "")]


def client_payload(client_id: object, top_n: int = 5, language: str = "en") -> dict:
    """What the API says about a known client (raises `ServiceError` for an unknown one)."""
    from webapp.services.clients import client_result, parse_client_id

    result = client_result(client_id, top_n, language, counterfactual=True)
    return {"client_id": parse_client_id(client_id), **result_payload(result, language),
            "counterfactual": counterfactual_of(result, language)}


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
        from webapp.service_errors import ServiceError

        try:
            return jsonify(client_payload(client_id, language=api_language()))
        except ServiceError as error:
            return service_error_response(error, client_id=shorten(client_id))

    @server.post("/api/score")
    def score():
        from webapp.services.clients import new_applicant_result
        from webapp.service_errors import ServiceError

        try:  # bad JSON and deep nesting are refused before any field is read
            fields = load_json(request.get_data(cache=False), allow_constants=True)
        except InputError as error:
            return json_error(error.message, 400, field=error.field)
        if not isinstance(fields, dict):
            return json_error("send a JSON object of application fields", 400, field="body")
        language = api_language()
        try:
            result, errors = new_applicant_result(fields, top_n=5, lang=language,
                                                  counterfactual=True)
        except ServiceError as error:
            return service_error_response(error)
        if errors:
            return json_error("invalid application fields", 422, fields=errors)
        return jsonify({**result_payload(result, language),
                        "counterfactual": counterfactual_of(result, language),
                        "not_used_for_score": protected_fields_given(fields)})

    @server.post("/api/score/batch")
    def score_batch():
        """Up to `config.API_BATCH_MAX` applications (a JSON list of /api/score's objects):
        one entry per application, in order, with its `index` and `status` (200 and the
        result, or 422 and the invalid `fields`), all logged in one transaction before the
        answer. `?counterfactual=1` adds each proposal (slower)."""
        from model.config import API_BATCH_MAX
        from webapp import db
        from webapp.service_errors import ServiceError
        from webapp.services.clients import new_applicants_results

        try:
            applications = load_json(request.get_data(cache=False), allow_constants=True)
        except InputError as error:
            return json_error(error.message, 400, field=error.field)
        if not isinstance(applications, list):
            return json_error("send a JSON list of application objects", 400, field="body")
        if len(applications) > API_BATCH_MAX:
            return json_error(f"at most {API_BATCH_MAX} applications per request, got "
                              f"{len(applications)}; score larger files with `python -m model "
                              f"score`", 413, limit=API_BATCH_MAX)
        not_objects = [i for i, item in enumerate(applications) if not isinstance(item, dict)]
        if not_objects:
            return json_error("every application must be a JSON object of fields", 400,
                              indexes=not_objects[:20])
        language = api_language()
        counterfactual = request.args.get("counterfactual") in ("1", "true")
        try:
            rows = new_applicants_results(applications, top_n=5, lang=language,
                                          counterfactual=counterfactual)
        except ServiceError as error:
            return service_error_response(error)
        except db.DatabaseError:
            return json_error("not scored: the decision log is unavailable, and no score is "
                              "returned that is not on record", 503)
        answer = []
        for row, fields in zip(rows, applications):
            if row.result is None:
                answer.append({"index": row.index, "status": 422,
                               "error": "invalid application fields", "fields": row.errors})
                continue
            answer.append({"index": row.index, "status": 200, **result_payload(row.result, language),
                           "counterfactual": counterfactual_of(row.result, language)
                           if counterfactual else None,
                           "not_used_for_score": protected_fields_given(fields)})
        return jsonify({"count": len(answer), "scored": sum(r["status"] == 200 for r in answer),
                        "results": answer})

    @server.get("/reports/monitoring/<name>")
    def monitoring_report(name: str):
        """A monitored period's Evidently page (`python -m model monitor`), by file name only."""
        from model import config
        from webapp.services.drift_periods import REPORT_FILE

        path = config.monitoring_dir() / "reports" / name
        if not REPORT_FILE.match(name) or not path.is_file():
            abort(404)
        return send_file(path, mimetype="text/html")

    @server.get("/reports/drift.html")
    def drift_report():
        try:
            path = get_state().drift_report_path
        except ArtifactError as error:
            return json_error(str(error), 503)
        if path is None:
            abort(404)
        return send_file(path, mimetype="text/html")
