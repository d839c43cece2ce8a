"""Compare, Model and Data drift screens in a real browser (headless Chromium, dash_duo).

Fixtures (`dash_app`, `app_state`, `screenshot`) and the driver options come
from tests/e2e/conftest.py. Expected texts are computed directly from the
artifacts the app serves, with the same pure functions and formatting.
"""
from __future__ import annotations

import urllib.request
from types import SimpleNamespace

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from webapp import ids
from webapp.services import population as pop
from webapp.figures import drift as drift_figures
from webapp.figures import population as population_figures
from webapp.formatting import format_number

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


def test_model_screen_shows_the_card_threshold_and_candidates(dash_duo, dash_app, app_state,
                                                              screenshot, pages):
    model_card = pages.model_card
    threshold = format_number(app_state.model.threshold_, "fr", 3)
    candidates = app_state.metrics["candidates"]
    _open(dash_duo, dash_app, "/model")
    _wait_title(dash_duo, "Modèle · Prêt à dépenser")
    dash_duo.wait_for_contains_text(f"#{model_card.THRESHOLD}", f"Seuil de décision : {threshold}",
                                    timeout=TIMEOUT)
    assert threshold in dash_duo.find_element(f"#{model_card.CARD}").text
    rows = dash_duo.find_elements(f"#{model_card.COMPARISON} tbody tr")
    assert len(rows) == len(candidates)
    assert sum("✓ retenu" in row.text for row in rows) == 1
    dash_duo.wait_for_element(f"#{model_card.COST_CHART} .scatterlayer .point", timeout=TIMEOUT)
    if app_state.shap_global is not None:
        dash_duo.wait_for_element(f"#{model_card.IMPORTANCE_CHART} g.point", timeout=TIMEOUT)
    screenshot(dash_duo, "model")

    labels = dash_duo.find_elements(f"#{ids.LANGUAGE_SWITCH} label")
    next(label for label in labels if label.text == "EN").click()
    _wait_title(dash_duo, "Model · Prêt à dépenser")
    dash_duo.wait_for_contains_text(f"#{model_card.THRESHOLD}",
                                    f"Decision threshold: {format_number(app_state.model.threshold_, 'en', 3)}",
                                    timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_drift_screen_lists_features_and_links_the_report(dash_duo, dash_app, app_state, screenshot,
                                                          pages):
    drift = pages.drift
    summary = app_state.drift_summary
    assert summary, "the artifact set has no drift summary"
    table = drift_figures.drift_table(summary, app_state.dictionary, "fr")
    _open(dash_duo, dash_app, "/drift")
    _wait_title(dash_duo, "Dérive des données · Prêt à dépenser")
    dash_duo.wait_for_contains_text(f"#{drift.SUMMARY}", drift_figures.share_sentence(summary, "fr"),
                                    timeout=TIMEOUT)
    cells = dash_duo.find_elements(f'#{drift.TABLE} td[data-dash-column="column"]')
    assert [c.text for c in cells] == list(table["column"][:len(cells)])
    assert len(cells) == min(15, len(table))

    link = dash_duo.find_element(f"#{drift.REPORT_LINK}")
    assert link.get_attribute("href").endswith(drift.REPORT_URL)
    with urllib.request.urlopen(link.get_attribute("href"), timeout=TIMEOUT) as response:
        assert response.status == 200 and b"<html" in response.read(4096).lower()

    dash_duo.wait_for_element(f"#{drift.DISTRIBUTION_CHART} g.point", timeout=TIMEOUT)
    second = table["column"].iloc[min(1, len(table) - 1)]
    Select(dash_duo.find_element(f"#{drift.FEATURE}")).select_by_value(second)
    label = pop.feature_label(app_state.dictionary, second, "fr")
    dash_duo.wait_for_contains_text(f"#{drift.DISTRIBUTION}", label, timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{drift.PREDICTION_CHART} g.point", timeout=TIMEOUT)
    screenshot(dash_duo, "drift")

    # clicking a row of the table selects its feature
    third = table["column"].iloc[min(2, len(table) - 1)]
    dash_duo.find_elements(f'#{drift.TABLE} td[data-dash-column="column"]')[min(2, len(table) - 1)].click()
    WebDriverWait(dash_duo.driver, TIMEOUT).until(
        lambda d: Select(dash_duo.find_element(f"#{drift.FEATURE}")).first_selected_option
        .get_attribute("value") == third, message="the clicked row did not select its feature")
    assert dash_duo.get_logs() == []
