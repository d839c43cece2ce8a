"""Reusable UI builders the screens share: alerts, charts with their text alternative,
decision badges, score rows, explanations and proposals.

They live apart from the shell (`webapp/layout.py`, which registers the shell's callbacks
on import) so a page imports building blocks without pulling in the header and the
client search, and each builder is tested on its own (tests/test_webapp_layout.py).
Builders lay out what a service returned; they compute nothing.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from webapp import ids
from webapp.services import decision_change
from webapp.figures.client import Step, waterfall_figure, waterfall_text_alternative
from webapp.formatting import format_percent
from webapp.i18n import shell, translate
from webapp.services import clients


def client_path(client_id: object, subpage: str = "") -> str:
    """'/client/100002/why' for a client and a sub-page ('' = client file)."""
    return f"/client/{client_id}{subpage}"



def error_alert(message: str) -> dbc.Alert:
    """A clear message in the page instead of a broken layout or a traceback."""
    return html.Div(dbc.Alert(message, color="warning", className="my-3"), role="alert")


def chart(graph_id: str | dict, figure: object, text_alternative: str, caption_id: str | None = None) -> html.Figure:
    """A Plotly chart with its text alternative as aria-label and visible caption (WCAG 1.1.1)."""
    caption_props = {"id": caption_id} if caption_id else {}
    return html.Figure(
        [
            html.Div(dcc.Graph(id=graph_id, figure=figure, config={"displayModeBar": False,
                                                                   "responsive": True}),
                     role="img", **{"aria-label": text_alternative}),
            html.Figcaption(text_alternative, className="chart-caption", **caption_props),
        ],
        className="mb-3",
    )


def facts_list(facts: list[clients.Fact], element_id: str) -> html.Dl:
    """Label / value pairs as a description list (read as pairs by screen readers)."""
    items = []
    for fact in facts:
        items += [html.Dt(fact.label, className="fact-label col-sm-5"),
                  html.Dd(fact.value, className="fact-value col-sm-7")]
    return html.Dl(items, className="row mb-0", id=element_id)


DECISION_ICONS = {"granted": "✓", "refused": "✗", "review": "⚠"}


def decision_badge(outcome: str, lang: str, element_id: str | None = None) -> html.Div:
    """'✗ Refusé' / '✓ Accordé' / '⚠ À étudier': icon + word + colour + border style, never
    colour alone. `outcome` is a `clients.Decision.outcome`."""
    props = {"id": element_id} if element_id else {}
    return html.Div(
        [html.Span(DECISION_ICONS[outcome], className="decision-icon", **{"aria-hidden": "true"}),
         html.Span(shell(outcome, lang))],
        className=f"decision decision-{outcome}", **props,
    )


POLICY_TEXTS = {
    "fr": {"heading": "Règles de crédit appliquées (indépendantes du score)",
           "refused": "Refus", "review": "Examen"},
    "en": {"heading": "Lending rules applied (independent of the score)",
           "refused": "Refusal", "review": "Review"},
}


def policy_rules_view(decision: clients.Decision, lang: str, element_id: str) -> html.Div:
    """The lending rules that fired, each with its outcome in words, apart from the model's
    reasons; an empty container when none fired (the id stays for tests and screen readers)."""
    if not decision.rules:
        return html.Div(id=element_id)
    items = [html.Li([html.Strong(f"{translate(POLICY_TEXTS, hit.outcome, lang)} — "), hit.text],
                     **{"data-rule": hit.id}) for hit in decision.rules]
    return html.Div([
        html.H2(translate(POLICY_TEXTS, "heading", lang), className="h6 mb-1"),
        html.Ul(items, className="mb-0"),
    ], id=element_id, className="policy-rules alert alert-light border mb-2", role="note")


def score_row(result: clients.Result, label: str, probability_id: str, lang: str,
              rules_id: str) -> html.Div:
    """Probability, final decision, distance to the threshold and the lending rules that fired."""
    return html.Div([
        dbc.Row([
            dbc.Col([html.P(label, className="fact-label"),
                     html.P(format_percent(result.score.probability, lang), id=probability_id,
                            className="probability-value mb-1")], xs=12, sm=6),
            dbc.Col([decision_badge(result.decision.outcome, lang),
                     html.P(clients.decision_in_words(result.score, result.decision, lang))],
                    xs=12, sm=6),
        ]),
        policy_rules_view(result.decision, lang, rules_id),
    ])


VIEW_TEXTS = {"fr": {"read_out": "À lire au client"}, "en": {"read_out": "To read out to the client"}}


def explanation_view(result: clients.Result, lang: str, chart_id: str = ids.WHY_CHART,
                     sentences_id: str = ids.WHY_SENTENCES) -> html.Div:
    """Waterfall + caption + sentences of one scored row (also used by what-if and new applicant)."""
    explanation = result.explanation
    steps = [Step(result.labels[f], delta) for f, delta in explanation.steps]
    figure = waterfall_figure(explanation.base, steps, explanation.final, lang,
                              others=explanation.others, others_count=explanation.others_count,
                              threshold=result.score.threshold)
    return html.Div([
        chart(chart_id, figure, waterfall_text_alternative(explanation.base, steps, explanation.final, lang)),
        html.H2(translate(VIEW_TEXTS, "read_out", lang), className="h5"),
        html.Ul([html.Li(sentence) for sentence in result.sentences], id=sentences_id,
                className="read-out"),
    ])


def proposal_view(client_id: object, change, lang: str, element_id: str,
                  reason_concepts: tuple[str, ...] | list[str] = ()) -> list:
    """What would change the decision, in sentences, with a link that loads the proposal
    into the simulation (client file and what-if screen alike)."""
    body = [html.H2(translate(decision_change.TEXTS, "heading", lang), className="h5"),
            html.Ul([html.Li(line) for line in
                     decision_change.counterfactual_sentences(change, lang, reason_concepts)])]
    if change.changes:
        body.append(dcc.Link(translate(decision_change.TEXTS, "load", lang),
                             href=client_path(client_id, "/what-if") + decision_change.whatif_query(change),
                             id=f"{element_id}-load", className="btn btn-outline-primary mb-3"))
    return body
