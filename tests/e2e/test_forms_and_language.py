"""Browser tests of the advisor's forms (issue 11): amounts written as an advisor types them,
an out-of-date what-if result said in words, edits kept across the FR/EN switch, the
annuity's unit on the client file, and the waterfall readable at 640 px.

Expected values come from the served artifact set and `webapp.formatting`, never from the
page under test.
"""
from __future__ import annotations

import time

import numpy as np
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from webapp import ids
from webapp.ui import fields
from webapp.formatting import format_money, format_number, format_percent
from tests.e2e.browser import click as _click

TIMEOUT = 20
MONEY = ("income", "credit", "annuity", "goods")
COLUMNS = {name: fields.FIELD_SPECS[name].column for name in MONEY}


def _wait(dash_duo) -> WebDriverWait:
    return WebDriverWait(dash_duo.driver, TIMEOUT, ignored_exceptions=(StaleElementReferenceException,))


def _css_id(component_id: dict) -> str:
    text = ids.dom_id(component_id)
    return "".join(f"\\{ch}" if ch in '{}":,' else ch for ch in text)


def _field(dash_duo, kind: str, name: str):
    return dash_duo.wait_for_element(f"#{_css_id({'type': kind, 'field': name})}", timeout=TIMEOUT)


def _value(dash_duo, kind: str, name: str) -> str:
    return _field(dash_duo, kind, name).get_attribute("value")


def _type(element, text: str) -> None:
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text, Keys.TAB)


def _switch_language(dash_duo, code: str) -> None:
    dash_duo.driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'});")
    labels = dash_duo.find_elements(f"#{ids.LANGUAGE_SWITCH} label")
    label = next(label for label in labels if label.text == code)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                                   label)
    label.click()
    _wait(dash_duo).until(lambda d: d.execute_script("return document.documentElement.lang")
                          == code.lower())


def _client_with_cents(state) -> int:
    """A training client with every amount on file and one amount that is not whole euros
    (the real sample stores 24700.5 as a float32): the what-if used to print it raw."""
    apps = state.applications.loc[state.clients.index]
    amounts = apps[list(COLUMNS.values())]
    mask = amounts.notna().all(axis=1) & (amounts % 1 != 0).any(axis=1) \
        & (state.clients["set"] == "train").to_numpy()
    return int(apps.index[mask.to_numpy()][0])


def _file_probability(state, client_id: int) -> float:
    return float(np.asarray(state.model.predict_proba(state.feature_row(client_id)))[0])


def _open_whatif(dash_duo, dash_app, app_state) -> tuple[int, str]:
    """The what-if of a client whose amounts have cents, once it shows the file's probability."""
    client_id = _client_with_cents(app_state)
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/{client_id}/what-if")
    shown = format_percent(_file_probability(app_state, client_id), "fr")
    dash_duo.wait_for_text_to_equal(f"#{ids.WHATIF_PROBABILITY}", shown, timeout=TIMEOUT)
    return client_id, shown


def test_whatif_amounts_read_as_typed_and_untouched_ones_keep_the_file(dash_duo, dash_app,
                                                                       app_state, idle) -> None:
    client_id, shown = _open_whatif(dash_duo, dash_app, app_state)
    row = app_state.applications.loc[client_id]
    for name, column in COLUMNS.items():
        euros = round(float(row[column]))
        text = _value(dash_duo, ids.WHATIF_FIELD, name)
        assert text == format_number(euros, "fr", 0), (name, text, float(row[column]))
        assert fields.parse_number(text, "fr") == euros
    # Retyping the shown (rounded) annuity changes nothing: the file's cents are kept.
    annuity = _field(dash_duo, ids.WHATIF_FIELD, "annuity")
    _type(annuity, annuity.get_attribute("value"))
    idle(dash_duo)
    assert dash_duo.find_element(f"#{ids.WHATIF_PROBABILITY}").text == shown
    assert dash_duo.get_logs() == []


def test_an_invalid_field_marks_the_simulated_result_out_of_date(dash_duo, dash_app, app_state,
                                                                 idle) -> None:
    client_id, shown = _open_whatif(dash_duo, dash_app, app_state)
    _type(_field(dash_duo, ids.WHATIF_FIELD, "goods"), "4000000")
    # not "" either: the figure is briefly empty while the callback runs (a loaded machine saw it)
    _wait(dash_duo).until(lambda d: d.find_element("id", ids.WHATIF_PROBABILITY).text not in (shown, ""),
                          message="the simulated probability did not change")
    idle(dash_duo)  # each keystroke is simulated: read the last one's result, not "400 000"'s
    time.sleep(1)  # let the last keystroke's answer arrive and settle (CI once read "4 000"'s)
    idle(dash_duo)
    simulated = dash_duo.find_element(f"#{ids.WHATIF_PROBABILITY}").text
    assert dash_duo.find_element(f"#{ids.WHATIF_STALE}").text == ""

    _type(_field(dash_duo, ids.WHATIF_FIELD, "income"), "beaucoup")
    label = fields.FIELD_SPECS["income"].label("fr")
    dash_duo.wait_for_contains_text(f"#{ids.WHATIF_STALE}", "Résultat périmé : corrigez le champ",
                                    timeout=TIMEOUT)
    assert f"« {label} »" in dash_duo.find_element(f"#{ids.WHATIF_STALE}").text
    assert "stale" in dash_duo.find_element(f"#{ids.WHATIF_RESULT}").get_attribute("class")
    assert dash_duo.find_element(f"#{ids.WHATIF_PROBABILITY}").text == simulated

    _type(_field(dash_duo, ids.WHATIF_FIELD, "income"), "250 000")
    _wait(dash_duo).until(lambda d: d.find_element("id", ids.WHATIF_STALE).text == "",
                          message="the out-of-date warning stayed after the field was fixed")
    idle(dash_duo)
    assert "stale" not in dash_duo.find_element(f"#{ids.WHATIF_RESULT}").get_attribute("class")
    assert dash_duo.get_logs() == []


def test_whatif_edits_survive_the_language_switch(dash_duo, dash_app, app_state, idle) -> None:
    client_id, shown = _open_whatif(dash_duo, dash_app, app_state)
    row = app_state.applications.loc[client_id]
    _type(_field(dash_duo, ids.WHATIF_FIELD, "goods"), "4 000 000")
    _wait(dash_duo).until(lambda d: d.find_element("id", ids.WHATIF_PROBABILITY).text != shown)
    idle(dash_duo)
    time.sleep(1)  # each keystroke is simulated: let the last one's answer arrive and settle
    idle(dash_duo)
    simulated = fields.parse_number(
        dash_duo.find_element(f"#{ids.WHATIF_PROBABILITY}").text.replace("%", ""), "fr")

    _switch_language(dash_duo, "EN")
    dash_duo.wait_for_contains_text(f"#{ids.WHATIF_RESULT}", "Probability on file", timeout=TIMEOUT)
    _wait(dash_duo).until(lambda d: _value(dash_duo, ids.WHATIF_FIELD, "goods") == "4,000,000",
                          message="the edited goods price was lost or not rewritten in English")
    idle(dash_duo)
    # The untouched amounts are written the English way, and the result is the edited one.
    income = round(float(row[COLUMNS["income"]]))
    assert _value(dash_duo, ids.WHATIF_FIELD, "income") == format_number(income, "en", 0)
    assert dash_duo.find_element(f"#{ids.WHATIF_PROBABILITY}").text == format_percent(simulated / 100, "en")

    _switch_language(dash_duo, "FR")
    _wait(dash_duo).until(lambda d: _value(dash_duo, ids.WHATIF_FIELD, "goods")
                          == format_number(4_000_000, "fr", 0))
    # Back to the file: nothing is remembered any more.
    _click(dash_duo, f"#{ids.WHATIF_RESET}")
    _wait(dash_duo).until(lambda d: dash_duo.find_element(f"#{ids.WHATIF_PROBABILITY}").text == shown)
    idle(dash_duo)
    _switch_language(dash_duo, "EN")
    dash_duo.wait_for_contains_text(f"#{ids.WHATIF_RESULT}", "Probability on file", timeout=TIMEOUT)
    idle(dash_duo)
    goods = round(float(row[COLUMNS["goods"]]))
    assert _value(dash_duo, ids.WHATIF_FIELD, "goods") == format_number(goods, "en", 0)
    assert dash_duo.get_logs() == []


def test_new_applicant_form_survives_the_language_switch(dash_duo, dash_app, idle) -> None:
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/new")
    default = fields.NEW_APPLICANT_DEFAULTS["credit"]
    _wait(dash_duo).until(lambda d: _value(dash_duo, ids.NEW_FIELD, "credit")
                          == format_number(default, "fr", 0))
    _type(_field(dash_duo, ids.NEW_FIELD, "income"), "180 000,5")
    _type(_field(dash_duo, ids.NEW_FIELD, "employment_years"), "3,5")
    Select(_field(dash_duo, ids.NEW_FIELD, "education")).select_by_value("Higher education")
    _click(dash_duo, f"#{ids.NEW_SUBMIT}")
    french = dash_duo.wait_for_element(f"#{ids.NEW_PROBABILITY}", timeout=TIMEOUT).text
    idle(dash_duo)

    _switch_language(dash_duo, "EN")
    dash_duo.wait_for_contains_text("h1", "New credit application", timeout=TIMEOUT)
    _wait(dash_duo).until(lambda d: _value(dash_duo, ids.NEW_FIELD, "income") == "180,000.5",
                          message="the typed income was lost or not rewritten in English")
    assert _value(dash_duo, ids.NEW_FIELD, "employment_years") == "3.5"
    assert _value(dash_duo, ids.NEW_FIELD, "credit") == format_number(default, "en", 0)
    assert Select(_field(dash_duo, ids.NEW_FIELD, "education")).first_selected_option \
        .get_attribute("value") == "Higher education"
    # The scored form is scored again in English, reading the English numbers back.
    english = format_percent(fields.parse_number(french.replace("%", ""), "fr") / 100, "en")
    dash_duo.wait_for_text_to_equal(f"#{ids.NEW_PROBABILITY}", english, timeout=TIMEOUT)
    assert not dash_duo.find_elements(f"#{ids.NEW_FORM} .is-invalid")
    # Edited after scoring: the next switch keeps the edit but does not score it unasked.
    _type(_field(dash_duo, ids.NEW_FIELD, "income"), "beaucoup")
    idle(dash_duo)
    _switch_language(dash_duo, "FR")
    dash_duo.wait_for_contains_text("h1", "Nouvelle demande de crédit", timeout=TIMEOUT)
    _wait(dash_duo).until(lambda d: _value(dash_duo, ids.NEW_FIELD, "income") == "beaucoup")
    idle(dash_duo)
    assert not dash_duo.find_elements(f"#{ids.NEW_PROBABILITY}")
    # Opened again in the same language, it is a new application: the typical applicant.
    dash_duo.driver.get(f"{dash_duo.server_url}/new")
    dash_duo.wait_for_contains_text("h1", "Nouvelle demande de crédit", timeout=TIMEOUT)
    idle(dash_duo)
    income = fields.NEW_APPLICANT_DEFAULTS["income"]
    assert _value(dash_duo, ids.NEW_FIELD, "income") == format_number(income, "fr", 0)
    assert dash_duo.get_logs() == []


def test_number_of_factors_survives_the_language_switch(dash_duo, dash_app, app_state, idle) -> None:
    client_id = int(app_state.clients.index[0])
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/{client_id}/why")
    dash_duo.wait_for_element(f"#{ids.WHY_CHART} g.point", timeout=TIMEOUT)
    Select(dash_duo.find_element(f"#{ids.WHY_TOP_N}")).select_by_value("5")
    bars = f"#{ids.WHY_CHART} g.point"
    _wait(dash_duo).until(lambda d: len(dash_duo.find_elements(bars)) == 5 + 3)
    idle(dash_duo)

    _switch_language(dash_duo, "EN")
    dash_duo.wait_for_contains_text("h1", "Why this score?", timeout=TIMEOUT)
    _wait(dash_duo).until(lambda d: Select(dash_duo.find_element(f"#{ids.WHY_TOP_N}"))
                          .first_selected_option.get_attribute("value") == "5",
                          message="the number of factors went back to the default")
    idle(dash_duo)
    _wait(dash_duo).until(lambda d: len(dash_duo.find_elements(bars)) == 5 + 3,
                          message="the chart does not show the 5 factors chosen")
    assert dash_duo.get_logs() == []


def test_client_file_says_the_unit_of_every_amount(dash_duo, dash_app, app_state) -> None:
    client_id = _client_with_cents(app_state)
    row = app_state.applications.loc[client_id]
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/{client_id}")
    for lang, per_year in (("fr", "par an"), ("en", "per year")):
        if lang == "en":
            _switch_language(dash_duo, "EN")
        annuity = format_money(row["AMT_ANNUITY"], lang, 0).replace("\u00a0", " ")  # as WebDriver reads it
        dash_duo.wait_for_contains_text(f"#{ids.CLIENT_FACTS}", f"{annuity} {per_year}",
                                        timeout=TIMEOUT)
        facts = dash_duo.find_elements(f"#{ids.CLIENT_FACTS} dd")
        labels = [dt.text for dt in dash_duo.find_elements(f"#{ids.CLIENT_FACTS} dt")]
        values = dict(zip(labels, (dd.text for dd in facts)))
        annuity_label = "Annuité" if lang == "fr" else "Annuity"
        assert values[annuity_label] == f"{annuity} {per_year}"
        for column in COLUMNS.values():  # every amount says it is in euros
            money = format_money(row[column], lang, 0).replace("\u00a0", " ")
            assert any(v.startswith(money) and "€" in v for v in values.values()), (column, values)
    assert dash_duo.get_logs() == []


WATERFALL_GEOMETRY = """
const graph = document.getElementById(arguments[0]);
const box = e => { const r = e.getBoundingClientRect();
                   return {text: e.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
return {svg: box(graph.querySelector('svg.main-svg')),
        ticks: [...graph.querySelectorAll('.yaxislayer-above .ytick text')].map(box),
        // each bar's value: a text by the bar, or an annotation in a column (not the threshold's)
        values: [...graph.querySelectorAll('.trace g.point text'),
                 ...[...graph.querySelectorAll('.annotation-text')]
                    .filter(e => !/^(Seuil|Threshold)/.test(e.textContent))].map(box)};
"""


def _overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] - 0.5 and b["left"] < a["right"] - 0.5 \
        and a["top"] < b["bottom"] - 0.5 and b["top"] < a["bottom"] - 0.5


def test_waterfall_labels_fit_beside_their_values_at_640px(dash_duo, dash_app, app_state) -> None:
    """At 640 px (a 1280-px screen at 200 % zoom) each factor's label is whole inside the
    chart and clear of every bar's value text."""
    dash_duo.start_server(dash_app)
    dash_duo.driver.set_window_size(640, 900)
    for client_id in (int(app_state.clients.index[0]), _client_with_cents(app_state)):
        for lang in ("fr", "en"):
            dash_duo.driver.get(f"{dash_duo.server_url}/client/{client_id}/why")
            if lang == "en":
                _switch_language(dash_duo, "EN")
                dash_duo.wait_for_contains_text("h1", "Why this score?", timeout=TIMEOUT)
            dash_duo.wait_for_element(f"#{ids.WHY_CHART} g.point", timeout=TIMEOUT)
            geometry = dash_duo.driver.execute_script(WATERFALL_GEOMETRY, ids.WHY_CHART)
            svg, ticks, values = geometry["svg"], geometry["ticks"], geometry["values"]
            assert len(ticks) == len(values) >= 3
            for tick in ticks:
                assert svg["left"] <= tick["left"] + 0.5 and tick["right"] <= svg["right"] + 0.5, \
                    f"{lang}: label {tick['text']!r} is cut by the chart's edge ({tick}, {svg})"
                clash = [v["text"] for v in values if _overlap(tick, v)]
                assert not clash, f"{lang}: label {tick['text']!r} overlaps the values {clash}"
            for value in values:
                assert svg["left"] <= value["left"] + 0.5 and value["right"] <= svg["right"] + 0.5, \
                    f"{lang}: value {value['text']!r} is cut by the chart's edge"
            if lang == "en":
                _switch_language(dash_duo, "FR")
    assert dash_duo.get_logs() == []


def test_waterfall_draws_the_threshold_and_speaks_in_points(dash_duo, dash_app, app_state) -> None:
    client_id = int(app_state.clients.index[0])
    threshold = format_percent(app_state.model.threshold_, "fr")
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/{client_id}/why")
    dash_duo.wait_for_element(f"#{ids.WHY_CHART} g.point", timeout=TIMEOUT)
    annotations = [a.text for a in dash_duo.find_elements(f"#{ids.WHY_CHART} .annotation-text")]
    assert f"Seuil {threshold}" in annotations
    lines = dash_duo.find_elements(f"#{ids.WHY_CHART} .shapelayer path")
    assert any("stroke-dasharray" in (line.get_attribute("style") or "") for line in lines)
    values = [v["text"] for v in dash_duo.driver.execute_script(WATERFALL_GEOMETRY, ids.WHY_CHART)["values"]]
    steps = values[1:-1]  # between the base rate and the client's probability
    assert steps and all(v.endswith(("point", "points")) for v in steps)
    # French: "points" from 2 on; English: "points" but for exactly 1.0.
    for text in steps:
        number = abs(fields.parse_number(text.split("\u00a0")[0].lstrip("+−"), "fr"))
        assert text.endswith("points") == (number >= 2), text
    _switch_language(dash_duo, "EN")
    dash_duo.wait_for_contains_text("h1", "Why this score?", timeout=TIMEOUT)
    _wait(dash_duo).until(lambda d: any(a.text.startswith("Threshold") for a in d.find_elements(
        "css selector", f"#{ids.WHY_CHART} .annotation-text")))
    english = [v["text"] for v in dash_duo.driver.execute_script(WATERFALL_GEOMETRY,
                                                                 ids.WHY_CHART)["values"]][1:-1]
    for text in english:
        number = abs(float(text.split("\u00a0")[0].lstrip("+−")))
        assert text.endswith("points") == (number != 1.0), text
    assert dash_duo.get_logs() == []
