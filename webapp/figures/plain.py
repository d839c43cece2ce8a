"""Plotly figures as plain dicts, for screens whose callbacks must answer fast.

`go.Figure(...)` validates every property on construction and on each
`update_*`/`add_vline` call: about 50 ms for a small histogram, more than the
data work itself. `dcc.Graph` accepts the same figure as a dict, so the
Compare, Model and Drift figure functions build dicts directly with these
helpers; tests load them into `go.Figure(...)`, which validates them.
"""
from __future__ import annotations

import numpy as np

from webapp import figures as palette

SIGNIFICANT_DIGITS = 4


def significant(values: object, digits: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """Values rounded to `digits` significant digits: short JSON for the browser (NaN -> null)."""
    x = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(x) & (x != 0)
    magnitude = np.zeros_like(x)
    magnitude[finite] = np.floor(np.log10(np.abs(x[finite])))
    scale = 10.0 ** (digits - 1 - magnitude)
    return np.round(x * scale) / scale


# Plotly's decimal and thousands separators per language (axis ticks, hover numbers).
SEPARATORS = {"fr": ",\u202f", "en": ".,"}


def figure(data: list[dict], height: int = 360, lang: str | None = None, **layout: object) -> dict:
    """A figure dict on the shared layout (font, white background, colour-blind-safe colours),
    with the language's number separators ("0,25" and "1 000" in French)."""
    base = palette.base_layout(height=height)
    base["separators"] = SEPARATORS["en" if lang == "en" else "fr"]
    base.update(layout)
    return {"data": data, "layout": base}


def axis(title: str | None = None, **extra: object) -> dict:
    """An axis with a readable title and light grid lines."""
    spec: dict = {"gridcolor": palette.LIGHT_GREY, "automargin": True}
    if title:
        spec["title"] = {"text": title}
    spec.update(extra)
    return spec


def empty_figure(message: str, height: int = 300) -> dict:
    """No axes, only the message: the figure's text says why there is nothing to draw."""
    return figure([], height=height, xaxis={"visible": False}, yaxis={"visible": False},
                  annotations=[{"text": message, "showarrow": False, "x": 0.5, "y": 0.5,
                                "xref": "paper", "yref": "paper"}])


def vertical_line(x: float, colour: str = palette.THRESHOLD, dash: str = "dash") -> dict:
    """A full-height vertical line at data coordinate `x` (a layout shape)."""
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
            "line": {"color": colour, "dash": dash, "width": 2}}


def patterned_bars(x: object, y: object, name: str, colour: str, pattern: str,
                   hover_suffix: str = " %") -> dict:
    """Bars told apart by colour and by fill pattern ("" solid, "/" hatched): WCAG 1.4.1."""
    return {
        "type": "bar", "x": x, "y": y, "name": name,
        # overlay: white stripes over the bar's colour (the default draws stripes on nothing)
        "marker": {"color": colour, "line": {"color": colour, "width": 1},
                   "pattern": {"shape": pattern, "fillmode": "overlay", "fgcolor": palette.WHITE,
                               "size": 6, "solidity": 0.3}},
        "hovertemplate": "%{x}<br>%{y:.1f}" + hover_suffix + "<extra>" + name + "</extra>",
    }


def short_label(text: str, limit: int = 42) -> str:
    """A label cut to `limit` characters with an ellipsis, for axis ticks (hover shows it whole)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
