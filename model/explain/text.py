"""Words for explanations: readable values and the sentences an advisor reads out.

An advisor cannot read "DAYS_BIRTH = -12005, SHAP +0.31" to a customer. Values
are shown in the unit a person uses (days with years, percentages, yes/no,
amounts with thousands separators) and the two or three strongest reasons are
turned into French or English sentences. No Dash import: the app and the JSON
API use the same words.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from model.explain.local import ClientExplanation

WORDS = {
    "fr": {
        "missing": "non renseigné", "yes": "oui", "no": "non",
        "days": "jours", "years": "ans",
        "raises": "augmente le risque", "lowers": "réduit le risque", "neutral": "sans effet",
        "other": "Autres caractéristiques ({n})",
        "min": "minimum", "max": "maximum", "mean": "moyenne", "sum": "total",
        "var": "variance", "std": "écart-type", "count": "nombre", "nunique": "valeurs distinctes",
    },
    "en": {
        "missing": "not given", "yes": "yes", "no": "no",
        "days": "days", "years": "years",
        "raises": "raises the risk", "lowers": "lowers the risk", "neutral": "no effect",
        "other": "Other features ({n})",
        "min": "lowest", "max": "highest", "mean": "average", "sum": "total",
        "var": "variance", "std": "standard deviation", "count": "count",
        "nunique": "distinct values",
    },
}

SENTENCES = {
    "fr": {
        "score": ("Probabilité de défaut estimée : {p} ({side} du seuil de décision de {t}), "
                  "contre {base} pour un client moyen."),
        "above": "au-dessus", "below": "en dessous",
        "main_up": "La principale raison du risque plus élevé est « {label} » ({value}), "
                   "qui l'augmente {amount}.",
        "main_down": "La principale raison du risque plus faible est « {label} » ({value}), "
                     "qui le réduit {amount}.",
        "counter_down": "À l'inverse, « {label} » ({value}) le réduit {amount}.",
        "counter_up": "À l'inverse, « {label} » ({value}) l'augmente {amount}.",
        "points": "de {x} point{s}", "slightly": "légèrement",
        "dummy": "Ce modèle de référence n'utilise aucune caractéristique du client.",
    },
    "en": {
        "score": ("Estimated probability of default: {p} ({side} the decision threshold of {t}), "
                  "against {base} for an average client."),
        "above": "above", "below": "below",
        "main_up": "The main reason for the higher risk is '{label}' ({value}), "
                   "which raises it {amount}.",
        "main_down": "The main reason for the lower risk is '{label}' ({value}), "
                     "which lowers it {amount}.",
        "counter_down": "On the other hand, '{label}' ({value}) lowers it {amount}.",
        "counter_up": "On the other hand, '{label}' ({value}) raises it {amount}.",
        "points": "by {x} point{s}", "slightly": "slightly",
        "dummy": "This baseline model uses none of the client's characteristics.",
    },
}


def words(language: str) -> dict[str, str]:
    if language not in WORDS:
        raise ValueError(f"unknown language {language!r}; expected one of {tuple(WORDS)}")
    return WORDS[language]


def format_number(value: float, language: str, decimals: int | None = None) -> str:
    """12345.6 -> '12 346' (fr, narrow no-break space) / '12,346' (en); 0.214 -> '0,21' / '0.21'."""
    if decimals is None:
        if abs(value) >= 100 or float(value).is_integer():
            decimals = 0
        else:
            decimals = 2 if abs(value) >= 0.01 else 4
    text = f"{value:,.{decimals}f}"
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def format_percent(share: float, language: str, decimals: int = 1) -> str:
    """0.1234 -> '12,3 %' (fr) / '12.3%' (en)."""
    number = format_number(100 * share, language, decimals)
    return f"{number}\u00a0%" if language == "fr" else f"{number}%"


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_value(value: Any, feature: str, language: str, aggregation: str | None = None) -> str:
    """A client's value as a person reads it, from the feature's name and aggregation."""
    w = words(language)
    if _is_missing(value):
        return w["missing"]
    if isinstance(value, str):
        return value
    value = float(value)
    if not math.isfinite(value):
        return w["missing"]
    if aggregation == "share":
        return format_percent(value, language, 0)
    if (aggregation == "flag" or feature.startswith("FLAG_")) and value in (0.0, 1.0):
        return w["yes"] if value else w["no"]
    if "DAYS" in feature and aggregation not in ("count", "var", "nunique", "ratio"):
        days = abs(value)
        text = f"{format_number(days, language, 0)} {w['days']}"
        if days >= 365:
            text += f" ({format_number(days / 365.25, language, 1)} {w['years']})"
        return text
    return format_number(value, language)


def direction(contribution: float, language: str) -> str:
    w = words(language)
    if contribution > 0:
        return w["raises"]
    return w["lowers"] if contribution < 0 else w["neutral"]


def _amount(change: float, language: str) -> str:
    """Probability change as 'by 2.3 points', or 'slightly' when it rounds to zero."""
    s = SENTENCES[language]
    points = abs(change) * 100
    if points < 0.05:
        return s["slightly"]
    return s["points"].format(x=format_number(points, language, 1), s="s" if points >= 2 else "")


def explanation_sentences(explanation: ClientExplanation, language: str | None = None) -> list[str]:
    """Two or three sentences: the score against threshold and average, the main reason
    pushing the score away from the average client, and the strongest counterweight."""
    language = language or explanation.language
    s = SENTENCES[language]
    side = s["above"] if explanation.probability >= explanation.threshold else s["below"]
    lines = [s["score"].format(
        p=format_percent(explanation.probability, language),
        t=format_percent(explanation.threshold, language),
        base=format_percent(explanation.base_probability, language), side=side)]
    reasons = [r for r in explanation.table.to_dict("records")
               if not r["is_other"] and r["contribution"] != 0]
    if not reasons:
        if explanation.kind == "dummy":
            lines.append(s["dummy"])
        return lines
    up = explanation.margin >= explanation.base_value  # exact, even where the calibrator is flat
    reasons.sort(key=lambda r: -abs(r["contribution"]))
    same = [r for r in reasons if (r["contribution"] > 0) == up]
    opposite = [r for r in reasons if (r["contribution"] > 0) != up]
    for key, rows in (("main_up" if up else "main_down", same),
                      ("counter_down" if up else "counter_up", opposite)):
        if rows:
            lines.append(s[key].format(label=rows[0][f"label_{language}"],
                                       value=rows[0][f"value_{language}"],
                                       amount=_amount(rows[0]["probability_change"], language)))
    return lines
