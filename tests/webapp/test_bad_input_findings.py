"""Each bad input of issue 19 (item 7) now gets a clear 4xx, never a 5xx, and no traceback."""
from __future__ import annotations

import logging

import pytest

from tests.webapp.dash_requests import audit_request, callback_request, router_request
from webapp.http.validation import parse_client_id


def _callback(app_client, output: str, inputs: list, state: list | None = None):
    return app_client.post("/_dash-update-component", json=callback_request(output, inputs, state))


def test_csv_export_with_the_last_representable_day(app_client):
    answer = app_client.get("/api/audit/decisions.csv?end=9999-12-31")
    assert answer.status_code == 200 and answer.get_data(as_text=True).startswith("id,at,actor")


def test_decision_body_nested_a_thousand_deep(app_client, client_id):
    body = '{"decision": "refused", "reason": ' + "[" * 1000 + "]" * 1000 + "}"
    answer = app_client.post(f"/api/clients/{client_id}/decision", data=body, content_type="application/json")
    assert answer.status_code == 400 and "nested deeper" in answer.get_json()["error"]


@pytest.mark.parametrize("body, field", [
    ({"decision": "refused", "reason": 1}, "reason"),
    ({"decision": "refused", "reason": ["a", "b", "c"], "category": "other"}, "reason"),
    ({"decision": "granted", "refers_to": 2**63}, "refers_to"),
    ({"decision": "granted", "refers_to": 2**63 - 1}, "refers_to"),
    ({"decision": "granted", "refers_to": True}, "refers_to"),
    ({"decision": "granted", "refers_to": 123456}, "refers_to"),
])
def test_decision_fields_of_the_wrong_kind_are_a_422(app_client, client_id, body, field):
    answer = app_client.post(f"/api/clients/{client_id}/decision", json=body)
    assert answer.status_code == 422 and field in answer.get_json()["fields"]


def test_a_lone_surrogate_in_a_reason_is_a_400(app_client, client_id):
    body = '{"decision": "refused", "reason": "\\ud800 is not text", "category": "other"}'
    answer = app_client.post(f"/api/clients/{client_id}/decision", data=body, content_type="application/json")
    assert answer.status_code == 400 and "surrogate" in answer.get_json()["error"]


@pytest.mark.parametrize("pathname", ["x", "", "model"])
def test_router_pathname_that_is_not_a_path(app_client, pathname):
    answer = app_client.post("/_dash-update-component", json=router_request(pathname))
    assert answer.status_code == 400


def test_lone_surrogate_in_the_drift_feature(app_client):
    answer = _callback(app_client, "drift-distribution.children",
                       [{"id": "drift-feature", "property": "value", "value": "\ud800"}],
                       [{"id": "language-store", "property": "data", "value": "fr"}])
    assert answer.status_code == 400


def test_lone_surrogate_and_far_dates_in_the_audit_filters(app_client):
    body = audit_request("\ud800", None, None, None, [])
    assert app_client.post("/_dash-update-component", json=body).status_code == 400
    from webapp.db import audit_log

    far = audit_log.filters_from({"actor": "\ud800", "end": "9999-12-31", "start": "\ud800"})
    assert audit_log.decisions(far).empty  # a filter, not an error


@pytest.mark.parametrize("suffix", ["%0a", "%0b", "%1c", "%e2%80%a8", "%e3%80%80", "%09", "%c2%85"])
def test_whitespace_in_a_client_id_of_the_letter_path(app_client, client_id, suffix):
    answer = app_client.get(f"/clients/{client_id}{suffix}/letter.pdf")
    assert answer.status_code == 400 and "Content-Disposition" not in answer.headers


@pytest.mark.parametrize("raw", ["100002\n", "100002\x0b", "100002\x1c", "100002\u2028", "100002\u3000",
                                 "\t100002", "100 002\r"])
def test_ids_are_ascii_digits_with_plain_spaces_only(raw):
    assert parse_client_id(raw) is None
    assert parse_client_id("100 002") == parse_client_id("100\u00a0002") == 100002


def test_unknown_dash_bundle_is_a_quiet_404(app_client, caplog):
    with caplog.at_level(logging.INFO):
        answer = app_client.get("/_dash-component-suites/dash/nope.js")
    assert answer.status_code == 404
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_sign_in_with_a_line_break_in_next(app_database):
    from tests.webapp.signin import sign_in, signed_in_server

    server = signed_in_server(app_database)
    answer = sign_in(server.test_client(), "advisor", next="/%0a")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    answer = sign_in(server.test_client(), "advisor", "wrong password", next="/\n\r")
    assert answer.status_code == 401
