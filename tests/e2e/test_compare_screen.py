"""The Compare screen in a real browser: one percentile and count in every text, a clean
variable list, axis titles inside the chart, and the axis scale choice.

Expected numbers are worked out here from the served tables with numpy (percentile rank:
share below plus half the ties), not by the service under test.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from model import config
from webapp import ids
from webapp.formatting import format_number
from tests.e2e.browser import click as _click

TIMEOUT = 30
# "au 31e centile de « Moyenne des scores externes » (0,16) parmi 4 999 clients comparables"
RANK = re.compile(r"au (\d+)(?:e|er) centile de « ([^»]+) »(?: \([^)]*\))? parmi ([\d\u202f]+) "
                  r"clients comparables")


def _wait(dash_duo) -> WebDriverWait:
    return WebDriverWait(dash_duo.driver, TIMEOUT, ignored_exceptions=(StaleElementReferenceException,))


def _train_client(state) -> int:
    """A training client whose top feature is known (deterministic: the first such)."""
    top = state.plot_columns.columns[0]
    known = state.plot_columns[top].notna() & (state.clients["set"] == "train")
    return int(state.clients.index[known.to_numpy()][0])


def _group_values(state, client_id: int, feature: str) -> tuple[float, np.ndarray]:
    """The client's value and the known values of group "all" (training clients but the client)."""
    values = state.plot_columns[feature].to_numpy(np.float64)
    group = (state.clients["TARGET"].notna() & (state.clients.index != client_id)).to_numpy()
    position = state.clients.index.get_loc(client_id)
    known = values[group]
    return float(values[position]), known[~np.isnan(known)]


def _expected_rank(state, client_id: int, feature: str) -> tuple[int, int]:
    value, known = _group_values(state, client_id, feature)
    percentile = 100 * (np.sum(known < value) + 0.5 * np.sum(known == value)) / len(known)
    return int(min(max(round(percentile), 1), 99)), len(known)


def _open(dash_duo, dash_app, client_id: int, idle) -> None:
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/{client_id}/compare")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_PERCENTILE}", "centile", timeout=TIMEOUT)
    dash_duo.wait_for_element(f"#{ids.COMPARE_SCATTER_CAPTION}", timeout=TIMEOUT)
    idle(dash_duo)


def _ranks(text: str) -> dict[str, tuple[int, int]]:
    return {label: (int(rank), int(count.replace("\u202f", ""))) for rank, label, count in RANK.findall(text)}


def _open_dropdown(dash_duo, dropdown_id: str) -> None:
    _click(dash_duo, f"#{dropdown_id}")


def _options(dash_duo, dropdown_id: str) -> list[str]:
    """The texts of a dropdown's entries, opened as a person would (then closed with Escape)."""
    _open_dropdown(dash_duo, dropdown_id)
    _wait(dash_duo).until(lambda d: dash_duo.find_elements(".dash-dropdown-option"))
    texts = [o.get_attribute("textContent") for o in dash_duo.find_elements(".dash-dropdown-option")]
    dash_duo.find_element(".dash-dropdown-search").send_keys(Keys.ESCAPE)
    return texts


def _choose(dash_duo, dropdown_id: str, label: str) -> None:
    """Pick the entry `label` of a dropdown by typing it in its search box."""
    _open_dropdown(dash_duo, dropdown_id)
    dash_duo.wait_for_element(".dash-dropdown-search", timeout=TIMEOUT).send_keys(label)
    _wait(dash_duo).until(lambda d: any(o.get_attribute("textContent") == label
                                        for o in dash_duo.find_elements(".dash-dropdown-option")))
    _click(dash_duo, next(o for o in dash_duo.find_elements(".dash-dropdown-option")
                          if o.get_attribute("textContent") == label))


def _click_label(dash_duo, radio_id: str, text: str) -> None:
    _click(dash_duo, next(lab for lab in dash_duo.find_elements(f"#{radio_id} label") if lab.text == text))


def test_histogram_and_scatter_state_the_same_percentile_and_count(dash_duo, dash_app, app_state, idle):
    client_id = _train_client(app_state)
    feature = app_state.plot_columns.columns[0]
    rank, count = _expected_rank(app_state, client_id, feature)
    _open(dash_duo, dash_app, client_id, idle)
    sentence = _ranks(dash_duo.find_element(f"#{ids.COMPARE_PERCENTILE}").text)
    caption = _ranks(dash_duo.find_element(f"#{ids.COMPARE_SCATTER_CAPTION}").text)
    assert len(sentence) == 1
    (label, stated), = sentence.items()
    assert stated == (rank, count)
    assert caption[label] == stated  # the scatter's x axis is the same feature: the same words
    # the group's size and the count of known values add up, in words
    group = int(app_state.clients["TARGET"].notna().sum()) - 1  # every training client but this one
    distribution = dash_duo.find_element(f"#{ids.COMPARE_DISTRIBUTION}").text
    assert f"({format_number(group, 'fr')})" in distribution
    if group - count > 1:
        assert (f"{format_number(group - count, 'fr')} clients du groupe dont la valeur est inconnue "
                "ne sont pas comptés") in distribution
    assert f"parmi {format_number(count, 'fr')} clients comparables" in dash_duo.find_element(
        f"#{ids.COMPARE_DISTRIBUTION_CAPTION}").text
    # the charts' text alternatives state the client's position
    for chart_id, caption_id in ((ids.COMPARE_DISTRIBUTION_CHART, ids.COMPARE_DISTRIBUTION_CAPTION),
                                 (ids.COMPARE_SCATTER_CHART, ids.COMPARE_SCATTER_CAPTION)):
        role, label, caption_text = dash_duo.driver.execute_script(
            "const figure = document.getElementById(arguments[0]).parentElement;"
            "return [figure.getAttribute('role'), figure.getAttribute('aria-label'),"
            "        document.getElementById(arguments[1]).textContent];", chart_id, caption_id)
        assert role == "img" and label == caption_text
        assert f"Le client {client_id}" in label
    assert dash_duo.get_logs() == []


def test_variable_list_is_clean_and_offers_no_protected_attribute(dash_duo, dash_app, app_state, idle):
    client_id = _train_client(app_state)
    _open(dash_duo, dash_app, client_id, idle)
    texts = _options(dash_duo, ids.COMPARE_FEATURE)
    assert texts and all(text.strip() for text in texts)  # no empty first entry
    assert "Âge (années)" in texts
    # a column shown in years is never also said to be "in days" (bureau ages stay in days)
    assert not [t for t in texts if "jours" in t and "années" in t]
    protected = [p.lower() for p in config.PROTECTED_ATTRIBUTES] + ["sexe", "genre"]
    assert not [t for t in texts if any(word in t.lower() for word in protected)]
    _choose(dash_duo, ids.COMPARE_FEATURE, "Âge (années)")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_PERCENTILE}", "« Âge (années) »", timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def _inside(dash_duo, title_class: str) -> tuple[dict, dict]:
    return dash_duo.driver.execute_script(
        "const chart = document.getElementById(arguments[0]);"
        "const box = (e) => { const r = e.getBoundingClientRect();"
        "  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };"
        "return [box(chart.querySelector('.' + arguments[1])), box(chart.querySelector('.main-svg'))];",
        ids.COMPARE_SCATTER_CHART, title_class)


@pytest.mark.parametrize("width", [1280, 640])
def test_scatter_axis_titles_lie_inside_the_figure(dash_duo, dash_app, app_state, idle, width):
    client_id = _train_client(app_state)
    dash_duo.driver.set_window_size(width, 1000)
    try:
        _open(dash_duo, dash_app, client_id, idle)
        texts = _options(dash_duo, ids.COMPARE_SCATTER_Y)
        longest = max(texts, key=len)
        _choose(dash_duo, ids.COMPARE_SCATTER_Y, longest)
        dash_duo.wait_for_contains_text(f"#{ids.COMPARE_SCATTER_CAPTION}", f"« {longest} » en ordonnée",
                                        timeout=TIMEOUT)
        dash_duo.wait_for_element(f"#{ids.COMPARE_SCATTER_CHART} .ytitle", timeout=TIMEOUT)
        for title in ("ytitle", "xtitle"):
            box, figure = _inside(dash_duo, title)
            assert figure["left"] <= box["left"] and box["right"] <= figure["right"], (title, box, figure)
            assert figure["top"] <= box["top"] and box["bottom"] <= figure["bottom"], (title, box, figure)
    finally:
        dash_duo.driver.set_window_size(1280, 1000)
    assert dash_duo.get_logs() == []


def _axis_type(dash_duo, chart_id: str) -> str:
    return dash_duo.driver.execute_script(
        "return document.getElementById(arguments[0]).querySelector('.js-plotly-plot')"
        "._fullLayout.xaxis.type;", chart_id)


def test_axis_scale_choice_says_what_is_off_the_axis(dash_duo, dash_app, app_state, idle):
    client_id = _train_client(app_state)
    feature = app_state.plot_columns.columns[0]
    value, known = _group_values(app_state, client_id, feature)
    low, high = np.quantile(known, (0.01, 0.99))
    low, high = min(low, value), max(high, value)
    off = int(np.sum((known < low) | (known > high)))
    assert off > 0  # a real sample always has values past its 1st and 99th percentiles
    _open(dash_duo, dash_app, client_id, idle)
    caption = f"#{ids.COMPARE_DISTRIBUTION_CAPTION}"
    # clipped (the default): the values past the percentiles are said, not piled in end bars
    dash_duo.wait_for_contains_text(caption, f"{format_number(off, 'fr')} valeurs hors de l'axe",
                                    timeout=TIMEOUT)
    _click_label(dash_duo, ids.COMPARE_SCALE, "Linéaire (toutes les valeurs)")
    _wait(dash_duo).until(lambda d: "hors de l'axe" not in d.find_element("css selector", caption).text)
    _click_label(dash_duo, ids.COMPARE_SCATTER_SCALE, "Logarithmique")
    _wait(dash_duo).until(lambda d: _axis_type(dash_duo, ids.COMPARE_SCATTER_CHART) == "log")
    assert _axis_type(dash_duo, ids.COMPARE_DISTRIBUTION_CHART) == "linear"
    # on a log axis the client's dashed line still goes through the client's star
    _click_label(dash_duo, ids.COMPARE_SCALE, "Logarithmique")
    _wait(dash_duo).until(lambda d: _axis_type(dash_duo, ids.COMPARE_DISTRIBUTION_CHART) == "log")
    idle(dash_duo)
    line, star = dash_duo.driver.execute_script(
        "const chart = document.getElementById(arguments[0]);"
        "const middle = (e) => { const r = e.getBoundingClientRect(); return (r.left + r.right) / 2; };"
        "return [middle(chart.querySelector('.shapelayer path')),"
        "        middle(chart.querySelector('.scatterlayer .point'))];", ids.COMPARE_DISTRIBUTION_CHART)
    assert abs(line - star) < 3, (line, star)
    # the choice reads in English too
    _click_label(dash_duo, ids.LANGUAGE_SWITCH, "EN")
    _wait(dash_duo).until(lambda d: [lab.text for lab in d.find_elements(
        "css selector", f"#{ids.COMPARE_SCALE} label")] == [
        "Clipped to the 1st–99th percentile", "Linear (every value)", "Logarithmic"])
    dash_duo.wait_for_contains_text(caption, "values off the axis", timeout=TIMEOUT)
    assert "percentile" in dash_duo.find_element(f"#{ids.COMPARE_SCATTER_CAPTION}").text
    assert dash_duo.get_logs() == []
