"""Browser tests of the dashboard: one app per session on a quick artifact set, headless Chromium.

The artifact set comes from the shared `artifacts_root` fixture (tests/conftest.py:
built once by the real pipeline); `SCORING_TEST_ARTIFACTS=<artifacts root>` reuses an
existing root (one with a `current` set) instead (faster when iterating on the screens).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WINDOW = (1280, 1000)


def pytest_setup_options():
    """Chrome options for dash_duo: headless, no sandbox (root, containers), no GPU."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for binary in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"):
        if os.path.exists(binary):
            options.binary_location = binary
            break
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={WINDOW[0]},{WINDOW[1]}", "--lang=fr-FR"):
        options.add_argument(argument)
    return options


def _browser_available() -> bool:
    return bool(shutil.which("chromedriver")) and any(
        os.path.exists(p) for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"))


@pytest.fixture(scope="session")
def dash_app(request):
    """The real app (app.py), reading the session's artifact set."""
    if not _browser_available():
        pytest.skip("Chromium and chromedriver are needed for the browser tests")
    folder = os.environ.get("SCORING_TEST_ARTIFACTS")
    if folder:
        os.environ["SCORING_ARTIFACTS"] = folder
    else:
        request.getfixturevalue("artifacts_root")
    import app as app_module

    app_module.load_before_serving()  # as gunicorn's post_worker_init does
    return app_module.app


@pytest.fixture(scope="session")
def app_state(dash_app):
    """The state the app serves, to compute expected values directly from the model."""
    from webapp.serving import get_state

    return get_state()


@pytest.fixture
def screenshot():
    """`screenshot(dash_duo, "client")` saves docs/screenshots/client.png (SCORING_SCREENSHOTS=1)."""
    return save_screenshot


@pytest.fixture
def idle():
    """`idle(dash_duo)` waits until no callback is updating the page."""
    return wait_until_idle


def save_screenshot(dash_duo, name: str) -> Path | None:
    """Full-width capture of the current screen into docs/screenshots/<name>.png, only when
    `SCORING_SCREENSHOTS=1` asks: the PNGs are tracked, and an ordinary test run must leave
    the work tree as it found it."""
    driver = dash_duo.driver
    wait_until_idle(dash_duo)
    driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'});")
    if os.environ.get("SCORING_SCREENSHOTS") != "1":
        return None  # the page is left as a capture leaves it: tests run alike either way
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(WINDOW[0], max(WINDOW[1], min(int(height) + 120, 3000)))
    path = SCREENSHOTS / f"{name}.png"
    tmp = path.with_name(f".{path.name}.tmp.png")
    driver.save_screenshot(str(tmp))
    tmp.replace(path)
    driver.set_window_size(*WINDOW)
    return path


def wait_until_idle(dash_duo, timeout: float = 20) -> None:
    """Wait until no Dash callback is updating the page (nothing marked as loading)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(dash_duo.driver, timeout).until(lambda d: d.execute_script(
        "return !document.querySelector('[data-dash-is-loading=\"true\"]')"
        " && !document.querySelector('.dash-spinner, ._dash-loading-callback');"))


@pytest.fixture(scope="session")
def monitored(dash_app, tmp_path_factory) -> dict:
    """Twelve monitored months of a drifting synthetic stream (drift from month 7), scored by
    the served set with the batch job and monitored by `model.monitoring.run.monitor` into
    the session's database and monitoring folder: what the Drift tab's periods show."""
    from model import config
    from model.monitoring.run import monitor
    from model.scoring.batch import score_file
    from model.synth.stream import OUTCOMES_FILE, generate_stream

    work = tmp_path_factory.mktemp("monitoring")
    stream = work / "stream"
    generate_stream(1200, 12, config.SEED, stream, drift=True)
    artifacts = os.environ["SCORING_ARTIFACTS"]
    score_file(artifacts, stream, work / "scores.parquet", workers=1)
    os.environ["SCORING_MONITORING"] = str(work / "monitor")
    return monitor(artifacts, work / "monitor", scores=[work / "scores.parquet"], data=[stream],
                   outcomes=stream / OUTCOMES_FILE, workspace=work / "workspace",
                   database=os.environ["SCORING_DATABASE_URL"])
