"""The shell in a real browser: client search, exact-ID box, Back button, menu, 404 page.

Each test is a defect a person met: the search showed fewer matches than it had and never
said how many more there were, Enter with several matches opened nothing, reopening the
search put the focus on the current client so typing went nowhere, after Back the
exact-ID box still showed the client one had left, greyed-out menu entries were links to
"/" in the tab order, and the 404 page and search texts were English in French.
"""
from __future__ import annotations

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from webapp import ids
from webapp.formatting import format_number
from webapp.services.clients import SEARCH_LIMIT

TIMEOUT = 20
RESULTS = f"#{ids.CLIENT_PICKER_RESULTS} a"


def _wait(dash_duo) -> WebDriverWait:
    return WebDriverWait(dash_duo.driver, TIMEOUT, ignored_exceptions=(StaleElementReferenceException,))


def _sorted_ids(app_state) -> list[str]:
    """The client IDs as the search orders them (text order), computed apart from the app."""
    return sorted(str(int(i)) for i in app_state.clients.index)


def _results(dash_duo) -> list[str]:
    return [a.text for a in dash_duo.find_elements(RESULTS)]


def _search(dash_duo, text: str) -> None:
    box = dash_duo.find_element(f"#{ids.CLIENT_PICKER}")
    box.click()
    box.send_keys(text)


def _open_then_switch(dash_duo, dash_app, first: str, second: str, before=None) -> None:
    """Open `first` with the exact-ID box, wait for its file, then type `second` and Enter
    (`before`: called once the first file is shown)."""
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_element("#home-data-summary", timeout=TIMEOUT)
    box = dash_duo.find_element(f"#{ids.CLIENT_ID_INPUT}")
    box.send_keys(first, Keys.ENTER)
    _wait(dash_duo).until(lambda d: d.current_url.endswith(f"/client/{first}"))
    dash_duo.wait_for_element(f"#{ids.CLIENT_DECISION}", timeout=TIMEOUT)
    if before is not None:
        before()
    box = dash_duo.find_element(f"#{ids.CLIENT_ID_INPUT}")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(second, Keys.ENTER)


def _prefix_with_many(all_ids: list[str]) -> str:
    """A prefix shared by more IDs than the search lists (the shortest one)."""
    for length in range(1, 7):
        counts: dict[str, int] = {}
        for value in all_ids:
            counts[value[:length]] = counts.get(value[:length], 0) + 1
        many = [p for p, n in counts.items() if n > SEARCH_LIMIT]
        if many:
            return many[0]
    raise AssertionError("no prefix with more matches than the search limit")


def test_search_lists_up_to_the_limit_and_says_how_many_more(dash_duo, dash_app, app_state) -> None:
    all_ids = _sorted_ids(app_state)
    prefix = _prefix_with_many(all_ids)
    matching = [value for value in all_ids if value.startswith(prefix)]
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_element("#home-data-summary", timeout=TIMEOUT)
    _search(dash_duo, prefix)
    _wait(dash_duo).until(lambda d: _results(dash_duo) == matching[:SEARCH_LIMIT],
                          message=f"the search did not list the first {SEARCH_LIMIT} IDs starting with {prefix}")
    more = format_number(len(matching) - SEARCH_LIMIT, "fr")
    dash_duo.wait_for_text_to_equal(f"#{ids.CLIENT_PICKER_STATUS}", f"{more} autres : tapez plus de chiffres",
                                    timeout=TIMEOUT)
    assert dash_duo.get_logs() == []


def test_enter_in_the_search_opens_the_first_or_the_exact_match(dash_duo, dash_app, app_state) -> None:
    all_ids = _sorted_ids(app_state)
    prefix = _prefix_with_many(all_ids)
    first = next(value for value in all_ids if value.startswith(prefix))
    exact = all_ids[len(all_ids) // 2]
    dash_duo.start_server(dash_app)
    dash_duo.driver.get(f"{dash_duo.server_url}/client/{all_ids[-1]}/why")
    dash_duo.wait_for_element(f"#{ids.WHY_CHART} g.point", timeout=TIMEOUT)
    _search(dash_duo, prefix)
    _wait(dash_duo).until(lambda d: len(_results(dash_duo)) > 1)
    dash_duo.find_element(f"#{ids.CLIENT_PICKER}").send_keys(Keys.ENTER)  # several matches: the first
    _wait(dash_duo).until(lambda d: d.current_url.endswith(f"/client/{first}/why"),
                          message=f"Enter did not open {first}, the first match of {prefix}")
    _search(dash_duo, exact)
    _wait(dash_duo).until(lambda d: _results(dash_duo)[:1] == [exact])
    dash_duo.find_element(f"#{ids.CLIENT_PICKER}").send_keys(Keys.ENTER)
    _wait(dash_duo).until(lambda d: d.current_url.endswith(f"/client/{exact}/why"),
                          message=f"Enter did not open the exact ID {exact}")
    assert dash_duo.get_logs() == []


def test_typing_filters_again_when_the_search_is_reopened(dash_duo, dash_app, app_state) -> None:
    all_ids = _sorted_ids(app_state)
    chosen, other = all_ids[3], all_ids[-3]
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_element("#home-data-summary", timeout=TIMEOUT)
    _search(dash_duo, chosen)
    _wait(dash_duo).until(lambda d: _results(dash_duo)[:1] == [chosen])
    dash_duo.find_element(RESULTS).click()
    _wait(dash_duo).until(lambda d: d.current_url.endswith(f"/client/{chosen}"))
    dash_duo.wait_for_element(f"#{ids.CLIENT_DECISION}", timeout=TIMEOUT)
    # Reopen the search and type: the digits go into the search and filter the matches.
    _search(dash_duo, other[:4])
    assert dash_duo.driver.switch_to.active_element.get_attribute("id") == ids.CLIENT_PICKER
    _wait(dash_duo).until(lambda d: _results(dash_duo) and all(v.startswith(other[:4]) for v in _results(dash_duo)),
                          message="typing after reopening the search did not filter the matches")
    assert dash_duo.find_element(f"#{ids.CLIENT_PICKER}").get_attribute("value") == other[:4]
    assert other in _results(dash_duo) or len(_results(dash_duo)) == SEARCH_LIMIT
    assert dash_duo.get_logs() == []


def test_after_back_the_exact_id_box_shows_the_client_of_the_url(dash_duo, dash_app, app_state) -> None:
    all_ids = _sorted_ids(app_state)
    first, second = all_ids[1], all_ids[2]
    _open_then_switch(dash_duo, dash_app, first, second)
    _wait(dash_duo).until(lambda d: d.current_url.endswith(f"/client/{second}"))
    dash_duo.driver.back()
    _wait(dash_duo).until(lambda d: d.current_url.endswith(f"/client/{first}"))
    _wait(dash_duo).until(
        lambda d: d.find_element(By.ID, ids.CLIENT_ID_INPUT).get_attribute("value") == first,
        message="after Back the exact-ID box does not show the client of the URL")
    assert dash_duo.get_logs() == []


def test_greyed_out_menu_entries_are_not_in_the_tab_order(dash_duo, dash_app) -> None:
    from webapp.i18n import shell
    from webapp.layout import NAV_ENTRIES

    greyed = [shell(key, "fr") for key, _, needs_client in NAV_ENTRIES if needs_client]
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_element("#home-data-summary", timeout=TIMEOUT)
    driver = dash_duo.driver
    nav = f"#{ids.NAVIGATION}"
    dash_duo.wait_for_contains_text(nav, "Modèle", timeout=TIMEOUT)
    # Tab from the top of the page through the menu to the search: never on a greyed entry.
    visited = []
    for _ in range(25):  # from the page's start: skip link, logo, language, menu, search
        ActionChains(driver).send_keys(Keys.TAB).perform()
        element = driver.switch_to.active_element
        visited.append(element.text)
        if element.get_attribute("id") == ids.CLIENT_PICKER:
            break
    assert "Modèle" in visited and "Nouveau demandeur" in visited, visited  # the menu was crossed
    assert not set(greyed) & set(visited), f"greyed-out entries in the tab order: {visited}"
    # Shown, greyed and marked unavailable for screen readers, but not links (nowhere to go).
    marked = [e.text.splitlines()[0] for e in dash_duo.find_elements(f"{nav} [aria-disabled='true']")]
    assert marked == greyed
    assert not dash_duo.find_elements(f"{nav} a[aria-disabled='true'], {nav} a.disabled")
    assert dash_duo.get_logs() == []


def test_404_page_and_search_texts_follow_the_language(dash_duo, dash_app, app_state) -> None:
    starts = {value[0] for value in _sorted_ids(app_state)}
    unmatched = next(d for d in "987654321" if d not in starts)
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_element("#home-data-summary", timeout=TIMEOUT)
    dash_duo.driver.get(f"{dash_duo.server_url}/pas-une-page")
    dash_duo.wait_for_text_to_equal(f"#{ids.NOT_FOUND_HEADING}", "Page introuvable", timeout=TIMEOUT)
    _search(dash_duo, unmatched)
    dash_duo.wait_for_text_to_equal(f"#{ids.CLIENT_PICKER_STATUS}",
                                    f"Aucun client ne commence par « {unmatched} ».",
                                    timeout=TIMEOUT)
    assert dash_duo.find_element(f"#{ids.CLIENT_PICKER}").get_attribute("placeholder").startswith("Tapez")
    dash_duo.driver.find_element(
        By.XPATH, f"//div[@id='{ids.LANGUAGE_SWITCH}']//label[text()='EN']").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.NOT_FOUND_HEADING}", "Page not found", timeout=TIMEOUT)
    assert dash_duo.find_element(f"#{ids.CLIENT_PICKER}").get_attribute("placeholder").startswith("Type an ID")
    assert dash_duo.get_logs() == []


def test_a_client_switch_is_three_callbacks(dash_duo, dash_app, app_state, monkeypatch) -> None:
    """Thirty-two advisors share two cores: a client switch costs the Open button's callback,
    the page's and the shell's, nothing more (six before: the shell followed the URL in three
    callbacks, and the search box was cleared again, which asked the server for an empty
    search)."""
    import time

    calls: list[str] = []
    inner = dash_app.server.wsgi_app

    def counting(environ, start_response):
        if environ.get("PATH_INFO", "").endswith("/_dash-update-component"):
            calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    monkeypatch.setattr(dash_app.server, "wsgi_app", counting)

    def settled() -> int:
        """The number of callbacks once none has come for a second."""
        count, quiet_since = len(calls), time.monotonic()
        while time.monotonic() - quiet_since < 1.0:
            time.sleep(0.1)
            if len(calls) != count:
                count, quiet_since = len(calls), time.monotonic()
        return count

    first, second = _sorted_ids(app_state)[3:5]
    before = []
    _open_then_switch(dash_duo, dash_app, first, second, before=lambda: before.append(settled()))
    before = before[0]
    _wait(dash_duo).until(lambda d: d.current_url.endswith(f"/client/{second}"))
    _wait(dash_duo).until(lambda d: second in d.find_element(By.ID, ids.MAIN_CONTENT).text,
                          message="the new client's file was not shown")
    switch = settled() - before
    assert 1 <= switch <= 3, f"a client switch made {switch} callbacks"
    assert dash_duo.get_logs() == []
