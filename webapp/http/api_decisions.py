"""API routes of the decision log: record a decision, export the log (managers).

`POST /api/clients/<id>/decision` with `{"decision", "reason", "category",
"review_requested"?, "refers_to"?}` -> 201 with the entry id; an override without a
reason -> 422 naming the fields; the database down -> 503 "not saved".
`GET /api/audit/decisions.csv` (manager area, same filters as the audit screen).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from flask import Flask, Response, jsonify, request, stream_with_context

from webapp import db
from webapp.db import audit_log
from webapp.http.errors import api_language, json_error, service_error_response
from webapp.http.validation import InputError, load_json
from webapp.services import decisions

log = logging.getLogger(__name__)


def register_decision_api(server: Flask) -> None:
    """Attach the decision and audit-export routes to the Flask server."""

    @server.post("/api/clients/<client_id>/decision")
    def record_decision(client_id: str):
        from webapp.services.clients import parse_client_id
        from webapp.service_errors import ServiceError

        try:  # depth-limited: a body nested 1,000 deep is a 400, not a RecursionError
            body = load_json(request.get_data(cache=True)) if request.is_json else None
        except InputError as error:
            return json_error(f"body: {error.message}", 400)
        if not isinstance(body, dict):
            return json_error("send a JSON object with decision, reason and category", 400)
        refers_to = body.get("refers_to")  # checked against the log (audit_log.review_problem)
        try:
            recorded, errors = decisions.record_client_decision(
                client_id, body.get("decision"), body.get("reason"), body.get("category"),
                bool(body.get("review_requested")), refers_to, api_language())
        except ServiceError as error:
            return service_error_response(error, client_id=client_id)
        except db.DatabaseError:
            return json_error("the decision was NOT saved: the decision log is unavailable", 503)
        if errors:
            return json_error("decision not recorded", 422, fields=errors)
        return jsonify({"entry_id": recorded.entry_id, "client_id": parse_client_id(client_id),
                        "decision": body.get("decision"), "recommendation": recorded.recommendation,
                        "override": recorded.override}), 201

    @server.get("/api/audit/decisions.csv")
    def export_decisions():
        # Streamed, every matching row (never cut at the screen's 1,000).
        rows = audit_log.iter_decisions(audit_log.filters_from(request.args.to_dict()))
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        return Response(stream_with_context(audit_log.csv_lines(rows)), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="decisions-{stamp}.csv"'})
