"""Sign-in, the advisor's override and the managers' audit screen, in a real browser
against a real gunicorn with sign-in on (SCORING_AUTH=local).
"""
from __future__ import annotations

import pytest
import requests
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests import secured_server
from webapp import ids
from tests.e2e.browser import click as _click

TIMEOUT = 30
REASON = "le client a apporté une caution de ses parents"


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    from tests.e2e.conftest import _browser_available

    if not _browser_available():
        pytest.skip("Chromium and chromedriver are needed for the browser tests")
    import os

    artifacts = os.environ.get("SCORING_TEST_ARTIFACTS") or str(request.getfixturevalue("artifacts_root"))
    folder = tmp_path_factory.mktemp("e2e-auth")
    running = secured_server.start(artifacts, f"sqlite:///{folder}/app.db")
    yield running
    secured_server.stop(running)


def _wait(dash_duo) -> WebDriverWait:
    return WebDriverWait(dash_duo.driver, TIMEOUT, ignored_exceptions=(StaleElementReferenceException,))


def _sign_in(dash_duo, server, role: str, path: str) -> None:
    driver = dash_duo.driver
    driver.get(server.url + path)
    _wait(dash_duo).until(lambda d: "/login" in d.current_url, message="no redirect to /login")
    driver.find_element(By.ID, "username").send_keys(role)
    driver.find_element(By.ID, "password").send_keys(secured_server.PASSWORDS[role])
    driver.find_element(By.ID, "login-submit").click()
    _wait(dash_duo).until(lambda d: d.current_url.endswith(path), message=f"not back on {path}")


def test_advisor_overrides_and_manager_sees_it_on_audit(dash_duo, server, artifacts_dir):
    from webapp.serving import load_state

    state = load_state(artifacts_dir)
    client_id = int(state.clients.index[0])
    driver = dash_duo.driver

    # The advisor signs in (redirected from the client file), sees a recommendation, overrides it.
    _sign_in(dash_duo, server, "advisor", f"/client/{client_id}")
    recommendation = _wait(dash_duo).until(
        lambda d: d.find_element(By.ID, ids.DECISION_RECOMMENDATION).text or None)
    refused = recommendation == "Recommandation : refus"
    assert refused or recommendation == "Recommandation : accord"
    menu = driver.find_element(By.ID, ids.NAVIGATION).text
    assert "Dossier client" in menu and "Dérive des données" not in menu and "Journal" not in menu
    override = "Accordé" if refused else "Refusé"
    _click(driver, driver.find_element(By.XPATH, f"//div[@id='{ids.DECISION_CHOICE}']//label[text()='{override}']"))
    _click(driver, driver.find_element(By.ID, ids.DECISION_SUBMIT))
    errors = _wait(dash_duo).until(lambda d: d.find_element(By.ID, "decision-errors").text)
    assert "au moins 3 mots" in errors and "catégorie" in errors
    Select(driver.find_element(By.ID, ids.DECISION_CATEGORY)).select_by_value("guarantee")
    driver.find_element(By.ID, ids.DECISION_REASON).send_keys(REASON)
    _click(driver, driver.find_element(By.ID, ids.DECISION_SUBMIT))
    saved = _wait(dash_duo).until(lambda d: d.find_element(By.ID, "decision-saved").text)
    assert "différente de la recommandation" in saved
    assert [entry for entry in dash_duo.get_logs() or [] if entry.get("level") == "SEVERE"] == []

    # The advisor may not open the drift screen: a 403 page says so.
    driver.get(server.url + "/drift")
    assert driver.find_element(By.ID, "forbidden-heading").text == "Accès refusé"
    # (reading the browser log empties it: the only entry is the 403 itself)
    assert all("/drift" in e["message"] and "403" in e["message"] for e in dash_duo.get_logs() or [])
    driver.get(server.url + "/logout")  # asks first; the button posts with the CSRF token
    _click(driver, driver.find_element(By.ID, "logout-submit"))
    _wait(dash_duo).until(lambda d: d.current_url.endswith("/login"), message="not signed out")

    # The manager sees the override on /audit and exports it.
    _sign_in(dash_duo, server, "manager", "/audit")
    table = _wait(dash_duo).until(lambda d: d.find_element(By.ID, "audit-decisions-table").text)
    assert REASON in table and "advisor" in table
    assert "Garantie ou caution" in table  # the category in words, not its code
    assert "100,0" in driver.find_element(By.ID, "audit-overall-rate").text
    link = driver.find_element(By.CSS_SELECTOR, f"#audit-decisions-table a[href^='/client/{client_id}?entry=']")
    export = driver.find_element(By.ID, ids.AUDIT_EXPORT).get_attribute("href")
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    csv_text = requests.get(export, cookies=cookies, timeout=10).text
    assert csv_text.startswith("id,at,actor") and REASON in csv_text and "guarantee" in csv_text

    # The row's link opens the client file as it was scored.
    _click(driver, link)
    as_scored = _wait(dash_duo).until(lambda d: d.find_element(By.ID, ids.AS_SCORED).text)
    assert "modèle" in as_scored and "advisor" in as_scored
    assert [entry for entry in dash_duo.get_logs() or [] if entry.get("level") == "SEVERE"] == []
