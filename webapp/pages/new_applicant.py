"""Screen 5 — new applicant (`/new`): a form of the application fields the model uses
most, validated field by field, scored with no history through the fitted builder.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from model.config import MISSING_NEVER_HELPS, PROTECTED_ATTRIBUTES
from webapp import ids
from webapp.db import audit_log
from webapp.ui import fields
from webapp.services import clients
from webapp.service_errors import ServiceError, error_message
from webapp.i18n import normalise_language, page_title, request_language, translate
from webapp.ui.decision_form import HIDDEN, decision_card, recommendation_text
from webapp.ui.components import error_alert, explanation_view, score_row
from webapp.http.validation import form_fields, form_values

TEXTS = {
    "fr": {
        "screen": "Nouveau demandeur",
        "heading": "Nouvelle demande de crédit",
        "intro": ("Renseignez la demande. Les autres champs du dossier prennent la valeur d'un "
                  "demandeur typique ; sans historique de crédit connu."),
        "submit": "Calculer le score",
        "probability": "Probabilité de défaut",
        "invalid": "Corrigez les champs signalés pour obtenir un score.",
        "as_scored": ("Valeurs de l'entrée n° {entry} du journal, telles qu'évaluées : "
                      "« Calculer le score » les évalue avec le modèle chargé."),
        "not_given": "— non renseigné —",
        "protected": ("Jamais utilisé pour le score (attribut protégé) : conservé seulement pour "
                      "le suivi de l'équité."),
        "empty_never_helps": ("Laissé vide, ce champ ne rend jamais le dossier plus favorable : "
                              "il compte comme la valeur d'un client typique (médiane) si c'est "
                              "moins favorable que « non renseigné »."),
    },
    "en": {
        "screen": "New applicant",
        "heading": "New credit application",
        "intro": ("Fill in the application. The other fields take the value of a typical "
                  "applicant; no credit history is known."),
        "submit": "Compute the score",
        "probability": "Probability of default",
        "invalid": "Correct the highlighted fields to get a score.",
        "as_scored": ("Values of log entry no. {entry}, as scored: \"Compute the score\" scores "
                      "them with the loaded model."),
        "not_given": "— not given —",
        "protected": ("Never used for the score (protected attribute): kept only to monitor "
                      "fairness."),
        "empty_never_helps": ("Left empty, this field never makes the file look better: it counts "
                              "as a typical client's value (the median) when that is less "
                              "favourable than \"not given\"."),
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def title() -> str:
    return page_title(_t("screen", request_language()), request_language())


dash.register_page(__name__, path="/new", title=title, name="New applicant",
                   description="Score a new credit application")


MEMORY_KEY = "new"  # the form's entry in `ids.FORM_MEMORY`
MAX_SEARCH_LENGTH = 40  # "?entry=<12 digits>"


def field_control(name: str, lang: str, value: object = None) -> dbc.Col:
    """One field, pre-filled (typical applicant, or a log entry's value) as an advisor types it."""
    spec = fields.FIELD_SPECS[name]
    field_id = {"type": ids.NEW_FIELD, "field": name}
    default = fields.NEW_APPLICANT_DEFAULTS.get(name) if value is None else value
    note = None
    if spec.kind == "choice":
        options = [{"label": fields.choice_label(c, lang), "value": c} for c in spec.choices]
        if not spec.required:
            options.insert(0, {"label": _t("not_given", lang), "value": ""})
        control = dbc.Select(id=field_id, value=default or ("" if not spec.required else None),
                             options=options)
    else:
        control = dbc.Input(id=field_id, value=fields.field_text(name, default, lang), type="text",
                            inputMode="decimal", autoComplete="off", required=spec.required)
    if spec.column in PROTECTED_ATTRIBUTES:
        note = dbc.FormText(_t("protected", lang), id=f"{ids.NEW_FIELD}-{name}-note")
    elif spec.column in MISSING_NEVER_HELPS:
        note = dbc.FormText(_t("empty_never_helps", lang), id=f"{ids.NEW_FIELD}-{name}-note")
    return dbc.Col([
        dbc.Label(spec.label(lang) + (" *" if spec.required else ""), html_for=ids.dom_id(field_id)),
        control,
        note,
        dbc.FormFeedback(id={"type": ids.NEW_FEEDBACK, "field": name}, type="invalid"),
    ], xs=12, sm=6, lg=4, className="mb-3")


def layout(lang: str | None = None, entry: str | None = None, **_query: str) -> html.Div:
    lang = normalise_language(lang)
    logged = logged_inputs(entry)
    return html.Div([
        html.H1(_t("heading", lang), className="h3 my-3"),
        html.P(_t("intro", lang)),
        dbc.Alert(_t("as_scored", lang, entry=entry), color="info", id=ids.AS_SCORED) if logged else None,
        dcc.Store(id=ids.NEW_PAGE, data={"entry": entry if logged else None}),
        html.Form(dbc.Row([field_control(name, lang, logged.get(name)) for name in fields.NEW_APPLICANT_FIELDS]),
                  id=ids.NEW_FORM, **{"aria-label": _t("heading", lang)}),
        dbc.Button(_t("submit", lang), id=ids.NEW_SUBMIT, n_clicks=0, color="primary", className="mb-3"),
        dcc.Loading(delay_show=300, children=html.Div(id=ids.NEW_RESULT, **{"aria-live": "polite"})),
        decision_card({"new": True}, None, lang, hidden=True),
    ])


def logged_inputs(entry: str | None) -> dict:
    """The inputs a log entry scored (the audit screen links here with `?entry=<n>`)."""
    if not entry or not str(entry).isdigit() or len(str(entry)) > 12:
        return {}
    try:
        row = audit_log.entry(int(entry))
    except Exception:  # the log unavailable: an empty form, not a broken page
        return {}
    return dict(row.get("inputs") or {}) if row and row.get("client_id") is None else {}


def result_view(result: clients.Result, lang: str) -> html.Div:
    return html.Div([
        score_row(result, _t("probability", lang), ids.NEW_PROBABILITY, lang, ids.NEW_POLICY_RULES),
        explanation_view(result, lang, chart_id=ids.NEW_CHART, sentences_id=ids.NEW_SENTENCES),
    ])


@callback(
    Output(ids.NEW_RESULT, "children"),
    Output({"type": ids.NEW_FEEDBACK, "field": ALL}, "children"),
    Output({"type": ids.NEW_FIELD, "field": ALL}, "invalid"),
    Output(ids.DECISION_CARD, "style"),
    Output(ids.DECISION_RECOMMENDATION, "children"),
    Output(ids.DECISION_FEEDBACK, "children", allow_duplicate=True),
    Input(ids.NEW_SUBMIT, "n_clicks"),
    State({"type": ids.NEW_FIELD, "field": ALL}, "value"),
    State({"type": ids.NEW_FIELD, "field": ALL}, "id"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def score_application(_clicks: int, values: list, field_ids: list[dict], lang: str | None) -> tuple:
    """Validate every field; score only when all are valid (then the decision form shows)."""
    form = form_values(values, field_ids, fields.NEW_APPLICANT_FIELDS)
    if form is None:
        raise PreventUpdate
    lang = normalise_language(lang)
    no_decision = (HIDDEN, "", "")
    try:
        result, errors = clients.new_applicant_result(form, clients.DEFAULT_TOP_N, lang)
    except ServiceError as error:
        return (error_alert(error_message(error, lang)), [""] * len(field_ids),
                [False] * len(field_ids), *no_decision)
    messages = [errors.get(fid["field"], "") for fid in field_ids]
    invalid = [fid["field"] in errors for fid in field_ids]
    if result is None:
        return error_alert(_t("invalid", lang)), messages, invalid, *no_decision
    return (result_view(result, lang), messages, invalid, None,
            recommendation_text(result.decision.outcome, lang), "")


# Keep the whole form as typed, with its language, and whether the advisor scored it since
# the last edit: the page re-renders with the typical applicant's values when the language
# changes (see `restore`). In the browser, as the fields are not debounced: a server
# callback would cost a request per keystroke.
clientside_callback(
    """
    function(values, _clicks, fieldIds, search, lang, memory) {
        const typed = {};
        fieldIds.forEach(function(fid, i) { typed[fid.field] = values[i]; });
        const triggered = (window.dash_clientside.callback_context.triggered || []);
        const scored = triggered.some(function(t) { return t.prop_id.endsWith(".n_clicks"); });
        const kept = Object.assign({}, memory || {});
        kept["%(key)s"] = {search: (search || "").slice(0, %(max)d), lang: lang, values: typed,
                           scored: scored};
        return kept;
    }
    """ % {"key": MEMORY_KEY, "max": MAX_SEARCH_LENGTH},
    Output(ids.FORM_MEMORY, "data", allow_duplicate=True),
    Input({"type": ids.NEW_FIELD, "field": ALL}, "value"),
    Input(ids.NEW_SUBMIT, "n_clicks"),
    State({"type": ids.NEW_FIELD, "field": ALL}, "id"),
    State(ids.URL, "search"),
    State(ids.LANGUAGE, "data"),
    State(ids.FORM_MEMORY, "data"),
    prevent_initial_call=True,
)


@callback(
    Output({"type": ids.NEW_FIELD, "field": ALL}, "value"),
    Output(ids.NEW_SUBMIT, "n_clicks"),
    Input(ids.NEW_PAGE, "data"),
    State({"type": ids.NEW_FIELD, "field": ALL}, "id"),
    State(ids.FORM_MEMORY, "data"),
    State(ids.URL, "search"),
    State(ids.LANGUAGE, "data"),
)
def restore(_page: object, field_ids: list[dict], memory: object, search: str | None,
            lang: str | None) -> tuple[list, object]:
    """After a language switch (the page re-renders): the form as the advisor left it, numbers
    written for the new language, and scored again if it was scored (a "click" on the button:
    `score_application` then validates and scores as usual).

    Only then: opened again in the same language, the page is a new application and starts
    from the typical applicant (the form has no reset button, unlike the what-if)."""
    lang = normalise_language(lang)
    names = form_fields(field_ids, fields.NEW_APPLICANT_FIELDS)
    entry = fields.memory_entry(memory, MEMORY_KEY, search)
    if names is None or entry is None or normalise_language(entry.get("lang")) == lang:
        raise PreventUpdate
    values = fields.restore_entry(entry, names, lang,
                                  {n: fields.NEW_APPLICANT_DEFAULTS.get(n) for n in names})
    if values is None:
        raise PreventUpdate
    return values, (1 if entry.get("scored") is True else dash.no_update)
