"""Screen 1 — client file (`/client/<id>`) and the home page (`/`).

Rendered entirely by the layout function (re-run by Dash Pages on every URL or
language change): key facts, calibrated probability, threshold, decision in
words with an icon, distance to the threshold, the lending rules that fired, and the
score bar.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from webapp import ids
from webapp.db import audit_log
from webapp.ui import fields
from webapp.services import clients
from webapp.service_errors import ServiceError, error_message
from webapp.ui.decision_form import decision_card
from webapp.figures.client import score_figure, score_text_alternative
from webapp.formatting import format_percent
from webapp.i18n import normalise_language, page_title, request_language, shell, translate
from webapp.ui.components import (chart, client_path, decision_badge, error_alert, facts_list,
                                policy_rules_view, proposal_view)
from webapp.http.validation import display_id

TEXTS = {
    "fr": {
        "screen": "Dossier client",
        "heading": "Dossier du client {client_id}",
        "facts": "Faits clés",
        "score": "Score et décision",
        "probability": "Probabilité de défaut (calibrée)",
        "threshold": "Seuil de décision",
        "decision": "Recommandation du modèle",
        "why": "Pourquoi ce score ?",
        "whatif": "Simuler une autre demande",
        "home_heading": "Bienvenue",
        "home_intro": ("Recherchez un client par son identifiant ci-dessus pour voir sa probabilité "
                       "de défaut, la décision et son explication, ou saisissez une nouvelle demande."),
        "examples": "Exemples de dossiers :",
        "new": "Nouveau demandeur",
        "as_scored": ("Entrée n° {entry} du journal : score montré le {at} (UTC) à {actor}, modèle "
                      "{version}, probabilité {probability}."),
        "as_scored_inputs": "Valeurs évaluées : {inputs}.",
        "as_scored_now": "Aujourd'hui, avec le modèle chargé : {probability}.",
        "entry_missing": "L'entrée n° {entry} du journal est introuvable pour ce client.",
        "letter": "Lettre au client (PDF)",
    },
    "en": {
        "screen": "Client file",
        "heading": "File of client {client_id}",
        "facts": "Key facts",
        "score": "Score and decision",
        "probability": "Probability of default (calibrated)",
        "threshold": "Decision threshold",
        "decision": "Model recommendation",
        "why": "Why this score?",
        "whatif": "Simulate another application",
        "home_heading": "Welcome",
        "home_intro": ("Search a client by ID above to see their probability of default, the "
                       "decision and its explanation, or enter a new application."),
        "examples": "Example files:",
        "new": "New applicant",
        "as_scored": ("Log entry no. {entry}: score shown on {at} (UTC) to {actor}, model {version}, "
                      "probability {probability}."),
        "as_scored_inputs": "Values scored: {inputs}.",
        "as_scored_now": "Today, with the loaded model: {probability}.",
        "entry_missing": "Log entry no. {entry} was not found for this client.",
        "letter": "Letter to the customer (PDF)",
    },
}
EXAMPLES = 5
# Dash matches `/client/<client_id>` greedily (fnmatch '*' spans '/'), so the client
# sub-pages (why 1, what-if 2, compare 3) carry a lower `order` and are tried first.
CLIENT_PAGE_ORDER = 9


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def title(client_id: str | None = None) -> str:
    return page_title(_t("screen", request_language()), request_language(), client_id)


def home_title() -> str:
    return shell("app_title", request_language())


dash.register_page(__name__, path_template="/client/<client_id>", title=title,
                   order=CLIENT_PAGE_ORDER, name="Client file",
                   description="Probability of default, decision and key facts of one client")
dash.register_page(f"{__name__}_home", path="/", title=home_title, name="Home",
                   layout=lambda lang=None, **_: home_layout(lang))


def score_card(score: clients.Score, decision: clients.Decision, lang: str) -> dbc.Card:
    state_class = decision.outcome
    return dbc.Card(dbc.CardBody([
        html.H2(_t("score", lang), className="h5"),
        dbc.Row([
            dbc.Col([html.P(_t("probability", lang), className="fact-label"),
                     html.P(format_percent(score.probability, lang), id=ids.CLIENT_PROBABILITY,
                            className="probability-value mb-1")], xs=12, sm=6),
            dbc.Col([html.P(_t("threshold", lang), className="fact-label"),
                     html.P(format_percent(score.threshold, lang), id=ids.CLIENT_THRESHOLD,
                            className="fact-value")], xs=12, sm=6),
        ]),
        html.P(_t("decision", lang), className="fact-label mt-2"),
        decision_badge(decision.outcome, lang, ids.CLIENT_DECISION),
        html.P(clients.decision_in_words(score, decision, lang), id=ids.CLIENT_DISTANCE,
               className="mt-1 mb-2"),
        policy_rules_view(decision, lang, ids.CLIENT_POLICY_RULES),
        chart(ids.CLIENT_GAUGE, score_figure(score.probability, score.threshold, lang),
              score_text_alternative(score.probability, score.threshold, lang)),
    ]), className=f"decision-card {state_class} mb-3")


def layout(client_id: str | None = None, lang: str | None = None, entry: str | None = None,
           **_query: str) -> html.Div:
    lang = normalise_language(lang)
    heading = html.H1(_t("heading", lang, client_id=display_id(client_id)), className="h3 my-3")
    if client_id is None:  # validation layout / no client: the ids callbacks use are still here
        return html.Div([heading, html.Div(shell("no_client", lang), id=ids.PAGE_ERROR),
                         decision_card({}, None, lang, hidden=True)])
    try:
        file = clients.client_file(client_id, lang)
    except ServiceError as error:
        return html.Div([heading, html.Div(error_alert(error_message(error, lang)),
                                           id=ids.PAGE_ERROR)])
    links = html.Div([
        dcc.Link(_t("why", lang), href=client_path(client_id, "/why"), className="btn btn-primary me-2 mb-2"),
        dcc.Link(_t("whatif", lang), href=client_path(client_id, "/what-if"),
                 className="btn btn-outline-primary me-2 mb-2"),
        html.A(_t("letter", lang), href=f"/clients/{client_id}/letter.pdf?lang={lang}",
               id=ids.CLIENT_LETTER, className="btn btn-outline-secondary mb-2", download=True),
    ])
    return html.Div([
        heading,
        as_scored(entry, client_id, file.score, lang),
        dbc.Row([
            dbc.Col(score_card(file.score, file.decision, lang), xs=12, xl=7),
            dbc.Col([dbc.Card(dbc.CardBody([html.H2(_t("facts", lang), className="h5"),
                                            facts_list(file.facts, ids.CLIENT_FACTS)]),
                              className="mb-3"),
                     decision_card({"client_id": clients.parse_client_id(client_id)},
                                   file.decision.outcome, lang)],
                    xs=12, xl=5),
        ]),
        decision_change_card(client_id, file, lang),
        links,
    ])


def as_scored(entry: str | None, client_id: str, score: clients.Score, lang: str) -> html.Div | None:
    """The file as a log entry recorded it (from the audit screen): model version, score, inputs."""
    if not entry or not str(entry).isdigit() or len(str(entry)) > 12:
        return None
    try:
        row = audit_log.entry(int(entry))
    except Exception:  # the log unavailable must not hide the file
        row = None
    if row is None or row.get("client_id") != clients.parse_client_id(client_id):
        return error_alert(_t("entry_missing", lang, entry=entry))
    inputs = fields.inputs_text(row.get("inputs") or {}, lang)
    return dbc.Alert([
        html.P(_t("as_scored", lang, entry=row["id"], at=str(row["at"])[:19], actor=row["actor"],
                  version=row["model_version"], probability=format_percent(row["probability"], lang)),
               className="mb-1"),
        html.P(_t("as_scored_inputs", lang, inputs=inputs), className="mb-1") if inputs else None,
        html.P(_t("as_scored_now", lang, probability=format_percent(score.probability, lang)), className="mb-0"),
    ], color="info", id=ids.AS_SCORED)


def decision_change_card(client_id: str, file: clients.ClientFile, lang: str) -> html.Div:
    """What would change the decision (refused or review), with one click into the simulation."""
    if file.decision.outcome == "granted" or file.counterfactual is None:
        return html.Div(id=ids.CLIENT_COUNTERFACTUAL)
    body = proposal_view(client_id, file.counterfactual, lang, ids.CLIENT_COUNTERFACTUAL,
                         file.reason_concepts)
    return dbc.Card(dbc.CardBody(body), id=ids.CLIENT_COUNTERFACTUAL, className="mb-3")


def home_layout(lang: str | None = None) -> html.Div:
    lang = normalise_language(lang)
    try:
        examples = clients.example_clients(EXAMPLES)
        summary = clients.data_summary()
    except ServiceError as error:
        return html.Div([html.H1(_t("home_heading", lang), className="h3 my-3"),
                         error_alert(error_message(error, lang))])
    return html.Div([
        html.H1(_t("home_heading", lang), className="h3 my-3"),
        html.P(_t("home_intro", lang)),
        html.P(clients.loaded_text(summary, lang), id=ids.HOME_DATA_SUMMARY, className="text-muted"),
        html.P(_t("examples", lang), className="mb-1"),
        html.Ul([html.Li(dcc.Link(str(sk_id), href=client_path(sk_id))) for sk_id in examples]),
        dcc.Link(_t("new", lang), href="/new", className="btn btn-outline-primary"),
    ])
