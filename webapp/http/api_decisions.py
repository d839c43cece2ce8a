"""API routes of the decision log: record a decision, export the log (managers).

`POST /api/clients/<id>/decision` with `{"decision", "reason", "category",
"review_requested"?, "refers_to"?}` -> 201 with the entry id; an override without a
reason -> 422 naming the fields; the database down -> 503 "not saved".
`GET /api/audit/decisions.csv` (manager area, same filters as the audit screen).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from flask import Flask, Response, jsonify, request

from webapp import db
from webapp.db import audit_log
from webapp.http.errors import api_language, json_error, service_error_response
from webapp.services import decisions

log = logging.getLogger(__name__)


def register_decision_api(server: Flask) -> None:
    """Attach the decision and audit-export routes to the Flask server."""

    @server.post("/api/clients/<client_id>/decision")
    def record_decision(client_id: str):
        from webapp.services.clients import parse_client_id
        from webapp.service_errors import ServiceError

        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return json_error("send a JSON object with decision, reason and category", 400)
        refers_to = body.get("refers_to")
        if refers_to is not None and not isinstance(refers_to, int):
            return json_error("refers_to must be the id of an earlier log entry", 422)
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
        frame = audit_log.decisions(audit_log.filters_from(request.args.to_dict()))
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        return Response(audit_log.to_csv(frame), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="decisions-{stamp}.csv"'})
