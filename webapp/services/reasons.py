"""Words of an explanation: a concept's key value in its unit, and the sentences read out.

The explainer (`model.explain.local`) gives numbers and units; this module, with
the app's one set of number formatters (`webapp.formatting`), writes them the way
the customer hears them: "35 ans", "450 000 €", "12 % du revenu". The sentences
name exactly the principal reasons of the `Assessment`, in their order, each with the
value that drives it, so what the advisor reads out can never disagree with the chart,
the letter or the API.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from model import config
from model.explain.local import MIN_REASON_CHANGE
from webapp.ui.fields import choice_label
from webapp.formatting import (format_money, format_number, format_percent, format_points,
                               format_years, missing)
from webapp.i18n import normalise_language, translate

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "score": ("Probabilité de défaut estimée : {p} ({side} du seuil de décision de {t}), "
                  "contre {base} pour un client moyen."),
        "above": "au-dessus", "below": "en dessous",
        "reason": "Raison {rank} : « {label} »{value} augmente le risque de {amount}.",
        "no_reason": ("Aucun élément du dossier n'augmente le risque de {points} ou plus par "
                      "rapport au client moyen."),
        "counter": "À l'inverse, « {label} »{value} le réduit de {amount}.",
        "dummy": "Ce modèle de référence n'utilise aucune caractéristique du client.",
        "count": "{n}", "score_unit": "{x} sur 1", "rating": "note {x} sur 3",
        "percent_income": "{x}", "yes": "oui", "no": "non", "days": "{x} jours",
        "months": "{x} mois", "no_date": "sans emploi salarié", "none": "aucun",
        "not_given": "non renseigné",
    },
    "en": {
        "score": ("Estimated probability of default: {p} ({side} the decision threshold of {t}), "
                  "against {base} for an average client."),
        "above": "above", "below": "below",
        "reason": "Reason {rank}: '{label}'{value} raises the risk by {amount}.",
        "no_reason": ("Nothing in the file raises the risk by {points} or more compared with "
                      "the average client."),
        "counter": "On the other hand, '{label}'{value} lowers it by {amount}.",
        "dummy": "This baseline model uses none of the client's characteristics.",
        "count": "{n}", "score_unit": "{x} out of 1", "rating": "rating {x} of 3",
        "percent_income": "{x}", "yes": "yes", "no": "no", "days": "{x} days",
        "months": "{x} months", "no_date": "no salaried employment", "none": "none",
        "not_given": "not provided",
    },
}


def _number(value: Any) -> float:
    """A finite float, or NaN for anything else (text, None, NA, ±inf): what
    `pd.to_numeric(errors="coerce")` gives one value, without a Series per value (12 ms of
    pandas per explanation)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return math.nan
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return math.nan
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return math.nan
    return number if math.isfinite(number) else math.nan


def format_unit(value: Any, unit: str, lang: str | None) -> str:
    """A value in its natural unit: years (from Home Credit's negative days), €, %, ..."""
    lang = normalise_language(lang)
    if isinstance(value, str):
        return choice_label(value, lang)
    number = _number(value)
    if math.isnan(number):
        return missing(lang)
    if unit == "years":
        return format_years(number, lang, decimals=0 if abs(number) > 365.25 * 2 else 1)
    if unit == "eur":
        return format_money(number, lang, 0)
    if unit in ("percent", "share"):
        return format_percent(number, lang, 0 if abs(number) >= 0.1 else 1)
    if unit == "score":
        return translate(TEXTS, "score_unit", lang, x=format_number(number, lang, 2))
    if unit == "rating":
        return translate(TEXTS, "rating", lang, x=format_number(number, lang, 0))
    if unit == "flag":
        return translate(TEXTS, "yes" if number else "no", lang)
    if unit == "days":
        return translate(TEXTS, "days", lang, x=format_number(abs(number), lang, 0))
    if unit == "months":
        return translate(TEXTS, "months", lang, x=format_number(abs(number), lang, 0))
    if unit == "count" or float(number).is_integer():
        return format_number(number, lang, 0)
    return format_number(number, lang, 2 if abs(number) < 100 else 0)


# What a count of a concept counts ("3 crédits déclarés"), singular and plural; none is said
# in words ("aucun crédit déclaré"), never "0 crédits".
COUNT_NOUNS = {
    "previous": {"fr": ("demande", "demandes", "aucune demande"),
                 "en": ("application", "applications", "no application")},
    "bureau": {"fr": ("crédit déclaré", "crédits déclarés", "aucun crédit déclaré"),
               "en": ("reported credit", "reported credits", "no reported credit")},
}


def key_value_text(row: dict[str, Any], lang: str | None) -> str:
    """The client's key value of a concept ('' when the concept has none or it is unknown)."""
    if not row.get("unit"):
        return ""
    value = row.get("key_value")
    if not isinstance(value, str) and math.isnan(_number(value)):
        return ""
    text = format_unit(value, str(row["unit"]), lang)
    nouns = COUNT_NOUNS.get(str(row.get("key") or row.get("concept")))
    if row["unit"] == "count" and nouns:
        one, many, none = nouns[normalise_language(lang)]
        number = _number(value)
        text = none if number == 0 else f"{text} {one if number == 1 else many}"
    return text


def reason_value_text(reason: Any, lang: str | None) -> str:
    """A principal reason's driving value as the customer reads it: "durée de l'emploi
    rapportée à l'âge : 2 %" ('' never: an unknown value says "non renseigné")."""
    lang = normalise_language(lang)
    value = reason.value
    if not isinstance(value, str) and math.isnan(_number(value)):
        # "—" or "n/a" is a blank the customer cannot check against their file: the file
        # has no value there, and that is what raised the risk.
        text = translate(TEXTS, "not_given", lang)
    elif not isinstance(value, str) and _number(value) == config.DAYS_NO_VALUE:
        text = translate(TEXTS, "no_date", lang)  # Home Credit's "never" code (not employed)
    elif reason.unit == "count" and _number(value) == 0:
        text = translate(TEXTS, "none", lang)
    else:
        text = format_unit(value, reason.unit, lang)
    return f"{reason.feature_label(lang)} : {text}" if lang == "fr" else \
        f"{reason.feature_label(lang)}: {text}"


def explanation_sentences(assessment: Any, lang: str | None) -> list[str]:
    """The score against threshold and average, then each principal reason in order (with
    the value that drives it), then the strongest reasonable concept lowering the risk."""
    lang = normalise_language(lang)
    explanation = assessment.explanation
    side = "above" if explanation.probability >= explanation.threshold else "below"
    lines = [translate(TEXTS, "score", lang, p=format_percent(explanation.probability, lang),
                       t=format_percent(explanation.threshold, lang),
                       base=format_percent(explanation.base_probability, lang),
                       side=translate(TEXTS, side, lang))]
    if explanation.kind == "dummy":
        return lines + [translate(TEXTS, "dummy", lang)]
    for rank, reason in enumerate(assessment.reasons, start=1):
        lines.append(translate(TEXTS, "reason", lang, rank=rank, label=reason.label(lang),
                               value=_in_brackets(reason_value_text(reason, lang)),
                               amount=format_points(reason.probability_change, lang)))
    if not assessment.reasons:
        lines.append(translate(TEXTS, "no_reason", lang,
                               points=format_points(MIN_REASON_CHANGE, lang)))
    lowering = [row for row in explanation.rows if not row["is_other"] and row["reasonable"]
                and row["probability_change"] <= -MIN_REASON_CHANGE]
    if lowering:
        row = min(lowering, key=lambda row: row["probability_change"])  # the first of equals
        lines.append(translate(TEXTS, "counter", lang, label=row[f"label_{lang}"],
                               value=_in_brackets(key_value_text(row, lang)),
                               amount=format_points(row["probability_change"], lang)))
    return lines


def _in_brackets(text: str) -> str:
    return f" ({text})" if text else ""
