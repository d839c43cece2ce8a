"""What the letter to the customer says: the lender's decision and, for an adverse one, why
and what the customer can do.

The decision stated is the lender's: the advisor's recorded decision when there is one (with
its date), else the recommendation after the lending rules, both from the client's one
`Assessment`. A rule refusal names the rule with the customer's figure and our limit and
what would satisfy it; a review says the file goes to a manager; the model's reasons appear
when the model's risk is part of the decision. What would change the decision follows the
reasons (never contradicting them), then what the customer can do, then their rights
(Consumer Credit Directive (EU) 2023/2225, Art. 18). No model jargon outside the small print.

`letter(client_id, lang)` returns the paragraphs; `webapp/http/letter.py` lays them out in
a PDF. Tests read them back from the PDF.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from model import config
from model.features.application import ENGINEERED, NUMERIC_COLUMNS, TEXT_COLUMNS
from model.scoring import Assessment
from webapp.db import audit_log
from webapp.formatting import format_date, format_money, format_percent, format_points
from webapp.i18n import normalise_language, translate
from webapp.services import clients
from webapp.services.decision_change import counterfactual_sentences
from webapp.services.reasons import reason_value_text

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Réponse à votre demande de crédit",
        "client": "Dossier n° {client_id}",
        "granted": "Votre demande de crédit est accordée.",
        "refused": "Nous ne pouvons pas accorder votre demande de crédit en l'état.",
        "review": ("Votre dossier est transmis à un responsable, qui l'étudiera personnellement "
                   "avant de vous répondre."),
        "decided": "Décision prise le {date} par votre conseiller, après examen de votre dossier.",
        "advisor_only": ("Cette décision a été prise par votre conseiller après un examen "
                         "personnel de votre dossier ; notre évaluation automatique n'en est "
                         "pas la cause."),
        "rules": "Règle de crédit appliquée",
        "credit_within": ("Un crédit d'au plus {credit}, à la même durée, respecterait cette "
                          "limite."),
        "reasons": "Principales raisons de cette décision",
        "reason": "{label} ({value}) : augmente le risque estimé de {amount}.",
        "no_reason": ("Aucun élément de votre dossier n'augmente à lui seul le risque estimé "
                      "de {points} ou plus : c'est leur ensemble qui a conduit à cette décision."),
        "change": "Ce qui changerait la décision",
        "actions": "Ce que vous pouvez faire",
        "rights": "Vos droits",
        "rights_text": ("Cette décision a été préparée à l'aide d'un traitement automatisé. "
                        "Vous pouvez demander qu'une personne de {lender} réexamine votre "
                        "demande, exprimer votre point de vue et contester la décision, en "
                        "répondant à ce courrier ou auprès de votre conseiller (directive (UE) "
                        "2023/2225 sur les crédits aux consommateurs, article 18). Aucun "
                        "attribut protégé (comme le sexe) n'est utilisé."),
        "signature": "Le service crédit de {lender}",
        "small_print": ("Référence de l'évaluation : jeu {build_id}, modèle {version} ; "
                        "probabilité de défaut estimée {p}, seuil de décision {t}."),
    },
    "en": {
        "title": "Answer to your credit application",
        "client": "File no. {client_id}",
        "granted": "Your credit application is granted.",
        "refused": "We cannot grant your credit application as it stands.",
        "review": ("Your file goes to a manager, who will study it in person before answering "
                   "you."),
        "decided": "Decision taken on {date} by your advisor, after reviewing your file.",
        "advisor_only": ("This decision was taken by your advisor after a personal review of "
                         "your file; our automated assessment is not its cause."),
        "rules": "Lending rule applied",
        "credit_within": "A credit of at most {credit}, at the same term, would be within this limit.",
        "reasons": "Principal reasons for this decision",
        "reason": "{label} ({value}): raises the estimated risk by {amount}.",
        "no_reason": ("Nothing in your file raises the estimated risk by {points} or more on its "
                      "own: it is the whole that led to this decision."),
        "change": "What would change the decision",
        "actions": "What you can do",
        "rights": "Your rights",
        "rights_text": ("This decision was prepared with the help of automated processing. "
                        "You may ask for a person at {lender} to review your application, "
                        "give your point of view and contest the decision, by answering this "
                        "letter or through your advisor (Consumer Credit Directive (EU) "
                        "2023/2225, Article 18). No protected attribute (such as gender) is used."),
        "signature": "The credit department of {lender}",
        "small_print": ("Assessment reference: set {build_id}, model {version}; estimated "
                        "probability of default {p}, decision threshold {t}."),
    },
}
# What the applicant fills in (and features computed from it alone): a reason driven by one of
# these left empty can be remedied by providing it. An empty history aggregate means "no such
# history", and an external score comes from an agency: neither is the applicant's to provide.
PROVIDED_FIELDS = frozenset(c for c in (*NUMERIC_COLUMNS, *TEXT_COLUMNS, *ENGINEERED)
                            if not c.startswith("EXT_SOURCE"))
# The advisor's decision vocabulary (webapp/auth/config.DECISIONS) -> the letter's outcomes.
ADVISOR_OUTCOMES = {"granted": "granted", "refused": "refused", "referred": "review"}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


@dataclass(frozen=True)
class Paragraph:
    style: str  # "lender", "title", "heading", "body", "bullet", "small"
    text: str


@dataclass(frozen=True)
class Letter:
    """The letter's paragraphs and what it states (tests compare it with the API)."""
    client_id: int
    lang: str
    outcome: str  # "granted", "refused" or "review": the decision the letter states
    advisor_decided: bool
    paragraphs: tuple[Paragraph, ...]

    def text(self, small_print: bool = True) -> str:
        return "\n".join(p.text for p in self.paragraphs if small_print or p.style != "small")


def letter(client_id: object, lang: str | None, today: dt.date | None = None) -> Letter:
    """The letter of a stored client (raises `ServiceError` for an unknown one); the
    assessment it states is logged like any score shown."""
    lang = normalise_language(lang)
    assessment = clients.client_assessment(client_id, counterfactual=True)
    recorded = audit_log.latest_decision(assessment.client_id)
    audit_log.record_assessment(assessment)
    return compose(assessment, recorded, lang, today or dt.date.today())


def compose(assessment: Assessment, recorded: dict | None, lang: str, today: dt.date) -> Letter:
    """The paragraphs of the letter stating `recorded` (the advisor's last decision, a log
    row) or, without one, the assessment's recommendation."""
    lender = config.LENDER_NAME
    if recorded is not None and recorded.get("final_decision") in ADVISOR_OUTCOMES:
        outcome = ADVISOR_OUTCOMES[recorded["final_decision"]]
    else:
        outcome, recorded = assessment.recommendation, None
    out = [Paragraph("lender", lender), Paragraph("body", format_date(today, lang)),
           Paragraph("body", _t("client", lang, client_id=assessment.client_id)),
           Paragraph("title", _t("title", lang)), Paragraph("body", _t(outcome, lang))]
    if recorded is not None:
        out.append(Paragraph("body", _t("decided", lang, date=format_date(recorded["at"], lang))))
    if outcome != "granted":
        out += _adverse(assessment, outcome, recorded is not None, lang)
    out += [Paragraph("heading", _t("rights", lang)),
            Paragraph("body", _t("rights_text", lang, lender=lender)),
            Paragraph("body", _t("signature", lang, lender=lender)),
            Paragraph("small", _t("small_print", lang, build_id=assessment.build_id,
                                  version=assessment.model_version,
                                  p=format_percent(assessment.probability, lang),
                                  t=format_percent(assessment.threshold, lang)))]
    return Letter(int(assessment.client_id), lang, outcome, recorded is not None, tuple(out))


def _adverse(assessment: Assessment, outcome: str, by_advisor: bool, lang: str) -> list[Paragraph]:
    """Why (the rules, the model's reasons), what would change it, what the customer can do."""
    out: list[Paragraph] = []
    if by_advisor and assessment.recommendation == "granted":
        # nothing in the assessment refused it: the advisor did, in person
        return [Paragraph("body", _t("advisor_only", lang))]
    change = assessment.counterfactual
    # A credit proposal is granted and within every rule: it says more than a rule's own limit.
    credit_proposed = change is not None and any(c.kind == "credit" for c in change.changes)
    for rule in assessment.rules:
        out += [Paragraph("heading", _t("rules", lang)), Paragraph("body", rule.letter(lang))]
        if rule.credit_within is not None and not credit_proposed:
            out.append(Paragraph("body", _t("credit_within", lang,
                                            credit=format_money(rule.credit_within, lang, 0))))
    concepts = [r.concept for r in assessment.reasons]
    if assessment.model_refused:
        out.append(Paragraph("heading", _t("reasons", lang)))
        out += [Paragraph("bullet", _t("reason", lang, label=r.label(lang),
                                       value=reason_value_text(r, lang),
                                       amount=format_points(r.probability_change, lang)))
                for r in assessment.reasons]
        if not assessment.reasons:
            out.append(Paragraph("body", _t("no_reason", lang, points=format_points(
                config.MIN_REASON_POINTS, lang))))
    if change is not None and change.status != "granted":
        out.append(Paragraph("heading", _t("change", lang)))
        out += [Paragraph("body", line) for line in counterfactual_sentences(change, lang, concepts)]
    if outcome == "refused" and (change is None or change.status == "none"):
        actions = customer_actions(assessment, lang)
        if actions:
            out.append(Paragraph("heading", _t("actions", lang)))
            out += [Paragraph("bullet", action) for action in actions]
    return out


def customer_actions(assessment: Assessment, lang: str) -> list[str]:
    """Short, true steps from the principal reasons (`config.CUSTOMER_ACTIONS`): one per
    concept, and "provide the missing information" for a reason whose value is unknown."""
    lang = normalise_language(lang)
    actions: list[str] = []
    missing = [r.feature_label(lang) for r in assessment.reasons
               if not r.value_known and r.feature in PROVIDED_FIELDS]
    if missing:
        actions.append(config.CUSTOMER_ACTIONS["missing"][lang].format(what=", ".join(missing)))
    for reason in assessment.reasons:
        text = config.CUSTOMER_ACTIONS.get(reason.concept, {}).get(lang)
        if text and text not in actions:
            actions.append(text)
    return actions
