"""Charts of the Data drift screen: reference vs current bars, and their text alternatives.

Pure drawing: the frames (histogram, category shares) and the sentences' facts (test
result, means, missing shares, already formatted) come from `webapp.services.drift`.
Reference = training applicants, current = the new batch (Kaggle's test set); the two
batches differ by colour and by pattern, never by colour alone.
"""
from __future__ import annotations

import pandas as pd
from webapp import figures as palette
from webapp.figures import plain
from webapp.formatting import format_percent
from webapp.i18n import translate

# Categories shown one by one in a categorical drift chart; the rest are summed.
MAX_CATEGORIES = 12

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "reference": "Référence (clients d'entraînement)",
        "current": "Actuel (nouveaux demandeurs)",
        "share": "Part des clients de chaque lot (%)",
        "other": "Autres",
        "missing_value": "(manquant)",
        "numeric_alt": "Histogramme de « {feature} » : référence (barres pleines bleues) et lot actuel "
                       "(barres hachurées orangées). {verdict} Moyenne {ref_mean} contre {cur_mean} ; "
                       "valeurs manquantes {ref_missing} contre {cur_missing}.",
        "category_alt": "Parts des catégories de « {feature} » : référence (barres pleines bleues) et lot "
                        "actuel (barres hachurées orangées). {verdict} Catégorie la plus fréquente : "
                        "{top_ref} ({top_ref_share}) contre {top_cur} ({top_cur_share}).",
        "no_data": "Pas de valeurs pour « {feature} » dans les données chargées.",
    },
    "en": {
        "reference": "Reference (training clients)",
        "current": "Current (new applicants)",
        "share": "Share of each batch's clients (%)",
        "other": "Other",
        "missing_value": "(missing)",
        "numeric_alt": "Histogram of “{feature}”: reference (solid blue bars) and current batch "
                       "(hatched orange bars). {verdict} Mean {ref_mean} against {cur_mean}; "
                       "missing values {ref_missing} against {cur_missing}.",
        "category_alt": "Category shares of “{feature}”: reference (solid blue bars) and current batch "
                        "(hatched orange bars). {verdict} Most frequent category: {top_ref} "
                        "({top_ref_share}) against {top_cur} ({top_cur_share}).",
        "no_data": "No values for “{feature}” in the loaded data.",
    },
}
# Bar styles of the two batches: colour and pattern, so they differ without colour.
SIDES = (("reference", palette.BLUE, ""), ("current", palette.VERMILLION, "/"))


def text(key: str, lang: str, **values: object) -> str:
    """A text of the drift charts (the service names its "Other" and "(missing)" categories)."""
    return translate(TEXTS, key, lang, **values)


def _bars(x: list, table: pd.DataFrame, feature: str, lang: str, **xaxis: object) -> dict:
    data = [plain.patterned_bars(x, plain.significant(table[side] * 100), text(side, lang), colour,
                                 pattern)
            for side, colour, pattern in SIDES]
    return plain.figure(data, height=360, lang=lang, barmode="group", bargap=0.15,
                        legend={"orientation": "h", "y": 1.15, "x": 0},
                        xaxis=plain.axis(feature, **xaxis),
                        yaxis=plain.axis(text("share", lang), rangemode="tozero"))


def numeric_drift_figure(histogram: pd.DataFrame, feature: str, lang: str) -> dict:
    """Reference vs current bars from `split_histogram(..., labels=("reference", "current"))`."""
    if histogram.empty:
        return plain.empty_figure(text("no_data", lang, feature=feature))
    return _bars(plain.significant(histogram["center"]), histogram, feature, lang)


def category_drift_figure(shares: pd.DataFrame, feature: str, lang: str) -> dict:
    """Reference vs current share of each category (from `category_shares`)."""
    if shares.empty:
        return plain.empty_figure(text("no_data", lang, feature=feature))
    return _bars([str(c) for c in shares["category"]], shares, feature, lang, type="category")


def numeric_drift_summary(feature: str, verdict: str, ref_mean: str, cur_mean: str,
                          ref_missing: str, cur_missing: str, lang: str) -> str:
    """Text alternative of a numeric drift chart: the test result, means and missing shares."""
    return text("numeric_alt", lang, feature=feature, verdict=verdict, ref_mean=ref_mean,
                cur_mean=cur_mean, ref_missing=ref_missing, cur_missing=cur_missing)


def category_drift_summary(shares: pd.DataFrame, feature: str, verdict: str, lang: str) -> str:
    """Text alternative of a categorical drift chart: the test result and the most frequent
    category of each batch (from `category_shares`)."""
    if shares.empty:
        return text("no_data", lang, feature=feature)
    top_ref = shares.loc[shares["reference"].idxmax()]
    top_cur = shares.loc[shares["current"].idxmax()]
    return text(
        "category_alt", lang, feature=feature, verdict=verdict,
        top_ref=top_ref["category"], top_ref_share=format_percent(top_ref["reference"], lang),
        top_cur=top_cur["category"], top_cur_share=format_percent(top_cur["current"], lang),
    )
