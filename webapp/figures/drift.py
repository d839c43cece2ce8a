"""Tables, figures and sentences of the Data drift screen, from the precomputed summary.

The summary is `model/drift`'s `summary.json` (per column: drift flag, test,
score, severity = score relative to its own threshold, reference/current
statistics; overall share of drifted columns; the prediction column). Drift is
stated in words and with an icon in the table, never by colour alone.
Reference = training applicants, current = the new batch (Kaggle's test set).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from webapp import figures as palette
from webapp.figures import plain
from webapp.formatting import format_number, format_percent
from webapp.i18n import translate
from webapp.services.population import PREDICTION_COLUMN, feature_label

# Categories shown one by one in a categorical drift chart; the rest are summed.
MAX_CATEGORIES = 12

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "reference": "Référence (clients d'entraînement)",
        "current": "Actuel (nouveaux demandeurs)",
        "share": "Part des clients de chaque lot (%)",
        "probability": "Probabilité de défaut prédite",
        "drifted": "⚠ Dérive",
        "stable": "✓ Stable",
        "other": "Autres",
        "missing_value": "(manquant)",
        "share_sentence": "{n_drifted} variables sur {n_columns} ont dérivé ({share}) entre les "
                          "{reference} clients d'entraînement et les {current} nouveaux demandeurs.",
        "prediction_drift": "Les probabilités prédites ont dérivé (test {method}, score {score}) : "
                            "moyenne {ref_mean} à l'entraînement contre {cur_mean} aujourd'hui.",
        "prediction_stable": "Les probabilités prédites n'ont pas dérivé (test {method}, score {score}) : "
                             "moyenne {ref_mean} à l'entraînement contre {cur_mean} aujourd'hui.",
        "prediction_absent": "La dérive des prédictions n'a pas été calculée.",
        "numeric_alt": "Histogramme de « {feature} » : référence (barres pleines bleues) et lot actuel "
                       "(barres hachurées orangées). {verdict} Moyenne {ref_mean} contre {cur_mean} ; "
                       "valeurs manquantes {ref_missing} contre {cur_missing}.",
        "category_alt": "Parts des catégories de « {feature} » : référence (barres pleines bleues) et lot "
                        "actuel (barres hachurées orangées). {verdict} Catégorie la plus fréquente : "
                        "{top_ref} ({top_ref_share}) contre {top_cur} ({top_cur_share}).",
        "verdict_drift": "Dérive détectée (test {method}, score {score}).",
        "verdict_stable": "Pas de dérive détectée (test {method}, score {score}).",
        "verdict_none": "Variable non testée.",
        "no_data": "Pas de valeurs pour « {feature} » dans les données chargées.",
    },
    "en": {
        "reference": "Reference (training clients)",
        "current": "Current (new applicants)",
        "share": "Share of each batch's clients (%)",
        "probability": "Predicted probability of default",
        "drifted": "⚠ Drift",
        "stable": "✓ Stable",
        "other": "Other",
        "missing_value": "(missing)",
        "share_sentence": "{n_drifted} of {n_columns} features drifted ({share}) between the "
                          "{reference} training clients and the {current} new applicants.",
        "prediction_drift": "Predicted probabilities drifted ({method} test, score {score}): "
                            "mean {ref_mean} in training against {cur_mean} now.",
        "prediction_stable": "Predicted probabilities did not drift ({method} test, score {score}): "
                             "mean {ref_mean} in training against {cur_mean} now.",
        "prediction_absent": "Prediction drift was not computed.",
        "numeric_alt": "Histogram of “{feature}”: reference (solid blue bars) and current batch "
                       "(hatched orange bars). {verdict} Mean {ref_mean} against {cur_mean}; "
                       "missing values {ref_missing} against {cur_missing}.",
        "category_alt": "Category shares of “{feature}”: reference (solid blue bars) and current batch "
                        "(hatched orange bars). {verdict} Most frequent category: {top_ref} "
                        "({top_ref_share}) against {top_cur} ({top_cur_share}).",
        "verdict_drift": "Drift detected ({method} test, score {score}).",
        "verdict_stable": "No drift detected ({method} test, score {score}).",
        "verdict_none": "Feature not tested.",
        "no_data": "No values for “{feature}” in the loaded data.",
    },
}
# Bar styles of the two batches: colour and pattern, so they differ without colour.
SIDES = (("reference", palette.BLUE, ""), ("current", palette.VERMILLION, "/"))


def _text(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def _score(value: float | None, lang: str) -> str:
    """Test scores span p-values near 0 and distances near 1: three significant digits."""
    if value is None or not np.isfinite(value):
        return format_number(None, lang)
    text = f"{value:.3g}"
    return text if lang == "en" else text.replace(".", ",")


def _stat(entry: dict[str, Any] | None, side: str, key: str) -> float | None:
    if not entry:
        return None
    return (entry.get(side) or {}).get(key)


def drift_entry(summary: dict[str, Any], column: str) -> dict[str, Any] | None:
    """The summary entry of one column (or the prediction), None if it was not tested."""
    if column == PREDICTION_COLUMN and summary.get("prediction"):
        return summary["prediction"]
    return next((e for e in summary.get("columns", []) if e.get("column") == column), None)


def drift_table(summary: dict[str, Any], dictionary: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    """One row per tested feature (prediction excluded), most severe drift first.

    Columns: `column`, `label` (plain language), `status` (icon + word),
    `method`, `score`, `severity` (score relative to the test's threshold: >= 1
    is drift, comparable across tests), `reference_mean`, `current_mean`,
    `reference_missing`, `current_missing` (shares in %).
    """
    rows = []
    for entry in summary.get("columns", []):
        column = entry.get("column")
        if column == PREDICTION_COLUMN:
            continue
        rows.append({
            "column": column,
            "label": feature_label(dictionary, column, lang),
            "status": _text("drifted" if entry.get("drift_detected") else "stable", lang),
            "method": entry.get("method"),
            "score": entry.get("score"),
            "severity": entry.get("severity"),
            "reference_mean": _stat(entry, "reference", "mean"),
            "current_mean": _stat(entry, "current", "mean"),
            "reference_missing": _percent_or_none(_stat(entry, "reference", "missing_share")),
            "current_missing": _percent_or_none(_stat(entry, "current", "missing_share")),
        })
    columns = ["column", "label", "status", "method", "score", "severity", "reference_mean",
               "current_mean", "reference_missing", "current_missing"]
    table = pd.DataFrame(rows, columns=columns)
    if table.empty:
        return table
    return table.sort_values("severity", ascending=False, kind="stable",
                             na_position="last").reset_index(drop=True)


def _percent_or_none(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def share_sentence(summary: dict[str, Any], lang: str) -> str:
    """"12 variables sur 140 ont dérivé (8,6 %) entre les 307 511 clients ..."."""
    rows = summary.get("rows", {})
    return _text(
        "share_sentence", lang,
        n_drifted=format_number(summary.get("n_drifted", 0), lang),
        n_columns=format_number(summary.get("n_columns", 0), lang),
        share=format_percent(summary.get("share_drifted"), lang),
        reference=format_number(rows.get("reference"), lang),
        current=format_number(rows.get("current"), lang),
    )


def prediction_sentence(summary: dict[str, Any], lang: str) -> str:
    """Whether the predicted probabilities drifted, with the test and the two means."""
    entry = summary.get("prediction")
    if not entry:
        return _text("prediction_absent", lang)
    key = "prediction_drift" if entry.get("drift_detected") else "prediction_stable"
    return _text(
        key, lang, method=entry.get("method"), score=_score(entry.get("score"), lang),
        ref_mean=format_percent(_stat(entry, "reference", "mean"), lang),
        cur_mean=format_percent(_stat(entry, "current", "mean"), lang),
    )


def _verdict(entry: dict[str, Any] | None, lang: str) -> str:
    if not entry:
        return _text("verdict_none", lang)
    key = "verdict_drift" if entry.get("drift_detected") else "verdict_stable"
    return _text(key, lang, method=entry.get("method"), score=_score(entry.get("score"), lang))


def is_current(clients: pd.DataFrame) -> np.ndarray:
    """True for clients of the current batch (Kaggle test set), False for the reference."""
    return (clients["set"] == "test").to_numpy(bool)


def category_shares(values: pd.Series, current: np.ndarray, lang: str,
                    limit: int = MAX_CATEGORIES) -> pd.DataFrame:
    """Share (0-1) of each category in the reference and the current batch, frequent first.

    Missing values are a category of their own; beyond `limit` categories the
    rarest are summed into "Other".
    """
    labels = values.astype("object").where(values.notna(), _text("missing_value", lang))
    labels = labels.astype(str)
    current = np.asarray(current, dtype=bool)
    table = pd.DataFrame({
        "reference": labels[~current].value_counts(normalize=True),
        "current": labels[current].value_counts(normalize=True),
    }).fillna(0.0)
    table = table.sort_index().sort_values(["reference", "current"], ascending=False, kind="stable")
    if len(table) > limit:
        head, rest = table.iloc[: limit - 1], table.iloc[limit - 1:]
        table = pd.concat([head, rest.sum().to_frame(_text("other", lang)).T])
    table.index.name = "category"
    return table.reset_index()


def _bars(x: list, table: pd.DataFrame, feature: str, lang: str, **xaxis: object) -> dict:
    data = [plain.patterned_bars(x, plain.significant(table[side] * 100), _text(side, lang), colour,
                                 pattern)
            for side, colour, pattern in SIDES]
    return plain.figure(data, height=360, lang=lang, barmode="group", bargap=0.15,
                        legend={"orientation": "h", "y": 1.15, "x": 0},
                        xaxis=plain.axis(feature, **xaxis),
                        yaxis=plain.axis(_text("share", lang), rangemode="tozero"))


def numeric_drift_figure(histogram: pd.DataFrame, feature: str, lang: str) -> dict:
    """Reference vs current bars from `split_histogram(..., labels=("reference", "current"))`."""
    if histogram.empty:
        return plain.empty_figure(_text("no_data", lang, feature=feature))
    return _bars(plain.significant(histogram["center"]), histogram, feature, lang)


def category_drift_figure(shares: pd.DataFrame, feature: str, lang: str) -> dict:
    """Reference vs current share of each category (from `category_shares`)."""
    if shares.empty:
        return plain.empty_figure(_text("no_data", lang, feature=feature))
    return _bars([str(c) for c in shares["category"]], shares, feature, lang, type="category")


def numeric_drift_summary(entry: dict[str, Any] | None, feature: str, lang: str) -> str:
    """Text alternative of a numeric drift chart: verdict, means and missing shares."""
    percent = "probability" if entry and entry.get("column") == PREDICTION_COLUMN else None
    mean = (lambda v: format_percent(v, lang)) if percent else (lambda v: format_number(v, lang, 2))
    return _text(
        "numeric_alt", lang, feature=feature, verdict=_verdict(entry, lang),
        ref_mean=mean(_stat(entry, "reference", "mean")),
        cur_mean=mean(_stat(entry, "current", "mean")),
        ref_missing=format_percent(_stat(entry, "reference", "missing_share"), lang),
        cur_missing=format_percent(_stat(entry, "current", "missing_share"), lang),
    )


def category_drift_summary(entry: dict[str, Any] | None, shares: pd.DataFrame, feature: str,
                           lang: str) -> str:
    """Text alternative of a categorical drift chart: verdict and the most frequent category."""
    if shares.empty:
        return _text("no_data", lang, feature=feature)
    top_ref = shares.loc[shares["reference"].idxmax()]
    top_cur = shares.loc[shares["current"].idxmax()]
    return _text(
        "category_alt", lang, feature=feature, verdict=_verdict(entry, lang),
        top_ref=top_ref["category"], top_ref_share=format_percent(top_ref["reference"], lang),
        top_cur=top_cur["category"], top_cur_share=format_percent(top_cur["current"], lang),
    )
