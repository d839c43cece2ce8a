"""What would change the decision, in words, for the screens, the API and the letter.

The search itself is part of the assessment (`Scorer.assess(..., counterfactual=True)`, in
model/scoring/counterfactual.py); this module words its answer: "Accordé si le crédit est
au plus 450 000 € (même durée)". When the loan is among the principal reasons and no change
of it suffices, it says why in words, so the reasons and the proposal never contradict. The
what-if link carries the proposed fields in its query: one click loads the proposal into
the simulation.
"""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from model import config
from model.scoring.counterfactual import Counterfactual
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
        "loan_not_enough": ("Le crédit demandé fait partie des raisons, mais il ne suffit pas à lui "
                            "seul : les autres raisons pèsent davantage, même avec un crédit "
                            "réduit ou une durée plus longue."),
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
        "loan_not_enough": ("The loan asked for is one of the reasons, but not enough on its own: "
                            "the other reasons weigh more, even with a smaller credit or a "
                            "longer term."),
    },
}


# Concepts that are the loan itself: what the proposal changes.
LOAN_CONCEPTS = frozenset({"loan", "affordability"})


def counterfactual_sentences(result: Counterfactual, lang: str | None,
                             reason_concepts: Iterable[str] = ()) -> list[str]:
    """The proposal in words, one sentence per way to be granted. `reason_concepts`: the
    principal reasons' concepts; when the loan is one of them and nothing within bounds
    helps, a sentence says why, so the reasons and the proposal never contradict."""
    lang = normalise_language(lang)
    if result.status == "granted":
        return [translate(TEXTS, "granted", lang)]
    if result.status == "none":
        lines = [translate(TEXTS, "none", lang,
                           share=format_percent(config.COUNTERFACTUAL_MIN_CREDIT_SHARE, lang, 0),
                           factor=format_number(config.COUNTERFACTUAL_MAX_TERM_FACTOR, lang, 1))]
        if LOAN_CONCEPTS.intersection(reason_concepts):
            lines.append(translate(TEXTS, "loan_not_enough", lang))
        return lines
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


def counterfactual_payload(result: Counterfactual, lang: str | None,
                           reason_concepts: Iterable[str] = ()) -> dict:
    """The API's `"counterfactual"`: status, proposals (fields, probability) and sentences."""
    return {**result.to_dict(), "sentences": counterfactual_sentences(result, lang, reason_concepts)}
