"""Score bar and contribution waterfall: what they draw and what they say in words."""
from __future__ import annotations

import plotly.graph_objects as go
import pytest

from webapp import figures as palette
from webapp.figures.client import (Step, score_axis_max, score_figure, score_text_alternative,
                                   waterfall_figure, waterfall_text_alternative, wrap_label)


def test_refused_score_is_hatched_labelled_and_marks_the_threshold() -> None:
    fig = go.Figure(score_figure(0.30, 0.15, "fr"))  # validates the dict
    bar = fig.data[0]
    assert bar.x == (0.30,)
    assert bar.marker.color == palette.REFUSED
    assert bar.marker.pattern.shape == "/"  # not colour alone
    assert "modèle seul : refus" in bar.text[0] and "30,0" in bar.text[0]
    threshold_lines = [s for s in fig.layout.shapes if s.x0 == 0.15 and s.x1 == 0.15]
    assert len(threshold_lines) == 1
    assert any("Seuil 15,0" in a.text for a in fig.layout.annotations)


def test_granted_score_is_plain_blue() -> None:
    bar = go.Figure(score_figure(0.05, 0.15, "en")).data[0]
    assert bar.marker.color == palette.GRANTED and bar.marker.pattern.shape == ""
    assert "model alone: grant" in bar.text[0]  # the model's side, not the decision


def test_axis_leaves_room_for_bar_and_threshold() -> None:
    assert score_axis_max(0.05, 0.1) == 0.5
    assert score_axis_max(0.6, 0.1) == pytest.approx(0.78)
    assert score_axis_max(0.9, 0.5) == 1.0


def test_score_text_alternative() -> None:
    assert score_text_alternative(0.12, 0.15, "en") == (
        "Horizontal bar: the client's probability of default 12.0%, decision threshold 15.0%; "
        "model alone: grant.")


STEPS = [Step("External score = 0.2", 0.04), Step("Age = 45 years", -0.01), Step("Income", 0.005)]


def test_waterfall_has_base_steps_others_and_total() -> None:
    fig = go.Figure(waterfall_figure(0.08, STEPS, 0.12, "en", others=-0.005, others_count=7))
    trace = fig.data[0]  # validated by plotly: the plain dict is a valid figure
    assert list(trace.measure) == ["absolute", "relative", "relative", "relative", "relative", "total"]
    assert len(trace.y) == len(STEPS) + 3
    assert trace.y[0].startswith("Base rate") and trace.y[-2] == "Other factors (7)"
    assert trace.x[0] == 0.08 and trace.x[-1] == 0.12
    assert trace.text[1] == "+4.0\u00a0points" and trace.text[2] == "−1.0\u00a0point"
    assert trace.increasing.marker.color == palette.RAISES_RISK
    assert trace.decreasing.marker.color == palette.LOWERS_RISK


def test_waterfall_without_others_skips_that_bar() -> None:
    trace = go.Figure(waterfall_figure(0.08, STEPS, 0.115, "fr")).data[0]
    assert len(trace.y) == len(STEPS) + 2
    assert trace.y[-1] == "Probabilité du client"


def test_waterfall_text_alternative_names_the_main_factor() -> None:
    text = waterfall_text_alternative(0.08, STEPS, 0.12, "fr")
    assert text.startswith("Cascade de 3 contributions allant du taux de base 8,0")
    assert "External score = 0.2 (+4,0\u00a0points, augmente le risque)" in text
    assert waterfall_text_alternative(0.08, [], 0.08, "en") == "No contribution to show."


def test_waterfall_labels_wrap_and_values_sit_in_a_column() -> None:
    """At 640 px the labels used to run over the chart and the values over the labels."""
    long = "Historique au bureau de crédit (autres prêteurs) (8 crédits déclarés)"
    wrapped = wrap_label(long)
    assert wrapped.split("<br>") == ["Historique au bureau de crédit", "(autres prêteurs) (8 crédits",
                                     "déclarés)"]
    assert wrap_label("mot " * 40).split("<br>")[-1].endswith("…")
    assert all(len(line) <= 30 for line in wrap_label("mot " * 40).split("<br>"))
    fig = go.Figure(waterfall_figure(0.08, [Step(long, -0.0004)] + STEPS, 0.1196, "fr", threshold=0.1))
    assert fig.data[0].textposition == "none" and fig.data[0].customdata[1] == long
    values = [a.text for a in fig.layout.annotations if a.name == "value"]
    assert values == ["8,0\u202f%", "0,0\u00a0point", "+4,0\u00a0points", "−1,0\u00a0point",
                      "+0,5\u00a0point", "12,0\u202f%"]  # no "−0,0" for a delta that rounds to 0
    assert all(a.xref == "paper" and a.x == 1.0 and a.xanchor == "left"
               for a in fig.layout.annotations if a.name == "value")
    # the threshold: a dashed line across the plot, labelled with its value
    assert [(s.x0, s.x1, s.line.dash) for s in fig.layout.shapes] == [(0.1, 0.1, "dash")]
    assert [a.text for a in fig.layout.annotations if a.name == "threshold"] == ["Seuil 10,0\u202f%"]
