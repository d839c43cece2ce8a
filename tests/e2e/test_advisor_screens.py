"""The advisor's screens in a real browser: client file, why this score, what-if, new applicant.

Expected numbers are computed directly from the model the app serves, and written
with the same formatting: the page must show exactly the model's output.
"""
from __future__ import annotations

import numpy as np
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from webapp import ids
from webapp.formatting import format_percent
from tests.e2e.browser import click as _click

TIMEOUT = 20


def _pick_client(state, refused: bool) -> int:
    """A training client whose stored decision is `refused` (the first one, deterministic) and
    whose application fires no lending rule, so the model's decision is the one shown."""
    from model.scoring.policy import fired_mask

    clients = state.clients
    mask = (clients["probability_final"] >= state.model.threshold_) == refused
    no_rule = ~fired_mask(state.applications.loc[clients.index], state.policy_rules).any(axis=1)
    chosen = clients.index[mask & (clients["set"] == "train") & no_rule.to_numpy()]
    return int(chosen[0]) if len(chosen) else int(clients.index[0])


def _direct_probability(state, client_id: int) -> float:
    return float(np.asarray(state.model.predict_proba(state.feature_row(client_id)))[0])


def _wait(dash_duo) -> WebDriverWait:
    """A wait that retries when Dash replaces the element being read (re-render)."""
    return WebDriverWait(dash_duo.driver, TIMEOUT, ignored_exceptions=(StaleElementReferenceException,))


def _wait_title(dash_duo, expected: str) -> None:
    _wait(dash_duo).until(lambda d: d.title == expected,
                                                  message=f"title never became {expected!r}")


def _type(element, text: str) -> None:
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text)


def _chart_bars(dash_duo, graph_id: str) -> int:
    return len(dash_duo.find_elements(f"#{graph_id} g.point"))


def test_typing_an_id_shows_the_models_score_and_decision(dash_duo, screenshot, dash_app,
                                                          app_state) -> None:
    client_id = _pick_client(app_state, refused=True)
    probability = _direct_probability(app_state, client_id)
    refused = bool(app_state.model.decide(np.array([probability]))[0])
    dash_duo.start_server(dash_app)
    _wait_title(dash_duo, "Prêt à dépenser — Scoring crédit")
    clients = f"{len(app_state.clients):,}".replace(",", "\u202f")
    dash_duo.wait_for_contains_text("#home-data-summary", f"{clients} clients chargés", timeout=TIMEOUT)

    box = dash_duo.wait_for_element(f"#{ids.CLIENT_ID_INPUT}", timeout=TIMEOUT)
    box.send_keys(str(client_id), Keys.ENTER)

    dash_duo.wait_for_text_to_equal(f"#{ids.CLIENT_PROBABILITY}", format_percent(probability, "fr"),
                                    timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(f"#{ids.CLIENT_THRESHOLD}",
                                    format_percent(app_state.model.threshold_, "fr"), timeout=TIMEOUT)
    assert dash_duo.find_element(f"#{ids.CLIENT_DECISION}").text.endswith("Refusé" if refused else "Accordé")
    assert "seuil" in dash_duo.find_element(f"#{ids.CLIENT_DISTANCE}").text
    assert dash_duo.driver.current_url.endswith(f"/client/{client_id}")
    _wait_title(dash_duo, f"Client {client_id} — Dossier client · Prêt à dépenser")
    # the gauge's figure may be redrawn once more while the page settles: read it again then
    _wait(dash_duo).until(
        lambda d: "seuil de décision" in d.find_element(By.ID, ids.CLIENT_GAUGE).find_element(
            By.XPATH, "../..").find_element(By.TAG_NAME, "figcaption").text,
        message="the gauge's caption does not name the decision threshold")
    dash_duo.wait_for_element(f"#{ids.CLIENT_GAUGE} .bars .point", timeout=TIMEOUT)
    screenshot(dash_duo, "client")
    assert dash_duo.get_logs() == []


def test_unknown_and_invalid_ids_get_a_message(dash_duo, dash_app) -> None:
    dash_duo.start_server(dash_app)
    box = dash_duo.wait_for_element(f"#{ids.CLIENT_ID_INPUT}", timeout=TIMEOUT)
    box.send_keys("999999999", Keys.ENTER)
    dash_duo.wait_for_contains_text(f"#{ids.CLIENT_ID_FEEDBACK}", "introuvable", timeout=TIMEOUT)
    _type(box, "abc")
    box.send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text(f"#{ids.CLIENT_ID_FEEDBACK}", "n'est pas un identifiant", timeout=TIMEOUT)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/999999999")
    dash_duo.wait_for_contains_text(f"#{ids.PAGE_ERROR}", "introuvable", timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_why_screen_draws_the_requested_number_of_contributions(dash_duo, screenshot, dash_app,
                                                               app_state) -> None:
    client_id = _pick_client(app_state, refused=True)
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/{client_id}/why")
    _wait_title(dash_duo, f"Client {client_id} — Pourquoi ce score · Prêt à dépenser")
    dash_duo.wait_for_element(f"#{ids.WHY_CHART} g.point", timeout=TIMEOUT)
    # base rate + every concept (the default shows them all) + the client's probability
    expected = len(app_state.explainer.concepts_) + 2
    assert _chart_bars(dash_duo, ids.WHY_CHART) == expected
    sentences = dash_duo.find_elements(f"#{ids.WHY_SENTENCES} li")
    # the score, at most 4 principal reasons, one counterweight
    assert 2 <= len(sentences) <= 6 and sentences[0].text
    screenshot(dash_duo, "why")

    Select(dash_duo.find_element(f"#{ids.WHY_TOP_N}")).select_by_value("5")
    _wait(dash_duo).until(lambda d: _chart_bars(dash_duo, ids.WHY_CHART) == 5 + 3)
    assert dash_duo.get_logs() == []


def test_what_if_changes_the_probability_and_resets(dash_duo, screenshot, idle, dash_app, app_state) -> None:
    client_id = _pick_client(app_state, refused=True)
    probability = _direct_probability(app_state, client_id)
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/{client_id}/what-if")
    _wait_title(dash_duo, f"Client {client_id} — Simulation · Prêt à dépenser")
    shown = format_percent(probability, "fr")
    dash_duo.wait_for_text_to_equal(f"#{ids.WHATIF_PROBABILITY}", shown, timeout=TIMEOUT)
    assert "SIMULATION" in dash_duo.find_element(".simulation-banner").text

    # The price of the goods: under the monotone constraints the quick model reacts to it for
    # this client, not to a larger credit (it barely splits on the credit amount itself).
    credit = dash_duo.find_element(f"#{_css_id({'type': ids.WHATIF_FIELD, 'field': 'goods'})}")
    original_credit = credit.get_attribute("value")
    _type(credit, "4000000")
    credit.send_keys(Keys.TAB)
    _wait(dash_duo).until(
        lambda d: dash_duo.find_element(f"#{ids.WHATIF_PROBABILITY}").text != shown,
        message="the simulated probability did not change")
    idle(dash_duo)
    dash_duo.wait_for_element(f"#{ids.WHATIF_CHART} g.point", timeout=TIMEOUT)
    screenshot(dash_duo, "what-if")

    income = dash_duo.find_element(f"#{_css_id({'type': ids.WHATIF_FIELD, 'field': 'income'})}")
    _type(income, "-5")
    income.send_keys(Keys.TAB)
    feedback = f"#{_css_id({'type': ids.WHATIF_FEEDBACK, 'field': 'income'})}"
    dash_duo.wait_for_contains_text(feedback, "Valeur attendue entre", timeout=TIMEOUT)

    _click(dash_duo, f"#{ids.WHATIF_RESET}")
    dash_duo.wait_for_text_to_equal(f"#{ids.WHATIF_PROBABILITY}", shown, timeout=TIMEOUT)
    assert credit.get_attribute("value") == original_credit
    assert dash_duo.get_logs() == []


def test_new_applicant_form_rejects_then_scores(dash_duo, screenshot, dash_app) -> None:
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/new")
    _wait_title(dash_duo, "Nouveau demandeur · Prêt à dépenser")
    income = dash_duo.wait_for_element(f"#{_css_id({'type': ids.NEW_FIELD, 'field': 'income'})}",
                                       timeout=TIMEOUT)
    _type(income, "beaucoup")
    _click(dash_duo, f"#{ids.NEW_SUBMIT}")
    feedback = f"#{_css_id({'type': ids.NEW_FEEDBACK, 'field': 'income'})}"
    dash_duo.wait_for_contains_text(feedback, "« beaucoup » n'est pas un nombre", timeout=TIMEOUT)
    assert "is-invalid" in income.get_attribute("class")
    assert not dash_duo.find_elements(f"#{ids.NEW_PROBABILITY}")

    _type(income, "180 000")
    _click(dash_duo, f"#{ids.NEW_SUBMIT}")
    dash_duo.wait_for_element(f"#{ids.NEW_PROBABILITY}", timeout=TIMEOUT)
    assert dash_duo.find_element(f"#{ids.NEW_PROBABILITY}").text.endswith("%")
    assert "is-invalid" not in income.get_attribute("class")
    dash_duo.wait_for_element("#new-contributions-chart g.point", timeout=TIMEOUT)
    screenshot(dash_duo, "new-applicant")
    assert dash_duo.get_logs() == []


def test_unaffordable_application_is_refused_by_a_lending_rule(dash_duo, dash_app) -> None:
    """Income 10 000, credit 5 000 000, annuity 900 000: refused by the debt-service rule, said
    in words beside the score and apart from the model's reasons."""
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/new")
    for name, value in (("income", "10000"), ("credit", "5000000"), ("annuity", "900000")):
        field = dash_duo.wait_for_element(f"#{_css_id({'type': ids.NEW_FIELD, 'field': name})}",
                                          timeout=TIMEOUT)
        _type(field, value)
    _click(dash_duo, f"#{ids.NEW_SUBMIT}")
    dash_duo.wait_for_contains_text(f"#{ids.NEW_POLICY_RULES}", "Taux d'endettement de 9",
                                    timeout=TIMEOUT)
    assert "Refusé" in dash_duo.find_element(f"#{ids.NEW_RESULT} .decision").text
    assert "Taux d'endettement" not in dash_duo.find_element("#new-sentences").text
    assert dash_duo.get_logs() == []


def test_language_switch_translates_page_and_title(dash_duo, dash_app, app_state) -> None:
    client_id = _pick_client(app_state, refused=False)
    probability = _direct_probability(app_state, client_id)
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/{client_id}")
    dash_duo.wait_for_text_to_equal(f"#{ids.CLIENT_PROBABILITY}", format_percent(probability, "fr"),
                                    timeout=TIMEOUT)
    labels = dash_duo.find_elements(f"#{ids.LANGUAGE_SWITCH} label")
    next(label for label in labels if label.text == "EN").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.CLIENT_PROBABILITY}", format_percent(probability, "en"),
                                    timeout=TIMEOUT)
    assert dash_duo.find_element(f"#{ids.CLIENT_DECISION}").text.endswith("Granted")
    _wait_title(dash_duo, f"Client {client_id} — Client file · Prêt à dépenser")
    assert dash_duo.driver.execute_script("return document.documentElement.lang") == "en"
    assert dash_duo.get_logs() == []


def _css_id(component_id: dict) -> str:
    """CSS selector-safe form of a pattern-matching id's DOM id."""
    from webapp.ids import dom_id

    text = dom_id(component_id)
    return "".join(f"\\{ch}" if ch in '{}":,' else ch for ch in text)


def test_screens_reflow_at_200_percent_zoom(dash_duo, dash_app, app_state) -> None:
    """A 640-px-wide window is what a 1280-px screen shows at 200 % zoom (WCAG 1.4.4/1.4.10):
    no horizontal scrolling, the decision still readable."""
    client_id = _pick_client(app_state, refused=True)
    dash_duo.start_server(dash_app)
    dash_duo.driver.set_window_size(640, 900)
    for path, ready in ((f"/client/{client_id}", f"#{ids.CLIENT_DECISION}"),
                        (f"/client/{client_id}/why", f"#{ids.WHY_CHART} g.point"),
                        ("/new", f"#{ids.NEW_SUBMIT}")):
        dash_duo.driver.get(f"{dash_duo.server_url}{path}")
        dash_duo.wait_for_element(ready, timeout=TIMEOUT)
        overflow = dash_duo.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{path} scrolls horizontally by {overflow}px at 200 % zoom"
    assert dash_duo.get_logs() == []


def test_picker_searches_on_the_server_and_opens_the_client(dash_duo, dash_app, app_state) -> None:
    client_id = _pick_client(app_state, refused=False)
    prefix = str(client_id)[:4]
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/{_pick_client(app_state, refused=True)}/why")
    dash_duo.wait_for_element(f"#{ids.WHY_CHART} g.point", timeout=TIMEOUT)
    results = f"#{ids.CLIENT_PICKER_RESULTS} a"
    dash_duo.find_element(f"#{ids.CLIENT_PICKER}").click()
    dash_duo.find_element(f"#{ids.CLIENT_PICKER}").send_keys(prefix)
    _wait(dash_duo).until(lambda d: dash_duo.find_elements(results))
    options = [o.text for o in dash_duo.find_elements(results)]
    assert 0 < len(options) <= 20  # server-side search: never the whole client list
    assert all(text.startswith(prefix) for text in options)
    dash_duo.find_element(f"#{ids.CLIENT_PICKER}").send_keys(str(client_id)[4:])
    _wait(dash_duo).until(lambda d: [o.text for o in dash_duo.find_elements(results)] == [str(client_id)])
    dash_duo.find_element(results).click()
    # The picker keeps the screen: from "why" of one client to "why" of the other.
    _wait_title(dash_duo, f"Client {client_id} — Pourquoi ce score · Prêt à dépenser")
    assert dash_duo.driver.current_url.endswith(f"/client/{client_id}/why")
    assert dash_duo.get_logs() == []
