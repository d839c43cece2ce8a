"""The page shown for an address that is no screen of the tool, in the interface language.

Dash Pages shows the module named `not_found_404` for unknown paths; without it the
built-in page says "404 - Page not found" in English whatever the chosen language.
"""
from __future__ import annotations

import dash
from dash import dcc, html

from webapp import ids
from webapp.i18n import normalise_language, page_title, request_language, shell


def title(**_path: str) -> str:
    return page_title(shell("not_found_title", request_language()), request_language())


dash.register_page(__name__, path="/404", title=title, name="Not found")


def layout(lang: str | None = None, **_query: str) -> html.Div:
    """Heading, the address that matched nothing, and a way back home."""
    lang = normalise_language(lang)
    return html.Div([
        html.H1(shell("not_found_title", lang), id=ids.NOT_FOUND_HEADING, className="h3 mt-2"),
        html.P(shell("not_found_text", lang)),
        dcc.Link(shell("not_found_home", lang), href="/"),
    ])

