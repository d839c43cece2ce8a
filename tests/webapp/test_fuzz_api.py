"""Generated requests against the JSON API of the real app: no answer is ever >= 500.

About 5,800 requests (the counts are printed at the end of the module), through
Flask's test client on the session's artifact set. A batch once found 521 answers
of 500 in 24,500 (integer literals past 1e308, deep JSON, `/api/clients/%C2%B2`).
"""
from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz_requests import (dumps, huge_integers, id_texts, json_values, long_texts, logged_errors,
                           run_bounded, scalars, tally_fixture)
from webapp.ui.fields import FIELD_SPECS, NEW_APPLICANT_DEFAULTS

CLIENT_EXAMPLES, SCORE_EXAMPLES, BODY_EXAMPLES, ROUTE_EXAMPLES = 2000, 2200, 1200, 400


@pytest.fixture(scope="module")
def api(artifacts_dir):
    from tests.fuzz_requests import app_server

    return app_server(artifacts_dir).test_client()


@pytest.fixture(scope="module")
def known_ids(artifacts_dir):
    from webapp.serving import load_state

    return [int(i) for i in load_state(artifacts_dir).clients.index[:50]]


@pytest.fixture(scope="module")
def tally(request):
    return tally_fixture(request, "API")


languages = st.sampled_from(["", "fr", "en", "de", "é" * 50, "fr&lang=en"])


def test_client_route(api, known_ids, tally, caplog):
    before = tally.total

    @run_bounded(CLIENT_EXAMPLES)
    @given(raw=id_texts(known_ids), lang=languages)
    def run(raw: str, lang: str) -> None:
        response = api.get(f"/api/clients/{quote(raw, safe='')}?lang={quote(lang)}")
        tally.check(response, raw)
        if response.status_code in (400, 404):
            body = response.get_json()
            assert body["error"] and len(body.get("client_id", "")) <= 80  # echoed, shortened
        if response.status_code == 200 and response.is_json:
            assert 0.0 <= response.get_json()["probability"] <= 1.0

    run()
    assert tally.total - before == CLIENT_EXAMPLES
    assert not logged_errors(caplog)  # nothing unexpected, no traceback in the log


def _field_value(name: str):
    spec = FIELD_SPECS[name]
    valid = (st.sampled_from(spec.choices) if spec.kind == "choice"
             else st.floats(spec.minimum or 0, spec.maximum or 1))
    return st.one_of(valid, valid, st.just(NEW_APPLICANT_DEFAULTS.get(name)), scalars, huge_integers,
                     json_values, long_texts)


payloads = st.fixed_dictionaries({}, optional={name: _field_value(name) for name in FIELD_SPECS}) | \
    st.dictionaries(st.text(max_size=20), json_values, max_size=5)


def test_score_route(api, tally, caplog):
    before = tally.total

    @run_bounded(SCORE_EXAMPLES)
    @given(payload=payloads, lang=languages)
    def run(payload: dict, lang: str) -> None:
        response = api.post(f"/api/score?lang={quote(lang)}", data=dumps(payload),
                            content_type="application/json")
        tally.check(response, payload)
        body = response.get_json()
        if response.status_code == 422:  # each refused field is named
            assert set(body["fields"]) <= set(FIELD_SPECS) and body["fields"]
        elif response.status_code == 200:
            assert 0.0 <= body["probability"] <= 1.0
        else:
            assert response.status_code in (400, 413) and body["error"]

    run()
    assert tally.total - before == SCORE_EXAMPLES
    assert not logged_errors(caplog)  # nothing unexpected, no traceback in the log


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


raw_bodies = st.one_of(
    st.binary(max_size=500),
    st.integers(1, 20_000).map(_nested),
    st.integers(1, 5_000).map(lambda d: '{"a":' * d + "1" + "}" * d),
    json_values.map(dumps),
    st.sampled_from(["", "null", "[]", '"text"', "1e999999", '{"income": NaN}', "\ufeff{}",
                     '{"income": 1' + "0" * 400 + "}", '{"a": "' + "x" * (1024 * 1024) + '"}']),
)


def test_raw_bodies(api, tally, caplog):
    before = tally.total

    @run_bounded(BODY_EXAMPLES)
    @given(body=raw_bodies, content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]))
    def run(body, content_type: str) -> None:
        response = api.post("/api/score", data=body, content_type=content_type or None)
        tally.check(response, body)
        assert response.is_json and response.status_code in (400, 413, 422, 200)

    run()
    assert tally.total - before == BODY_EXAMPLES
    assert not logged_errors(caplog)  # nothing unexpected, no traceback in the log


def test_other_routes_and_methods(api, tally, caplog):
    before = tally.total

    @run_bounded(ROUTE_EXAMPLES)
    @given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
           path=st.sampled_from(["/api/health", "/api/score", "/api/clients/100002", "/reports/drift.html",
                                 "/_dash-update-component", "/_dash-layout", "/api/clients/"]),
           tail=st.text(max_size=20))
    def run(method: str, path: str, tail: str) -> None:
        response = api.open(path + quote(tail, safe="/?=&"), method=method)
        tally.check(response, (method, path, tail))

    run()
    assert tally.total - before == ROUTE_EXAMPLES
    assert not logged_errors(caplog)  # nothing unexpected, no traceback in the log


def test_the_api_still_answers_after_the_fuzzing(api, tally):
    response = api.get("/api/health")
    tally.check(response)
    assert response.status_code == 200 and response.get_json()["status"] == "ok"
