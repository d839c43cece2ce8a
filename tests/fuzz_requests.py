"""What the fuzz tests share: hostile values, the app under test and a request tally.

The values are the ones that once drew a 500 (integer literals past 1e308, NaN and
infinities, "²" and Arabic-Indic digits, 5,000-digit IDs, deep nesting) mixed with
ordinary JSON, so that most generated requests are refused cheaply and a few are
scored for real through the model.
"""
from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

log = logging.getLogger("fuzz")

# Bounded runs: every test states its example count; no deadline because a scored
# request (model + SHAP) takes 10-50 ms next to 0.2 ms for a refused one.
FUZZ = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck))

UNICODE_DIGITS = "²³¹١٢٣٤٥٦٧٨٩٠۱۲۳０１２３٫٬"
huge_integers = st.integers(min_value=10**308, max_value=10**400) | st.integers(
    max_value=-10**308, min_value=-10**400)
floats = st.floats(allow_nan=True, allow_infinity=True)
long_digits = st.integers(min_value=300, max_value=6000).map(lambda n: "7" * n)
unicode_digits = st.text(alphabet=UNICODE_DIGITS, min_size=1, max_size=12)
typed_numbers = st.one_of(
    st.integers(-10**7, 10**9).map(str),
    st.floats(-1e9, 1e9, allow_nan=False).map(lambda x: f"{x:,.2f}"),                  # 1,234.50
    st.floats(0, 1e8, allow_nan=False).map(lambda x: f"{x:,.1f}".replace(",", " ").replace(".", ",")),
    st.sampled_from(["", " ", "1e400", "-1e400", "nan", "inf", "1,2,3", "12 €", "0x10", "1_000",
                     "١٥٠٠٠٠", "²", "1" * 45]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), huge_integers, floats,
                    st.text(max_size=30), typed_numbers, unicode_digits)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=8)


def id_texts(known_ids: list[int]):
    """What may arrive where a client ID is expected: stored IDs and everything else."""
    return st.one_of(st.text(max_size=40), st.integers(-10**30, 10**30).map(str), long_digits,
                     unicode_digits, typed_numbers, st.sampled_from(known_ids).map(str))


# Occasionally very long: refused before parsing (fields, IDs) or by the 1 MB body limit.
long_texts = st.integers(min_value=1_000, max_value=200_000).map(lambda n: "x" * n)


def dumps(value: object) -> str:
    """JSON as a hostile client writes it: NaN and Infinity literals allowed."""
    return json.dumps(value, allow_nan=True)


@dataclass
class Tally:
    """Counts requests and statuses; `check` fails on any answer >= 500."""
    name: str
    statuses: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def check(self, response, what: object = "") -> None:
        self.statuses[response.status_code] += 1
        assert response.status_code < 500, f"{response.status_code} for {str(what)[:300]}"

    def report(self, terminal=None) -> str:
        line = f"fuzz {self.name}: {self.total} requests, statuses {dict(sorted(self.statuses.items()))}"
        log.info(line)
        if terminal is not None:
            terminal.write_line(line)
        return line


def tally_fixture(request, name: str) -> Tally:
    """A module's tally, printed in the pytest output when the module ends."""
    tally = Tally(name)
    plugins = request.config.pluginmanager
    terminal, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")

    def report() -> None:
        with capture.global_and_fixture_disabled():  # past pytest's output capture
            tally.report(terminal)

    request.addfinalizer(report)
    return tally


def app_server(artifacts_dir):
    """The real Flask server of app.py (Dash + API + error handlers) on the session set."""
    import app as app_module

    server = app_module.server
    server.test_client().get("/")  # Dash fills its callback map on the first request
    return server


def run_bounded(examples: int):
    """Hypothesis settings for one fuzz test: `examples` generated cases, no deadline."""
    return settings(max_examples=examples, **FUZZ)


def logged_errors(caplog) -> list[str]:
    """Log records at ERROR or above (the error handler logs each unexpected failure once)."""
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
