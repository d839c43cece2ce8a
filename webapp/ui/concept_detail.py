"""The detail under each concept of the why page: the raw features it is made of.

A concept ("Credit-bureau history") is what the advisor reads out; when the customer
asks "which part of it?", the advisor opens it (a native <details>, keyboard and
screen-reader friendly) and sees the feature groups inside, their values and their
direction in words, never by colour alone.
"""
from __future__ import annotations

from dash import html

from webapp import ids
from webapp.services import clients
from webapp.formatting import format_number
from webapp.i18n import translate

TEXTS = {
    "fr": {"heading": "Détail par élément du dossier", "feature": "Donnée", "value": "Valeur",
           "effect": "Effet (log-odds)", "raises": "augmente", "lowers": "réduit",
           "summary": "{label} : {points}", "empty": "Aucune donnée détaillée."},
    "en": {"heading": "Detail by item of the file", "feature": "Data", "value": "Value",
           "effect": "Effect (log-odds)", "raises": "raises", "lowers": "lowers",
           "summary": "{label}: {points}", "empty": "No detailed data."},
}
MAX_MEMBERS = 12  # a concept of the credit bureau holds ~40 groups; the largest tell it


def _signed(delta: float, lang: str) -> str:
    from webapp.formatting import format_points

    sign = "+" if delta > 0 else "−" if delta < 0 else ""
    return f"{sign}{format_points(delta, lang)}"


def concept_details_view(concepts: list[clients.ConceptDetail], lang: str) -> html.Div:
    """One expandable block per concept, in waterfall order."""
    blocks = []
    for concept in concepts:
        rows = [html.Tr([html.Td(label), html.Td(value),
                         html.Td(f"{translate(TEXTS, 'raises' if c > 0 else 'lowers', lang)} "
                                 f"{format_number(abs(c), lang, 3)}")])
                for label, value, c in concept.members[:MAX_MEMBERS]]
        body = html.Table([
            html.Thead(html.Tr([html.Th(translate(TEXTS, k, lang), scope="col")
                                for k in ("feature", "value", "effect")])),
            html.Tbody(rows),
        ], className="table table-sm") if rows else html.P(translate(TEXTS, "empty", lang))
        blocks.append(html.Details([
            html.Summary(translate(TEXTS, "summary", lang, label=concept.label,
                                   points=_signed(concept.probability_change, lang))),
            body,
        ], className="concept-detail mb-1", **{"data-concept": concept.key}))
    return html.Div([html.H2(translate(TEXTS, "heading", lang), className="h5 mt-3"), *blocks],
                    id=ids.WHY_CONCEPT_DETAILS)
