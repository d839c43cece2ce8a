"""Figures, tables and sentences of the Model screen: global SHAP, model card, cost curve.

Everything here reads precomputed artifacts (`shap_global`, `shap_sample`,
`metrics.json`, `cost_curve.csv`, the manifest): nothing is computed from the
model itself on a request.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from webapp import figures as palette
from webapp.figures import plain
from webapp.formatting import format_number, format_percent
from webapp.i18n import translate
from webapp.services.population import feature_label

TOP_FEATURES = 15
BEESWARM_FEATURES = 10
# Points per feature row in the beeswarm (the sample may hold thousands of clients).
BEESWARM_POINTS = 400
# Colour-blind-safe scale from low (dark blue) to high (yellow) feature values.
VALUE_SCALE = "Cividis"

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "mean_abs_shap": "Influence moyenne sur le score (|SHAP| moyen, log-odds)",
        "importance_alt": "Diagramme en barres des {n} variables les plus influentes. En tête : "
                          "{first} ({first_value}), puis {second} ({second_value}) et {third} "
                          "({third_value}).",
        "beeswarm_alt": "Nuage de points des valeurs SHAP de {clients} clients pour {n} variables. "
                        "À droite de zéro, la variable augmente le risque ; la couleur va du bleu "
                        "foncé (valeur basse) au jaune (valeur haute). Pour « {feature} », les valeurs "
                        "hautes {direction} le risque.",
        "raises": "augmentent",
        "lowers": "diminuent",
        "shap_value": "Effet sur le score (valeur SHAP, log-odds)",
        "feature_value": "Valeur",
        "low": "basse",
        "high": "haute",
        "cost_axis": "Coût pour 1 000 clients",
        "threshold_axis": "Seuil de probabilité de défaut",
        "chosen": "Seuil retenu : {threshold} (coût {cost} pour 1 000 clients)",
        "cost_alt": "Courbe du coût métier selon le seuil, de {first} à {last}. Le coût est minimal, "
                    "{cost} pour 1 000 clients, au seuil retenu de {threshold}, marqué par un losange "
                    "et une ligne verticale.",
        "no_data": "Données indisponibles.",
        "model": "Modèle",
        "params": "Meilleurs hyperparamètres",
        "auc_cv": "AUC (validation croisée)",
        "auc": "AUC (test)",
        "recall": "Rappel (test)",
        "precision": "Précision (test)",
        "f2": "F2 (test)",
        "brier": "Brier (test)",
        "cost": "Coût (test)",
        "cost_per_1000": "Coût pour 1 000 (test)",
        "fit_seconds": "Entraînement (s)",
        "chosen_mark": "✓ retenu",
        "card_kind": "Type de modèle",
        "card_version": "Version",
        "card_trained": "Date d'entraînement",
        "card_threshold": "Seuil de décision",
        "card_holdout": "Jeu de test mis de côté",
        "card_holdout_value": "{n} clients jamais vus pendant le réglage",
        "card_brier": "Calibration {method} (Brier avant → après)",
        "card_cost_weights": "Coût métier",
        "card_cost_weights_value": "{fn} × défaut manqué + {fp} × bon client refusé",
        "imbalance": "Déséquilibre",
    },
    "en": {
        "mean_abs_shap": "Mean influence on the score (mean |SHAP|, log-odds)",
        "importance_alt": "Bar chart of the {n} most influential features. First: {first} "
                          "({first_value}), then {second} ({second_value}) and {third} ({third_value}).",
        "beeswarm_alt": "Scatter of the SHAP values of {clients} clients for {n} features. Right of "
                        "zero the feature raises the risk; colour goes from dark blue (low value) to "
                        "yellow (high value). For “{feature}”, high values {direction} the risk.",
        "raises": "raise",
        "lowers": "lower",
        "shap_value": "Effect on the score (SHAP value, log-odds)",
        "feature_value": "Value",
        "low": "low",
        "high": "high",
        "cost_axis": "Cost per 1,000 clients",
        "threshold_axis": "Probability-of-default threshold",
        "chosen": "Chosen threshold: {threshold} (cost {cost} per 1,000 clients)",
        "cost_alt": "Curve of the business cost by threshold, from {first} to {last}. The cost is "
                    "lowest, {cost} per 1,000 clients, at the chosen threshold of {threshold}, marked "
                    "by a diamond and a vertical line.",
        "no_data": "Data unavailable.",
        "model": "Model",
        "params": "Best hyperparameters",
        "auc_cv": "AUC (cross-validation)",
        "auc": "AUC (test)",
        "recall": "Recall (test)",
        "precision": "Precision (test)",
        "f2": "F2 (test)",
        "brier": "Brier (test)",
        "cost": "Cost (test)",
        "cost_per_1000": "Cost per 1,000 (test)",
        "fit_seconds": "Training (s)",
        "chosen_mark": "✓ chosen",
        "card_kind": "Model type",
        "card_version": "Version",
        "card_trained": "Training date",
        "card_threshold": "Decision threshold",
        "card_holdout": "Held-out test split",
        "card_holdout_value": "{n} clients never seen while tuning",
        "card_brier": "Calibration {method} (Brier before → after)",
        "card_cost_weights": "Business cost",
        "card_cost_weights_value": "{fn} × missed default + {fp} × good client refused",
        "imbalance": "Imbalance",
    },
}


def _text(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


# --- global importance -------------------------------------------------------------------------

def top_importance(shap_global: pd.DataFrame, dictionary: pd.DataFrame | None, lang: str,
                   n: int = TOP_FEATURES) -> pd.DataFrame:
    """The `n` features with the largest mean |SHAP|, largest first, with their label.

    The label is the one saved with the SHAP table (`label_fr` / `label_en`) when
    present, else the feature dictionary's description.
    """
    if shap_global is None or shap_global.empty:
        return pd.DataFrame(columns=["feature", "label", "mean_abs_shap"])
    from model.explain.global_shap import top_features

    top = shap_global.set_index("feature").loc[top_features(shap_global, n)].reset_index()
    saved = f"label_{'en' if lang == 'en' else 'fr'}"
    labels = (top[saved].astype(str).tolist() if saved in top.columns
              else [feature_label(dictionary, f, lang) for f in top["feature"]])
    return pd.DataFrame({"feature": top["feature"].to_numpy(), "label": labels,
                         "mean_abs_shap": top["mean_abs_shap"].to_numpy()})


def importance_figure(top: pd.DataFrame, lang: str) -> dict:
    """Horizontal bars of mean |SHAP|, the most influential feature on top."""
    if top.empty:
        return plain.empty_figure(_text("no_data", lang))
    bars = {
        "type": "bar", "orientation": "h", "x": plain.significant(top["mean_abs_shap"]),
        # positions, not labels, on the axis: two long labels may shorten to the same text
        "y": list(range(len(top))),
        "customdata": [[label, feature] for label, feature in zip(top["label"], top["feature"])],
        "marker": {"color": palette.BLUE}, "textposition": "outside",
        "text": [format_number(v, lang, 3) for v in top["mean_abs_shap"]],
        "hovertemplate": "%{customdata[0]}<br>%{customdata[1]}<br>%{x:.3f}<extra></extra>",
        "cliponaxis": False,
    }
    return plain.figure([bars], height=max(300, 34 * len(top) + 80), lang=lang,
                        xaxis=plain.axis(_text("mean_abs_shap", lang),
                                         range=[0, float(top["mean_abs_shap"].max()) * 1.18]),
                        yaxis=plain.axis(autorange="reversed", tickvals=list(range(len(top))),
                                         ticktext=[plain.short_label(t) for t in top["label"]]))


def importance_summary(top: pd.DataFrame, lang: str) -> str:
    """Text alternative: how many features and the first three with their value."""
    if top.empty:
        return _text("no_data", lang)
    padded = list(top.itertuples()) + [None] * 3
    names = [(r.label, format_number(r.mean_abs_shap, lang, 3)) if r else ("—", "—")
             for r in padded[:3]]
    return _text("importance_alt", lang, n=len(top), first=names[0][0], first_value=names[0][1],
                 second=names[1][0], second_value=names[1][1], third=names[2][0],
                 third_value=names[2][1])


# --- beeswarm ----------------------------------------------------------------------------------

def beeswarm_frame(shap_sample: dict[str, np.ndarray] | None, features: list[str],
                   points: int = BEESWARM_POINTS, seed: int = 0) -> pd.DataFrame:
    """Long table (feature, shap, value_rank) for `features`, at most `points` clients each.

    `shap_sample` holds `shap_values` and `feature_values` (clients x features)
    and `feature_names`. Feature values are turned into ranks in [0, 1] per
    feature (NaN stays NaN) so one colour scale serves features of any unit.
    """
    columns = ["feature", "shap", "value_rank"]
    if not shap_sample:
        return pd.DataFrame(columns=columns)
    for key in ("shap_values", "feature_values", "feature_names"):
        if key not in shap_sample:
            raise KeyError(f"shap_sample.npz has no array {key!r} (has {sorted(shap_sample)})")
    names = [str(n) for n in shap_sample["feature_names"]]
    shap_values = np.asarray(shap_sample["shap_values"], dtype=np.float64)
    values = np.asarray(shap_sample["feature_values"], dtype=np.float64)
    rows = np.arange(shap_values.shape[0])
    if len(rows) > points:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=points, replace=False))
    parts = []
    for feature in features:
        if feature not in names:
            continue
        j = names.index(feature)
        column = pd.Series(values[rows, j])
        parts.append(pd.DataFrame({
            "feature": feature,
            "shap": shap_values[rows, j],
            "value_rank": column.rank(pct=True).to_numpy(),
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def beeswarm_figure(frame: pd.DataFrame, labels: dict[str, str], lang: str,
                    seed: int = 0) -> dict:
    """One row of points per feature (first feature on top), x = SHAP value, colour = value rank.

    One trace per feature (named by its label, for the hover text) sharing one
    colour axis; points are jittered vertically within their row; a missing
    feature value is drawn as an open grey circle, not mistaken for a low value.
    """
    if frame.empty:
        return plain.empty_figure(_text("no_data", lang))
    order = list(dict.fromkeys(frame["feature"]))
    jitter = np.random.default_rng(seed).uniform(-0.3, 0.3, len(frame))
    y = frame["feature"].map({f: i for i, f in enumerate(order)}).to_numpy(float) + jitter
    known = frame["value_rank"].notna().to_numpy()
    data = []
    for feature in order:
        rows = (frame["feature"] == feature).to_numpy()
        name = labels.get(feature, feature)
        data.append({
            "type": "scatter", "mode": "markers", "name": name, "showlegend": False,
            "x": plain.significant(frame["shap"][rows & known], 3),
            "y": plain.significant(y[rows & known], 3),
            "marker": {"size": 5, "opacity": 0.75, "coloraxis": "coloraxis",
                       "color": plain.significant(frame["value_rank"][rows & known], 2)},
            "hovertemplate": "%{fullData.name}<br>%{x:.3f}<extra></extra>",
        })
    if (~known).any():
        data.append({
            "type": "scatter", "mode": "markers", "showlegend": False, "hoverinfo": "skip",
            "x": plain.significant(frame["shap"][~known], 3), "y": plain.significant(y[~known], 3),
            "marker": {"size": 5, "symbol": "circle-open", "color": palette.GREY},
        })
    return plain.figure(
        data, height=max(320, 42 * len(order) + 100), lang=lang,
        coloraxis={"colorscale": VALUE_SCALE, "cmin": 0, "cmax": 1,
                   "colorbar": {"title": {"text": _text("feature_value", lang)}, "tickvals": [0, 1],
                                "ticktext": [_text("low", lang), _text("high", lang)]}},
        shapes=[plain.vertical_line(0.0, colour=palette.GREY, dash="solid")],
        xaxis=plain.axis(_text("shap_value", lang)),
        yaxis=plain.axis(tickvals=list(range(len(order))),
                         ticktext=[plain.short_label(labels.get(f, f)) for f in order],
                         autorange="reversed"),
    )


def beeswarm_summary(frame: pd.DataFrame, labels: dict[str, str], lang: str) -> str:
    """Text alternative: what is drawn and which way high values of the top feature push."""
    if frame.empty:
        return _text("no_data", lang)
    first = frame["feature"].iloc[0]
    part = frame[(frame["feature"] == first) & frame["value_rank"].notna()]
    correlation = part["shap"].corr(part["value_rank"], method="spearman") if len(part) > 2 else 0.0
    direction = "raises" if (correlation or 0.0) >= 0 else "lowers"
    clients = int((frame["feature"] == first).sum())
    return _text("beeswarm_alt", lang, clients=format_number(clients, lang),
                 n=frame["feature"].nunique(), feature=labels.get(first, first),
                 direction=_text(direction, lang))


# --- cost curve --------------------------------------------------------------------------------

def cost_at(cost_curve: pd.DataFrame, threshold: float) -> float:
    """Cost per 1,000 clients at the curve point nearest to `threshold`."""
    nearest = (cost_curve["threshold"] - threshold).abs().idxmin()
    return float(cost_curve.at[nearest, "cost_per_1000"])


def cost_curve_figure(cost_curve: pd.DataFrame | None, threshold: float, lang: str) -> dict:
    """Cost per 1,000 clients against the threshold; the chosen threshold is a labelled diamond."""
    if cost_curve is None or cost_curve.empty:
        return plain.empty_figure(_text("no_data", lang))
    cost = cost_at(cost_curve, threshold)
    label = _text("chosen", lang, threshold=format_number(threshold, lang, 3),
                  cost=format_number(cost, lang, 1))
    curve = {"type": "scatter", "mode": "lines", "showlegend": False,
             "x": plain.significant(cost_curve["threshold"]),
             "y": plain.significant(cost_curve["cost_per_1000"]),
             "line": {"color": palette.BLUE, "width": 2},
             "hovertemplate": "%{x:.3f} → %{y:.1f}<extra></extra>"}
    chosen = {"type": "scatter", "mode": "markers+text", "name": label, "showlegend": False,
              "x": [threshold], "y": [cost], "text": [label], "textposition": "top right",
              "marker": {"symbol": "diamond", "size": 14, "color": palette.BLACK},
              "hovertemplate": label + "<extra></extra>"}
    return plain.figure([curve, chosen], height=380, lang=lang, shapes=[plain.vertical_line(threshold)],
                        xaxis=plain.axis(_text("threshold_axis", lang)),
                        yaxis=plain.axis(_text("cost_axis", lang)))


def cost_curve_summary(cost_curve: pd.DataFrame | None, threshold: float, lang: str) -> str:
    if cost_curve is None or cost_curve.empty:
        return _text("no_data", lang)
    return _text("cost_alt", lang,
                 first=format_number(cost_curve["threshold"].min(), lang, 2),
                 last=format_number(cost_curve["threshold"].max(), lang, 2),
                 cost=format_number(cost_at(cost_curve, threshold), lang, 1),
                 threshold=format_number(threshold, lang, 3))


# --- model card and comparison table ----------------------------------------------------------

def candidates_table(metrics: dict[str, Any], lang: str) -> pd.DataFrame:
    """One row per candidate (`metrics.json`): cross-validated and held-out metrics, time, parameters.

    Numbers are formatted for the language; the chosen model is marked in words
    (not only in bold). Column headers are the translated metric names.
    """
    chosen = metrics.get("chosen")
    rows = []
    for name, entry in (metrics.get("candidates") or {}).items():
        cv, holdout = entry.get("cv") or {}, entry.get("holdout") or {}
        params = entry.get("best_params") or {}
        rows.append({
            _text("model", lang): f"{name} {_text('chosen_mark', lang)}" if name == chosen else name,
            _text("imbalance", lang): str(entry.get("imbalance", "—")),
            _text("auc_cv", lang): format_number(cv.get("auc"), lang, 3),
            _text("auc", lang): format_number(holdout.get("auc"), lang, 3),
            _text("recall", lang): format_percent(holdout.get("recall"), lang),
            _text("precision", lang): format_percent(holdout.get("precision"), lang),
            _text("f2", lang): format_number(holdout.get("f2"), lang, 3),
            _text("brier", lang): format_number(holdout.get("brier"), lang, 4),
            _text("cost_per_1000", lang): format_number(holdout.get("cost_per_1000"), lang, 1),
            _text("fit_seconds", lang): format_number(entry.get("fit_seconds"), lang, 1),
            _text("params", lang): ", ".join(f"{k}={_param(v)}" for k, v in params.items()) or "—",
        })
    return pd.DataFrame(rows)


def _param(value: object) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def model_card(metrics: dict[str, Any], manifest: dict[str, Any], kind: str | None,
               threshold: float, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of the model card: type, version, date, held-out metrics, threshold.

    Read from `metrics.json` (candidates, chosen, final calibration, cost weights,
    client counts) and the artifact manifest (creation date, library versions).
    """
    chosen = metrics.get("chosen")
    entry = (metrics.get("candidates") or {}).get(chosen) or {}
    holdout = entry.get("holdout") or {}
    versions = manifest.get("versions") or {}
    version = ", ".join(f"{k} {versions[k]}" for k in ("lightgbm", "scikit-learn") if k in versions)
    registered = (metrics.get("mlflow") or {}).get("registered_version")
    if registered is not None:
        version = f"MLflow v{registered} · {version}" if version else f"MLflow v{registered}"
    weights = metrics.get("cost_weights") or {}
    card = [
        (_text("card_kind", lang), " · ".join(str(v) for v in (kind or entry.get("kind"),
                                                                 entry.get("imbalance")) if v)
         or str(chosen)),
        (_text("card_version", lang), version or "—"),
        (_text("card_trained", lang), str(manifest.get("created_at", "—")).replace("T", " ")),
        (_text("card_threshold", lang), format_number(threshold, lang, 3)),
        (_text("auc", lang), format_number(holdout.get("auc"), lang, 3)),
        (_text("recall", lang), format_percent(holdout.get("recall"), lang)),
        (_text("precision", lang), format_percent(holdout.get("precision"), lang)),
        (_text("cost", lang), format_number(holdout.get("cost"), lang)),
        (_text("cost_per_1000", lang), format_number(holdout.get("cost_per_1000"), lang, 1)),
        (_text("card_cost_weights", lang), _text("card_cost_weights_value", lang,
                                                 fn=weights.get("fn", 10), fp=weights.get("fp", 1))),
    ]
    holdout_clients = (metrics.get("n_clients") or {}).get("holdout") or holdout.get("n_clients")
    if holdout_clients:
        card.append((_text("card_holdout", lang),
                     _text("card_holdout_value", lang, n=format_number(holdout_clients, lang))))
    calibration = (metrics.get("final") or {}).get("calibration") or {}
    brier = calibration.get("brier") or {}
    method = calibration.get("method")
    if brier.get("raw") is not None and brier.get(method) is not None:
        card.append((_text("card_brier", lang, method=method),
                     f"{format_number(brier['raw'], lang, 4)} → {format_number(brier[method], lang, 4)}"))
    return card
