"""Browser tests of issue 11: the letter downloads from the client file in both languages,
the why page opens a concept's raw features, a proposal loads into the what-if."""
from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd
from pypdf import PdfReader
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from webapp import ids
from tests.e2e.browser import click as _click

TIMEOUT = 20
FETCH_PDF = """
const done = arguments[arguments.length - 1];
fetch(arguments[0]).then(r => r.arrayBuffer().then(b => {
  let s = ''; const bytes = new Uint8Array(b);
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  done([r.status, r.headers.get('content-type'), btoa(s)]);
})).catch(e => done([0, String(e), '']));
"""


def _refused(state, with_proposal: bool = False) -> int:
    matrix = pd.DataFrame(np.asarray(state.features[:400]), columns=state.feature_names)
    refused = state.clients.index[:400][np.asarray(state.model.predict_proba(matrix))
                                        >= state.model.threshold_]
    if not with_proposal:
        return int(refused[0])
    for client_id in refused:
        assessment = state.scorer.assess_one(state.feature_row(int(client_id)),
                                             state.applications.loc[[int(client_id)]],
                                             counterfactual=True)
        if assessment.counterfactual.changes:
            return int(client_id)
    return 0


def _switch_to_english(dash_duo) -> None:
    labels = dash_duo.find_elements(f"#{ids.LANGUAGE_SWITCH} label")
    next(label for label in labels if label.text == "EN").click()


def test_the_letter_downloads_from_the_client_file_in_both_languages(dash_duo, dash_app, app_state):
    client_id = _refused(app_state)
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/{client_id}")
    for lang, words in (("fr", ("Nous ne pouvons pas accorder", "Principales raisons", "réexamine")),
                        ("en", ("We cannot grant", "Principal reasons", "review your application"))):
        if lang == "en":
            _switch_to_english(dash_duo)
        wanted = f"/clients/{client_id}/letter.pdf?lang={lang}"
        WebDriverWait(dash_duo.driver, TIMEOUT, ignored_exceptions=(
            StaleElementReferenceException, NoSuchElementException)).until(
            lambda d: d.find_element(By.ID, "client-letter").get_attribute("href").endswith(wanted)
            and d.find_element(By.CSS_SELECTOR, "#client-counterfactual li"))
        href = dash_duo.driver.find_element(By.ID, "client-letter").get_attribute("href")
        status, kind, data = dash_duo.driver.execute_async_script(FETCH_PDF, href)
        assert status == 200 and kind == "application/pdf"
        text = " ".join(PdfReader(io.BytesIO(base64.b64decode(data))).pages[0].extract_text().split())
        for expected in words:
            assert expected in text, (lang, expected)
    assert dash_duo.get_logs() == []


def test_why_page_opens_a_concept_and_the_proposal_loads_into_the_whatif(dash_duo, dash_app, app_state):
    client_id = _refused(app_state, with_proposal=True)
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/{client_id or _refused(app_state)}/why")
    summary = dash_duo.wait_for_element("#why-concept-details details summary", timeout=TIMEOUT)
    _click(dash_duo, summary)
    dash_duo.wait_for_element("#why-concept-details details[open] table td", timeout=TIMEOUT)
    assert dash_duo.find_elements(f"#{ids.WHY_SENTENCES} li")[1].text.startswith("Raison 1 : « ")
    if client_id:
        dash_duo.driver.get(f"{dash_duo.server_url}/client/{client_id}")
        _click(dash_duo, dash_duo.wait_for_element("#client-counterfactual-load", timeout=TIMEOUT))
        dash_duo.wait_for_element(f"#{ids.WHATIF_PROBABILITY}", timeout=TIMEOUT)
        assert "/what-if?credit=" in dash_duo.driver.current_url
        decision = dash_duo.find_element(f"#{ids.WHATIF_RESULT}").text
        assert "Accordé" in decision
    assert dash_duo.get_logs() == []
