"""Compare, Model and Data drift screens in a real browser (headless Chromium, dash_duo).

Fixtures (`dash_app`, `app_state`, `screenshot`) and the driver options come
from tests/e2e/conftest.py. Expected texts are computed directly from the
artifacts the app serves, with the same pure functions and formatting.
"""
from __future__ import annotations

import re
import urllib.request
from types import SimpleNamespace

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from webapp import ids
from webapp.figures import population as population_figures
from webapp.formatting import format_number, format_percent
from webapp.services import drift as drift_service
from webapp.services import model as model_service
from webapp.services import population as pop
from tests.e2e.browser import click as _click

TIMEOUT = 30


@pytest.fixture(scope="module")
def pages(dash_app) -> SimpleNamespace:
    """The page modules (importable only once the app exists: dash.register_page)."""
    from webapp.pages import compare, drift, model_card

    return SimpleNamespace(compare=compare, drift=drift, model_card=model_card)


def _wait_title(dash_duo, expected: str) -> None:
    WebDriverWait(dash_duo.driver, TIMEOUT).until(lambda d: d.title == expected,
                                                  message=f"title never became {expected!r}")


def _open(dash_duo, dash_app, path: str) -> None:
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}{path}")


def _train_client(state) -> int:
    """A training client whose top feature is known (deterministic: the first such)."""
    top = state.plot_columns.columns[0]
    known = state.plot_columns[top].notna() & (state.clients["set"] == "train")
    return int(state.clients.index[known.to_numpy()][0])


def test_compare_screen_states_the_clients_percentile(dash_duo, dash_app, app_state, screenshot,
                                                       pages):
    client_id = _train_client(app_state)
    feature = app_state.plot_columns.columns[0]
    view = pop.distribution_view(client_id, feature, "all", pop.SCALES[0], "fr")
    expected = view.comparison
    sentence = population_figures.percentile_sentence(
        client_id, view.label, expected.client_value, expected.percentile, expected.count, "fr")
    _open(dash_duo, dash_app, f"/client/{client_id}/compare")
    _wait_title(dash_duo, f"Client {client_id} — Comparer · Prêt à dépenser")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_PERCENTILE}", sentence, timeout=TIMEOUT)
    assert "centile" in sentence
    # the chart's text alternative says the same, and the client is a labelled marker
    chart = dash_duo.find_element(f"#{ids.COMPARE_DISTRIBUTION_CHART}").find_element(By.XPATH, "..")
    assert sentence in chart.get_attribute("aria-label")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_SCATTER_CHART}", f"Client {client_id}", timeout=TIMEOUT)

    similar = dash_duo.find_elements(f"#{ids.COMPARE_GROUP} label")[1]
    similar.click()
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_DISTRIBUTION}", "même type de contrat", timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_PERCENTILE}", "centile", timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.COMPARE_DISTRIBUTION_CHART} g.point", timeout=TIMEOUT)
    screenshot(dash_duo, "compare")
    assert dash_duo.get_logs() == []


def test_compare_screen_explains_an_unknown_client(dash_duo, dash_app, pages):
    _open(dash_duo, dash_app, "/client/999999999/compare")
    dash_duo.wait_for_contains_text(f"#{ids.PAGE_ERROR}", "introuvable", timeout=TIMEOUT)
    assert not dash_duo.find_elements(f"#{ids.COMPARE_DISTRIBUTION_CHART}")
    assert dash_duo.get_logs() == []


# Buttons without an accessible name (axe rule button-name): no text, aria-label, title or
# aria-labelledby target with text.
UNNAMED_BUTTONS = """
return Array.from(document.querySelectorAll('button, [role=button]')).filter(b => {
  if (b.hidden || b.closest('[hidden]')) return false;
  const by = (b.getAttribute('aria-labelledby') || '').split(' ').map(i => document.getElementById(i))
    .filter(e => e).map(e => e.textContent).join('');
  const name = (b.innerText || b.textContent || '') + (b.getAttribute('aria-label') || '')
    + (b.getAttribute('title') || '') + by;
  return !name.trim();
}).map(b => b.outerHTML.slice(0, 120));
"""


def test_model_screen_shows_the_card_threshold_and_candidates(dash_duo, dash_app, app_state,
                                                              screenshot, pages):
    threshold = format_percent(app_state.model.threshold_, "fr")
    candidates = app_state.metrics["candidates"]
    _open(dash_duo, dash_app, "/model")
    _wait_title(dash_duo, "Modèle · Prêt à dépenser")
    dash_duo.wait_for_contains_text(f"#{ids.MODEL_THRESHOLD}", f"Seuil de décision : {threshold}.",
                                    timeout=TIMEOUT)
    card = dash_duo.find_element(f"#{ids.MODEL_CARD}").text
    assert threshold in card
    chosen = candidates[app_state.metrics["chosen"]]
    assert model_service.model_in_words(chosen["kind"], chosen["imbalance"], "fr") in card
    rows = dash_duo.find_elements(f"#{ids.MODEL_COMPARISON} tbody tr")
    assert len(rows) == len(candidates)
    assert sum("✓ retenu" in row.text for row in rows) == 1
    assert not any(name in dash_duo.find_element(f"#{ids.MODEL_COMPARISON}").text
                   for name in candidates)  # "logistic_smote" and the like are said in words
    # the two costs, each named by what it is measured on, in the card and the note
    cv_cost = format_number(app_state.metrics["final"]["oof"]["cost_per_1000"], "fr", 1)
    held_out = format_number(app_state.metrics["holdout"]["cost_per_1000"], "fr", 1)
    note = dash_duo.find_element(f"#{ids.MODEL_COST_NOTE}").text
    assert f"({cv_cost} pour 1 000)" in note and f"({held_out} pour 1 000)" in note
    assert cv_cost in card and held_out in card
    dash_duo.wait_for_element(f"#{ids.MODEL_COST_CHART} .scatterlayer .point", timeout=TIMEOUT)
    label = dash_duo.find_element(f"#{ids.MODEL_COST_CHART} .scatterlayer .textpoint").text
    assert f"Seuil retenu : {threshold}" in label
    params = dash_duo.find_element(f"#{ids.MODEL_PARAMS}").text
    assert "learning_rate" not in params and "Pas d'apprentissage" in params
    if app_state.shap_global is not None:
        dash_duo.wait_for_element(f"#{ids.MODEL_IMPORTANCE_CHART} g.point", timeout=TIMEOUT)
        assert "Influence moyenne sur le score (log-odds)" in dash_duo.find_element(
            f"#{ids.MODEL_IMPORTANCE_CHART}").text
    assert dash_duo.driver.execute_script(UNNAMED_BUTTONS) == []
    screenshot(dash_duo, "model")

    labels = dash_duo.find_elements(f"#{ids.LANGUAGE_SWITCH} label")
    next(label for label in labels if label.text == "EN").click()
    _wait_title(dash_duo, "Model · Prêt à dépenser")
    dash_duo.wait_for_contains_text(
        f"#{ids.MODEL_THRESHOLD}",
        f"Decision threshold: {format_percent(app_state.model.threshold_, 'en')}.", timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def _row_labels(dash_duo) -> list[str]:
    """The table's feature labels, read in one script (rows re-rendered meanwhile are not stale)."""
    return dash_duo.driver.execute_script(
        f"return Array.from(document.querySelectorAll('#{ids.DRIFT_TABLE_BODY} th button'))"
        ".map(b => b.innerText.trim());")


def test_drift_screen_counts_lists_features_and_links_the_report(dash_duo, dash_app, app_state,
                                                                 screenshot, pages):
    drift = pages.drift
    summary = app_state.drift_summary
    assert summary, "the artifact set has no drift summary"
    expected = drift_service.drift_screen("fr")
    _open(dash_duo, dash_app, "/drift")
    _wait_title(dash_duo, "Dérive des données · Prêt à dépenser")
    # the count is the stored summary's, written out here from its own fields
    share = (f"{summary['n_drifted']} variables sur {format_number(summary['n_columns'], 'fr')} ont "
             f"dérivé ({format_percent(summary['share_drifted'], 'fr')})")
    dash_duo.wait_for_contains_text(f"#{ids.DRIFT_SUMMARY}", share, timeout=TIMEOUT)
    dash_duo.wait_for_contains_text(f"#{ids.DRIFT_VERDICT}", expected.verdict.headline,
                                    timeout=TIMEOUT)
    assert "K-S p_value" not in dash_duo.find_element(f"#{ids.DRIFT_SCOPE}").text

    link = dash_duo.find_element(f"#{ids.DRIFT_REPORT_LINK}")
    assert link.get_attribute("href").endswith(drift.REPORT_URL)
    with urllib.request.urlopen(link.get_attribute("href"), timeout=TIMEOUT) as response:
        assert response.status == 200
        page = response.read().decode("utf-8", errors="replace")
    # what the page says the report counts is what the report itself says
    found = re.search(r"Drift is detected for [0-9.]+% of columns \((\d+) out of (\d+)\)", page)
    assert found, "the Evidently page has no drift count"
    drifted, columns = int(found.group(1)), int(found.group(2))
    report_scope = dash_duo.find_element(f"#{ids.DRIFT_REPORT_SCOPE}").text
    assert f"ne détaille que {columns} colonnes" in report_scope
    assert f"Il y compte {drifted} dérives sur {columns}" in report_scope

    # a plain table: plain labels, the first rows, then all, then the first again
    labels = [row.label for row in expected.rows]
    assert _row_labels(dash_duo) == labels[:drift_service.PAGE_SIZE]
    if len(labels) > drift_service.PAGE_SIZE:
        _click(dash_duo, f"#{ids.DRIFT_SHOW_ALL}")
        WebDriverWait(dash_duo.driver, TIMEOUT).until(lambda d: len(_row_labels(dash_duo)) == len(labels),
                                                      message="show all did not show every row")
        assert _row_labels(dash_duo) == labels
        _click(dash_duo, f"#{ids.DRIFT_SHOW_ALL}")
        WebDriverWait(dash_duo.driver, TIMEOUT).until(
            lambda d: len(_row_labels(dash_duo)) == drift_service.PAGE_SIZE)
    # sorted by influence in the model: the model's own ranking, read from the service
    by_influence = [r.label for r in drift_service.ordered(expected.rows, "influence")]
    Select(dash_duo.find_element(f"#{ids.DRIFT_SORT}")).select_by_value("influence")
    WebDriverWait(dash_duo.driver, TIMEOUT).until(
        lambda d: _row_labels(dash_duo) == by_influence[:drift_service.PAGE_SIZE],
        message="sorting by influence did not reorder the table")
    Select(dash_duo.find_element(f"#{ids.DRIFT_SORT}")).select_by_value("severity")
    WebDriverWait(dash_duo.driver, TIMEOUT).until(
        lambda d: _row_labels(dash_duo) == labels[:drift_service.PAGE_SIZE])
    assert dash_duo.driver.execute_script(UNNAMED_BUTTONS) == []

    dash_duo.wait_for_element(f"#{ids.DRIFT_DISTRIBUTION_CHART} g.point", timeout=TIMEOUT)
    second = expected.rows[min(1, len(expected.rows) - 1)]
    Select(dash_duo.find_element(f"#{ids.DRIFT_FEATURE}")).select_by_value(second.column)
    dash_duo.wait_for_contains_text(f"#{ids.DRIFT_DISTRIBUTION}", second.label, timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.DRIFT_PREDICTION_CHART} g.point", timeout=TIMEOUT)
    screenshot(dash_duo, "drift")

    # choosing a feature's label in the table (keyboard: Enter on the focused button) selects it
    third = expected.rows[min(2, len(expected.rows) - 1)]
    button = dash_duo.find_elements(f"#{ids.DRIFT_TABLE_BODY} th button")[min(2, len(expected.rows) - 1)]
    button.send_keys(Keys.ENTER)
    WebDriverWait(dash_duo.driver, TIMEOUT).until(
        lambda d: Select(dash_duo.find_element(f"#{ids.DRIFT_FEATURE}")).first_selected_option
        .get_attribute("value") == third.column, message="the chosen row did not select its feature")
    dash_duo.wait_for_contains_text(f"#{ids.DRIFT_DISTRIBUTION}", third.label, timeout=TIMEOUT)
    assert dash_duo.get_logs() == []
