"""The issue's one-line reproducers, against a real gunicorn with local sign-in (as found).

The other tests of tests/webapp check each fix in-process; these replay the findings over
HTTP, where gunicorn (not the test client) decodes paths and writes headers.
"""
from __future__ import annotations

import pytest
import requests

from tests import secured_server
from tests.webapp.dash_requests import router_request


@pytest.fixture(scope="module")
def server(artifacts_root, tmp_path_factory):
    folder = tmp_path_factory.mktemp("findings")
    running = secured_server.start(artifacts_root, f"sqlite:///{folder}/app.db")
    yield running
    secured_server.stop(running)


def _raw_get(session: requests.Session, url: str, path: str) -> requests.Response:
    """GET with the path sent exactly as written (`//model` must not become a host name)."""
    prepared = session.prepare_request(requests.Request("GET", url + "/"))
    prepared.url = url + path
    return session.send(prepared, allow_redirects=False, timeout=30)


@pytest.mark.parametrize("path", ["//model", "//drift", "/model/", "/%2Fmodel", "/Drift", "/./audit"])
def test_an_advisor_cannot_open_manager_screens_by_spelling(server, path):
    advisor = server.session("advisor")
    assert _raw_get(advisor, server.url, path).status_code == 403
    routed = advisor.post(f"{server.url}/_dash-update-component", json=router_request(path), timeout=30)
    assert routed.status_code == 403


def test_a_cookie_replayed_after_logout_is_refused(server):
    advisor = server.session("advisor")
    cookie = advisor.cookies.get("scoring_session")
    assert advisor.get(f"{server.url}/api/clients/100002", timeout=30).status_code in (200, 404)
    page = advisor.get(f"{server.url}/logout", timeout=30).text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert advisor.post(f"{server.url}/logout", data={"csrf_token": token}, allow_redirects=False,
                        timeout=30).status_code == 302
    replay = requests.Session()
    replay.cookies.set("scoring_session", cookie)
    answer = replay.get(f"{server.url}/api/clients/100002", timeout=30)
    assert answer.status_code == 401


@pytest.mark.parametrize("next_path", ["/%09/evil.example", "/\t/evil.example", "/%0a"])
def test_sign_in_never_sends_the_browser_off_site(server, next_path):
    anonymous = requests.Session()
    answer = anonymous.post(f"{server.url}/login", allow_redirects=False, timeout=30, data={
        "username": "manager", "password": secured_server.PASSWORDS["manager"], "next": next_path,
        "csrf_token": secured_server.login_token(anonymous, server.url)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


@pytest.mark.parametrize("suffix", ["%0a", "%0b", "%1c", "%e2%80%a8", "%e3%80%80"])
def test_whitespace_in_the_letter_id_is_a_400(server, suffix):
    answer = server.session("advisor").get(f"{server.url}/clients/100002{suffix}/letter.pdf", timeout=30)
    assert answer.status_code == 400


def test_a_cross_site_form_cannot_sign_a_browser_in(server):
    forged = requests.post(f"{server.url}/login", allow_redirects=False, timeout=30,
                           data={"username": "advisor", "password": secured_server.PASSWORDS["advisor"]})
    assert forged.status_code == 400
    after = requests.get(f"{server.url}/", cookies=forged.cookies, allow_redirects=False, timeout=30)
    assert after.status_code == 302 and after.headers["Location"].startswith("/login")
