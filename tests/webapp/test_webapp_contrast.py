"""WCAG 2.1 AA: every colour used for text reads at >= 4.5:1 on white (1.4.3)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from webapp import figures

CSS = Path(__file__).resolve().parents[2] / "assets" / "style.css"


def test_contrast_ratio_reference_values() -> None:
    assert figures.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert figures.contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    # WebAIM's checker gives 4.54:1 for #767676 on white, the classic AA boundary grey.
    assert figures.contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
    assert figures.contrast_ratio("#777777") < 4.5


def test_short_hex_and_bad_colour() -> None:
    assert figures.relative_luminance("#fff") == pytest.approx(1.0)
    with pytest.raises(ValueError, match="#RGB"):
        figures.relative_luminance("#12345")


@pytest.mark.parametrize("name", sorted(figures.TEXT_COLOURS))
def test_text_colours_meet_aa(name: str) -> None:
    assert figures.contrast_ratio(figures.TEXT_COLOURS[name]) >= 4.5


def test_vermillion_is_not_used_as_text_colour() -> None:
    # Okabe-Ito vermillion is 3.9:1 on white: fine for bars, too light for text.
    assert figures.contrast_ratio(figures.VERMILLION) < 4.5
    assert figures.VERMILLION not in figures.TEXT_COLOURS.values()


def test_css_text_colours_meet_aa() -> None:
    css = CSS.read_text()
    variables = dict(re.findall(r"(--[\w-]+):\s*(#[0-9A-Fa-f]{6})", css))
    colours = re.findall(r"(?<![-\w])color:\s*(#[0-9A-Fa-f]{6}|var\(--[\w-]+\))", css)
    assert colours, "no text colour found in style.css"
    for colour in colours:
        hex_colour = variables[colour[4:-1]] if colour.startswith("var(") else colour
        background = "#005A8C" if hex_colour.upper() == "#FFFFFF" else "#FFFFFF"
        assert figures.contrast_ratio(hex_colour, background) >= 4.5, colour
