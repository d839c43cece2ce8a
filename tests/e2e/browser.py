"""Clicking as a person does, for every browser test: the element scrolled to the middle of
the window first (long forms), and the click retried while charts that are still arriving
move the page (the click then lands on another element and Selenium says so)."""
from __future__ import annotations

import time

from selenium.common.exceptions import ElementClickInterceptedException


def click(browser, target, attempts: int = 20) -> None:
    """Click `target` (a CSS selector, found again at each attempt, or an element).

    `browser` is `dash_duo` or a Selenium driver."""
    driver = getattr(browser, "driver", browser)
    for attempt in range(attempts):
        element = browser.find_element(target) if isinstance(target, str) else target
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                              element)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)
