"""Figures of the advisor's screens: the score bar with its threshold and the
contribution waterfall from the base rate to the client's probability.

Pure functions: numbers and texts in, a plain figure dict out, plus a one-sentence text
alternative for each (WCAG 1.1.1) that the page puts in `aria-label` and caption.
The decision is written on the chart and hatched when refused, so it never rests
on colour alone (WCAG 1.4.1).
"""
from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass


from webapp import figures as palette
from webapp.formatting import format_percent, format_points
from webapp.i18n import normalise_language, translate

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "probability": "Probabilité de défaut",
        "threshold": "Seuil {value}",
        "client": "Client",
        # the bar is the model's score: its side of the threshold, not the decision (a lending
        # rule may refuse a client the model grants; the card says the decision)
        "granted": "✓ modèle seul : accord",
        "refused": "✗ modèle seul : refus",
        "score_alt": ("Barre horizontale : probabilité de défaut du client {probability}, "
                      "seuil de décision {threshold} ; {decision}."),
        "base": "Taux de base (client moyen)",
        "others": "Autres facteurs ({count})",
        "final": "Probabilité du client",
        "raises": "augmente le risque",
        "lowers": "diminue le risque",
        "waterfall_alt": ("Cascade de {count} contributions allant du taux de base {base} "
                          "à la probabilité du client {final}. Principal facteur : {top} "
                          "({top_delta}, {top_direction})."),
        "waterfall_alt_empty": "Aucune contribution à afficher.",
        "axis_points": "Probabilité de défaut",
    },
    "en": {
        "probability": "Probability of default",
        "threshold": "Threshold {value}",
        "client": "Client",
        "granted": "✓ model alone: grant",
        "refused": "✗ model alone: refuse",
        "score_alt": ("Horizontal bar: the client's probability of default {probability}, "
                      "decision threshold {threshold}; {decision}."),
        "base": "Base rate (average client)",
        "others": "Other factors ({count})",
        "final": "Client's probability",
        "raises": "raises the risk",
        "lowers": "lowers the risk",
        "waterfall_alt": ("Waterfall of {count} contributions from the base rate {base} to the "
                          "client's probability {final}. Main factor: {top} "
                          "({top_delta}, {top_direction})."),
        "waterfall_alt_empty": "No contribution to show.",
        "axis_points": "Probability of default",
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def score_axis_max(probability: float, threshold: float) -> float:
    """Right end of the probability axis: wide enough for the bar, the threshold and labels."""
    return min(1.0, max(0.5, 1.3 * probability, 2.0 * threshold))


def score_figure(probability: float, threshold: float, lang: str | None) -> dict:
    """A bar of the client's probability with the threshold drawn and labelled.

    Refused: vermillion and hatched; granted: blue and plain; the decision is also
    printed next to the bar. A plain figure dict (see `webapp.figures.plain`): built with
    `go.Figure`, this bar cost 17 ms per client switch and a fifth of the worker's time
    under 32 users (`benchmarks/bench_load.py`, py-spy).
    """
    lang = normalise_language(lang)
    refused = probability >= threshold
    decision = _t("refused" if refused else "granted", lang)
    colour = palette.REFUSED if refused else palette.GRANTED
    hover_colon = " :" if lang == "fr" else ":"
    bar = {
        "type": "bar", "x": [probability], "y": [_t("client", lang)], "orientation": "h",
        "marker": {"color": colour, "pattern": {"shape": "/" if refused else "", "fgcolor": palette.WHITE}},
        "text": [f"{format_percent(probability, lang)} — {decision}"],
        "textposition": "outside", "cliponaxis": False,
        "textfont": {"size": 16, "color": palette.TEXT_COLOURS["body"]},
        "hovertemplate": f"{_t('probability', lang)}{hover_colon} %{{x:.1%}}<extra></extra>",
        "width": 0.5,
    }
    layout = palette.base_layout(height=170)
    layout.update(
        margin={"l": 10, "r": 30, "t": 40, "b": 40}, showlegend=False, bargap=0.3,
        shapes=[{"type": "line", "x0": threshold, "x1": threshold, "xref": "x", "y0": 0, "y1": 1,
                 "yref": "y domain", "line": {"color": palette.THRESHOLD, "width": 3, "dash": "dash"}}],
        annotations=[{"x": threshold, "y": 1.0, "yref": "paper", "yanchor": "bottom", "showarrow": False,
                      "text": _t("threshold", lang, value=format_percent(threshold, lang)),
                      "font": {"color": palette.THRESHOLD, "size": 14}}],
        xaxis={"range": [0, score_axis_max(probability, threshold)], "tickformat": ".0%",
               "title": {"text": _t("probability", lang)}, "gridcolor": palette.LIGHT_GREY, "zeroline": False},
        yaxis={"showticklabels": False},
    )
    return {"data": [bar], "layout": layout}


def score_text_alternative(probability: float, threshold: float, lang: str | None) -> str:
    lang = normalise_language(lang)
    decision = _t("refused" if probability >= threshold else "granted", lang).lstrip("✓✗ ")
    return _t("score_alt", lang, probability=format_percent(probability, lang),
              threshold=format_percent(threshold, lang), decision=decision)


@dataclass(frozen=True)
class Step:
    """One bar of the waterfall: a plain-language label and its signed effect on P(default)."""
    label: str
    delta: float


def waterfall_figure(base: float, steps: Sequence[Step], final: float, lang: str | None,
                     others: float = 0.0, others_count: int = 0,
                     threshold: float | None = None) -> dict:
    """Base rate -> each contribution (largest first) -> other factors -> client's probability.

    `steps` deltas, `others` and `base` add up to `final` (the caller guarantees it);
    bars that raise the risk are vermillion, bars that lower it blue, and each bar's signed
    size in points is written in a column at the right, so the direction is readable without
    colour. `threshold`: the decision threshold, drawn as a labelled dashed line (where the
    client's bar must end to be granted).

    Readable at 640 px (a 1280-px screen at 200 % zoom): labels are wrapped on at most
    three short lines (the full label is in the hover, the caption and the sentences), and the values
    sit in the right margin, not beside their bar, where a bar lowering the risk near 0 %
    pushed its "−0.4 points" over the label (measured in `tests/e2e/test_forms_and_language.py`).
    A plain figure dict, like `score_figure`: plotly's validation of a `go.Figure` was half
    of the why page's time.
    """
    lang = normalise_language(lang)
    labels = [_t("base", lang)] + [s.label for s in steps]
    values = [base] + [s.delta for s in steps]
    measures = ["absolute"] + ["relative"] * len(steps)
    if others_count:
        labels.append(_t("others", lang, count=others_count))
        values.append(others)
        measures.append("relative")
    labels.append(_t("final", lang))
    values.append(final)
    measures.append("total")
    texts = [format_percent(base, lang)] + [_signed_points(v, lang) for v in values[1:-1]] \
        + [format_percent(final, lang)]
    ticks = [wrap_label(label) for label in labels]
    trace = {
        "type": "waterfall", "orientation": "h", "measure": measures, "y": ticks, "x": values,
        "text": texts, "textposition": "none", "customdata": labels,
        "hovertemplate": "%{customdata}: %{text}<extra></extra>",
        "increasing": {"marker": {"color": palette.RAISES_RISK}},
        "decreasing": {"marker": {"color": palette.LOWERS_RISK}},
        "totals": {"marker": {"color": palette.GREY}},
        "connector": {"line": {"color": palette.LIGHT_GREY, "width": 1}},
    }
    lines = max(tick.count("<br>") + 1 for tick in ticks)
    height = 120 + max(ROW_MIN_PX, LINE_PX * lines + 12) * len(labels)
    layout = palette.base_layout(height=height)
    layout.update(
        margin={"l": 10, "r": VALUE_COLUMN_PX, "t": 40, "b": 50}, showlegend=False,
        # plotly.js's own axis defaults (no template on a plain dict): no grid across the
        # bars and no dark line at 0 %, as the go.Figure's template drew them (white)
        yaxis={"autorange": "reversed", "automargin": True, "tickfont": {"size": 12},
               "showgrid": False},
        xaxis={"tickformat": ".0%", "title": {"text": _t("axis_points", lang)},
               "gridcolor": palette.LIGHT_GREY, "automargin": True, "zeroline": False},
    )
    # The value column, right of the plot.
    annotations = [{"x": 1.0, "xref": "paper", "xanchor": "left", "xshift": 6, "y": tick,
                    "yref": "y", "text": text, "showarrow": False, "align": "left",
                    "name": "value", "font": {"size": 12, "color": palette.TEXT_COLOURS["body"]}}
                   for tick, text in zip(ticks, texts)]
    if threshold is not None:
        layout["shapes"] = [{"type": "line", "x0": threshold, "x1": threshold, "xref": "x",
                             "y0": 0, "y1": 1, "yref": "y domain",
                             "line": {"color": palette.THRESHOLD, "width": 2, "dash": "dash"}}]
        annotations.append({"x": threshold, "y": 1.0, "yref": "paper", "yanchor": "bottom",
                            "showarrow": False, "name": "threshold",
                            "text": _t("threshold", lang, value=format_percent(threshold, lang)),
                            "font": {"color": palette.THRESHOLD, "size": 13}})
    layout["annotations"] = annotations
    return {"data": [trace], "layout": layout}


ROW_MIN_PX = 34        # px per bar with one-line labels
LINE_PX = 14           # px per line of a 12-px label: rows grow with the longest label
VALUE_COLUMN_PX = 96   # right margin holding "+13,1 points" / "−13.1 points" at 12 px
LABEL_LINE = 30        # characters per label line (about 190 px at 12 px)
LABEL_LINES = 3        # "Historique au bureau de crédit / (autres prêteurs) (8 crédits / déclarés)"


def wrap_label(label: str, width: int = LABEL_LINE, lines: int = LABEL_LINES) -> str:
    """'Historique au bureau de crédit<br>(autres prêteurs) (8 crédits…': at most `lines`
    lines of `width` characters, cut with "…" beyond (plotly never wraps tick labels)."""
    wrapped = textwrap.wrap(label, width=width, break_long_words=True) or [label]
    if len(wrapped) > lines:
        last = " ".join(wrapped[lines - 1:])
        wrapped = wrapped[:lines - 1] + [last[:width - 1].rstrip() + "…"]
    return "<br>".join(wrapped)


def _signed_points(delta: float, lang: str) -> str:
    """'+4,0 points', '−1,0 point'; no sign when it rounds to 0.0 (never "−0,0 point")."""
    rounded = round(100 * delta, 1)
    sign = "+" if rounded > 0 else "−" if rounded < 0 else ""
    return f"{sign}{format_points(delta, lang)}"


def waterfall_text_alternative(base: float, steps: Sequence[Step], final: float,
                               lang: str | None) -> str:
    lang = normalise_language(lang)
    if not steps:
        return _t("waterfall_alt_empty", lang)
    top = steps[0]  # steps come in order of importance (largest contribution first)
    return _t("waterfall_alt", lang, count=len(steps), base=format_percent(base, lang),
              final=format_percent(final, lang), top=top.label,
              top_delta=_signed_points(top.delta, lang),
              top_direction=_t("raises" if top.delta > 0 else "lowers", lang))
