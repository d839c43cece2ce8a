"""A smaller batch of the generated requests against a real gunicorn (as `startup.sh`
runs the app): no answer >= 500, and the worker keeps answering afterwards.

Uses the server of tests/test_serving.py; the same strategies as the in-process fuzz
tests (tests/test_fuzz_api.py, tests/test_fuzz_callbacks.py), sent over loopback.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from hypothesis import given

from tests.fuzz_requests import dumps, id_texts, run_bounded, tally_fixture
from test_fuzz_api import known_ids, payloads, raw_bodies  # noqa: F401 - fixture
from test_fuzz_callbacks import _callback_map, app_facts, as_browser_sends, browser_request  # noqa: F401
from test_fuzz_callbacks import malformed_request
from test_serving import served  # noqa: F401 - the real gunicorn fixture (url, set folder, log)

API_EXAMPLES, CALLBACK_EXAMPLES = 100, 100


@pytest.fixture(scope="module")
def tally(request):
    return tally_fixture(request, "gunicorn")


@pytest.fixture(scope="module")
def app_ready(artifacts_dir):
    """The app module imported here too: its callback map is the one gunicorn serves."""
    from tests.fuzz_requests import app_server

    return app_server(artifacts_dir)


class Answer:
    def __init__(self, status: int) -> None:
        self.status_code = status


def _send(url: str, data: bytes | None = None, content_type: str = "application/json") -> Answer:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return Answer(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        return Answer(error.code)


def test_api_batch_over_gunicorn(served, known_ids, tally):
    gunicorn_url = served[0]

    @run_bounded(API_EXAMPLES)
    @given(raw=id_texts(known_ids), payload=payloads, body=raw_bodies)
    def run(raw, payload, body) -> None:
        tally.check(_send(f"{gunicorn_url}/api/clients/{quote(raw, safe='')}"), raw)
        tally.check(_send(f"{gunicorn_url}/api/score", dumps(payload).encode()), payload)
        data = body if isinstance(body, bytes) else body.encode()
        tally.check(_send(f"{gunicorn_url}/api/score", data), body)

    run()
    assert tally.statuses and _send(f"{gunicorn_url}/api/health").status_code == 200


def test_callback_batch_over_gunicorn(served, app_ready, app_facts, tally):
    gunicorn_url = served[0]

    @run_bounded(CALLBACK_EXAMPLES)
    @given(good=browser_request(_callback_map(), app_facts), bad=malformed_request(_callback_map(), app_facts))
    def run(good, bad) -> None:
        url = f"{gunicorn_url}/_dash-update-component"
        answer = _send(url, json.dumps(as_browser_sends(good)).encode())
        tally.check(answer, good)
        assert answer.status_code in (200, 204)
        data = bad if isinstance(bad, str) else json.dumps(as_browser_sends(bad))
        tally.check(_send(url, data.encode()), bad)

    run()
    assert _send(f"{gunicorn_url}/api/health").status_code == 200
