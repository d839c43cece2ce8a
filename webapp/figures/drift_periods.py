"""The Drift tab's trend chart: PSI per period of the score and of the most shifted input.

Pure drawing from values the service prepared. The two lines differ by colour, dash and
marker; each point's marker shape says its period's status (circle stable, diamond watch,
cross drift), so no status is told by colour alone; the 0.10 / 0.25 bands are dashed lines
labelled as rules of thumb. The text alternative lists every period's values and status.
"""
from __future__ import annotations

from webapp import figures as palette
from webapp.figures import plain
from webapp.formatting import format_number
from webapp.i18n import translate

from model import config

SYMBOLS = {"stable": "circle", "watch": "diamond", "drift": "x"}

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "score": "Score (probabilité prédite)",
        "input": "Variable la plus décalée",
        "period": "Période",
        "psi": "PSI par rapport à l'entraînement",
        "watch": "{value} : à surveiller (règle empirique)",
        "drift": "{value} : dérive (règle empirique)",
        "alt": ("Courbe du PSI par période, du score (trait plein) et de la variable la plus "
                "décalée (pointillés) ; forme des points : rond stable, losange à surveiller, "
                "croix dérive. {points}"),
        "point": "{period} : score {score}, variable {input}, {status}.",
    },
    "en": {
        "score": "Score (predicted probability)",
        "input": "Most shifted input",
        "period": "Period",
        "psi": "PSI against training",
        "watch": "{value}: watch (rule of thumb)",
        "drift": "{value}: drift (rule of thumb)",
        "alt": ("Line chart of the PSI per period, of the score (solid line) and of the most "
                "shifted input (dotted); marker shapes: circle stable, diamond watch, cross "
                "drift. {points}"),
        "point": "{period}: score {score}, input {input}, {status}.",
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def _band_line(value: float, text: str, below: bool) -> tuple[dict, dict]:
    """A dashed horizontal line and its label (under the line for the lower band, above it for
    the upper one, so that the two labels never overlap)."""
    shape = {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": value,
             "y1": value, "line": {"color": palette.GREY, "dash": "dash", "width": 1.5}}
    note = {"xref": "paper", "yref": "y", "x": 0, "y": value, "xanchor": "left",
            "yanchor": "top" if below else "bottom", "text": text, "showarrow": False,
            "font": {"color": palette.GREY, "size": 12}, "bgcolor": palette.WHITE}
    return shape, note


def trend_chart(periods: list[str], score: list[float | None], top_input: list[float | None],
                statuses: list[str], status_words: list[str], lang: str) -> tuple[dict, str]:
    """The figure and its text alternative."""
    symbols = [SYMBOLS.get(s, "circle") for s in statuses]
    data = [
        {"type": "scatter", "mode": "lines+markers", "x": periods, "y": score,
         "name": _t("score", lang), "line": {"color": palette.BLUE, "width": 3},
         "marker": {"symbol": symbols, "size": 11, "color": palette.BLUE}},
        {"type": "scatter", "mode": "lines+markers", "x": periods, "y": top_input,
         "name": _t("input", lang), "line": {"color": palette.VERMILLION, "width": 3,
                                              "dash": "dot"},
         "marker": {"symbol": symbols, "size": 11, "color": palette.VERMILLION}},
    ]
    shapes, notes = zip(*(_band_line(config.PSI_BANDS[k], _t(k, lang, value=format_number(
        config.PSI_BANDS[k], lang, 2)), below=k == "watch") for k in ("watch", "drift")))
    figure = plain.figure(data, height=380, lang=lang, shapes=list(shapes),
                          annotations=list(notes),
                          xaxis=plain.axis(_t("period", lang), type="category"),
                          yaxis=plain.axis(_t("psi", lang), rangemode="tozero"),
                          legend={"orientation": "h", "y": -0.25})
    points = " ".join(_t("point", lang, period=p,
                         score="—" if s is None else format_number(s, lang, 2),
                         input="—" if i is None else format_number(i, lang, 2), status=w)
                      for p, s, i, w in zip(periods, score, top_input, status_words))
    return figure, _t("alt", lang, points=points)
