"""Sessions end on the server, the lockout counts every attempt once, forms carry CSRF tokens,
`next` stays on this site (issue 19, item 4). Real sign-in routes, real SQLite database."""
from __future__ import annotations

import threading
import time

import pytest

from tests.webapp.signin import PASSWORDS, form_token, sign_in, signed_in_server
from webapp.auth import accounts, config, sessions


@pytest.fixture
def server(app_database):
    return signed_in_server(app_database, ("/client/1", "/api/clients/1"))


def test_a_cookie_replayed_after_sign_out_is_refused(server):
    browser = server.test_client()
    assert sign_in(browser, "advisor").status_code == 302
    stolen = browser.get_cookie("scoring_session").value
    assert browser.get("/client/1").status_code == 200
    signed_out = browser.post("/logout", data={"csrf_token": form_token(browser, "/logout")})
    assert signed_out.status_code == 302 and signed_out.headers["Location"] == "/login"
    replay = server.test_client()
    replay.set_cookie("scoring_session", stolen)
    answer = replay.get("/client/1")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert replay.get("/api/clients/1").status_code == 401


def test_sign_out_needs_a_post_with_its_token(server):
    browser = server.test_client()
    sign_in(browser, "advisor")
    assert browser.get("/logout").status_code == 200          # only asks
    assert browser.get("/client/1").status_code == 200        # ...still signed in
    assert browser.post("/logout").status_code == 400         # another site's form: no token
    assert browser.get("/client/1").status_code == 200


def test_a_session_ends_after_its_absolute_lifetime(server):
    browser = server.test_client()
    sign_in(browser, "advisor")
    assert browser.get("/client/1").status_code == 200
    with browser.session_transaction() as cookie:  # opened a working day and a minute ago
        cookie[sessions.OPENED_KEY] = int(time.time()) - config.SESSION_HOURS * 3600 - 60
    assert browser.get("/client/1").status_code == 302


def test_sign_in_without_the_form_token_is_refused(server):
    browser = server.test_client()
    answer = browser.post("/login", data={"username": "advisor", "password": PASSWORDS["advisor"]})
    assert answer.status_code == 400 and "expiré" in answer.get_data(as_text=True)
    assert browser.get("/client/1").status_code == 302  # not signed in


def test_cross_site_data_requests_with_the_cookie_are_refused(server):
    browser = server.test_client()
    sign_in(browser, "advisor")
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert browser.get("/api/clients/1", headers=cross).status_code == 403
    assert browser.get("/client/1", headers=cross).status_code == 200     # a link to a page
    assert browser.get("/api/clients/1", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200


@pytest.mark.parametrize("next_path, location", [
    ("/%09/evil.example", "/"), ("/\t/evil.example", "/"), ("//evil.example/x", "/"),
    ("/%0a", "/"), ("/\\evil.example", "/"), ("https://evil.example/", "/"),
    ("/%2F%2Fevil.example", "/evil.example"), ("/%E3%80%80/x", "/"),
    ("/client/1?entry=2", "/client/1?entry=2"), ("/x/../client/1", "/client/1"),
])
def test_next_is_a_same_site_path_after_normalisation(server, next_path, location):
    answer = sign_in(server.test_client(), "manager", next=next_path)
    assert answer.status_code == 302 and answer.headers["Location"] == location


def test_parallel_wrong_passwords_check_at_most_the_limit(app_database, monkeypatch):
    accounts.add_user("target", "advisor", "the right password", app_database)
    checks = []
    real_check = accounts.check_password_hash

    def counted(hashed: str, password: str) -> bool:  # a spy on the real function
        if hashed != accounts._DUMMY_HASH:  # not the constant-time stand-in for a refusal
            checks.append(password)
        return real_check(hashed, password)

    monkeypatch.setattr(accounts, "check_password_hash", counted)
    attempts = ["wrong password %d" % i for i in range(24)] + ["the right password"]
    results: list[tuple] = []
    threads = [threading.Thread(target=lambda p=p: results.append(accounts.authenticate("target", p)))
               for p in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    real_checks = list(checks)
    assert len(results) == len(attempts) and len(real_checks) <= config.MAX_FAILED_ATTEMPTS
    signed_in = [account for account, _ in results if account is not None]
    assert len(signed_in) <= 1
    if not signed_in:  # the right one came too late: refused without being checked
        assert "the right password" not in real_checks


def test_an_attempt_is_counted_even_when_the_check_fails(app_database, monkeypatch):
    accounts.add_user("target", "advisor", "the right password", app_database)

    def broken(_hashed: str, _password: str) -> bool:
        raise RuntimeError("the hash library failed")

    real_check = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", broken)
    for _ in range(config.MAX_FAILED_ATTEMPTS):
        with pytest.raises(RuntimeError):
            accounts.authenticate("target", "anything at all")
    monkeypatch.setattr(accounts, "check_password_hash", real_check)
    assert accounts.authenticate("target", "the right password") == (None, "locked")


def test_a_read_only_database_refuses_sign_in_with_a_503(server, app_database, monkeypatch):
    browser = server.test_client()
    token = form_token(browser)
    path = app_database[len("sqlite:///"):]
    monkeypatch.setenv("SCORING_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    answer = browser.post("/login", data={"username": "advisor", "password": "wrong password",
                                          "csrf_token": token})
    assert answer.status_code == 503 and "indisponible" in answer.get_data(as_text=True)
