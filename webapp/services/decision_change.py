"""What would change the decision, for the screens, the API and the letter.

Calls `model.counterfactual.find_counterfactual` through the same fitted builder and
model as the score (the what-if path, many rows at once) and words its answer:
"Accordé si le crédit est au plus 450 000 € (même durée)". The what-if link carries
the proposed fields in its query, so one click loads the proposal into the simulation.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pandas as pd

from model import config
from model.counterfactual import (Counterfactual, find_counterfactual, policy_check,
                                  score_edited_rows)
from webapp.formatting import format_money, format_number, format_percent
from webapp.i18n import normalise_language, translate

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "heading": "Ce qui changerait la décision",
        "granted": "La demande est accordée : rien à changer.",
        "credit": "Accordé si le crédit est au plus {credit} (même durée, annuité {annuity} par an).",
        "term": ("Accordé si la durée passe à {years} ans pour le même crédit "
                 "(annuité {annuity} par an au lieu de {original})."),
        "none": ("Aucun changement du montant ou de la durée dans des limites plausibles "
                 "(crédit réduit jusqu'à {share} du montant demandé, durée allongée jusqu'à "
                 "{factor} fois) ne suffit pour que la demande soit accordée."),
        "load": "Charger cette proposition dans la simulation",
    },
    "en": {
        "heading": "What would change the decision",
        "granted": "The application is granted: nothing to change.",
        "credit": "Granted if the credit is at most {credit} (same term, annuity {annuity} per year).",
        "term": ("Granted if the term becomes {years} years for the same credit "
                 "(annuity {annuity} per year instead of {original})."),
        "none": ("No change of the amount or the term within plausible bounds (credit down "
                 "to {share} of the amount asked, term up to {factor} times longer) gets the "
                 "application granted."),
        "load": "Load this proposal into the simulation",
    },
}


def _rules(state: Any) -> Any:
    """The lending rules of the artifact set as a check (`AppState.policy_rules`)."""
    return policy_check(state.policy_rules)


def counterfactual_for(state: Any, features: pd.DataFrame, app: pd.DataFrame) -> Counterfactual:
    """Search for one scored row (stored client, edited or new application)."""
    app_row = app.reset_index()

    def score(edits: pd.DataFrame):
        return score_edited_rows(state.builder, state.model, features, app_row, edits)

    return find_counterfactual(score, app_row.iloc[0], float(state.model.threshold_),
                               rules=_rules(state))


def client_counterfactual(client_id: object) -> Counterfactual:
    """The counterfactual of a stored client (raises `ServiceError` for an unknown one)."""
    from webapp.services.clients import get_state, require_client

    state = get_state()
    sk_id = require_client(state, client_id)
    return counterfactual_for(state, state.feature_row(sk_id), state.applications.loc[[sk_id]])


def counterfactual_sentences(result: Counterfactual, lang: str | None) -> list[str]:
    """The proposal in words, one sentence per way to be granted."""
    lang = normalise_language(lang)
    if result.status == "granted":
        return [translate(TEXTS, "granted", lang)]
    if result.status == "none":
        return [translate(TEXTS, "none", lang,
                          share=format_percent(config.COUNTERFACTUAL_MIN_CREDIT_SHARE, lang, 0),
                          factor=format_number(config.COUNTERFACTUAL_MAX_TERM_FACTOR, lang, 1))]
    lines = []
    for change in result.changes:
        annuity = format_money(change.fields["AMT_ANNUITY"], lang, 0)
        if change.kind == "credit":
            lines.append(translate(TEXTS, "credit", lang, annuity=annuity,
                                   credit=format_money(change.fields["AMT_CREDIT"], lang, 0)))
        else:
            lines.append(translate(TEXTS, "term", lang, annuity=annuity,
                                   years=format_number(change.term_years, lang, 1),
                                   original=format_money(result.original["AMT_ANNUITY"], lang, 0)))
    return lines


def whatif_query(result: Counterfactual) -> str:
    """'?credit=450000&annuity=21000': the first proposal as what-if field values."""
    if not result.changes:
        return ""
    fields = result.changes[0].fields
    return "?" + urlencode({"credit": f"{fields['AMT_CREDIT']:.0f}",
                            "annuity": f"{fields['AMT_ANNUITY']:.0f}"})


def counterfactual_payload(result: Counterfactual, lang: str | None) -> dict:
    """The API's `"counterfactual"`: status, proposals (fields, probability) and sentences."""
    return {**result.to_dict(), "sentences": counterfactual_sentences(result, lang)}


def new_applicant_counterfactual(values: dict[str, object], lang: str | None) -> Counterfactual | None:
    """The counterfactual of a new application's fields (None when a field is invalid)."""
    from webapp.ui.fields import NEW_APPLICANT_FIELDS, validate_fields
    from webapp.services.clients import get_state, new_applicant_features

    state = get_state()
    clean, errors = validate_fields(values, NEW_APPLICANT_FIELDS, lang)
    if errors:
        return None
    features, app = new_applicant_features(state, clean)
    return counterfactual_for(state, features, app)
