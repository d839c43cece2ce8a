"""Generated Dash callback requests against the real app: no answer is ever >= 500.

Two batches (counts printed at the end of the module), built from the app's own
callback map so that every server-side callback is exercised:

- *browser-shaped*: the structure a real browser sends, with hostile values where the
  user types or the page stores something (IDs of 5,000 digits, "²", what-if and
  new-applicant fields, compare and drift controls, page paths). The guard must let
  all of them through (200 or 204) and each callback must cope with what it receives;
- *malformed*: the same requests with keys dropped, types changed, ids unknown or the
  JSON cut short: 400 JSON from the guard, never an HTML 500 with a traceback.
Once, 36 of 1,801 browser-shaped and 389 of 1,199 malformed requests answered 500.
"""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz_requests import (id_texts, json_values, logged_errors, run_bounded, scalars, tally_fixture,
                           typed_numbers)
from webapp import ids
from webapp.ui import fields
from webapp.http.validation import declared_id, is_multi_id, split_output

BROWSER_EXAMPLES, MALFORMED_EXAMPLES = 2700, 1300
CALLBACK_PATH = "/_dash-update-component"
PAGES = ("", "/why", "/compare", "/what-if", "/nothing")
FORMS = {ids.WHATIF_FIELD: fields.WHATIF_FIELDS, ids.WHATIF_FEEDBACK: fields.WHATIF_FIELDS,
         ids.NEW_FIELD: fields.NEW_APPLICANT_FIELDS, ids.NEW_FEEDBACK: fields.NEW_APPLICANT_FIELDS,
         # the drift table's row buttons: real columns, an unknown one, an over-long one
         ids.DRIFT_ROW_PICK: ("EXT_SOURCE_2", "AMT_CREDIT", "NAME_CONTRACT_TYPE", "NOPE", "x" * 300)}


@pytest.fixture(scope="module")
def server(artifacts_dir):
    from tests.fuzz_requests import app_server

    return app_server(artifacts_dir)


@pytest.fixture(scope="module")
def app_facts(artifacts_dir):
    """Real values the browser would hold: stored client IDs and plotted feature names."""
    from webapp.serving import load_state

    state = load_state(artifacts_dir)
    return {"ids": [int(i) for i in state.clients.index[:30]],
            "features": list(state.plot_columns.columns)}


@pytest.fixture(scope="module")
def tally(request):
    return tally_fixture(request, "Dash callbacks")


def value_strategy(component: str, prop: str, facts: dict):
    """What a browser could hold in `component.prop`, plus hostile values."""
    client_ids = id_texts(facts["ids"]) | st.sampled_from(facts["ids"]) | st.integers()
    if prop == "pathname":
        return st.one_of(
            st.builds(lambda i, page: f"/client/{i}{page}", client_ids, st.sampled_from(PAGES)),
            st.sampled_from(["/", "/new", "/model", "/drift", "/client/", "/client//why"]),
            st.text(max_size=40).map(lambda t: "/" + t))
    if prop == "search":
        return st.sampled_from(["", "?lang=en", "?client_id=1", "?x=%C2%B2"]) | st.text(max_size=20).map(
            lambda t: "?" + t)
    if prop in ("n_clicks", "n_submit"):
        return st.none() | st.integers(0, 10**6)
    if component == ids.LANGUAGE:
        return st.sampled_from(["fr", "en", None, "de"]) | json_values
    if component in (ids.WHATIF_CLIENT,):
        original = st.fixed_dictionaries({n: typed_numbers | scalars for n in fields.WHATIF_FIELDS})
        return st.none() | json_values | st.fixed_dictionaries(
            {"client_id": client_ids, "original": original, "probability": st.floats(0, 1)})
    if component in ("compare-feature", "compare-scatter-x", "compare-scatter-y", "drift-feature"):
        return st.sampled_from(facts["features"] + ["prediction", "NAME_CONTRACT_TYPE"]) | scalars | json_values
    if component == "compare-group":
        return st.sampled_from(["all", "similar", "neighbours"]) | scalars | json_values
    if component in ("compare-scale", "compare-scatter-scale"):
        return st.sampled_from(["clipped", "linear", "log"]) | scalars | json_values
    if component == ids.WHY_TOP_N:
        return st.sampled_from(["3", "5", "10", "15", "20"]) | scalars | json_values
    if prop == "active_cell":
        return st.none() | json_values | st.fixed_dictionaries(
            {"row": st.integers(-3, 40), "column": st.integers(0, 9), "column_id": st.text(max_size=10)})
    if prop == "derived_viewport_data":
        return st.none() | json_values | st.lists(
            st.fixed_dictionaries({"column": st.sampled_from(facts["features"]) | scalars}), max_size=15)
    if component in (ids.CLIENT_PICKER, ids.CLIENT_ID_INPUT, ids.CLIENT_STORE, ids.WHY_CLIENT,
                     "compare-client-id"):
        return client_ids | scalars | json_values
    return typed_numbers | scalars | json_values  # form fields and anything else


def _field_choices(declared: dict, names: list[str]) -> list[dict]:
    """One item per name, under the pattern's wildcard key ("field", "column")."""
    key = next(k for k, v in declared.items() if v in (["ALL"], ["ALLSMALLER"], ["MATCH"]))
    return [{key: name, "type": declared["type"]} for name in names]


@st.composite
def browser_request(draw, callback_map: dict, facts: dict) -> dict:
    """A request shaped as the Dash renderer sends it for one server-side callback."""
    output = draw(st.sampled_from(sorted(k for k, v in callback_map.items() if "callback" in v)))
    entry = callback_map[output]
    pattern_types = [declared_id(spec["id"]) for spec in
                     [*entry["inputs"], *entry["state"], *split_output(output)]]
    form = next((FORMS[p["type"]] for p in pattern_types if isinstance(p, dict)), ())
    names = draw(st.lists(st.sampled_from(form), min_size=1, max_size=len(form), unique=True)) if form else []

    def items(spec: dict, with_value: bool):
        declared = declared_id(spec["id"])
        targets = _field_choices(declared, names) if is_multi_id(declared) else [declared]
        made = []
        for target in targets:
            item = {"id": target, "property": spec["property"]}
            if with_value:
                component = declared["type"] if isinstance(declared, dict) else declared
                item["value"] = target if spec["property"] == "id" else draw(
                    value_strategy(component, spec["property"], facts))
            made.append(item)
        return made if is_multi_id(declared) else made[0]

    outputs = [items(spec, False) for spec in split_output(output)]
    inputs = [items(spec, True) for spec in entry["inputs"]]
    flat = [i for group in inputs for i in (group if isinstance(group, list) else [group])]
    changed = draw(st.lists(st.sampled_from(flat), max_size=2, unique_by=lambda i: json.dumps(i["id"])))
    return {"output": output, "outputs": outputs if output.startswith("..") else outputs[0],
            "inputs": inputs, "state": [items(spec, True) for spec in entry["state"]],
            "changedPropIds": [f"{_id_text(i['id'])}.{i['property']}" for i in changed]}


def _id_text(component_id) -> str:
    return ids.dom_id(component_id) if isinstance(component_id, dict) else component_id


def as_browser_sends(value: object) -> object:
    """NaN and infinities become null, as the browser's JSON.stringify writes them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [as_browser_sends(v) for v in value]
    if isinstance(value, dict):
        return {k: as_browser_sends(v) for k, v in value.items()}
    return value


def _post(server, body) -> object:
    data = body if isinstance(body, (bytes, str)) else json.dumps(as_browser_sends(body))
    return server.test_client().post(CALLBACK_PATH, data=data, content_type="application/json")


def test_browser_shaped_callback_requests(server, app_facts, tally, caplog):
    before = tally.total

    @run_bounded(BROWSER_EXAMPLES)
    @given(body=browser_request(_callback_map(), app_facts))
    def run(body: dict) -> None:
        response = _post(server, body)
        tally.check(response, body)
        assert response.status_code in (200, 204), response.get_data(as_text=True)[:300]

    run()
    assert tally.total - before == BROWSER_EXAMPLES
    assert not logged_errors(caplog)  # nothing unexpected, no traceback in the log


def _callback_map() -> dict:
    import app as app_module

    return app_module.app.callback_map


MUTATIONS = ("drop_key", "replace_key", "unknown_output", "break_item", "wrong_changed", "truncate",
             "not_an_object", "deep")


@st.composite
def malformed_request(draw, callback_map: dict, facts: dict):
    body = draw(browser_request(callback_map, facts))
    mutation = draw(st.sampled_from(MUTATIONS))
    key = draw(st.sampled_from(["output", "outputs", "inputs", "state", "changedPropIds"]))
    if mutation == "drop_key":
        body.pop(key, None)
    elif mutation == "replace_key":
        body[key] = draw(json_values)
    elif mutation == "unknown_output":
        body["output"] = draw(st.text(max_size=30) | st.sampled_from(["language-store.data", "x.y", "..a.b..."]))
    elif mutation == "break_item":
        items = body["inputs"] or [{}]
        position = draw(st.integers(0, len(items) - 1))
        item = items[position][0] if isinstance(items[position], list) and items[position] else items[position]
        if isinstance(item, dict):
            item[draw(st.sampled_from(["id", "property", "value"]))] = draw(json_values)
        else:
            items[position] = draw(json_values)
        body["inputs"] = items
    elif mutation == "wrong_changed":
        body["changedPropIds"] = draw(st.lists(st.text(max_size=20) | st.sampled_from(['{"a".b', "."]),
                                               min_size=1, max_size=3))
    elif mutation == "truncate":
        text = json.dumps(body)
        return text[:draw(st.integers(0, max(0, len(text) - 1)))]
    elif mutation == "not_an_object":
        return json.dumps(draw(json_values))
    else:
        depth = draw(st.integers(30, 3000))
        return json.dumps(body)[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    return body


def test_malformed_callback_requests(server, app_facts, tally, caplog):
    before = tally.total

    @run_bounded(MALFORMED_EXAMPLES)
    @given(body=malformed_request(_callback_map(), app_facts))
    def run(body) -> None:
        response = _post(server, body)
        tally.check(response, body)
        if response.status_code == 400:
            assert response.is_json and "malformed callback request" in response.get_json()["error"]

    run()
    assert tally.total - before == MALFORMED_EXAMPLES
    assert not logged_errors(caplog)  # nothing unexpected, no traceback in the log


def test_the_app_still_answers_after_the_fuzzing(server, tally):
    response = server.test_client().get("/api/health")
    tally.check(response)
    assert response.status_code == 200
