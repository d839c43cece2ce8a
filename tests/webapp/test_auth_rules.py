"""Pure rules of sign-in: path areas, the Dash router check, Azure's principal header, the menu."""
from __future__ import annotations

import base64
import json

import pytest

from webapp.auth import access, accounts
from webapp.auth.principal import Principal, azure_principal


@pytest.mark.parametrize("path, area", [
    ("/", "advisor"), ("/client/100002/why", "advisor"), ("/new", "advisor"), ("/api/score", "advisor"),
    ("/model", "manager"), ("/drift", "manager"), ("/audit", "manager"), ("/reports/drift.html", "manager"),
    ("/api/audit/decisions.csv", "manager"), ("/admin", "admin"), ("/modelling", "advisor"),
])
def test_area_of_each_path(path, area):
    assert access.area_for(path) == area


@pytest.mark.parametrize("path, public", [
    ("/login", True), ("/api/health", True), ("/assets/style.css", True),
    ("/_dash-component-suites/dash/dcc/x.js", True), ("/assets/other.json", False),
    ("/_dash-layout", False), ("/api/clients/1", False), ("/reports/drift.html", False),
])
def test_public_paths(path, public):
    assert access.is_public(path) is public


def test_router_pathname_is_found_in_a_dash_callback_request():
    payload = {"inputs": [{"id": "_pages_location", "property": "pathname", "value": "/drift"},
                          {"id": "_pages_location", "property": "search", "value": ""}]}
    assert access.routed_pathname(payload) == "/drift"
    assert access.routed_pathname({"inputs": [{"id": "language-store", "property": "data"}]}) is None
    assert access.routed_pathname("not a dict") is None


def test_callback_area_from_its_output_ids():
    assert access.callback_area({"output": "..audit-table.children...audit-export.href.."}) == "manager"
    assert access.callback_area({"output": "drift-distribution.children"}) == "manager"
    assert access.callback_area({"output": "..app-title.children...language-label.children.."}) == "advisor"
    assert access.callback_area({"output": '{"field":["ALL"],"type":"new-field"}.invalid'}) == "advisor"
    assert access.callback_area(None) == "advisor"


def _header(claims: list[dict], **extra) -> str:
    return base64.b64encode(json.dumps({"auth_typ": "aad", "name_typ": "name", "role_typ": "roles",
                                        "claims": claims, **extra}).encode()).decode()


def test_azure_principal_maps_app_roles_to_ours(monkeypatch):
    header = _header([{"typ": "name", "val": "Ana Martin"}, {"typ": "roles", "val": "Scoring.Advisor"},
                      {"typ": "roles", "val": "Scoring.Manager"}, {"typ": "roles", "val": "Other.App"}])
    assert azure_principal(header) == Principal("Ana Martin", "manager", "azure")
    monkeypatch.setenv("SCORING_AZURE_ROLES", "CreditAdvisors=advisor")
    assert azure_principal(header).role is None  # none of the configured claims: signed in, no role
    header = _header([{"typ": "roles", "val": "CreditAdvisors"}])
    assert azure_principal(header, "ana@bank.example") == Principal("ana@bank.example", "advisor", "azure")


@pytest.mark.parametrize("header", [None, "", "%%%not base64", base64.b64encode(b"[1, 2]").decode(),
                                    base64.b64encode(b'{"claims": []}').decode()])
def test_unreadable_azure_header_means_no_identity(header):
    assert azure_principal(header) is None


def test_menu_shows_only_what_the_role_may_open():
    from webapp.layout import nav_items

    def pages(role: str) -> set[str]:
        items = nav_items("fr", 100002, "/", Principal("x", role, "user"))
        return {item.children.id["page"] for item in items if isinstance(getattr(item.children, "id", None), dict)}

    advisor, manager = pages("advisor"), pages("manager")
    assert {"nav_client", "nav_new"} <= advisor and not advisor & {"nav_model", "nav_drift", "nav_audit"}
    assert {"nav_model", "nav_drift", "nav_audit"} <= manager


def test_api_keys_are_stored_hashed_and_revocable(tmp_path):
    url = f"sqlite:///{tmp_path}/app.db"
    key = accounts.create_api_key("crm", "advisor", url)
    from sqlalchemy import select
    from webapp import db
    from webapp.db.models import ApiKey

    with db.session(url) as session:
        stored = session.scalar(select(ApiKey))
    assert key not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64
    assert accounts.check_api_key(key, url) == accounts.Account("crm", "advisor", True, "api_key")
    assert accounts.check_api_key(key + "x", url) is None
    accounts.revoke_api_key("crm", url)
    assert accounts.check_api_key(key, url) is None
    with pytest.raises(accounts.AccountError, match="role"):
        accounts.create_api_key("admin-key", "admin", url)


def test_cli_users_and_keys(tmp_path):
    import subprocess
    import sys

    env = {"SCORING_DATABASE_URL": f"sqlite:///{tmp_path}/app.db", "PATH": "/usr/bin:/bin"}
    run = lambda *args, stdin="": subprocess.run([sys.executable, "-m", "webapp", *args], input=stdin,  # noqa: E731
                                                 capture_output=True, text=True, env=env)
    assert run("users", "add", "marie", "--role", "manager", stdin="a long password\n").returncode == 0
    assert run("users", "add", "paul", "--role", "advisor", stdin="short\n").returncode == 2
    assert "marie" in run("users", "list").stdout
    created = run("apikeys", "create", "crm", "--role", "advisor")
    key = created.stdout.strip().splitlines()[-1]
    assert created.returncode == 0 and len(key) > 30 and key not in run("apikeys", "list").stdout
    assert run("apikeys", "revoke", "crm").returncode == 0
    assert run("users", "disable", "marie").returncode == 0 and " no" in run("users", "list").stdout


def test_database_outage_during_sign_in_check_is_a_503_not_a_500(tmp_path, monkeypatch):
    from flask import Flask

    from webapp.auth.guard import StartupError, init_auth

    monkeypatch.setenv("SCORING_DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    accounts.add_user("ines", "advisor", "a long enough password")
    server = Flask(__name__)
    init_auth(server, "local")
    server.add_url_rule("/client/1", "client", lambda: "file")
    client = server.test_client()
    from tests.webapp.signin import sign_in

    assert sign_in(client, "ines", "a long enough password").status_code == 302
    assert client.get("/client/1").status_code == 200
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the database folder should be")
    monkeypatch.setenv("SCORING_DATABASE_URL", f"sqlite:///{blocked}/app.db")
    answer = client.get("/client/1")
    assert answer.status_code == 503 and "database" in answer.get_json()["error"]
    with pytest.raises(StartupError, match="accounts database cannot be opened"):
        init_auth(Flask("other"), "local")


def test_azure_mode_trusts_the_app_service_header(tmp_path, monkeypatch):
    from flask import Flask

    from webapp.auth.guard import init_auth

    monkeypatch.setenv("SCORING_DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    server = Flask(__name__)
    init_auth(server, "azure")
    for path in ("/client/1", "/drift", "/api/clients/1"):
        server.add_url_rule(path, path, lambda: "ok")
    client = server.test_client()
    advisor = {"X-MS-CLIENT-PRINCIPAL": _header([{"typ": "name", "val": "ana"},
                                                 {"typ": "roles", "val": "Scoring.Advisor"}])}
    assert client.get("/client/1", headers=advisor).status_code == 200
    assert client.get("/drift", headers=advisor).status_code == 403
    no_role = {"X-MS-CLIENT-PRINCIPAL": _header([{"typ": "name", "val": "bob"}])}
    assert client.get("/client/1", headers=no_role).status_code == 403
    unsigned = client.get("/client/1")
    assert unsigned.status_code == 302 and unsigned.headers["Location"].startswith("/.auth/login/aad?")
    assert client.get("/api/clients/1").status_code == 401
    assert accounts.count_users() == 0  # no demo accounts outside mode local


def test_overlong_id_and_search_inputs_are_refused_before_parsing():
    from webapp.services import clients

    long_text = "1" * (clients.MAX_ID_INPUT_LENGTH + 1)
    assert clients.parse_client_id(long_text) is None
    assert clients.parse_client_id(" 100002 ") == 100002
    assert clients.search_client_ids(long_text).ids == []
    assert clients.search_client_ids("10" + " " * (clients.MAX_ID_INPUT_LENGTH + 1)).ids == []
