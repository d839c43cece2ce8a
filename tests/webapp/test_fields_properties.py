"""Properties of the form validators, for any input a browser or an API client can send."""
from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz_requests import UNICODE_DIGITS, json_values, run_bounded
from webapp.ui import fields
from webapp.formatting import format_number
from webapp.http.validation import MAX_CLIENT_ID, parse_client_id, search_digits


@run_bounded(400)
@given(raw=json_values)
def test_parse_number_gives_a_finite_float_none_or_value_error(raw):
    for lang in ("fr", "en"):
        try:
            value = fields.parse_number(raw, lang)
        except ValueError:
            continue
        assert value is None or (isinstance(value, float) and math.isfinite(value))


@run_bounded(300)
@given(value=st.floats(-1e9, 1e9, allow_nan=False), decimals=st.integers(0, 2))
def test_a_number_formatted_for_the_advisor_reads_back(value, decimals):
    for lang in ("fr", "en"):
        text = format_number(value, lang, decimals)  # "1 234 567,89" / "1,234,567.89"
        assert abs(fields.parse_number(text, lang) - value) <= 0.5 * 10**-decimals * (1 + 1e-9) + 1e-6


@run_bounded(300)
@given(values=st.dictionaries(st.sampled_from(fields.NEW_APPLICANT_FIELDS), json_values),
       lang=st.sampled_from(["fr", "en", None, "xx"]))
def test_validate_fields_splits_every_field_into_clean_or_error(values, lang):
    clean, errors = fields.validate_fields(values, fields.NEW_APPLICANT_FIELDS, lang)
    assert not set(clean) & set(errors)
    assert set(clean) | set(errors) <= set(fields.NEW_APPLICANT_FIELDS)
    required = {n for n, s in fields.FIELD_SPECS.items() if s.required}
    assert required <= set(clean) | set(errors)  # a required field is never silently dropped
    for name, value in clean.items():
        spec = fields.FIELD_SPECS[name]
        if spec.kind == "choice":
            assert value in spec.choices
        elif value is not None:
            assert spec.minimum <= value <= spec.maximum
    assert all(isinstance(m, str) and len(m) < 200 for m in errors.values())


@run_bounded(300)
@given(client_id=st.integers(1, MAX_CLIENT_ID - 1), spaces=st.lists(st.integers(0, 9), max_size=3))
def test_a_client_id_reads_back_with_spaces_anywhere(client_id, spaces):
    text = str(client_id)
    for position in spaces:
        text = text[:position] + " " + text[position:]
    assert parse_client_id(text) == client_id
    assert parse_client_id(client_id) == client_id and parse_client_id(float(client_id)) == client_id


@run_bounded(300)
@given(raw=json_values | st.text(alphabet=UNICODE_DIGITS + "0123456789 ", max_size=50))
def test_parse_client_id_is_none_or_a_valid_id(raw):
    parsed = parse_client_id(raw)
    assert parsed is None or (isinstance(parsed, int) and 0 < parsed < MAX_CLIENT_ID)
    if isinstance(raw, str) and any(ch in UNICODE_DIGITS for ch in raw):
        assert parsed is None
    digits = search_digits(raw)
    assert len(digits) < 10 and digits.isascii()


NUMBER_FIELDS = [n for n in fields.WHATIF_FIELDS if fields.FIELD_SPECS[n].kind != "choice"]


@run_bounded(300)
@given(name=st.sampled_from(NUMBER_FIELDS), cents=st.integers(-10**10, 10**10),
       lang=st.sampled_from(["fr", "en"]))
def test_a_field_written_for_the_advisor_reads_back_exactly(name, cents, lang):
    """`field_text` (what the what-if and new-applicant forms show) and `parse_number` (what
    they read) agree in both languages, to the cent: "412 120" / "412,120", "1 234,56"."""
    value = cents / 100
    text = fields.field_text(name, value, lang)
    assert math.isclose(fields.parse_number(text, lang), value, rel_tol=1e-12, abs_tol=1e-9)


@run_bounded(200)
@given(values=st.dictionaries(st.sampled_from(fields.NEW_APPLICANT_FIELDS),
                              st.one_of(st.none(), st.integers(-10**9, 10**9).map(lambda c: c / 100),
                                        st.text(max_size=12))),
       typed_in=st.sampled_from(["fr", "en"]), shown_in=st.sampled_from(["fr", "en"]))
def test_remembered_values_come_back_the_same_in_the_other_language(values, typed_in, shown_in):
    """A form typed in one language and re-rendered in the other reads as the same values."""
    names = list(fields.NEW_APPLICANT_FIELDS)
    typed = {n: fields.field_text(n, v, typed_in) if isinstance(v, float) else v
             for n, v in values.items()}
    kept = fields.remembered_values(typed, typed_in)
    shown = dict(zip(names, fields.restored_values(kept, names, shown_in)))
    for name, raw in typed.items():
        if fields.FIELD_SPECS[name].kind == "choice" or not isinstance(values[name], float):
            continue
        assert math.isclose(fields.parse_number(shown[name], shown_in), values[name],
                            rel_tol=1e-12, abs_tol=1e-9)


def test_what_if_amounts_are_whole_euros_and_only_edits_are_remembered():
    import pandas as pd

    stored = pd.Series({"AMT_GOODS_PRICE": 412120.0625, "AMT_ANNUITY": 36185.2265625,
                        "AMT_CREDIT": 406597.5})
    original = fields.fields_from_raw_row(stored, ("goods", "annuity", "credit"))
    assert original == {"goods": 412120, "annuity": 36185, "credit": 406598}  # round half to even
    assert fields.field_text("goods", original["goods"], "fr") == "412\u202f120"
    assert fields.field_text("goods", original["goods"], "en") == "412,120"
    typed = {"goods": "412 120", "annuity": "40 000", "credit": "beaucoup"}
    assert fields.remembered_values(typed, "fr", original) == {"annuity": 40000.0, "credit": "beaucoup"}
    assert fields.restored_values({"annuity": 40000.0, "credit": "beaucoup"},
                                  ["goods", "annuity", "credit"], "en", original) \
        == ["412,120", "40,000", "beaucoup"]
    assert fields.restored_values([1, 2], ["goods"], "en") is None  # storage holding anything else
    typed_in_french = {"lang": "fr", "search": "", "values": {"income": "180 000,5", "gender": "F"}}
    assert fields.restore_entry(typed_in_french, ["income", "gender", "credit"], "en",
                                {"credit": 513531}) == ["180,000.5", "F", "513,531"]


def test_a_url_with_its_own_values_wins_over_remembered_ones():
    memory = {"new": {"search": "", "values": {"income": 1.0}}, "bad": [1]}
    assert fields.memory_entry(memory, "new", "") == memory["new"]
    assert fields.memory_entry(memory, "new", "?entry=3") is None
    assert fields.memory_entry({"new": {"search": "?entry=3", "values": {}}}, "new", "?entry=3")
    assert fields.memory_entry(memory, "bad", "") is None and fields.memory_entry(None, "new", "") is None


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=60)
                    | st.sampled_from([2**63, -2**63 - 1, 10**400]),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=5))
def test_what_is_kept_in_the_form_memory_can_always_be_sent_back(raw):
    """Any JSON value a crafted request puts in a what-if field is either kept as a short
    string or bounded number, or dropped; Dash can always serialise it (2^63 was a 500)."""
    from dash._utils import to_json

    from webapp.ui.fields import storable

    kept = storable(raw)
    assert kept is None or isinstance(kept, (str, int, float))
    if isinstance(kept, (int, float)):
        assert abs(kept) <= 10**15
    to_json({"values": {"income": kept}})
