"""Generated requests at the trust layer's inputs (issue 19): no answer is ever >= 500.

- every path parameter (client ids of the API, the letter, the decision route and the
  pages; report, asset and bundle names) with percent-encoded controls and Unicode
  whitespace mixed in;
- the Dash page router's pathname and search;
- decision bodies (decision, reason, category, review_requested, refers_to of every type);
- the audit filters, in the CSV export's query and in the audit screen's callback.

About 11,000 requests through Flask's test client on the session's set (the counts are
printed when the module ends); with tests/test_fuzz_*.py over 20,000 in all.
"""
from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.webapp.dash_requests import audit_request, router_request
from tests.fuzz_requests import (dumps, json_values, logged_errors, run_bounded, scalars,
                                 tally_fixture)

PATH_EXAMPLES, ROUTER_EXAMPLES, DECISION_EXAMPLES, EXPORT_EXAMPLES, AUDIT_EXAMPLES = 5000, 2500, 1000, 1800, 900

# Controls, Unicode whitespace and separators: what once reached a header through an id.
HOSTILE = ["\x00", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\x7f", "\x85", "\u00a0",
           "\u1680", "\u2000", "\u2028", "\u2029", "\u202f", "\u3000", "\ufeff", " ", "/", "\\",
           "..", "%", "?", "#", "\ud7ff", "é", "²", "١"]
hostile_text = st.lists(st.sampled_from(HOSTILE) | st.text(max_size=3), max_size=4).map("".join)


def with_hostile(base: st.SearchStrategy) -> st.SearchStrategy:
    """`base` with hostile characters before, inside or after it."""
    return st.tuples(hostile_text, base, hostile_text, st.integers(0, 8)).map(
        lambda t: t[0] + t[1][:t[3]] + t[2] + t[1][t[3]:])


@pytest.fixture(scope="module")
def app_client(artifacts_dir):
    from tests.fuzz_requests import app_server

    return app_server(artifacts_dir).test_client()


@pytest.fixture(scope="module")
def known_ids(artifacts_dir) -> list[str]:
    from webapp.serving import load_state

    return [str(i) for i in load_state(artifacts_dir).clients.index[:20]]


@pytest.fixture(scope="module")
def tally(request):
    return tally_fixture(request, "trust layer")


# --- path parameters ---------------------------------------------------------------------------------

ROUTES = ("GET /api/clients/{}", "GET /clients/{}/letter.pdf", "POST /api/clients/{}/decision",
          "GET /client/{}", "GET /client/{}/why", "GET /reports/{}", "GET /assets/{}",
          "GET /_dash-component-suites/dash/{}", "GET /api/{}")


def test_path_parameters(app_client, known_ids, tally, caplog):
    before = tally.total
    ids = st.sampled_from(known_ids)

    @run_bounded(PATH_EXAMPLES)
    @given(route=st.sampled_from(ROUTES), value=with_hostile(ids | st.text(max_size=12)),
           encode_all=st.booleans())
    def run(route: str, value: str, encode_all: bool) -> None:
        method, template = route.split(" ")
        encoded = quote(value, safe="" if encode_all else "/%")
        path = template.format(encoded)
        body = {"decision": "referred"} if method == "POST" else None
        response = app_client.open(path, method=method, json=body)
        tally.check(response, path)
        assert "\n" not in response.headers.get("Content-Disposition", "")

    run()
    assert tally.total - before == PATH_EXAMPLES
    assert not logged_errors(caplog)


# --- the page router -------------------------------------------------------------------------------

SEGMENTS = ["", ".", "..", "client", "why", "what-if", "compare", "new", "model", "drift", "audit",
            "404", "%2F", "%00", "Model", "x"]


def test_router_pathname_and_search(app_client, known_ids, tally, caplog):
    before = tally.total
    segment = st.sampled_from(SEGMENTS) | with_hostile(st.sampled_from(["client", "x"]))
    # Mostly pages that render cheaply or are refused; one in 40 a client file (scored).
    cheap = st.one_of(st.lists(segment, max_size=5).map(lambda s: "/" + "/".join(s)),
                      st.sampled_from(["x", "", "model", "//model", "/client/1x"]), scalars)
    scored = st.sampled_from(known_ids[:3]).map(lambda i: f"/client/{i}")
    pathname = st.integers(0, 39).flatmap(lambda n: scored if n == 0 else cheap)
    search = st.one_of(st.none(), st.sampled_from(["", "?", "?entry=1", "?entry=-1", "?entry=1&entry=2",
                                                   "?lang=de", "?client_id=1", "?entry=%0a"]),
                       with_hostile(st.just("?entry=12")), scalars)

    @run_bounded(ROUTER_EXAMPLES)
    @given(pathname=pathname, search=search)
    def run(pathname: object, search: object) -> None:
        response = app_client.post("/_dash-update-component", data=dumps(router_request(pathname, search)),
                                   content_type="application/json")
        tally.check(response, (pathname, search))

    run()
    assert tally.total - before == ROUTER_EXAMPLES
    assert not logged_errors(caplog)


# --- decision bodies ------------------------------------------------------------------------------------

def test_decision_bodies(app_client, known_ids, tally, caplog):
    before = tally.total
    decision = st.sampled_from(["granted", "refused", "referred"]) | scalars
    text = st.text(max_size=60) | scalars | st.sampled_from(["\ud800 reason", "a b c d", "x" * 3000])
    refers_to = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.text(max_size=5),
                          st.floats(), json_values)
    body = st.fixed_dictionaries({}, optional={
        "decision": decision, "reason": text, "category": st.sampled_from(["other", "guarantee"]) | scalars,
        "review_requested": scalars, "refers_to": refers_to}) | json_values

    @run_bounded(DECISION_EXAMPLES)
    @given(body=body, client_id=st.sampled_from(known_ids[:3]) | with_hostile(st.just("100002")),
           depth=st.sampled_from([0, 0, 0, 40, 1000]))
    def run(body: object, client_id: str, depth: int) -> None:
        data = "[" * depth + dumps(body) + "]" * depth
        response = app_client.post(f"/api/clients/{quote(client_id, safe='')}/decision", data=data,
                                   content_type="application/json")
        tally.check(response, (client_id, data[:200]))
        if response.status_code == 201:
            assert isinstance(body, dict) and body.get("refers_to") is None

    run()
    assert tally.total - before == DECISION_EXAMPLES
    assert not logged_errors(caplog)


# --- audit filters ----------------------------------------------------------------------------------------

dates = st.one_of(st.dates().map(str), st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", ""]),
                  with_hostile(st.just("2026-12-07")), st.text(max_size=12))
filter_values = st.fixed_dictionaries({}, optional={
    "actor": with_hostile(st.sampled_from(["advisor", "dev", "system"])), "start": dates, "end": dates,
    "outcome": st.sampled_from(["granted", "refused", "referred", "x"]) | st.text(max_size=5),
    "overrides": st.sampled_from(["1", "true", "0", "é"]), "review": st.sampled_from(["1", "", "\x00"]),
    "lang": st.text(max_size=5)})


def test_audit_export_filters(app_client, tally, caplog):
    before = tally.total

    @run_bounded(EXPORT_EXAMPLES)
    @given(values=filter_values)
    def run(values: dict) -> None:
        query = "&".join(f"{quote(k)}={quote(v, safe='', errors='surrogatepass')}" for k, v in values.items())
        response = app_client.get(f"/api/audit/decisions.csv?{query}")
        tally.check(response, query)
        if response.status_code == 200:
            assert response.get_data(as_text=True).startswith("id,at,actor")

    run()
    assert tally.total - before == EXPORT_EXAMPLES
    assert not logged_errors(caplog)


def test_audit_screen_filters(app_client, tally, caplog):
    before = tally.total
    value = st.one_of(scalars, dates, st.lists(st.sampled_from(["overrides", "review", "\ud800", 1]), max_size=3),
                      with_hostile(st.just("advisor")), json_values)

    @run_bounded(AUDIT_EXAMPLES)
    @given(actor=value, start=value, end=value, outcome=value, flags=value,
           lang=st.sampled_from(["fr", "en", None, 3]))
    def run(actor, start, end, outcome, flags, lang) -> None:
        body = audit_request(actor, start, end, outcome, flags, lang)
        response = app_client.post("/_dash-update-component", data=dumps(body), content_type="application/json")
        tally.check(response, body)

    run()
    assert tally.total - before == AUDIT_EXAMPLES
    assert not logged_errors(caplog)


def test_the_run_reached_the_app(tally):
    """Not only refusals: some generated requests were served (200/201/204)."""
    assert sum(count for status, count in tally.statuses.items() if status < 300) > 100
