"""Every screen, in French and in English, has no axe-core violation (WCAG 2.1 A/AA, plus the
"region" and "landmark-unique" best practices): see tests/e2e/axe.py.

A screen is checked once its content has rendered (its `ready` element is there and no
callback is running), with the client picker open as well on the home page, since the
search popup is part of the shell a person uses on every screen.
"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.axe import axe_violations, format_violations
from webapp import ids

TIMEOUT = 30

# (screen, path, element that shows the screen has rendered); "{client}" is a client ID.
SCREENS = (
    ("home", "/", "#home-data-summary"),
    ("client", "/client/{client}", f"#{ids.CLIENT_DECISION}"),
    ("why", "/client/{client}/why", f"#{ids.WHY_CHART} g.point"),
    ("what-if", "/client/{client}/what-if", f"#{ids.WHATIF_PROBABILITY}"),
    ("compare", "/client/{client}/compare", "#main-content h1"),
    ("new", "/new", f"#{ids.NEW_SUBMIT}"),
    ("model", "/model", "#main-content h1"),
    ("drift", "/drift", "#main-content h1"),
    ("audit", "/audit", "#main-content h1"),
    ("404", "/no-such-page", f"#{ids.NOT_FOUND_HEADING}"),
)



def _set_language(dash_duo, lang: str) -> None:
    """Press the FR/EN switch as a person would (the choice persists in local storage)."""
    label = dash_duo.driver.find_element(
        By.XPATH, f"//div[@id='{ids.LANGUAGE_SWITCH}']//label[text()='{lang.upper()}']")
    label.click()
    dash_duo.wait_for_element(f"html[lang='{lang}']", timeout=TIMEOUT)


def _screen_violations(dash_duo, idle, screen: str, ready: str) -> list[dict]:
    dash_duo.wait_for_element(ready, timeout=TIMEOUT)
    idle(dash_duo)
    return axe_violations(dash_duo)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_screen_has_no_axe_violation(dash_duo, dash_app, app_state, monitored, idle,
                                           lang) -> None:
    # `monitored`: the Drift tab shows its periods, chart, alerts and back-test too
    client_id = int(app_state.clients.index[0])
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_element("#home-data-summary", timeout=TIMEOUT)
    _set_language(dash_duo, lang)
    failures = {}
    for screen, path, ready in SCREENS:
        dash_duo.driver.get(dash_duo.server_url + path.format(client=client_id))
        dash_duo.wait_for_element(f"html[lang='{lang}']", timeout=TIMEOUT)
        found = _screen_violations(dash_duo, idle, screen, ready)
        if found:
            failures[screen] = found
        if screen == "home":  # the search popup open, with matches listed
            dash_duo.find_element(f"#{ids.CLIENT_PICKER}").send_keys(str(client_id)[:3])
            found = _screen_violations(dash_duo, idle, "search popup", f"#{ids.CLIENT_PICKER_RESULTS} a")
            if found:
                failures["search popup"] = found
    assert not failures, "axe-core violations:\n" + "\n".join(
        f"{screen} ({lang}):\n{format_violations(found)}" for screen, found in failures.items())


@pytest.fixture(scope="module")
def secured(tmp_path_factory, request):
    """A real gunicorn with sign-in on (tests/secured_server.py), for the sign-in page."""
    import os

    from tests import secured_server
    from tests.e2e.conftest import _browser_available

    if not _browser_available():
        pytest.skip("Chromium and chromedriver are needed for the browser tests")
    artifacts = os.environ.get("SCORING_TEST_ARTIFACTS") or str(request.getfixturevalue("artifacts_root"))
    running = secured_server.start(artifacts, f"sqlite:///{tmp_path_factory.mktemp('axe-auth')}/app.db")
    yield running
    secured_server.stop(running)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sign_in_page_has_no_axe_violation(dash_duo, secured, lang) -> None:
    driver = dash_duo.driver
    driver.get(secured.url + "/login")
    driver.add_cookie({"name": "language", "value": lang, "path": "/"})
    driver.get(secured.url + "/login")
    dash_duo.wait_for_element(f"html[lang='{lang}'] #login-form", timeout=TIMEOUT)
    found = _screen_violations(dash_duo, lambda _duo: None, "login", "#login-submit")
    assert not found, f"axe-core violations on the sign-in page ({lang}):\n{format_violations(found)}"
