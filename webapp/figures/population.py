"""Figures and their text alternatives for the Compare screen.

Pure functions: pre-binned distributions and sampled points in, a figure dict
(`webapp.figures.plain`) or a sentence out. Repaid and defaulted clients differ
by colour *and* by bar pattern; the client is a labelled star, never just a
colour; the decision of the sampled clients is carried by marker shape as well
as by the colour scale.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from webapp import figures as palette
from webapp.figures import plain
from webapp.formatting import format_money, format_number, format_percent
from webapp.i18n import normalise_language, translate
from webapp.services.population import AxisRange, Band, Rank

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "repaid": "Clients ayant remboursé",
        "defaulted": "Clients en défaut",
        "share": "Part des clients de chaque groupe",
        "client": "Client {client_id}",
        "client_value": "Client {client_id} : {value}",
        "probability": "Probabilité de défaut",
        "granted": "Accordé (sous le seuil)",
        "refused": "Refusé (au-dessus du seuil)",
        "no_data": "Aucune valeur connue de « {feature} » dans ce groupe.",
        "no_positive": "Aucune valeur positive de « {feature} » dans ce groupe : une échelle "
                       "logarithmique ne peut rien placer.",
        "percentile": "Le client {client_id} est au {rank} centile de « {feature} » ({value}) "
                      "parmi {count} clients comparables.",
        "percentile_missing": "La valeur de « {feature} » est inconnue pour le client {client_id} : "
                              "il n'est pas placé sur la distribution.",
        "unknown_values": "{count} clients du groupe dont la valeur est inconnue ne sont pas comptés.",
        "unknown_value": "1 client du groupe dont la valeur est inconnue n'est pas compté.",
        "by_class": "Parmi les clients ayant remboursé, {repaid} ont une valeur inférieure ; "
                    "parmi les clients en défaut, {defaulted}.",
        "distribution_alt": "Histogramme de « {feature} » pour {count} clients, en deux groupes : "
                            "remboursé (barres pleines bleues) et défaut (barres hachurées orangées). "
                            "Une ligne verticale marque le client.",
        "scatter_alt": "Nuage de {count} clients tirés au hasard : « {x} » en abscisse, « {y} » en "
                       "ordonnée, couleur selon la probabilité de défaut, ronds pour les accordés et "
                       "croix pour les refusés ; {refused} des points sont refusés. {client}",
        "scatter_client": "Le client {client_id} (étoile) est au {x_rank} centile de « {x} » parmi "
                          "{x_count} clients comparables et au {y_rank} centile de « {y} » parmi "
                          "{y_count} clients comparables.",
        "scatter_client_missing": "Le client {client_id} n'apparaît pas : une des deux valeurs est inconnue.",
        "group_all": "Groupe de comparaison : tous les clients dont l'issue est connue ({count}).",
        "group_similar": "Groupe de comparaison : clients au même type de contrat ({contract}), "
                         "dans la même tranche d'âge ({age}) et de revenu ({income}) : {count} clients.",
        "group_neighbours": "Groupe de comparaison : les {count} clients les plus proches sur les "
                            "{n_features} variables les plus influentes du modèle.",
        "band": "{low} à {high}",
        "band_open": "{low} et plus",
        "band_below": "moins de {high}",
        "years_unit": "ans",
        "unknown": "inconnu",
        "off_axis_clipped": "{count} valeurs hors de l'axe (sous le 1er ou au-dessus du 99e centile "
                            "du groupe) ne sont pas dessinées.",
        "off_axis_log": "{count} valeurs hors de l'axe (nulles ou négatives : une échelle "
                        "logarithmique ne peut pas les placer) ne sont pas dessinées.",
        "off_points_clipped": "{count} points hors des axes (sous le 1er ou au-dessus du 99e "
                              "centile du groupe) ne sont pas dessinés.",
        "off_points_log": "{count} points hors des axes (valeur nulle ou négative : une échelle "
                          "logarithmique ne peut pas les placer) ne sont pas dessinés.",
    },
    "en": {
        "repaid": "Clients who repaid",
        "defaulted": "Clients who defaulted",
        "share": "Share of each group's clients",
        "client": "Client {client_id}",
        "client_value": "Client {client_id}: {value}",
        "probability": "Probability of default",
        "granted": "Granted (below threshold)",
        "refused": "Refused (above threshold)",
        "no_data": "No known value of “{feature}” in this group.",
        "no_positive": "No positive value of “{feature}” in this group: a log scale cannot place "
                       "anything.",
        "percentile": "Client {client_id} is at the {rank} percentile of “{feature}” ({value}) "
                      "among {count} comparable clients.",
        "percentile_missing": "The value of “{feature}” is unknown for client {client_id}: "
                              "they are not placed on the distribution.",
        "unknown_values": "{count} clients of the group whose value is unknown are not counted.",
        "unknown_value": "1 client of the group whose value is unknown is not counted.",
        "by_class": "Among clients who repaid, {repaid} have a lower value; "
                    "among clients who defaulted, {defaulted}.",
        "distribution_alt": "Histogram of “{feature}” for {count} clients, in two groups: repaid "
                            "(solid blue bars) and defaulted (hatched orange bars). A vertical line "
                            "marks the client.",
        "scatter_alt": "Scatter of {count} randomly drawn clients: “{x}” across, “{y}” up, colour by "
                       "probability of default, circles for granted and crosses for refused; "
                       "{refused} of the points are refused. {client}",
        "scatter_client": "Client {client_id} (star) is at the {x_rank} percentile of “{x}” among "
                          "{x_count} comparable clients and at the {y_rank} percentile of “{y}” "
                          "among {y_count} comparable clients.",
        "scatter_client_missing": "Client {client_id} is not shown: one of the two values is unknown.",
        "group_all": "Comparison group: every client whose outcome is known ({count}).",
        "group_similar": "Comparison group: clients with the same contract type ({contract}), in the "
                         "same age band ({age}) and income band ({income}): {count} clients.",
        "group_neighbours": "Comparison group: the {count} clients nearest on the model's "
                            "{n_features} most influential features.",
        "band": "{low} to {high}",
        "band_open": "{low} and over",
        "band_below": "under {high}",
        "years_unit": "years",
        "unknown": "unknown",
        "off_axis_clipped": "{count} values off the axis (below the group's 1st or above its 99th "
                            "percentile) are not drawn.",
        "off_axis_log": "{count} values off the axis (zero or negative: a log scale cannot place "
                        "them) are not drawn.",
        "off_points_clipped": "{count} points off the axes (below the group's 1st or above its "
                              "99th percentile) are not drawn.",
        "off_points_log": "{count} points off the axes (a zero or negative value: a log scale "
                          "cannot place them) are not drawn.",
    },
}
# Colour-blind-safe sequential scale for the probability of default.
PROBABILITY_SCALE = "Cividis"


def _text(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def ordinal(rank: int, lang: str) -> str:
    """83 -> "83e" (fr, "1er" for 1) or "83rd" (en)."""
    rank = int(rank)
    if normalise_language(lang) == "fr":
        return "1er" if rank == 1 else f"{rank}e"
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


def percentile_rank(percentile: float) -> int:
    """A percentile in [0, 100] as the whole centile an advisor reads out (1 to 99)."""
    return int(min(max(round(percentile), 1), 99))


def format_value(value: float | None, lang: str) -> str:
    """A feature value: whole numbers without decimals, small ones with two."""
    if value is None or not np.isfinite(value):
        return format_number(None, lang)
    decimals = 0 if abs(value) >= 100 or float(value).is_integer() else 2
    return format_number(value, lang, decimals)


def band_text(band: Band, lang: str, money: bool = False, unit: str = "") -> str:
    """"30 à 40 ans", "moins de 30 ans", "300 000 € et plus"; an unknown band is said so."""
    if band.index < 0:
        return _text("unknown", lang)

    def show(value: float) -> str:
        return format_money(value, lang, 0) if money else format_number(value, lang)

    if band.low <= 0:
        text = _text("band_below", lang, high=show(band.high))
    elif not np.isfinite(band.high):
        text = _text("band_open", lang, low=show(band.low))
    else:
        text = _text("band", lang, low=show(band.low), high=show(band.high))
    return f"{text} {unit}" if unit else text


def group_sentence(group: str, count: int, lang: str, contract: object = None,
                   age: Band | None = None, income: Band | None = None,
                   n_features: int = 0) -> str:
    """Who the client is compared with, in words (the group choice stated, not implied)."""
    count_text = format_number(count, lang)
    if group == "similar":
        contract_text = _text("unknown", lang) if contract is None or pd.isna(contract) else str(contract)
        return _text("group_similar", lang, contract=contract_text, count=count_text,
                     age=band_text(age or Band(-1, np.nan, np.nan), lang, unit=_text("years_unit", lang)),
                     income=band_text(income or Band(-1, np.nan, np.nan), lang, money=True))
    if group == "neighbours":
        return _text("group_neighbours", lang, count=count_text, n_features=n_features)
    return _text("group_all", lang, count=count_text)


# Characters per line of an axis title: a vertical title longer than the plot is cut at
# both ends (460 px high scatter: about 330 px of plot, 14 px font, about 40 characters).
Y_TITLE_WIDTH = 36
X_TITLE_WIDTH = 50
TITLE_LINES = 3


def wrap(text: str, width: int, lines: int = TITLE_LINES) -> str:
    """`text` on at most `lines` lines of about `width` characters (Plotly's "<br>"), the last
    one cut with an ellipsis if it is still too long; the caption and hover keep it whole."""
    rows: list[str] = []
    for word in str(text).split():
        if rows and len(rows[-1]) + 1 + len(word) <= width:
            rows[-1] += " " + word
        else:
            rows.append(word)
    if len(rows) > lines:
        rows = rows[:lines]
        rows[-1] = rows[-1][: width - 1].rstrip() + "…"
    return "<br>".join(rows)


def _extent(values: pd.Series, value: float) -> tuple[float, float]:
    known = values.to_numpy(np.float64)
    known = known[np.isfinite(known)]
    return (float(min(known.min(), value)), float(max(known.max(), value))) if len(known) else (value, value)


def _label_side(value: float, low: float, high: float) -> str:
    """Where the client's label goes: towards the middle, so it is never cut at a chart edge
    (at 640 px, "Client 100002" centred on a client at the left edge lost its first letter)."""
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        return "top center"
    share = (value - low) / (high - low)
    return "top right" if share < 0.3 else "top left" if share > 0.7 else "top center"


def off_axis_sentence(count: int, scale: str, lang: str, points: bool = False) -> str:
    """"12 valeurs hors de l'axe ... ne sont pas dessinées." ('' when every value is drawn)."""
    if count <= 0 or scale not in ("clipped", "log"):
        return ""
    return _text(f"off_{'points' if points else 'axis'}_{scale}", lang,
                 count=format_number(count, lang))


def _value_axis(title: str, axis: AxisRange | None, width: int) -> dict:
    """An axis titled `title` (wrapped) on the scale of `axis`: log type, or clipped range."""
    spec = plain.axis(wrap(title, width))
    if axis is not None and axis.kind == "log":
        spec["type"] = "log"
    elif axis is not None and axis.low is not None and axis.high is not None:
        pad = (axis.high - axis.low) * 0.03 or 1.0
        spec["range"] = [axis.low - pad, axis.high + pad]
    return spec


def percentile_sentence(
    client_id: int,
    feature: str,
    value: float | None,
    percentile: float | None,
    count: int,
    lang: str,
) -> str:
    """"Le client 100002 est au 83e centile de « Revenu » (202 500) parmi 12 345 clients comparables"."""
    if percentile is None:
        return _text("percentile_missing", lang, feature=feature, client_id=client_id)
    return _text(
        "percentile", lang, client_id=client_id, feature=feature,
        rank=ordinal(percentile_rank(percentile), lang), value=format_value(value, lang),
        count=format_number(count, lang),
    )


def unknown_sentence(group_size: int, count: int, lang: str) -> str:
    """Why the percentile counts fewer clients than the group: "3 clients du groupe dont la
    valeur est inconnue ne sont pas comptés." ('' when every value is known)."""
    unknown = int(group_size) - int(count)
    if unknown <= 0:
        return ""
    return _text("unknown_value" if unknown == 1 else "unknown_values", lang,
                 count=format_number(unknown, lang))


def class_sentence(repaid_percentile: float | None, defaulted_percentile: float | None,
                   lang: str) -> str:
    """Share of repaid and of defaulted clients below the client's value, in words."""
    if repaid_percentile is None or defaulted_percentile is None:
        return ""
    return _text("by_class", lang, repaid=format_percent(repaid_percentile / 100, lang, 0),
                 defaulted=format_percent(defaulted_percentile / 100, lang, 0))


def distribution_summary(feature: str, count: int, lang: str) -> str:
    """Text alternative of the distribution chart (aria-label)."""
    return _text("distribution_alt", lang, feature=feature, count=format_number(count, lang))


def distribution_figure(
    histogram: pd.DataFrame,
    client_id: int,
    client_value: float | None,
    feature: str,
    lang: str,
    axis: AxisRange | None = None,
) -> dict:
    """Repaid vs defaulted bars of one feature (from `scaled_histogram`), client marked by a line.

    Bars are grouped side by side: solid blue for repaid, hatched vermillion for
    defaulted; the client is a black dashed line with a labelled star on top. On a
    log `axis` the bars' geometric centres fall evenly; a client off that axis is not
    drawn.
    Returned as a figure dict (see `webapp.figures.plain`).
    """
    if histogram.empty:
        log = axis is not None and axis.kind == "log"
        return plain.empty_figure(_text("no_positive" if log else "no_data", lang, feature=feature))
    x = plain.significant(histogram["center"])
    data = [plain.patterned_bars(x, plain.significant(histogram[column] * 100), _text(column, lang),
                                 colour, pattern)
            for column, colour, pattern in (("repaid", palette.REPAID, ""),
                                            ("defaulted", palette.DEFAULTED, "/"))]
    layout: dict = {"barmode": "group", "bargap": 0.15,
                    "legend": {"orientation": "h", "y": 1.12, "x": 0},
                    "xaxis": _value_axis(feature, axis, X_TITLE_WIDTH),
                    "yaxis": plain.axis(_text("share", lang) + " (%)", rangemode="tozero")}
    drawn = client_value is not None and np.isfinite(client_value) and (
        axis is None or bool(axis.keeps([client_value])[0]))
    if drawn:
        top = float(histogram[["repaid", "defaulted"]].to_numpy().max()) * 100
        data.append({
            "type": "scatter", "x": [client_value], "y": [top * 1.08], "mode": "markers+text",
            "marker": {"symbol": "star", "size": 16, "color": palette.BLACK},
            "text": [_text("client_value", lang, client_id=client_id,
                           value=format_value(client_value, lang))],
            "textposition": _label_side(client_value, histogram["left"].min(), histogram["right"].max()),
            "cliponaxis": False, "showlegend": False, "hoverinfo": "skip",
        })
        layout["shapes"] = [plain.vertical_line(client_value)]
        layout["yaxis"]["range"] = [0, top * 1.3]
    return plain.figure(data, height=380, lang=lang, **layout)


def scatter_summary(
    sample: pd.DataFrame,
    x: str,
    y: str,
    threshold: float,
    client_id: int,
    client_ranks: tuple[Rank, Rank],
    lang: str,
    off_axis: int = 0,
    scale: str = "linear",
) -> str:
    """Text alternative of the scatter: what is plotted, share refused, where the client is.

    The client's ranks are `services.population.client_rank` among the whole group, the
    very numbers the distribution's sentence states, not ranks among the sampled points.
    """
    refused = float((sample["probability"] >= threshold).mean()) if len(sample) else float("nan")
    x_rank, y_rank = client_ranks
    if x_rank.percentile is None or y_rank.percentile is None:
        client = _text("scatter_client_missing", lang, client_id=client_id)
    else:
        client = _text("scatter_client", lang, client_id=client_id, x=x, y=y,
                       x_rank=ordinal(percentile_rank(x_rank.percentile), lang),
                       y_rank=ordinal(percentile_rank(y_rank.percentile), lang),
                       x_count=format_number(x_rank.count, lang),
                       y_count=format_number(y_rank.count, lang))
    text = _text("scatter_alt", lang, count=format_number(len(sample), lang), x=x, y=y,
                 refused=format_percent(refused, lang, 0), client=client)
    off = off_axis_sentence(off_axis, scale, lang, points=True)
    return f"{text} {off}" if off else text


def scatter_figure(
    sample: pd.DataFrame,
    x: str,
    y: str,
    threshold: float,
    client_id: int,
    client_point: tuple[float, float, float] | None,
    labels: tuple[str, str],
    lang: str,
    axes: tuple[AxisRange, AxisRange] | None = None,
) -> dict:
    """Sampled clients on two features, coloured by probability; the client a labelled star.

    `sample` has columns `x`, `y` and `probability`; clients at or above the
    threshold (refused) are crosses, the others circles, so the decision reads
    without colour. `client_point` is (x, y, probability) or None when unknown. Axis
    titles are wrapped to fit the plot (the full labels are in the hover and the
    caption); `axes` sets log axes or the clipped ranges.
    """
    axes = axes or (None, None)
    if sample.empty and any(axis is not None and axis.kind == "log" for axis in axes):
        return plain.empty_figure(_text("no_positive", lang, feature=" / ".join(labels)))
    refused = sample["probability"].to_numpy() >= threshold
    hover = (f"{labels[0]}: %{{x}}<br>{labels[1]}: %{{y}}<br>"
             f"{_text('probability', lang)}: %{{marker.color:.1%}}<extra></extra>")
    data = []
    for key, mask, symbol in (("granted", ~refused, "circle"), ("refused", refused, "x")):
        part = sample[mask]
        data.append({
            "type": "scatter", "x": plain.significant(part[x]), "y": plain.significant(part[y]),
            "mode": "markers", "name": _text(key, lang), "hovertemplate": hover,
            "marker": {"symbol": symbol, "size": 6, "opacity": 0.7, "coloraxis": "coloraxis",
                       "color": plain.significant(part["probability"], 3)},
        })
    if client_point is not None and all(
            axis is None or bool(axis.keeps([value])[0]) for axis, value in zip(axes, client_point)):
        name = _text("client", lang, client_id=client_id)
        data.append({
            "type": "scatter", "x": [client_point[0]], "y": [client_point[1]],
            "mode": "markers+text", "name": name, "text": [name], "cliponaxis": False,
            "textposition": _label_side(client_point[0], *_extent(sample[x], client_point[0])),
            "textfont": {"color": palette.BLACK, "size": 14},
            "marker": {"symbol": "star", "size": 22, "color": palette.ORANGE,
                       "line": {"color": palette.BLACK, "width": 2}},
            "hovertemplate": f"{labels[0]}: %{{x}}<br>{labels[1]}: %{{y}}<extra></extra>",
        })
    top = max(float(sample["probability"].max()) if len(sample) else 1.0, threshold)
    return plain.figure(
        data, height=460, lang=lang,
        coloraxis={"colorscale": PROBABILITY_SCALE, "cmin": 0, "cmax": top,
                   "colorbar": {"title": {"text": _text("probability", lang)}, "tickformat": ".0%"}},
        legend={"orientation": "h", "y": -0.18, "x": 0},
        xaxis=_value_axis(labels[0], axes[0], X_TITLE_WIDTH),
        yaxis=_value_axis(labels[1], axes[1], Y_TITLE_WIDTH),
    )
