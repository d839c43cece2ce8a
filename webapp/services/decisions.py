"""The advisor's final decision: validated, compared with the model's recommendation, logged.

The model only recommends; the advisor decides (EU AI Act Art. 14, human oversight). A
decision that differs from the recommendation is an override and needs a reason: a few
words of free text and a category from `config.REASON_CATEGORIES`. The recommendation is
recomputed here from the stored file (or the submitted inputs), never taken from the browser.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from webapp.db import audit_log
from webapp.services import clients
from webapp.auth import config
from webapp.i18n import translate

log = logging.getLogger(__name__)

TEXTS = {
    "fr": {
        "decision": "Choisissez une décision : accordé, refusé ou transmis à un responsable.",
        "reason": "Décision différente de la recommandation : expliquez-la en au moins {words} mots.",
        "reason_long": "Motif trop long (au plus {length} caractères).",
        "category": "Choisissez une catégorie de motif.",
        "reason_text": "Le motif doit être un texte (caractères valides).",
    },
    "en": {
        "decision": "Choose a decision: granted, refused or referred to a manager.",
        "reason": "Decision differs from the recommendation: explain it in at least {words} words.",
        "reason_long": "Reason too long (at most {length} characters).",
        "category": "Choose a reason category.",
        "reason_text": "The reason must be text (valid characters).",
    },
}
_RECOMMENDATION_DECISION = {"granted": "granted", "refused": "refused", "review": "referred"}


@dataclass(frozen=True)
class Recorded:
    entry_id: int
    override: bool
    recommendation: str


def is_override(decision: str, recommendation: str) -> bool:
    """Referring to a manager or deciding against the model both need a reason."""
    return _RECOMMENDATION_DECISION.get(recommendation) != decision


def validate(decision: object, reason: object, category: object, recommendation: str,
             lang: str | None) -> dict[str, str]:
    """Field -> message for what is missing or wrong (empty when the decision may be recorded)."""
    errors: dict[str, str] = {}
    if decision not in config.DECISIONS:
        errors["decision"] = translate(TEXTS, "decision", lang)
        return errors
    if reason is not None and not _is_text(reason):
        errors["reason"] = translate(TEXTS, "reason_text", lang)
        return errors
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) > config.MAX_REASON_LENGTH:
        errors["reason"] = translate(TEXTS, "reason_long", lang, length=config.MAX_REASON_LENGTH)
    if is_override(str(decision), recommendation):
        if len(text.split()) < config.MIN_REASON_WORDS:
            errors["reason"] = translate(TEXTS, "reason", lang, words=config.MIN_REASON_WORDS)
        if category not in config.REASON_CATEGORIES:
            errors["category"] = translate(TEXTS, "category", lang)
    elif category not in (None, "") and category not in config.REASON_CATEGORIES:
        errors["category"] = translate(TEXTS, "category", lang)
    return errors


def _is_text(value: object) -> bool:
    """A string the log can store (a lone surrogate such as "\\ud800" cannot be encoded)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _record(row: dict, decision: str, reason: object, category: object, review: bool,
            refers_to: int | None, lang: str | None) -> tuple[Recorded | None, dict[str, str]]:
    errors = validate(decision, reason, category, row["recommendation"], lang)
    if errors:
        return None, errors
    override = is_override(decision, row["recommendation"])
    entry_id = audit_log.append({
        **row, "kind": "decision", "final_decision": decision, "override": override,
        "reason_category": category or None, "override_reason": (reason or "").strip() or None,
        "review_status": "requested" if review else ("reviewed" if refers_to else "none"),
        "refers_to": refers_to,
    })  # raises db.DatabaseError: the caller tells the advisor it was not saved
    log.info("decision %s recorded (entry %d, override=%s)", decision, entry_id, override)
    return Recorded(entry_id, override, row["recommendation"]), {}


def record_client_decision(client_id: object, decision: object, reason: object = None,
                           category: object = None, review_requested: bool = False,
                           refers_to: object = None,
                           lang: str | None = None) -> tuple[Recorded | None, dict[str, str]]:
    """Record the final decision on a known client (raises ServiceError, db.DatabaseError)."""
    assessment = clients.client_assessment(client_id, counterfactual=False)
    row = audit_log.assessment_row(assessment)
    if refers_to is not None:  # answering a review request: checked against the log
        problem = audit_log.review_problem(refers_to, assessment.client_id)
        if problem:
            return None, {"refers_to": problem}
    return _record(row, str(decision), reason, category, bool(review_requested), refers_to, lang)


def record_applicant_decision(values: dict, decision: object, reason: object = None,
                              category: object = None, review_requested: bool = False,
                              lang: str | None = None) -> tuple[Recorded | None, dict[str, str]]:
    """Record the decision on a new applicant, assessing the submitted fields again."""
    from webapp.ui.fields import NEW_APPLICANT_FIELDS, raw_row_from_fields, validate_fields

    clean, errors = validate_fields(values, NEW_APPLICANT_FIELDS, lang)
    if errors:
        return None, errors
    assessment = clients.get_state().scorer.assess_new(raw_row_from_fields(clean))
    row = audit_log.assessment_row(assessment, inputs=clean)
    return _record(row, str(decision), reason, category, bool(review_requested), None, lang)
