"""The Drift tab's monitoring over time in a real browser: the trend per period with a status
word and icon, its chart's text alternative, the alert list, the back-test of a matured period
and the period's Evidently page (issue 22).

`monitored` (tests/e2e/conftest.py) ran the real chain: a drifting synthetic stream, the batch
job, `python -m model monitor`'s function, the database table. Expected texts are computed from
the summary it returned, with the service's own formatting.
"""
from __future__ import annotations

import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from webapp import ids
from webapp.services import drift_periods as service

TIMEOUT = 30


def _rows(dash_duo) -> list:
    return dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.DRIFT_PERIODS_TABLE} tbody tr")


def test_drift_tab_shows_the_trend_its_alerts_and_the_matured_back_test(dash_duo, dash_app,
                                                                        monitored):
    periods = monitored["periods"]
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/drift")
    dash_duo.wait_for_element(f"#{ids.DRIFT_PERIODS_TABLE}", timeout=TIMEOUT)

    # one row per period after the training-vs-test comparison, oldest first, each with the
    # status as icon and word (never colour alone)
    rows = _rows(dash_duo)
    assert [r.get_attribute("data-period") for r in rows] == [service.REFERENCE_KEY] + [
        p["period"] for p in periods]
    for row, entry in zip(rows[1:], periods):
        assert row.get_attribute("data-status") == entry["status"]
        assert service.status_text(entry["status"], "fr") in row.text
    # (100 clients a month here: the early months' noise is not judged in this test, see
    # tests/model/test_monitoring.py; the last months drifted far past it)
    assert all(p["status"] == "drift" for p in periods[9:]), [p["status"] for p in periods]

    # the chart's text alternative names every period and its status
    figure = dash_duo.find_element(f"#{ids.DRIFT_PERIODS_CHART}").find_element(
        By.XPATH, "./ancestor::figure")
    caption = figure.find_element(By.TAG_NAME, "figcaption").text
    for entry in periods:
        assert f"{entry['period']} : score" in caption
    assert "⚠ Dérive" in caption

    # the alert list: which input, which period, how far (every stored alert, newest first)
    items = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.DRIFT_ALERTS} li")
    stored = sum(len(p["alerts"]) for p in periods)
    assert len(items) >= stored > 0
    assert items[0].text.startswith(periods[-1]["period"])
    assert "PSI" in items[0].text
    latest = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.DRIFT_ALERTS} summary")[0]
    assert latest.text.startswith(f"{periods[-1]['period']} : {len(periods[-1]['alerts'])} alerte")

    # back-test: matured periods only, the latest chosen, ten deciles with Jeffreys intervals
    matured = [p["period"] for p in periods if p["backtest"]]
    assert matured and all(p["backtest"] is None for p in periods if p["period"] not in matured)
    chooser = Select(dash_duo.find_element(f"#{ids.DRIFT_BACKTEST_PERIOD}"))
    assert [o.get_attribute("value") for o in chooser.options if o.get_attribute("value")] == matured
    deciles = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{ids.DRIFT_BACKTEST} tbody tr")
    assert len(deciles) == len(monitored["periods"][len(matured) - 1]["backtest"]["deciles"])
    chooser.select_by_value(matured[0])
    first = monitored["periods"][0]["backtest"]
    WebDriverWait(dash_duo.driver, TIMEOUT).until(
        lambda d: str(first["rank_inversions"]) + " inversion" in
        d.find_element(By.ID, ids.DRIFT_BACKTEST).text)
    immature = next(r for r in _rows(dash_duo) if r.get_attribute("data-period") == periods[-1]["period"])
    assert "Pas encore mûre" in immature.text

    # the period's Evidently page, one click away
    link = rows[-1].find_element(By.TAG_NAME, "a")
    with urllib.request.urlopen(link.get_attribute("href"), timeout=TIMEOUT) as response:
        assert response.status == 200
        page = response.read().decode("utf-8", errors="replace")
    assert "Drifted Columns" in page or "drifted columns" in page.lower()
    assert all(column in page for column in monitored["monitored_inputs"][:3])
