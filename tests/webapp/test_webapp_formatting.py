"""Numbers, money, percentages and durations as a French or English reader expects them."""
from __future__ import annotations

import math

import pytest

from webapp.formatting import (NARROW_NBSP, NBSP, days_to_years, format_money, format_number,
                               format_percent, format_points, format_years)


def test_french_number_uses_narrow_space_and_comma() -> None:
    assert format_number(1234.56, "fr", 2) == f"1{NARROW_NBSP}234,56"
    assert format_number(1234567, "fr") == f"1{NARROW_NBSP}234{NARROW_NBSP}567"


def test_english_number_uses_comma_and_point() -> None:
    assert format_number(1234.56, "en", 2) == "1,234.56"


def test_money_in_both_languages() -> None:
    assert format_money(1234.56, "fr") == f"1{NARROW_NBSP}234,56{NBSP}€"
    assert format_money(1234.56, "en") == "€1,234.56"
    assert format_money(-5, "en") == "-€5.00"


def test_percent_of_a_share() -> None:
    assert format_percent(0.1234, "fr") == f"12,3{NARROW_NBSP}%"
    assert format_percent(0.1234, "en") == "12.3%"
    assert format_percent(0.5, "en", decimals=0) == "50%"


@pytest.mark.parametrize("value", [None, math.nan, math.inf, "abc"])
def test_missing_values_never_print_nan(value: object) -> None:
    assert format_number(value, "fr") == "—"
    assert format_money(value, "en") == "n/a"
    assert format_percent(value, "fr") == "—"


def test_days_backwards_become_completed_years() -> None:
    # -12000 days = 32.85 years: 32 completed years.
    assert format_years(-12000, "fr") == f"32{NBSP}ans"
    assert format_years(-12000, "en") == f"32{NBSP}years"
    assert format_years(-365.25 * 3.5, "fr", decimals=1) == f"3,5{NBSP}ans"


def test_no_value_code_and_future_days_are_missing() -> None:
    assert math.isnan(days_to_years(365243))
    assert format_years(365243, "en") == "n/a"
    assert format_years(100, "fr") == "—"


def test_points_are_unsigned_percentage_points() -> None:
    assert format_points(0.032, "fr") == f"3,2{NBSP}points"
    assert format_points(-0.032, "en") == f"3.2{NBSP}points"
    # English plural for anything but exactly one ("lowers it by 1.2 points", issue 11);
    # French singular below 2 ("1,2 point").
    assert format_points(0.005, "en") == f"0.5{NBSP}points"
    assert format_points(0.012, "en") == f"1.2{NBSP}points"
    assert format_points(0.01, "en") == f"1.0{NBSP}point"
    assert format_points(0.012, "fr") == f"1,2{NBSP}point"


def test_negative_zero_is_not_printed() -> None:
    assert format_number(-0.0001, "en", 1) == "0.0"
