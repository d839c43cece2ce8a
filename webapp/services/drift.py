"""What the Data drift screen shows, prepared from the artifact set's drift summary.

One source of truth: `drift/summary.json`, written by `model/drift` at build time. Every
count on the screen is read from it (never recomputed from the client table), and the
linked Evidently page is described by the figures the summary recorded about that page
(`summary["report"]`, or the summary's own flags of the page's columns for a set built
before those figures were stored), since the page covers fewer columns than the table.

The page lays out what `drift_screen`, `drift_rows` and `distribution` return; the
figures module draws the charts from the frames prepared here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model import config
from model.drift.verdict import DriftVerdict, drift_verdict
from webapp.figures import drift as fig
from webapp.formatting import format_number, format_percent
from webapp.i18n import translate
from webapp.services import population as pop
from webapp.services import clients

PREDICTION_COLUMN = pop.PREDICTION_COLUMN
# Rows of the table shown before "show all" (the most drifted first).
PAGE_SIZE = 15
# Orders of the table: most drifted first (default), most influential first, by label.
ORDERS = ("severity", "influence", "label")

# Evidently's test names (summary "method") in words; an unknown one is shown as written.
METHOD_NAMES: dict[str, dict[str, str]] = {
    "Wasserstein distance (normed)": {"fr": "Distance de Wasserstein (normalisée)",
                                      "en": "Wasserstein distance (normalised)"},
    "Jensen-Shannon distance": {"fr": "Distance de Jensen-Shannon", "en": "Jensen-Shannon distance"},
    "K-S p_value": {"fr": "Test de Kolmogorov-Smirnov (p-valeur)",
                    "en": "Kolmogorov-Smirnov test (p-value)"},
    "Z-test p_value": {"fr": "Test Z de proportions (p-valeur)", "en": "Z-test of proportions (p-value)"},
    "chi-square p_value": {"fr": "Test du khi-deux (p-valeur)", "en": "Chi-square test (p-value)"},
    "PSI": {"fr": "Indice de stabilité de population (PSI)", "en": "Population stability index (PSI)"},
    "Kullback-Leibler divergence": {"fr": "Divergence de Kullback-Leibler",
                                    "en": "Kullback-Leibler divergence"},
    "Hellinger distance (normed)": {"fr": "Distance de Hellinger (normalisée)",
                                    "en": "Hellinger distance (normalised)"},
    "Anderson-Darling test p_value": {"fr": "Test d'Anderson-Darling (p-valeur)",
                                      "en": "Anderson-Darling test (p-value)"},
}
# Raw columns the feature dictionary has no row for (the builder never encodes them).
RAW_LABELS: dict[str, dict[str, str]] = {
    "CODE_GENDER": {"fr": "Sexe du demandeur", "en": "Applicant's gender"},
    PREDICTION_COLUMN: {"fr": "Probabilité de défaut prédite", "en": "Predicted probability of default"},
}

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "raw_days": "{label} (en jours avant la demande, négatif)",
        "drifted": "⚠ Dérive",
        "stable": "✓ Stable",
        "share_sentence": "{n_drifted} variables sur {n_columns} ont dérivé ({share}) entre les "
                          "{reference} clients d'entraînement et les {current} nouveaux demandeurs.",
        "scope": ("Variables testées ({n_columns}) : les colonnes de la demande présentes dans les "
                  "deux lots, plus les variables calculées (historique, ratios) parmi les {n_top} "
                  "plus influentes du modèle ; la probabilité prédite est testée à part. Chaque "
                  "variable est comparée sur {rows_reference} clients d'entraînement et "
                  "{rows_current} nouveaux demandeurs tirés au hasard."),
        "method_item": "{method} : {count} variables, dérive si le score {rule} {threshold}",
        "at_least": "atteint", "below": "est inférieur à",
        "report_scope": ("Le rapport Evidently lié ne détaille que {n_columns} colonnes : la "
                         "probabilité prédite, les variables les plus influentes du modèle et celles "
                         "qui ont dérivé. Il y compte {n_drifted} dérives sur {n_columns} "
                         "({share}){with_prediction} ; ce n'est pas la même base que le décompte "
                         "ci-dessus."),
        "with_prediction": ", prédiction comprise",
        "prediction_drift": "Les probabilités prédites ont dérivé ({method}, score {score}) : "
                            "moyenne {ref_mean} à l'entraînement contre {cur_mean} aujourd'hui.",
        "prediction_stable": "Les probabilités prédites n'ont pas dérivé ({method}, score {score}) : "
                             "moyenne {ref_mean} à l'entraînement contre {cur_mean} aujourd'hui.",
        "prediction_absent": "La dérive des prédictions n'a pas été calculée.",
        "verdict_low": "Dérive faible : pas d'action.",
        "verdict_watch": "Dérive à surveiller : refaire le contrôle sur le prochain lot.",
        "verdict_review": "Dérive notable sur des variables importantes : revoir le modèle.",
        "verdict_facts": ("{share} des variables ont dérivé ; parmi les {n_top} variables les plus "
                          "influentes du modèle, {top}. {prediction}"),
        "top_none": "aucune n'a dérivé",
        "top_some": "{count} ont dérivé ({names})",
        "prediction_yes": "Les probabilités prédites ont dérivé.",
        "prediction_no": "Les probabilités prédites n'ont pas dérivé.",
        "verdict_rule": ("Règle : revoir le modèle dès {review_share} de variables dérivées ou "
                         "{review_top} variables importantes dérivées ; surveiller dès {watch_share}, "
                         "une variable importante ou des prédictions dérivées."),
        "verdict_none": "Variable non testée.",
        "verdict_drift": "Dérive détectée ({method}, score {score}, seuil {threshold}).",
        "verdict_stable": "Pas de dérive détectée ({method}, score {score}, seuil {threshold}).",
        "rank": "{rank}ᵉ",
        "rank_first": "1ʳᵉ",
    },
    "en": {
        "raw_days": "{label} (in days before the application, negative)",
        "drifted": "⚠ Drift",
        "stable": "✓ Stable",
        "share_sentence": "{n_drifted} of {n_columns} features drifted ({share}) between the "
                          "{reference} training clients and the {current} new applicants.",
        "scope": ("Tested features ({n_columns}): the application columns present in both "
                  "batches, plus the computed features (history, ratios) among the model's {n_top} "
                  "most influential; the predicted probability is tested apart. Each feature is "
                  "compared on {rows_reference} training clients and {rows_current} new applicants "
                  "drawn at random."),
        "method_item": "{method}: {count} features, drift when the score {rule} {threshold}",
        "at_least": "reaches", "below": "is below",
        "report_scope": ("The linked Evidently report details only {n_columns} columns: the "
                         "predicted probability, the model's most influential features and those "
                         "that drifted. It counts {n_drifted} drifts out of {n_columns} "
                         "({share}){with_prediction}; that is not the same base as the count above."),
        "with_prediction": ", prediction included",
        "prediction_drift": "Predicted probabilities drifted ({method}, score {score}): "
                            "mean {ref_mean} in training against {cur_mean} now.",
        "prediction_stable": "Predicted probabilities did not drift ({method}, score {score}): "
                             "mean {ref_mean} in training against {cur_mean} now.",
        "prediction_absent": "Prediction drift was not computed.",
        "verdict_low": "Low drift: no action needed.",
        "verdict_watch": "Drift to watch: check again on the next batch.",
        "verdict_review": "Notable drift on important features: review the model.",
        "verdict_facts": ("{share} of the features drifted; among the model's {n_top} most "
                          "influential features, {top}. {prediction}"),
        "top_none": "none drifted",
        "top_some": "{count} drifted ({names})",
        "prediction_yes": "Predicted probabilities drifted.",
        "prediction_no": "Predicted probabilities did not drift.",
        "verdict_rule": ("Rule: review the model from {review_share} of drifted features or "
                         "{review_top} drifted important features; watch from {watch_share}, one "
                         "important feature or drifted predictions."),
        "verdict_none": "Feature not tested.",
        "verdict_drift": "Drift detected ({method}, score {score}, threshold {threshold}).",
        "verdict_stable": "No drift detected ({method}, score {score}, threshold {threshold}).",
        "rank": "#{rank}",
        "rank_first": "#1",
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def method_name(method: str | None, lang: str) -> str:
    """Evidently's test name in the interface language (as written when unknown)."""
    if not method:
        return format_number(None, lang)
    names = METHOD_NAMES.get(method)
    return names["en" if lang == "en" else "fr"] if names else str(method)


def score_text(value: float | None, lang: str) -> str:
    """Test scores span p-values near 0 and distances near 1: three significant digits."""
    if value is None or not np.isfinite(value):
        return format_number(None, lang)
    text = f"{value:.3g}"
    return text if lang == "en" else text.replace(".", ",")


def mean_text(value: float | None, lang: str) -> str:
    """A mean of any unit: whole numbers from 1,000 up, else three significant digits."""
    if value is None or not math.isfinite(value):
        return format_number(None, lang)
    if abs(value) >= 1000:
        return format_number(value, lang, 0)
    decimals = 2 if abs(value) >= 1 else 3
    return format_number(value, lang, decimals)


def _unit(dictionary: pd.DataFrame | None, column: str) -> str:
    if dictionary is None or "unit" not in dictionary.columns or column not in dictionary.index:
        return ""
    unit = dictionary.at[column, "unit"]
    return unit if isinstance(unit, str) else ""


def column_label(dictionary: pd.DataFrame | None, column: str, lang: str) -> str:
    """Plain name of a tested column: the dictionary's label of the feature, else of the raw
    column its one-hot features come from (their `group_*`), else a fixed label, else the name."""
    if column in RAW_LABELS:
        return RAW_LABELS[column]["en" if lang == "en" else "fr"]
    label = pop.feature_label(dictionary, column, lang)
    if _unit(dictionary, column) in ("days", "years"):
        # The screen shows the raw means (-16,000 for an age): the customer's label ("âge")
        # gets the raw unit back here.
        return _t("raw_days", lang, label=label)
    if label != column or dictionary is None or "column" not in dictionary.columns:
        return label
    group = f"group_{'en' if lang == 'en' else 'fr'}"
    if group in dictionary.columns:
        rows = dictionary.loc[dictionary["column"] == column, group].dropna()
        if len(rows) and str(rows.iloc[0]).strip():
            return str(rows.iloc[0]).strip()
    return label


def drift_entry(summary: dict[str, Any], column: str) -> dict[str, Any] | None:
    """The summary entry of one column (or the prediction), None if it was not tested."""
    if column == PREDICTION_COLUMN and summary.get("prediction"):
        return summary["prediction"]
    return next((e for e in summary.get("columns", []) if e.get("column") == column), None)


def _stat(entry: dict[str, Any] | None, side: str, key: str) -> float | None:
    return ((entry or {}).get(side) or {}).get(key)


@dataclass(frozen=True)
class DriftRow:
    """One tested feature as the table shows it (texts already in the interface language)."""

    column: str
    label: str
    drifted: bool
    influence: int | None  # 1 = the model's most influential; None beyond its ranked features
    status: str
    method: str
    score: str
    threshold: str
    severity: str
    rank: str            # rank of influence in the model ("3ᵉ"), "—" beyond the ranked features
    reference_mean: str
    current_mean: str
    reference_missing: str
    current_missing: str


def _rank_text(position: int | None, lang: str) -> str:
    if position is None:
        return format_number(None, lang)
    return _t("rank_first", lang) if position == 1 else _t("rank", lang, rank=position)


def rows_from_summary(summary: dict[str, Any], dictionary: pd.DataFrame | None,
                      ranked_features: list[str], lang: str) -> list[DriftRow]:
    """Every tested feature (prediction apart), most severe drift first (as the summary's
    severity orders them: score relative to its own test's threshold, >= 1 is drift)."""
    ranks = {feature: i + 1 for i, feature in enumerate(ranked_features)}
    entries = [e for e in summary.get("columns", []) if e.get("column") != PREDICTION_COLUMN]
    entries.sort(key=lambda e: -(e.get("severity") if e.get("severity") is not None else -math.inf))
    return [DriftRow(
        column=e["column"], label=column_label(dictionary, e["column"], lang),
        drifted=bool(e.get("drift_detected")), influence=ranks.get(e["column"]),
        status=_t("drifted" if e.get("drift_detected") else "stable", lang),
        method=method_name(e.get("method"), lang), score=score_text(e.get("score"), lang),
        threshold=score_text(e.get("threshold"), lang),
        severity=format_number(e.get("severity"), lang, 2),
        rank=_rank_text(ranks.get(e["column"]), lang),
        reference_mean=mean_text(_stat(e, "reference", "mean"), lang),
        current_mean=mean_text(_stat(e, "current", "mean"), lang),
        reference_missing=format_percent(_stat(e, "reference", "missing_share"), lang),
        current_missing=format_percent(_stat(e, "current", "missing_share"), lang),
    ) for e in entries]


def share_sentence(summary: dict[str, Any], lang: str) -> str:
    """"8 variables sur 138 ont dérivé (5,8 %) entre les 5 000 clients ..." (the summary's count)."""
    rows = summary.get("rows", {})
    return _t("share_sentence", lang,
              n_drifted=format_number(summary.get("n_drifted", 0), lang),
              n_columns=format_number(summary.get("n_columns", 0), lang),
              share=format_percent(summary.get("share_drifted"), lang),
              reference=format_number(rows.get("reference"), lang),
              current=format_number(rows.get("current"), lang))


def scope_sentence(summary: dict[str, Any], lang: str) -> str:
    """Which columns the count covers and on how many rows each test ran."""
    tested = summary.get("rows_tested") or summary.get("rows") or {}
    return _t("scope", lang, n_columns=format_number(summary.get("n_columns", 0), lang),
              n_top=len(summary.get("key_columns") or []) or format_number(None, lang),
              rows_reference=format_number(tested.get("reference"), lang),
              rows_current=format_number(tested.get("current"), lang))


def method_items(summary: dict[str, Any], lang: str) -> list[str]:
    """One line per test used: its name, how many features, and the rule with its threshold."""
    counts: dict[tuple[str, float], int] = {}
    for entry in summary.get("columns", []):
        if entry.get("column") == PREDICTION_COLUMN:
            continue
        key = (entry.get("method"), entry.get("threshold"))
        counts[key] = counts.get(key, 0) + 1
    from model.drift.summary import P_VALUE_MARKER

    return [_t("method_item", lang, method=method_name(method, lang), count=count,
               rule=_t("below" if P_VALUE_MARKER in str(method) else "at_least", lang),
               threshold=score_text(threshold, lang))
            for (method, threshold), count in sorted(counts.items(), key=lambda kv: -kv[1])]


def report_figures(summary: dict[str, Any]) -> dict[str, Any] | None:
    """The linked page's own figures: stored at build time, else the summary's flags of the
    page's columns (the same tests on the same rows: what the page counts)."""
    if summary.get("report"):
        return summary["report"]
    columns = summary.get("report_columns")
    if not columns:
        return None
    flags = {e["column"]: bool(e.get("drift_detected")) for e in summary.get("columns", [])}
    n_drifted = sum(flags.get(c, False) for c in columns)
    return {"n_columns": len(columns), "n_drifted": n_drifted,
            "share_drifted": n_drifted / len(columns),
            "includes_prediction": PREDICTION_COLUMN in columns}


def report_sentence(summary: dict[str, Any], lang: str) -> str | None:
    """What the linked Evidently page counts, said apart from the screen's own count."""
    figures = report_figures(summary)
    if not figures:
        return None
    return _t("report_scope", lang, n_columns=format_number(figures["n_columns"], lang),
              n_drifted=format_number(figures["n_drifted"], lang),
              share=format_percent(figures["share_drifted"], lang),
              with_prediction=_t("with_prediction", lang) if figures.get("includes_prediction") else "")


def prediction_sentence(summary: dict[str, Any], lang: str) -> str:
    """Whether the predicted probabilities drifted, with the test and the two means."""
    entry = summary.get("prediction")
    if not entry:
        return _t("prediction_absent", lang)
    key = "prediction_drift" if entry.get("drift_detected") else "prediction_stable"
    return _t(key, lang, method=method_name(entry.get("method"), lang),
              score=score_text(entry.get("score"), lang),
              ref_mean=format_percent(_stat(entry, "reference", "mean"), lang),
              cur_mean=format_percent(_stat(entry, "current", "mean"), lang))


@dataclass(frozen=True)
class Verdict:
    """The overall verdict in words: the level, its headline, the facts and the rule."""

    level: str
    headline: str
    facts: str
    rule: str


def verdict_in_words(verdict: DriftVerdict, dictionary: pd.DataFrame | None, lang: str,
                     rules: tuple[dict, ...] = config.DRIFT_VERDICT_RULES) -> Verdict:
    """Headline ("Dérive faible : pas d'action."), the facts it rests on, and the rule."""
    names = ", ".join(column_label(dictionary, f, lang) for f in verdict.top_drifted)
    top = (_t("top_some", lang, count=len(verdict.top_drifted), names=names)
           if verdict.top_drifted else _t("top_none", lang))
    facts = _t("verdict_facts", lang, share=format_percent(verdict.share_drifted, lang),
               n_top=len(verdict.top_features), top=top,
               prediction=_t("prediction_yes" if verdict.prediction_drifted else "prediction_no", lang))
    by_level = {rule["level"]: rule for rule in rules}
    review, watch = by_level.get("review", {}), by_level.get("watch", {})
    rule = _t("verdict_rule", lang,
              review_share=format_percent(review.get("min_share_drifted"), lang, 0),
              review_top=review.get("min_top_drifted"),
              watch_share=format_percent(watch.get("min_share_drifted"), lang, 0))
    return Verdict(verdict.level, _t(f"verdict_{verdict.level}", lang), facts, rule)


def ranked_columns(ranked_features: list[str], dictionary: pd.DataFrame | None,
                   tested: set[str]) -> list[str]:
    """The model's features by influence, each named as the drift summary tests it: itself
    when tested, else the application column its one-hot feature encodes ("NAME_CONTRACT_TYPE"
    for "NAME_CONTRACT_TYPE_Cash_loans"); a column appears once, at its best rank."""
    source = {}
    if dictionary is not None and {"column", "source"} <= set(dictionary.columns):
        application = dictionary[dictionary["source"] == "application"]
        source = application["column"].dropna().astype(str).to_dict()
    columns: list[str] = []
    for feature in ranked_features:
        column = feature if feature in tested else source.get(feature, feature)
        if column not in columns:
            columns.append(column)
    return columns


def ranked_features(state: Any) -> list[str]:
    """The model's features by influence as the summary names them (shap_global.parquet is
    stored sorted: its order is the model's ranking)."""
    from model.explain.global_shap import top_features

    summary = getattr(state, "drift_summary", None) or {}
    tested = {e.get("column") for e in summary.get("columns", [])}
    return ranked_columns(top_features(getattr(state, "shap_global", None)), state.dictionary, tested)


@dataclass(frozen=True)
class DriftScreen:
    """Everything the Data drift screen writes, in the interface language."""

    share: str
    scope: str
    methods: list[str]
    report: str | None          # what the linked page covers (None: no page columns recorded)
    has_report: bool            # the HTML page is in the artifact set
    prediction: str
    verdict: Verdict
    rows: list[DriftRow]
    options: list[dict[str, str]]


def drift_screen(lang: str) -> DriftScreen | None:
    """The screen's texts and table, None when the set has no drift summary.

    Raises `ServiceError` when no artifact set can be served.
    """
    state = clients.get_state()
    summary = state.drift_summary
    if not summary:
        return None
    ranked = ranked_features(state)
    rows = rows_from_summary(summary, state.dictionary, ranked, lang)
    verdict = verdict_in_words(drift_verdict(summary, ranked), state.dictionary, lang)
    options = [{"label": f"{row.label} ({row.column})" if row.label != row.column else row.column,
                "value": row.column} for row in rows]
    return DriftScreen(share=share_sentence(summary, lang), scope=scope_sentence(summary, lang),
                       methods=method_items(summary, lang), report=report_sentence(summary, lang),
                       has_report=state.drift_report_path is not None,
                       prediction=prediction_sentence(summary, lang), verdict=verdict, rows=rows,
                       options=options)


def ordered(rows: list[DriftRow], order: str | None) -> list[DriftRow]:
    """Rows in one of `ORDERS` (anything else: as given, most drifted first)."""
    if order == "influence":
        return sorted(rows, key=lambda r: (r.influence is None, r.influence or 0))
    if order == "label":
        return sorted(rows, key=lambda r: r.label.casefold())
    return list(rows)


def drift_rows(lang: str, order: str | None = None) -> list[DriftRow]:
    """The table rows alone (the "show all" and sort callback), [] without a summary."""
    state = clients.get_state()
    if not state.drift_summary:
        return []
    rows = rows_from_summary(state.drift_summary, state.dictionary, ranked_features(state), lang)
    return ordered(rows, order)


# --- one column's two distributions ------------------------------------------------------------

def is_current(clients: pd.DataFrame) -> np.ndarray:
    """True for clients of the current batch (Kaggle test set), False for the reference."""
    return (clients["set"] == "test").to_numpy(bool)


def category_shares(values: pd.Series, current: np.ndarray, lang: str,
                    limit: int = fig.MAX_CATEGORIES) -> pd.DataFrame:
    """Share (0-1) of each category in the reference and the current batch, frequent first.

    Missing values are a category of their own; beyond `limit` categories the
    rarest are summed into "Other".
    """
    labels = values.astype("object").where(values.notna(), fig.text("missing_value", lang))
    labels = labels.astype(str)
    current = np.asarray(current, dtype=bool)
    table = pd.DataFrame({
        "reference": labels[~current].value_counts(normalize=True),
        "current": labels[current].value_counts(normalize=True),
    }).fillna(0.0)
    table = table.sort_index().sort_values(["reference", "current"], ascending=False, kind="stable")
    if len(table) > limit:
        head, rest = table.iloc[: limit - 1], table.iloc[limit - 1:]
        table = pd.concat([head, rest.sum().to_frame(fig.text("other", lang)).T])
    table.index.name = "category"
    return table.reset_index()


def verdict_text(entry: dict[str, Any] | None, lang: str) -> str:
    """One column's test result in a sentence (the chart's text alternative starts with it)."""
    if not entry:
        return _t("verdict_none", lang)
    key = "verdict_drift" if entry.get("drift_detected") else "verdict_stable"
    return _t(key, lang, method=method_name(entry.get("method"), lang),
              score=score_text(entry.get("score"), lang),
              threshold=score_text(entry.get("threshold"), lang))


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def distribution_for(state: Any, column: str, lang: str) -> tuple[dict, str]:
    """(figure, text alternative) of reference vs current for one column of the summary."""
    summary = state.drift_summary or {}
    entry = drift_entry(summary, column)
    label = column_label(state.dictionary, column, lang)
    values = pop.column_values(column, state.clients, state.applications, state.plot_columns)
    verdict = verdict_text(entry, lang)
    if values is not None and ((entry or {}).get("kind") == "categorical" or not _is_numeric(values)):
        shares = category_shares(values, is_current(state.clients), lang)
        return (fig.category_drift_figure(shares, label, lang),
                fig.category_drift_summary(shares, label, verdict, lang))
    if values is None:
        histogram = pop.split_histogram([], [])
    else:
        histogram = pop.split_histogram(values.to_numpy(np.float64),
                                        is_current(state.clients).astype(np.float64),
                                        labels=("reference", "current"))
    as_share = column == PREDICTION_COLUMN
    mean = (lambda v: format_percent(v, lang)) if as_share else (lambda v: mean_text(v, lang))
    text = fig.numeric_drift_summary(
        label, verdict, mean(_stat(entry, "reference", "mean")), mean(_stat(entry, "current", "mean")),
        format_percent(_stat(entry, "reference", "missing_share"), lang),
        format_percent(_stat(entry, "current", "missing_share"), lang), lang)
    return fig.numeric_drift_figure(histogram, label, lang), text


def distribution(column: str, lang: str) -> tuple[dict, str] | None:
    """The chart of one column (or the prediction), None when the set has no drift summary."""
    state = clients.get_state()
    if not state.drift_summary:
        return None
    return distribution_for(state, column, lang)
