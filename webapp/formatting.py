"""Numbers, money, percentages and durations written the way each language reads them.

French: "1 234,56 €", "12,3 %" (narrow no-break space U+202F between thousands and
before "%", no-break space U+00A0 before "€"); English: "€1,234.56", "12.3%".
A missing value (None, NaN, ±inf) prints as "—" in French and "n/a" in English,
so a gap in the data never shows up as "nan" in front of a customer.
"""
from __future__ import annotations

import math

from model.config import DAYS_NO_VALUE
from webapp.i18n import normalise_language

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


def missing(lang: str | None) -> str:
    """The placeholder written for a missing value."""
    return "—" if normalise_language(lang) == "fr" else "n/a"


def _is_missing(x: object) -> bool:
    if x is None:
        return True
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True
    return not math.isfinite(value)


def format_number(x: object, lang: str | None, decimals: int = 0) -> str:
    """1234.56 -> "1 234,56" (fr, U+202F thousands) or "1,234.56" (en)."""
    if _is_missing(x):
        return missing(lang)
    text = f"{float(x):,.{decimals}f}"  # type: ignore[arg-type]
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0"
    if normalise_language(lang) == "fr":
        text = text.replace(",", NARROW_NBSP).replace(".", ",")
    return text


def format_money(x: object, lang: str | None, decimals: int = 2) -> str:
    """1234.56 -> "1 234,56 €" (fr) or "€1,234.56" (en); negative: "-€5.00"."""
    if _is_missing(x):
        return missing(lang)
    if normalise_language(lang) == "fr":
        return f"{format_number(x, lang, decimals)}{NBSP}€"
    amount = format_number(abs(float(x)), lang, decimals)  # type: ignore[arg-type]
    return f"-€{amount}" if float(x) < 0 and amount.strip("0.,") else f"€{amount}"  # type: ignore[arg-type]


def format_percent(p: object, lang: str | None, decimals: int = 1) -> str:
    """A share in [0, 1] as a percentage: 0.1234 -> "12,3 %" (fr) or "12.3%" (en)."""
    if _is_missing(p):
        return missing(lang)
    number = format_number(100 * float(p), lang, decimals)  # type: ignore[arg-type]
    return f"{number}{NARROW_NBSP}%" if normalise_language(lang) == "fr" else f"{number}%"


def format_points(delta: object, lang: str | None, decimals: int = 1) -> str:
    """A difference of probabilities in percentage points, unsigned: 0.032 -> "3,2 points"."""
    if _is_missing(delta):
        return missing(lang)
    number = format_number(abs(100 * float(delta)), lang, decimals)  # type: ignore[arg-type]
    rounded = abs(round(100 * float(delta), decimals))  # type: ignore[arg-type]
    # French: singular below 2 ("1,2 point"); English: only exactly one ("1.2 points").
    singular = rounded < 2 if normalise_language(lang) == "fr" else rounded == 1
    word = "point" if singular else "points"
    return f"{number}{NBSP}{word}"


def days_to_years(days_negative: object) -> float:
    """Home Credit counts days backwards from the application (-12000 -> 32.9 years).

    Positive values and the 365243 code mean "no value" and give NaN.
    """
    if _is_missing(days_negative):
        return math.nan
    days = float(days_negative)  # type: ignore[arg-type]
    if days > 0 or days >= DAYS_NO_VALUE:
        return math.nan
    return -days / 365.25


def format_years(days_negative: object, lang: str | None, decimals: int = 0) -> str:
    """-12000 days -> "32 ans" / "32 years" (completed years when decimals=0)."""
    years = days_to_years(days_negative)
    if math.isnan(years):
        return missing(lang)
    if decimals == 0:
        value = math.floor(years)
        number = format_number(value, lang, 0)
    else:
        value = years
        number = format_number(years, lang, decimals)
    if normalise_language(lang) == "fr":
        unit = "an" if value < 2 else "ans"
    else:
        unit = "year" if value == 1 else "years"
    return f"{number}{NBSP}{unit}"


MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def format_date(day: object, lang: str | None) -> str:
    """7 December 2026 -> "7 décembre 2026" / "7 December 2026": never an ISO date in a
    customer's text, and never the server's locale (strftime's %B is English everywhere)."""
    lang = normalise_language(lang)
    month = MONTHS[lang][day.month - 1]  # type: ignore[attr-defined]
    first = "1er" if lang == "fr" and day.day == 1 else str(day.day)  # type: ignore[attr-defined]
    return f"{first} {month} {day.year}"  # type: ignore[attr-defined]
