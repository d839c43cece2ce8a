"""Colour-blind-safe palette and the WCAG contrast check every figure relies on.

The palette is Okabe & Ito's (2008), readable with the common colour-vision
deficiencies. Colours used for text have a contrast ratio of at least 4.5:1 on
white (WCAG 2.1 AA, 1.4.3); `tests/test_webapp_contrast.py` checks it. Meaning is
never carried by colour alone: figures also use text labels and patterns.
"""
from __future__ import annotations

# Okabe-Ito colours.
BLUE = "#0072B2"        # granted / repaid / lowers risk
VERMILLION = "#D55E00"  # refused / defaulted / raises risk (large marks only: 3.9:1 on white)
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#595959"        # neutral text and reference lines (7:1 on white)
LIGHT_GREY = "#D9D9D9"  # grid lines and backgrounds only, never text
WHITE = "#FFFFFF"
# Darker shades for text in the same hue (>= 4.5:1 on white).
BLUE_TEXT = "#0072B2"       # 5.2:1
VERMILLION_TEXT = "#A94400"  # 6.0:1

# Meaning -> colour: one place to change if the bank's brand requires it.
GRANTED = BLUE
REFUSED = VERMILLION
REPAID = BLUE
DEFAULTED = VERMILLION
LOWERS_RISK = BLUE
RAISES_RISK = VERMILLION
THRESHOLD = BLACK

# Colours that may be used for text on white.
TEXT_COLOURS = {
    "body": "#212529",
    "muted": GREY,
    "granted": BLUE_TEXT,
    "refused": VERMILLION_TEXT,
    "threshold": THRESHOLD,
    "link": "#0B5ED7",
}
# A qualitative sequence for categories (figures of other screens).
SEQUENCE = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY_BLUE, YELLOW, BLACK)
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a '#RRGGBB' colour (0 black .. 1 white)."""
    text = colour.lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    if len(text) != 6:
        raise ValueError(f"colour {colour!r} is not #RGB or #RRGGBB")
    r, g, b = (int(text[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str = WHITE) -> float:
    """WCAG contrast ratio (1..21) between two colours; AA text needs >= 4.5."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def base_layout(title: str | None = None, height: int = 360) -> dict:
    """Shared Plotly layout: readable font, white background, room for labels."""
    layout: dict = {
        "font": {"family": FONT_FAMILY, "size": 14, "color": TEXT_COLOURS["body"]},
        "paper_bgcolor": WHITE,
        "plot_bgcolor": WHITE,
        "margin": {"l": 10, "r": 20, "t": 50 if title else 20, "b": 40},
        "height": height,
        "colorway": list(SEQUENCE),
    }
    if title:
        layout["title"] = {"text": title, "x": 0, "xanchor": "left"}
    return layout
