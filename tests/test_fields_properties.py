"""Properties of the form validators, for any input a browser or an API client can send."""
from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from fuzz_requests import UNICODE_DIGITS, json_values, run_bounded
from webapp import fields
from webapp.formatting import format_number
from webapp.validation import MAX_CLIENT_ID, parse_client_id, search_digits


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
