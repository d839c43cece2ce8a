"""A small JSON API beside the dashboard, for other systems of the lender.

`GET /api/health`, `GET /api/clients/<id>` (score, decision, top reasons),
`POST /api/score` (a new application in Kaggle's application format) and
`GET /reports/drift.html` (the Evidently report). Errors come back as JSON with
an explicit message and a 4xx status, never a traceback.
"""
from __future__ import annotations

import logging

from flask import Flask, abort, jsonify, request, send_file

from model.artifacts import ArtifactError
from webapp.state import UnknownClientError, get_state

log = logging.getLogger(__name__)


def _error(message: str, status: int, **details):
    return jsonify({"error": message, **details}), status


def client_payload(client_id: int, top_n: int = 5) -> dict:
    """What the API says about a known client: score, threshold, decision and reasons."""
    from webapp.services import client_score, client_reasons

    score = client_score(client_id)
    return {**score, "reasons": client_reasons(client_id, top_n=top_n, language="en")}


def register_api(server: Flask) -> None:
    """Attach the API routes to the Flask server under the Dash app."""

    @server.get("/api/health")
    def health():
        try:
            state = get_state()
        except ArtifactError as error:
            return _error(str(error), 503)
        return jsonify({
            "status": "ok",
            "clients": int(len(state.clients)),
            "features": len(state.feature_names),
            "model": state.model.kind,
            "threshold": float(state.model.threshold_),
            "built_at": state.manifest.get("created_at"),
        })

    @server.get("/api/clients/<client_id>")
    def client(client_id: str):
        if not client_id.isdigit():
            return _error(f"client id must be a whole number, got {client_id!r}", 400)
        try:
            return jsonify(client_payload(int(client_id)))
        except UnknownClientError as error:
            return _error(str(error), 404, client_id=int(client_id))

    @server.post("/api/score")
    def score():
        from webapp.services import score_new_applicant, validate_application

        fields = request.get_json(silent=True)
        if not isinstance(fields, dict):
            return _error("send a JSON object of application fields", 400)
        values, errors = validate_application(fields)
        if errors:
            return _error("invalid application fields", 422, fields=errors)
        return jsonify(score_new_applicant(values, language="en"))

    @server.get("/reports/drift.html")
    def drift_report():
        path = get_state().drift_report_path
        if path is None:
            abort(404)
        return send_file(path, mimetype="text/html")
