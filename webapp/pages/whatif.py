"""Screen 4 — what-if (`/client/<id>/what-if`): edit the client's most influential
application fields and see the new probability, decision and explanation, clearly
marked as a simulation, with a reset to the stored file.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from webapp import decision_change, fields, ids
from webapp.services import clients
from webapp.services.errors import ServiceError, error_message
from webapp.formatting import format_percent
from webapp.i18n import normalise_language, page_title, request_language, translate
from webapp.components import error_alert, explanation_view, proposal_view, score_row
from webapp.validation import display_id, form_fields, form_values, share

TEXTS = {
    "fr": {
        "screen": "Simulation",
        "heading": "Simulation pour le client {client_id}",
        "banner": ("SIMULATION — les valeurs modifiées ne changent pas le dossier du client. "
                   "La probabilité est recalculée par le même modèle."),
        "fields": "Champs modifiables",
        "reset": "Revenir au dossier",
        "original": "Probabilité du dossier : {value}",
        "simulated": "Probabilité simulée",
        "hint": "Le résultat se met à jour dès que vous arrêtez de taper.",
        "missing": ("Le dossier n'indique pas : {fields}. Le score du dossier en tient compte ; "
                    "renseignez ces champs pour simuler."),
    },
    "en": {
        "screen": "What-if",
        "heading": "What-if for client {client_id}",
        "banner": ("SIMULATION — edited values do not change the client's file. "
                   "The probability is recomputed by the same model."),
        "fields": "Editable fields",
        "reset": "Back to the file",
        "original": "Probability on file: {value}",
        "simulated": "Simulated probability",
        "hint": "The result updates as soon as you stop typing.",
        "missing": ("The file has no value for: {fields}. The score on file allows for it; "
                    "fill these fields in to simulate."),
    },
}
DEBOUNCE_MS = 400
MISSING_NOTE = "whatif-missing-note"


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def title(client_id: str | None = None) -> str:
    return page_title(_t("screen", request_language()), request_language(), client_id)


dash.register_page(__name__, path_template="/client/<client_id>/what-if", title=title,
                   order=2, name="What-if",
                   description="Simulate the score of a client with edited application fields")


def field_input(name: str, value: object, lang: str) -> dbc.Col:
    spec = fields.FIELD_SPECS[name]
    field_id = {"type": ids.WHATIF_FIELD, "field": name}
    return dbc.Col([
        dbc.Label(spec.label(lang), html_for=ids.dom_id(field_id)),
        dbc.Input(id=field_id, value=value, type="text", inputMode="decimal", autoComplete="off",
                  debounce=DEBOUNCE_MS),
        dbc.FormFeedback(id={"type": ids.WHATIF_FEEDBACK, "field": name}, type="invalid"),
    ], xs=12, sm=6, lg=4, className="mb-3")


def missing_note(original: dict[str, object], lang: str) -> list:
    """Which editable fields the stored file lacks (e.g. real-sample clients 100837 and
    106206 have no goods price or annuity): said above the form, not a blank page.
    An empty job length means "not employed", not a gap in the file."""
    names = [fields.FIELD_SPECS[n].label(lang) for n in fields.WHATIF_FIELDS
             if original.get(n) is None and n != "employment_years"]
    if not names:
        return []
    return [dbc.Alert(_t("missing", lang, fields=", ".join(names)), color="info", id=MISSING_NOTE)]


def result_view(result: clients.Result, original: float | None, lang: str,
                loan_term: str = "") -> html.Div:
    return html.Div([
        score_row(result, _t("simulated", lang), ids.WHATIF_PROBABILITY, lang,
                  ids.WHATIF_POLICY_RULES),
        html.P(loan_term, id=ids.WHATIF_LOAN_TERM, className="fw-semibold"),
        html.P(_t("original", lang, value=format_percent(original, lang)), className="text-muted"),
        explanation_view(result, lang, chart_id=ids.WHATIF_CHART, sentences_id="whatif-sentences"),
    ])


def layout(client_id: str | None = None, lang: str | None = None, **_query: str) -> html.Div:
    lang = normalise_language(lang)
    heading = html.H1(_t("heading", lang, client_id=display_id(client_id)), className="h3 my-3")
    controls = html.Div([dcc.Store(id=ids.WHATIF_CLIENT),
                         dbc.Button(_t("reset", lang), id=ids.WHATIF_RESET, n_clicks=0,
                                    color="secondary", className="mb-3")])
    if client_id is None:  # validation layout: keep every id the callbacks use
        return html.Div([heading, controls, html.Div(id=ids.WHATIF_RESULT)])
    try:
        original = clients.whatif_original(client_id)
        result = clients.client_result(client_id, clients.DEFAULT_TOP_N, lang)
        # A proposal loaded from the client file (?credit=&annuity=) starts the simulation.
        proposed = {k: v for k, v in _query.items() if k in ("credit", "annuity") and v}
        values = {**original, **proposed}
        simulated = clients.whatif_result(client_id, values, clients.DEFAULT_TOP_N, lang)[0] \
            if proposed else None
    except ServiceError as error:
        return html.Div([heading, error_alert(error_message(error, lang)), controls,
                         html.Div(id=ids.WHATIF_RESULT)])
    proposal = html.Div()
    if result.decision.outcome != "granted":  # refused or review: what would change it
        change = decision_change.client_counterfactual(client_id)
        proposal = html.Div(proposal_view(client_id, change, lang, "whatif-counterfactual"),
                            id="whatif-counterfactual")
    return html.Div([
        heading,
        dcc.Store(id=ids.WHATIF_CLIENT,
                  data={"client_id": client_id, "original": original,
                        "probability": result.score.probability}),
        dbc.Alert(_t("banner", lang), color="light", className="simulation-banner fw-semibold"),
        html.H2(_t("fields", lang), className="h5"),
        html.P(_t("hint", lang), className="text-muted small"),
        *missing_note(original, lang),
        proposal,
        dbc.Row([field_input(name, values[name], lang) for name in fields.WHATIF_FIELDS]),
        dbc.Button(_t("reset", lang), id=ids.WHATIF_RESET, n_clicks=0, color="secondary", className="mb-3"),
        dcc.Loading(delay_show=300, children=html.Div(result_view(
            simulated or result, result.score.probability, lang,
            clients.loan_term_text(values, lang)),
                                                      id=ids.WHATIF_RESULT, **{"aria-live": "polite"})),
    ])


@callback(
    Output(ids.WHATIF_RESULT, "children"),
    Output({"type": ids.WHATIF_FEEDBACK, "field": ALL}, "children"),
    Output({"type": ids.WHATIF_FIELD, "field": ALL}, "invalid"),
    Input({"type": ids.WHATIF_FIELD, "field": ALL}, "value"),
    State({"type": ids.WHATIF_FIELD, "field": ALL}, "id"),
    State(ids.WHATIF_CLIENT, "data"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def simulate(values: list, field_ids: list[dict], stored: dict | None, lang: str | None) -> tuple:
    """Validate the edited fields, rescore, and show messages next to invalid fields."""
    edited = form_values(values, field_ids, fields.WHATIF_FIELDS)
    if not isinstance(stored, dict) or edited is None:
        raise PreventUpdate
    lang = normalise_language(lang)
    try:
        result, errors = clients.whatif_result(stored.get("client_id"), edited, clients.DEFAULT_TOP_N, lang)
    except ServiceError as error:
        return error_alert(error_message(error, lang)), [""] * len(field_ids), [False] * len(field_ids)
    messages = [errors.get(fid["field"], "") for fid in field_ids]
    invalid = [fid["field"] in errors for fid in field_ids]
    if result is None:
        return dash.no_update, messages, invalid
    return (result_view(result, share(stored.get("probability")), lang,
                        clients.loan_term_text(edited, lang)), messages, invalid)


@callback(
    Output({"type": ids.WHATIF_FIELD, "field": ALL}, "value"),
    Input(ids.WHATIF_RESET, "n_clicks"),
    State({"type": ids.WHATIF_FIELD, "field": ALL}, "id"),
    State(ids.WHATIF_CLIENT, "data"),
    prevent_initial_call=True,
)
def reset(_clicks: int, field_ids: list[dict], stored: dict | None) -> list:
    """The stored values again, read from the artifact set (not echoed from the browser's store)."""
    names = form_fields(field_ids, fields.WHATIF_FIELDS)
    if not isinstance(stored, dict) or names is None:
        raise PreventUpdate
    try:
        original = clients.whatif_original(stored.get("client_id"))
    except ServiceError:
        raise PreventUpdate from None
    return [original.get(name) for name in names]
