"""Numbers in words for the texts the model side writes (policy rules, fairness, model card).

`model/` never imports the web app, so it keeps these few formatters of its own:
French uses a decimal comma and a narrow no-break space (U+202F) between thousands and
before %, English neither: the same conventions as `webapp/formatting.py`.
"""
from __future__ import annotations

import math


def number(value: float | None, lang: str, decimals: int = 1) -> str:
    """'12,5' / '12.5'; '—' for a missing value, '∞' for an infinite one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "∞"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang != "en" else text


def percent(value: float | None, lang: str, decimals: int = 0) -> str:
    """'41 %' / '41%' for 0.41."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return number(value, lang)
    return number(100 * value, lang, decimals) + ("\u202f%" if lang != "en" else "%")
