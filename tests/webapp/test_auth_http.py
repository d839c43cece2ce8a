"""Every route family x every kind of caller, against a real gunicorn with sign-in on.

Expected statuses are written out by hand from the issue: no session -> pages 302 to
/login, everything else 401 JSON; wrong role -> 403; API keys only count on /api/*.
"""
from __future__ import annotations

import json

import pytest

from tests import secured_server

CALLERS = ("none", "advisor", "manager", "admin", "advisor_key", "manager_key", "revoked_key")
# family -> expected status per caller, in CALLERS order.
EXPECTED = {
    "page_home":          (302, 200, 200, 200, 302, 302, 302),
    "page_client":        (302, 200, 200, 200, 302, 302, 302),
    "page_new":           (302, 200, 200, 200, 302, 302, 302),
    "page_drift":         (302, 403, 200, 200, 302, 302, 302),
    "page_model":         (302, 403, 200, 200, 302, 302, 302),
    "page_audit":         (302, 403, 200, 200, 302, 302, 302),
    "page_admin":         (302, 403, 403, 200, 302, 302, 302),
    "letter":             (302, 200, 200, 200, 302, 302, 302),
    "dash_layout":        (401, 200, 200, 200, 401, 401, 401),
    "dash_dependencies":  (401, 200, 200, 200, 401, 401, 401),
    "dash_callback":      (401, 200, 200, 200, 401, 401, 401),
    "dash_route_drift":   (401, 403, 200, 200, 401, 401, 401),
    "dash_audit_callback": (401, 403, 200, 200, 401, 401, 401),
    "asset_private":      (401, 404, 404, 404, 401, 401, 401),
    "report":             (401, 403, 200, 200, 401, 401, 401),
    "api_client":         (401, 200, 200, 200, 200, 200, 401),
    "api_score":          (401, 200, 200, 200, 200, 200, 401),
    "api_decision":       (401, 201, 201, 201, 201, 201, 401),
    "api_audit_export":   (401, 403, 200, 200, 403, 200, 401),
    "api_health":         (200, 200, 200, 200, 200, 200, 200),
    "login_page":         (200, 200, 200, 200, 200, 200, 200),
}
NEW_APPLICANT = {"income": 150000, "credit": 500000, "annuity": 25000, "age_years": 40,
                 "children": 0, "family_members": 2, "contract": "Cash loans", "gender": "F",
                 "income_type": "Working", "education": "Higher education",
                 "family_status": "Married", "own_car": "N", "own_realty": "Y"}


@pytest.fixture(scope="module")
def server(artifacts_root, tmp_path_factory):
    folder = tmp_path_factory.mktemp("auth-http")
    running = secured_server.start(artifacts_root, f"sqlite:///{folder}/app.db")
    yield running
    secured_server.stop(running)


@pytest.fixture(scope="module")
def client_id(artifacts_dir) -> int:
    from webapp.serving import load_state

    return int(load_state(artifacts_dir).clients.index[0])


@pytest.fixture(scope="module")
def dash_payloads(server) -> dict:
    """Real callback requests built from the app's own /_dash-dependencies."""
    dependencies = server.session("manager").get(f"{server.url}/_dash-dependencies").json()

    def payload(dependency: dict, values: dict) -> dict:
        def group(items):
            return [{"id": i["id"], "property": i["property"], "value": values.get(i["id"])} for i in items]
        outputs = [dict(zip(("id", "property"), part.rsplit(".", 1)))
                   for part in dependency["output"].strip(".").split("...")]
        return {"output": dependency["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": group(dependency["inputs"]), "state": group(dependency["state"]),
                "changedPropIds": []}

    shell = next(d for d in dependencies if "app-title.children" in d["output"])
    router = next(d for d in dependencies if any(i["id"] == "_pages_location" for i in d["inputs"]))
    audit = next(d for d in dependencies if "audit-table.children" in d["output"])
    return {"shell": payload(shell, {"language-store": "fr"}),
            "audit": payload(audit, {"language-store": "fr", "audit-flags": []}),
            "router": payload(router, {"_pages_location": "/drift", "language-store": "fr"})}


def _request(server, caller: str, family: str, client_id: int, payloads: dict):
    session = server.session(caller if caller in secured_server.PASSWORDS else None)
    headers = {"Authorization": f"Bearer {server.keys[caller]}"} if caller.endswith("_key") else {}
    url = server.url
    simple = {
        "page_home": "/", "page_client": f"/client/{client_id}", "page_new": "/new", "page_drift": "/drift",
        "page_model": "/model", "page_audit": "/audit", "page_admin": "/admin",
        "letter": f"/clients/{client_id}/letter.pdf", "dash_layout": "/_dash-layout",
        "dash_dependencies": "/_dash-dependencies", "asset_private": "/assets/not-public.json",
        "report": "/reports/drift.html", "api_client": f"/api/clients/{client_id}",
        "api_audit_export": "/api/audit/decisions.csv", "api_health": "/api/health", "login_page": "/login",
    }
    if family in simple:
        return session.get(url + simple[family], headers=headers, allow_redirects=False)
    if family == "dash_callback":
        return session.post(f"{url}/_dash-update-component", json=payloads["shell"], headers=headers)
    if family == "dash_audit_callback":
        return session.post(f"{url}/_dash-update-component", json=payloads["audit"], headers=headers)
    if family == "dash_route_drift":
        return session.post(f"{url}/_dash-update-component", json=payloads["router"], headers=headers)
    if family == "api_score":
        return session.post(f"{url}/api/score", json=NEW_APPLICANT, headers=headers)
    if family == "api_decision":
        return session.post(f"{url}/api/clients/{client_id}/decision", headers=headers, json={
            "decision": "referred", "reason": "needs a second look by a manager", "category": "other"})
    raise AssertionError(family)


@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_status_for_every_caller(server, client_id, dash_payloads, family):
    got = {caller: _request(server, caller, family, client_id, dash_payloads) for caller in CALLERS}
    statuses = tuple(got[caller].status_code for caller in CALLERS)
    assert statuses == EXPECTED[family], dict(zip(CALLERS, statuses))
    for caller, answer in got.items():
        if answer.status_code == 302:
            assert answer.headers["Location"].startswith("/login?next=/")
        if answer.status_code in (401, 403) and not family.startswith("page_"):
            assert "error" in answer.json()


def test_dash_callback_without_session_is_a_json_401(server, dash_payloads):
    answer = server.session(None).post(f"{server.url}/_dash-update-component", json=dash_payloads["shell"])
    assert answer.status_code == 401 and answer.json() == {"error": "sign in first"}


def test_forbidden_page_says_so_in_words(server):
    answer = server.session("advisor").get(f"{server.url}/drift")
    assert answer.status_code == 403 and "Accès refusé" in answer.text and "advisor" in answer.text


def test_health_reveals_no_client_data(server, client_id):
    body = server.session(None).get(f"{server.url}/api/health").json()
    assert str(client_id) not in json.dumps(body) and "probability" not in body


def test_security_headers(server):
    answer = server.session("advisor").get(f"{server.url}/")
    csp = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1]
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in answer.headers  # plain HTTP here
    behind_https = server.session(None).get(f"{server.url}/login", headers={"X-Forwarded-Proto": "https"})
    assert behind_https.headers["Strict-Transport-Security"].startswith("max-age=")
    anonymous = server.session(None)
    cookie = anonymous.post(f"{server.url}/login", allow_redirects=False,
                            data={"username": "advisor", "password": "advisor-password-1",
                                  "csrf_token": secured_server.login_token(anonymous, server.url)})
    assert "HttpOnly" in cookie.headers["Set-Cookie"] and "SameSite=Lax" in cookie.headers["Set-Cookie"]


def test_wrong_password_then_lockout(server):
    session = server.session(None)
    token = secured_server.login_token(session, server.url)
    statuses = [session.post(f"{server.url}/login", allow_redirects=False,
                             data={"username": "admin", "password": "wrong password",
                                   "csrf_token": token}).status_code
                for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    right = session.post(f"{server.url}/login", allow_redirects=False,
                         data={"username": "admin", "password": "admin-password-1", "csrf_token": token})
    assert right.status_code == 429  # locked even with the right password


def test_login_never_redirects_off_site(server):
    anonymous = server.session(None)
    answer = anonymous.post(f"{server.url}/login", allow_redirects=False, data={
        "username": "manager", "password": "manager-password-1", "next": "//evil.example/x",
        "csrf_token": secured_server.login_token(anonymous, server.url)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_api_key_requests_are_logged_with_the_key_name(server, client_id):
    import requests

    requests.get(f"{server.url}/api/clients/{client_id}",
                 headers={"Authorization": f"Bearer {server.keys['advisor_key']}"})
    from webapp.db import audit_log
    from sqlalchemy import select
    from webapp import db
    from webapp.db.models import LogEntry

    with db.session(server.database_url) as session:
        actors = set(session.scalars(select(LogEntry.actor).where(LogEntry.actor_type == "api_key")))
    assert "advisor-system" in actors
    assert audit_log.decisions(url=server.database_url)["actor"].isin(
        ["advisor", "manager", "admin", "advisor-system", "manager-system"]).all()
