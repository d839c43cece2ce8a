"""Charts of the Model screen and their text alternatives: global SHAP bars, beeswarm, cost curve.

Pure drawing from frames `webapp.services.model` prepares (top features, beeswarm
sample) and the stored cost curve. The threshold is written as a percentage, as on the
rest of the screen; SHAP axes are named by what they mean to a manager.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from webapp import figures as palette
from webapp.figures import plain
from webapp.formatting import format_number, format_percent
from webapp.i18n import translate

# Colour-blind-safe scale from low (dark blue) to high (yellow) feature values.
VALUE_SCALE = "Cividis"

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "mean_abs_shap": "Influence moyenne sur le score (log-odds)",
        "importance_alt": "Diagramme en barres des {n} variables les plus influentes. En tête : "
                          "{first} ({first_value}), puis {second} ({second_value}) et {third} "
                          "({third_value}).",
        "beeswarm_alt": "Nuage de points des valeurs SHAP de {clients} clients pour {n} variables. "
                        "À droite de zéro, la variable augmente le risque ; la couleur va du bleu "
                        "foncé (valeur basse) au jaune (valeur haute). Pour « {feature} », les valeurs "
                        "hautes {direction} le risque.",
        "raises": "augmentent",
        "lowers": "diminuent",
        "shap_value": "Effet sur le score de chaque client (log-odds)",
        "feature_value": "Valeur",
        "low": "basse",
        "high": "haute",
        "cost_axis": "Coût pour 1 000 clients",
        "threshold_axis": "Seuil de probabilité de défaut",
        "chosen": "Seuil retenu : {threshold} (coût {cost} pour 1 000 clients, validation croisée)",
        "cost_alt": "Courbe du coût métier en validation croisée selon le seuil, de {first} à {last}. "
                    "Le coût est minimal, {cost} pour 1 000 clients, au seuil retenu de "
                    "{threshold}, marqué par un losange et une ligne verticale.",
        "no_data": "Données indisponibles.",
    },
    "en": {
        "mean_abs_shap": "Mean influence on the score (log-odds)",
        "importance_alt": "Bar chart of the {n} most influential features. First: {first} "
                          "({first_value}), then {second} ({second_value}) and {third} ({third_value}).",
        "beeswarm_alt": "Scatter of the SHAP values of {clients} clients for {n} features. Right of "
                        "zero the feature raises the risk; colour goes from dark blue (low value) to "
                        "yellow (high value). For “{feature}”, high values {direction} the risk.",
        "raises": "raise",
        "lowers": "lower",
        "shap_value": "Effect on each client's score (log-odds)",
        "feature_value": "Value",
        "low": "low",
        "high": "high",
        "cost_axis": "Cost per 1,000 clients",
        "threshold_axis": "Probability-of-default threshold",
        "chosen": "Chosen threshold: {threshold} (cost {cost} per 1,000 clients, cross-validation)",
        "cost_alt": "Curve of the cross-validated business cost by threshold, from {first} to "
                    "{last}. The cost is lowest, {cost} per 1,000 clients, at the chosen "
                    "threshold of {threshold}, marked by a diamond and a vertical line.",
        "no_data": "Data unavailable.",
    },
}


def _text(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


# --- global importance -------------------------------------------------------------------------

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
    label = _text("chosen", lang, threshold=format_percent(threshold, lang),
                  cost=format_number(cost, lang, 1))
    curve = {"type": "scatter", "mode": "lines", "showlegend": False,
             "x": plain.significant(cost_curve["threshold"]),
             "y": plain.significant(cost_curve["cost_per_1000"]),
             "line": {"color": palette.BLUE, "width": 2},
             "hovertemplate": "%{x:.1%} → %{y:.1f}<extra></extra>"}
    chosen = {"type": "scatter", "mode": "markers+text", "name": label, "showlegend": False,
              "x": [threshold], "y": [cost], "text": [label], "textposition": "top right",
              "marker": {"symbol": "diamond", "size": 14, "color": palette.BLACK},
              "hovertemplate": label + "<extra></extra>"}
    return plain.figure([curve, chosen], height=380, lang=lang, shapes=[plain.vertical_line(threshold)],
                        xaxis=plain.axis(_text("threshold_axis", lang), tickformat=".0%"),
                        yaxis=plain.axis(_text("cost_axis", lang)))


def cost_curve_summary(cost_curve: pd.DataFrame | None, threshold: float, lang: str) -> str:
    if cost_curve is None or cost_curve.empty:
        return _text("no_data", lang)
    return _text("cost_alt", lang,
                 first=format_percent(cost_curve["threshold"].min(), lang, 0),
                 last=format_percent(cost_curve["threshold"].max(), lang, 0),
                 cost=format_number(cost_at(cost_curve, threshold), lang, 1),
                 threshold=format_percent(threshold, lang))
