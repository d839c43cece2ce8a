"""Screen 2 — why this score (`/client/<id>/why`): the top contributions as a waterfall
from the base rate to the client's probability, and sentences to read out.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from webapp import ids
from webapp.services import clients
from webapp.service_errors import ServiceError, error_message
from webapp.i18n import normalise_language, page_title, request_language, translate
from webapp.ui.concept_detail import concept_details_view
from webapp.ui.components import decision_badge, error_alert, explanation_view, policy_rules_view
from webapp.http.validation import choice, display_id

TEXTS = {
    "fr": {
        "screen": "Pourquoi ce score",
        "heading": "Pourquoi ce score ? Client {client_id}",
        "top_n": "Nombre de facteurs affichés",
        "intro": ("Chaque barre montre de combien un élément du dossier augmente (+) ou diminue (−) "
                  "la probabilité de défaut, en points, depuis le taux de base jusqu'au score du client."),
    },
    "en": {
        "screen": "Why this score",
        "heading": "Why this score? Client {client_id}",
        "top_n": "Number of factors shown",
        "intro": ("Each bar shows by how much an item of the file raises (+) or lowers (−) the "
                  "probability of default, in points, from the base rate to the client's score."),
    },
}
TOP_N_CHOICES = (5, 10, 15, 20)
MEMORY_KEY = "why-top-n"  # the number of factors chosen, in `ids.FORM_MEMORY` (all clients)


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def title(client_id: str | None = None) -> str:
    return page_title(_t("screen", request_language()), request_language(), client_id)


dash.register_page(__name__, path_template="/client/<client_id>/why", title=title,
                   order=1, name="Why this score",
                   description="Contributions of the client's data to the probability of default")


def render(client_id: object, top_n: int, lang: str) -> html.Div:
    try:
        result = clients.client_result(client_id, top_n, lang)
    except ServiceError as error:
        return error_alert(error_message(error, lang))
    return html.Div([decision_badge(result.decision.outcome, lang),
                     policy_rules_view(result.decision, lang, ids.WHY_POLICY_RULES),
                     explanation_view(result, lang),
                     concept_details_view(result.concepts, lang)])


def layout(client_id: str | None = None, lang: str | None = None, **_query: str) -> html.Div:
    lang = normalise_language(lang)
    body = render(client_id, clients.DEFAULT_TOP_N, lang) if client_id is not None else html.Div()
    return html.Div([
        html.H1(_t("heading", lang, client_id=display_id(client_id)), className="h3 my-3"),
        dcc.Store(id=ids.WHY_CLIENT, data=client_id),
        html.P(_t("intro", lang)),
        dbc.Row(dbc.Col([
            dbc.Label(_t("top_n", lang), html_for=ids.WHY_TOP_N),
            dbc.Select(id=ids.WHY_TOP_N, value=str(clients.DEFAULT_TOP_N),
                       options=[{"label": str(n), "value": str(n)} for n in TOP_N_CHOICES]),
        ], xs=6, md=3), className="mb-3"),
        dcc.Loading(delay_show=300, children=html.Div(body, id=ids.WHY_TABLE)),
    ])


@callback(
    Output(ids.WHY_TABLE, "children"),
    Input(ids.WHY_TOP_N, "value"),
    State(ids.WHY_CLIENT, "data"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def change_top_n(top_n: str | None, client_id: str | None, lang: str | None) -> html.Div:
    top_n = choice(top_n, [str(n) for n in TOP_N_CHOICES])
    if client_id is None or top_n is None:
        raise PreventUpdate
    return render(client_id, int(top_n), normalise_language(lang))


@callback(
    Output(ids.FORM_MEMORY, "data", allow_duplicate=True),
    Input(ids.WHY_TOP_N, "value"),
    prevent_initial_call=True,
)
def remember_top_n(top_n: str | None) -> dash.Patch:
    """Keep the advisor's choice: the page re-renders with the default on a language switch."""
    top_n = choice(top_n, [str(n) for n in TOP_N_CHOICES])
    if top_n is None:
        raise PreventUpdate
    memory = dash.Patch()
    memory[MEMORY_KEY] = top_n
    return memory


@callback(
    Output(ids.WHY_TOP_N, "value"),
    Input(ids.WHY_CLIENT, "data"),
    State(ids.FORM_MEMORY, "data"),
    State(ids.WHY_TOP_N, "value"),
)
def restore_top_n(_client_id: object, memory: object, shown: str | None) -> str:
    """On every render of the page: the number of factors chosen before (then `change_top_n`
    redraws); nothing when it is the one shown."""
    remembered = memory.get(MEMORY_KEY) if isinstance(memory, dict) else None
    top_n = choice(remembered, [str(n) for n in TOP_N_CHOICES])
    if top_n is None or top_n == shown:
        raise PreventUpdate
    return top_n
