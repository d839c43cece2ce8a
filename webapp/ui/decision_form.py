"""The advisor's decision form, shown on the client file and after scoring a new applicant.

The model's outcome is only a recommendation ("Recommandation : refus"); the advisor
records the final decision here. One callback serves both screens: the context store
says which client (or that it is the new applicant, whose form fields are re-scored).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from webapp import db, ids
from webapp.services import decisions
from webapp.ui import fields
from webapp.service_errors import ServiceError, error_message
from webapp.auth import config
from webapp.i18n import normalise_language, translate
from webapp.http.validation import choice, form_values

TEXTS = {
    "fr": {
        "heading": "Décision du conseiller",
        "recommend_refused": "Recommandation : refus",
        "recommend_granted": "Recommandation : accord",
        "recommend_review": "Recommandation : étude par un responsable (règle de crédit)",
        "hint": ("Le modèle recommande, vous décidez. Une décision différente de la recommandation "
                 "(ou un renvoi à un responsable) demande un motif."),
        "choice": "Décision finale",
        "granted": "Accordé",
        "refused": "Refusé",
        "referred": "Transmis à un responsable",
        "category": "Catégorie du motif",
        "category_none": "— choisir —",
        "reason": "Motif (quelques mots au moins)",
        "review": "Le client demande un réexamen par une personne (directive crédit aux consommateurs, art. 18)",
        "submit": "Enregistrer la décision",
        "saved": "Décision enregistrée (n° {entry}) : {decision}.",
        "saved_override": "Décision enregistrée (n° {entry}) : {decision}, différente de la recommandation.",
        "not_saved": ("La décision n'a PAS été enregistrée : le journal des décisions est indisponible. "
                      "Réessayez, ou notez-la et prévenez un responsable."),
        "fix": "Décision non enregistrée : corrigez les points suivants.",
        "cat_additional_income": "Revenus complémentaires justifiés",
        "cat_guarantee": "Garantie ou caution",
        "cat_known_history": "Historique connu du client",
        "cat_data_error": "Erreur dans les données du dossier",
        "cat_exceptional_situation": "Situation exceptionnelle",
        "cat_policy_exception": "Dérogation à la politique de crédit",
        "cat_other": "Autre",
    },
    "en": {
        "heading": "Advisor's decision",
        "recommend_refused": "Recommendation: refuse",
        "recommend_granted": "Recommendation: grant",
        "recommend_review": "Recommendation: refer to a manager (lending rule)",
        "hint": ("The model recommends, you decide. A decision that differs from the recommendation "
                 "(or a referral to a manager) needs a reason."),
        "choice": "Final decision",
        "granted": "Granted",
        "refused": "Refused",
        "referred": "Referred to a manager",
        "category": "Reason category",
        "category_none": "— choose —",
        "reason": "Reason (at least a few words)",
        "review": "The customer asks for a review by a person (Consumer Credit Directive, Art. 18)",
        "submit": "Record the decision",
        "saved": "Decision recorded (no. {entry}): {decision}.",
        "saved_override": "Decision recorded (no. {entry}): {decision}, different from the recommendation.",
        "not_saved": ("The decision was NOT saved: the decision log is unavailable. "
                      "Try again, or write it down and tell a manager."),
        "fix": "Decision not recorded: please correct the following.",
        "cat_additional_income": "Documented additional income",
        "cat_guarantee": "Guarantee or guarantor",
        "cat_known_history": "Known history of the customer",
        "cat_data_error": "Error in the file's data",
        "cat_exceptional_situation": "Exceptional situation",
        "cat_policy_exception": "Exception to the credit policy",
        "cat_other": "Other",
    },
}


HIDDEN = {"display": "none"}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def decision_word(decision: str, lang: str) -> str:
    """'Accordé' / 'Transmis à un responsable' for a decision code (also used by the audit screen)."""
    return _t(decision, lang) if decision in config.DECISIONS else decision


def category_word(category: str | None, lang: str) -> str:
    return _t(f"cat_{category}", lang) if category in config.REASON_CATEGORIES else (category or "")


def recommendation_text(outcome: bool | str | None, lang: str) -> str:
    """The recommendation in words from the final outcome ("granted" / "refused" / "review";
    a bool is the model's refusal alone)."""
    if outcome is None:
        return ""
    if isinstance(outcome, bool):
        outcome = "refused" if outcome else "granted"
    return _t(f"recommend_{outcome}", lang)


def decision_card(context: dict, refused: bool | str | None, lang: str, hidden: bool = False) -> dbc.Card:
    """The form; `context` is {"client_id": id} on a client file, {"new": True} on /new."""
    lang = normalise_language(lang)
    categories = [{"label": _t("category_none", lang), "value": ""}] + [
        {"label": category_word(c, lang), "value": c} for c in config.REASON_CATEGORIES]
    return dbc.Card(dbc.CardBody([
        dcc.Store(id=ids.DECISION_CONTEXT, data=context),
        html.H2(_t("heading", lang), className="h5"),
        html.P(recommendation_text(refused, lang), id=ids.DECISION_RECOMMENDATION, className="fw-semibold mb-1"),
        html.P(_t("hint", lang), className="text-muted small"),
        html.P(_t("choice", lang), id=f"{ids.DECISION_CHOICE}-label", className="form-label mb-1"),
        html.Div(dbc.RadioItems(id=ids.DECISION_CHOICE, value=None, className="mb-2",
                                options=[{"label": _t(d, lang), "value": d} for d in config.DECISIONS]),
                 role="radiogroup", **{"aria-labelledby": f"{ids.DECISION_CHOICE}-label"}),
        dbc.Label(_t("category", lang), html_for=ids.DECISION_CATEGORY),
        dbc.Select(id=ids.DECISION_CATEGORY, options=categories, value="", className="mb-2"),
        dbc.Label(_t("reason", lang), html_for=ids.DECISION_REASON),
        dbc.Textarea(id=ids.DECISION_REASON, maxLength=config.MAX_REASON_LENGTH, rows=3, className="mb-2"),
        dbc.Checkbox(id=ids.DECISION_REVIEW, value=False, label=_t("review", lang), className="mb-2"),
        dbc.Button(_t("submit", lang), id=ids.DECISION_SUBMIT, n_clicks=0, color="primary"),
        html.Div(id=ids.DECISION_FEEDBACK, className="mt-2", role="status", **{"aria-live": "polite"}),
    ]), id=ids.DECISION_CARD, className="mb-3", style=HIDDEN if hidden else None)


def feedback(recorded: decisions.Recorded | None, errors: dict[str, str], decision: str | None,
             lang: str) -> dbc.Alert:
    """What the advisor sees after pressing the button: saved (with its number) or why not."""
    if recorded is None:
        return dbc.Alert([html.P(_t("fix", lang), className="mb-1"),
                          html.Ul([html.Li(message) for message in errors.values()], className="mb-0")],
                         color="warning", id=ids.DECISION_ERRORS)
    key = "saved_override" if recorded.override else "saved"
    return dbc.Alert(_t(key, lang, entry=recorded.entry_id, decision=decision_word(decision or "", lang)),
                     color="success", id=ids.DECISION_SAVED)


@callback(
    Output(ids.DECISION_FEEDBACK, "children"),
    Input(ids.DECISION_SUBMIT, "n_clicks"),
    State(ids.DECISION_CHOICE, "value"),
    State(ids.DECISION_REASON, "value"),
    State(ids.DECISION_CATEGORY, "value"),
    State(ids.DECISION_REVIEW, "value"),
    State(ids.DECISION_CONTEXT, "data"),
    State({"type": ids.NEW_FIELD, "field": ALL}, "value"),
    State({"type": ids.NEW_FIELD, "field": ALL}, "id"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def record(_clicks: int, decision: str | None, reason: str | None, category: str | None,
           review: bool | None, context: dict | None, values: list, field_ids: list[dict],
           lang: str | None):
    """Validate, record through the decisions service, say whether it was saved."""
    if not isinstance(context, dict) or not context:
        raise PreventUpdate
    lang = normalise_language(lang)
    # Any JSON value may arrive (a crafted request): the service validates choices and text.
    decision = choice(decision, config.DECISIONS)
    reason = reason if isinstance(reason, str) else None  # the service checks its length
    category = choice(category, config.REASON_CATEGORIES)
    review = review is True
    try:
        if context.get("new"):
            form = form_values(values, field_ids, fields.NEW_APPLICANT_FIELDS)
            if form is None:
                raise PreventUpdate
            recorded, errors = decisions.record_applicant_decision(form, decision, reason, category or None,
                                                                   bool(review), lang)
        else:
            recorded, errors = decisions.record_client_decision(context.get("client_id"), decision, reason,
                                                                category or None, bool(review), lang=lang)
    except ServiceError as error:
        return dbc.Alert(error_message(error, lang), color="warning")
    except db.DatabaseError:
        return dbc.Alert(_t("not_saved", lang), color="danger", id=ids.DECISION_NOT_SAVED)
    return feedback(recorded, errors, decision, lang)
