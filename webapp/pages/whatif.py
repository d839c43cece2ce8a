"""Screen 4 — what-if (`/client/<id>/what-if`): edit the client's most influential
application fields and see the new probability, decision and explanation, clearly
marked as a simulation, with a reset to the stored file.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from webapp import ids
from webapp.ui import fields
from webapp.services import clients
from webapp.service_errors import ServiceError, error_message
from webapp.formatting import format_percent
from webapp.i18n import normalise_language, page_title, request_language, translate
from webapp.ui.components import error_alert, explanation_view, proposal_view, score_row
from webapp.http.validation import (bounded_text, display_id, form_fields, form_values,
                               parse_client_id, share)

MAX_SEARCH_LENGTH = 200  # "?credit=450000&annuity=21000" is 28

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
        "stale": ("Résultat périmé : corrigez le champ {fields} pour recalculer la probabilité. "
                  "La probabilité ci-dessous est celle des valeurs précédentes."),
        "stale_many": ("Résultat périmé : corrigez les champs {fields} pour recalculer la "
                       "probabilité. La probabilité ci-dessous est celle des valeurs précédentes."),
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
        "stale": ("Out of date: correct the field {fields} to recompute the probability. "
                  "The probability below is that of the previous values."),
        "stale_many": ("Out of date: correct the fields {fields} to recompute the probability. "
                       "The probability below is that of the previous values."),
    },
}
DEBOUNCE_MS = 400
RESULT_CLASS = "whatif-result"  # plus " stale" while a field is invalid (assets/style.css)
QUOTES = {"fr": ("« ", " »"), "en": ("“", "”")}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def title(client_id: str | None = None) -> str:
    return page_title(_t("screen", request_language()), request_language(), client_id)


dash.register_page(__name__, path_template="/client/<client_id>/what-if", title=title,
                   order=2, name="What-if",
                   description="Simulate the score of a client with edited application fields")


def _stored_fields(stored: dict) -> dict[str, object]:
    """The client's fields as stored, read again from the artifact set (never echoed from
    the browser's store); nothing to update for a client the set does not have."""
    try:
        return clients.whatif_original(stored.get("client_id"))
    except ServiceError:
        raise PreventUpdate from None


def memory_key(client_id: object) -> str:
    """The what-if's entry in `ids.FORM_MEMORY`: one per client."""
    return f"whatif:{parse_client_id(client_id)}"


def field_input(name: str, value: object, lang: str) -> dbc.Col:
    """One field, its value written as the advisor types it ("412 120", not 412120.0625)."""
    spec = fields.FIELD_SPECS[name]
    field_id = {"type": ids.WHATIF_FIELD, "field": name}
    return dbc.Col([
        dbc.Label(spec.label(lang), html_for=ids.dom_id(field_id)),
        dbc.Input(id=field_id, value=fields.field_text(name, value, lang), type="text",
                  inputMode="decimal", autoComplete="off", debounce=DEBOUNCE_MS),
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
    return [dbc.Alert(_t("missing", lang, fields=", ".join(names)), color="info",
                      id=ids.WHATIF_MISSING_NOTE)]


def stale_note(invalid: list[str], lang: str) -> html.Div | None:
    """Said in words above a result the current fields no longer give (not colour alone)."""
    if not invalid:
        return None
    opening, closing = QUOTES[lang]
    names = ", ".join(f"{opening}{fields.FIELD_SPECS[n].label(lang)}{closing}" for n in invalid)
    return html.Div(dbc.Alert(_t("stale" if len(invalid) == 1 else "stale_many", lang, fields=names),
                              color="warning", className="fw-semibold mb-2"), role="alert")


def result_view(result: clients.Result, original: float | None, lang: str,
                loan_term: str = "") -> html.Div:
    return html.Div([
        score_row(result, _t("simulated", lang), ids.WHATIF_PROBABILITY, lang,
                  ids.WHATIF_POLICY_RULES),
        html.P(loan_term, id=ids.WHATIF_LOAN_TERM, className="fw-semibold"),
        html.P(_t("original", lang, value=format_percent(original, lang)), className="text-muted"),
        explanation_view(result, lang, chart_id=ids.WHATIF_CHART, sentences_id=ids.WHATIF_SENTENCES),
    ])


def layout(client_id: str | None = None, lang: str | None = None, **_query: str) -> html.Div:
    lang = normalise_language(lang)
    heading = html.H1(_t("heading", lang, client_id=display_id(client_id)), className="h3 my-3")
    controls = html.Div([dcc.Store(id=ids.WHATIF_CLIENT),
                         dbc.Button(_t("reset", lang), id=ids.WHATIF_RESET, n_clicks=0,
                                    color="secondary", className="mb-3")])
    if client_id is None:  # validation layout: keep every id the callbacks use
        return html.Div([heading, controls, html.Div(id=ids.WHATIF_STALE),
                         html.Div(id=ids.WHATIF_RESULT)])
    try:
        original = clients.whatif_original(client_id)
        result = clients.client_result(client_id, clients.DEFAULT_TOP_N, lang, counterfactual=True)
        # A proposal loaded from the client file (?credit=&annuity=) starts the simulation.
        proposed = {k: _typed_number(v, lang) for k, v in _query.items()
                    if k in ("credit", "annuity") and v}
        values = {**original, **proposed}
        simulated = clients.whatif_result(client_id, values, clients.DEFAULT_TOP_N, lang)[0] \
            if proposed else None
    except ServiceError as error:
        return html.Div([heading, error_alert(error_message(error, lang)), controls,
                         html.Div(id=ids.WHATIF_STALE), html.Div(id=ids.WHATIF_RESULT)])
    proposal = html.Div()
    if result.decision.outcome != "granted":  # refused or review: what would change it
        proposal = html.Div(proposal_view(client_id, result.counterfactual, lang,
                                          ids.WHATIF_COUNTERFACTUAL,
                                          [r.concept for r in result.principal_reasons]),
                            id=ids.WHATIF_COUNTERFACTUAL)
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
        html.Div(id=ids.WHATIF_STALE, **{"aria-live": "polite"}),
        dcc.Loading(delay_show=300, children=html.Div(result_view(
            simulated or result, result.score.probability, lang,
            clients.loan_term_text(values, lang)),
                                                      id=ids.WHATIF_RESULT, className=RESULT_CLASS,
                                                      **{"aria-live": "polite"})),
    ])


def _typed_number(raw: str, lang: str) -> object:
    """A proposal's amount from the URL ("450000") as a number, or as given if it is none."""
    try:
        return fields.parse_number(raw, lang)
    except ValueError:
        return raw


@callback(
    Output(ids.WHATIF_RESULT, "children"),
    Output({"type": ids.WHATIF_FEEDBACK, "field": ALL}, "children"),
    Output({"type": ids.WHATIF_FIELD, "field": ALL}, "invalid"),
    Output(ids.WHATIF_STALE, "children"),
    Output(ids.WHATIF_RESULT, "className"),
    Input({"type": ids.WHATIF_FIELD, "field": ALL}, "value"),
    State({"type": ids.WHATIF_FIELD, "field": ALL}, "id"),
    State(ids.WHATIF_CLIENT, "data"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def simulate(values: list, field_ids: list[dict], stored: dict | None, lang: str | None) -> tuple:
    """Validate the edited fields, rescore, and show messages next to invalid fields; while a
    field is invalid the previous result stays, marked out of date in words."""
    edited = form_values(values, field_ids, fields.WHATIF_FIELDS)
    if not isinstance(stored, dict) or edited is None:
        raise PreventUpdate
    lang = normalise_language(lang)
    try:
        result, errors = clients.whatif_result(stored.get("client_id"), edited, clients.DEFAULT_TOP_N, lang)
    except ServiceError as error:
        return (error_alert(error_message(error, lang)), [""] * len(field_ids),
                [False] * len(field_ids), None, RESULT_CLASS)
    messages = [errors.get(fid["field"], "") for fid in field_ids]
    invalid = [fid["field"] in errors for fid in field_ids]
    if result is None:
        wrong = [fid["field"] for fid in field_ids if fid["field"] in errors]
        return dash.no_update, messages, invalid, stale_note(wrong, lang), f"{RESULT_CLASS} stale"
    return (result_view(result, share(stored.get("probability")), lang,
                        clients.loan_term_text(edited, lang)), messages, invalid, None, RESULT_CLASS)


@callback(
    Output({"type": ids.WHATIF_FIELD, "field": ALL}, "value"),
    Input(ids.WHATIF_RESET, "n_clicks"),
    State({"type": ids.WHATIF_FIELD, "field": ALL}, "id"),
    State(ids.WHATIF_CLIENT, "data"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def reset(_clicks: int, field_ids: list[dict], stored: dict | None, lang: str | None) -> list:
    """The stored values again, read from the artifact set (not echoed from the browser's store)."""
    names = form_fields(field_ids, fields.WHATIF_FIELDS)
    if not isinstance(stored, dict) or names is None:
        raise PreventUpdate
    original = _stored_fields(stored)
    lang = normalise_language(lang)
    return [fields.field_text(name, original.get(name), lang) for name in names]


@callback(
    Output(ids.FORM_MEMORY, "data", allow_duplicate=True),
    Input({"type": ids.WHATIF_FIELD, "field": ALL}, "value"),
    State({"type": ids.WHATIF_FIELD, "field": ALL}, "id"),
    State(ids.WHATIF_CLIENT, "data"),
    State(ids.URL, "search"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def remember(values: list, field_ids: list[dict], stored: dict | None, search: str | None,
             lang: str | None) -> dash.Patch:
    """Keep the fields that differ from the file, as typed, for this client: the page
    re-renders from the file when the language changes (see `restore`). Server-side: it
    compares with the file, and the fields are debounced (one request per pause)."""
    edited = form_values(values, field_ids, fields.WHATIF_FIELDS)
    if not isinstance(stored, dict) or edited is None:
        raise PreventUpdate
    original = _stored_fields(stored)
    lang = normalise_language(lang)
    changed = fields.remembered_values(edited, lang, original)
    memory = dash.Patch()
    key = memory_key(stored.get("client_id"))
    if changed:
        memory[key] = {"search": bounded_text(search, MAX_SEARCH_LENGTH) or "", "lang": lang,
                       "values": {name: fields.storable(edited[name]) for name in changed}}
    else:
        del memory[key]
    return memory


@callback(
    Output({"type": ids.WHATIF_FIELD, "field": ALL}, "value", allow_duplicate=True),
    Input(ids.WHATIF_CLIENT, "data"),
    State({"type": ids.WHATIF_FIELD, "field": ALL}, "id"),
    State(ids.FORM_MEMORY, "data"),
    State(ids.URL, "search"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call="initial_duplicate",
)
def restore(stored: dict | None, field_ids: list[dict], memory: object, search: str | None,
            lang: str | None) -> list:
    """On every render of the page (a language switch re-renders it): the advisor's edits
    again, numbers written for the new language; `simulate` then rescores them."""
    names = form_fields(field_ids, fields.WHATIF_FIELDS)
    if not isinstance(stored, dict) or names is None:
        raise PreventUpdate
    entry = fields.memory_entry(memory, memory_key(stored.get("client_id")), search)
    if entry is None:
        raise PreventUpdate
    original = _stored_fields(stored)
    values = fields.restore_entry(entry, names, normalise_language(lang), original)
    if values is None:
        raise PreventUpdate
    return values
