"""What the advisor screens' callbacks call: facts, the client's assessment laid out,
what-if, new-applicant scoring.

Every score comes from the loaded set's `Scorer` (model/scoring): this module validates
the input, reads the client's row once, asks for one `Assessment`, logs it and lays it
out (`present`) for one language. Nothing is fitted or scored here. Inputs from the
browser are validated first; errors come back as messages in the interface language.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from model.scoring import Assessment
from model.scoring.applications import with_values
from model.scoring.counterfactual import Counterfactual
from webapp.db import audit_log
from webapp.formatting import format_money, format_number, format_points, format_years, missing
from webapp.i18n import normalise_language, translate
from webapp.service_errors import ServiceError
from webapp.services.reasons import (explanation_sentences, format_unit, key_value_text,
                                     reason_value_text)
# The one way into the loaded artifacts; it raises a ServiceError("artifacts_missing").
from webapp.serving import AppState, derived_value, get_state
from webapp.ui.fields import (NEW_APPLICANT_FIELDS, WHATIF_FIELDS, changed_fields, choice_label,
                              fields_from_raw_row, raw_row_from_fields, validate_fields)
from webapp.http.validation import MAX_ID_LENGTH as MAX_ID_INPUT_LENGTH  # noqa: F401 (the ID box's maxLength)
from webapp.http.validation import parse_client_id, search_digits, shorten

log = logging.getLogger(__name__)

SEARCH_LIMIT = 20
DEFAULT_TOP_N = 15  # at least the number of concepts: nothing hidden by default

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "below": "{points} sous le seuil : accordé",
        "above": "{points} au-dessus du seuil : refusé",
        "at": "exactement au seuil : refusé",
        "age": "Âge",
        "income": "Revenu annuel",
        "credit": "Montant du crédit",
        "annuity": "Annuité",
        "per_year": "{amount} par an",
        "goods": "Prix du bien",
        "contract": "Type de contrat",
        "employment": "Ancienneté dans l'emploi",
        "income_type": "Type de revenu",
        "no_employment": "sans emploi salarié / retraité",
        "loan_term": ("Durée du prêt : {years} ans (crédit / annuité). À crédit égal, une "
                      "annuité plus élevée raccourcit le prêt mais pèse davantage sur le revenu."),
        "loan_term_unknown": "Durée du prêt : non calculable (crédit ou annuité manquant).",
        "policy_decided": "décision imposée par une règle de crédit ; modèle seul : {model}",
        "loaded": ("{clients} clients chargés ({train} clients connus, {test} demandes à évaluer), "
                   "{features} variables ; modèle : {model}, construit le {built_at}."),
    },
    "en": {
        "below": "{points} below the threshold: granted",
        "above": "{points} above the threshold: refused",
        "at": "exactly at the threshold: refused",
        "age": "Age",
        "income": "Annual income",
        "credit": "Credit amount",
        "annuity": "Annuity",
        "per_year": "{amount} per year",
        "goods": "Goods price",
        "contract": "Contract type",
        "employment": "Employment length",
        "income_type": "Income type",
        "no_employment": "not employed / pensioner",
        "loan_term": ("Loan term: {years} years (credit / annuity). For the same credit, a "
                      "higher annuity shortens the loan but weighs more on the income."),
        "loan_term_unknown": "Loan term: cannot be computed (credit or annuity missing).",
        "policy_decided": "decision set by a lending rule; the model alone: {model}",
        "loaded": ("{clients} clients loaded ({train} known clients, {test} applications to assess), "
                   "{features} features; model: {model}, built on {built_at}."),
    },
}


# --- client lookup -----------------------------------------------------------------------------

def client_exists(client_id: int | None) -> bool:
    if client_id is None:
        return False
    try:
        return get_state().has_client(client_id)
    except ServiceError:
        return False


@derived_value("ids")
def _sorted_id_strings(state: Any) -> np.ndarray:
    return np.sort(state.clients.index.astype(np.int64).astype(str).to_numpy(dtype="U12"))


@dataclass(frozen=True)
class ClientSearch:
    """The first `limit` IDs starting with the typed digits, and how many start with them in all
    (the shell says "n more: type more digits" instead of sending thousands of IDs)."""
    ids: list[int]
    total: int


def search_client_ids(text: str, limit: int = SEARCH_LIMIT) -> ClientSearch:
    """IDs starting with the typed digits (text order: ID order for IDs of one length), with
    the total count of matches.

    Anything longer than an ID could be is refused before the search (see `webapp.http.validation`).
    """
    digits = search_digits(text)
    if not digits:
        return ClientSearch([], 0)
    try:
        sorted_ids = _sorted_id_strings(get_state())
    except ServiceError:
        return ClientSearch([], 0)
    total = int(np.searchsorted(sorted_ids, digits + "\uffff", side="left")
                - np.searchsorted(sorted_ids, digits, side="left"))
    return ClientSearch([int(value) for value in prefix_matches(sorted_ids, digits, limit)], total)


def prefix_matches(sorted_strings: np.ndarray, prefix: str, limit: int) -> list[str]:
    """Entries of a sorted string array that start with `prefix`, in order (binary search)."""
    start = int(np.searchsorted(sorted_strings, prefix, side="left"))
    stop = int(np.searchsorted(sorted_strings, prefix + "\uffff", side="left"))
    return [str(s) for s in sorted_strings[start:min(stop, start + limit)]]


def require_client(state: Any, raw_id: object) -> int:
    client_id = parse_client_id(raw_id)
    if client_id is None:
        raise ServiceError("invalid_client", value=shorten(raw_id))
    if not state.has_client(client_id):
        raise ServiceError("unknown_client", client_id=client_id)
    return client_id


# --- facts -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    value: str


def _category_text(value: object, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return missing(lang)
    return choice_label(str(value), lang)


def employment_text(days_employed: object, lang: str) -> str:
    """Employment length; Home Credit's 365243 code (pensioners, unemployed) said in words."""
    try:
        days = float(days_employed)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return missing(lang)
    if math.isfinite(days) and days > 0:
        return translate(TEXTS, "no_employment", lang)
    return format_years(days, lang, decimals=1)


def per_year(amount: object, lang: str) -> str:
    """'24 700 € par an': an annuity is a yearly sum, and the file must say so (it was read
    as a monthly instalment); a missing amount stays the bare placeholder."""
    money = format_money(amount, lang, 0)
    return money if money == missing(lang) else translate(TEXTS, "per_year", lang, amount=money)


def facts_from_row(row: pd.Series, lang: str | None) -> list[Fact]:
    """The client's key facts, formatted for the language (pure: a raw application row in)."""
    lang = normalise_language(lang)
    get = row.get
    values = (
        ("age", format_years(get("DAYS_BIRTH"), lang)),
        ("income", format_money(get("AMT_INCOME_TOTAL"), lang, 0)),
        ("credit", format_money(get("AMT_CREDIT"), lang, 0)),
        ("annuity", per_year(get("AMT_ANNUITY"), lang)),
        ("goods", format_money(get("AMT_GOODS_PRICE"), lang, 0)),
        ("contract", _category_text(get("NAME_CONTRACT_TYPE"), lang)),
        ("employment", employment_text(get("DAYS_EMPLOYED"), lang)),
        ("income_type", _category_text(get("NAME_INCOME_TYPE"), lang)),
    )
    return [Fact(key, translate(TEXTS, key, lang), value) for key, value in values]


# --- one assessment, presented ----------------------------------------------------------------

@dataclass(frozen=True)
class Score:
    """Calibrated P(default), the cost-optimal threshold and the model's decision."""
    probability: float
    threshold: float
    refused: bool

    @property
    def distance(self) -> float:
        return self.probability - self.threshold


def distance_in_words(score: Score, lang: str | None) -> str:
    """'3,2 points sous le seuil : accordé' — the decision said in words, never by colour alone."""
    lang = normalise_language(lang)
    delta = score.distance
    if abs(delta) < 0.0005:
        return translate(TEXTS, "at", lang) if score.refused else translate(
            TEXTS, "below", lang, points=format_points(delta, lang))
    key = "above" if score.refused else "below"
    return translate(TEXTS, key, lang, points=format_points(delta, lang))


@dataclass(frozen=True)
class RuleHit:
    """A lending policy rule that fired, said in the interface language."""
    id: str
    outcome: str  # "refused" or "review"
    text: str


@dataclass(frozen=True)
class Decision:
    """The recommendation after the lending rules ("granted", "refused", "review") and the
    rules behind it, in the interface language."""
    outcome: str
    rules: tuple[RuleHit, ...] = ()


def decision_in_words(score: Score, decision: Decision, lang: str | None) -> str:
    """The distance to the threshold, saying so when a lending rule overrides the model."""
    model = distance_in_words(score, lang)
    if not decision.rules:
        return model
    return translate(TEXTS, "policy_decided", normalise_language(lang), model=model)


@dataclass(frozen=True)
class Explanation:
    """A client's explanation in calibrated-probability space, ready for the waterfall."""
    base: float                      # P(default) at the model's average log-odds (base value)
    steps: list[tuple[str, float]]   # (group key, change of P(default)), waterfall order
    others: float                    # summed change of the groups not shown
    others_count: int
    final: float                     # the client's calibrated probability


@dataclass(frozen=True)
class Reason:
    """One principal reason as shown: the concept, its driving value in its unit, the change."""
    concept: str
    label: str
    probability_change: float
    feature: str   # the driving feature (a model column or a raw field)
    value: str     # its value for this client, as shown ('' when the file lacks it)
    feature_label: str


@dataclass(frozen=True)
class ConceptDetail:
    """A concept of the waterfall and the raw feature groups inside it (for the detail)."""
    key: str
    label: str
    probability_change: float
    members: list[tuple[str, str, float]]  # (label, value, contribution in log-odds)


@dataclass(frozen=True)
class Result:
    """One `Assessment` laid out for a screen in one language (`present`)."""
    assessment: Assessment
    score: Score
    explanation: Explanation
    labels: dict[str, str]           # concept key -> "plain label (client's value)"
    sentences: list[str]
    decision: Decision               # recommendation with the lending rules that fired
    principal_reasons: list[Reason] = ()  # type: ignore[assignment]
    concepts: list[ConceptDetail] = ()  # type: ignore[assignment]

    @property
    def counterfactual(self) -> Counterfactual | None:
        return self.assessment.counterfactual


def explanation_from_rows(rows: Sequence[dict], base: float, final: float) -> Explanation:
    """Waterfall steps from `model.explain`'s explanation rows (probability changes add up
    from the base probability to the client's probability: the explainer walks the log-odds
    path through the calibrator)."""
    other = [row for row in rows if row["is_other"]]
    return Explanation(
        base=float(base),
        steps=[(str(row["key"]), float(row["probability_change"])) for row in _shown(rows)],
        others=float(sum(row["probability_change"] for row in other)),
        others_count=int(sum(row["n_features"] for row in other)),
        final=float(final),
    )


def _shown(rows: Sequence[dict]) -> list[dict]:
    """The concepts with a bar of their own (not the "other items" row)."""
    return [row for row in rows if not row["is_other"]]


def step_labels(rows: Sequence[dict], lang: str | None = None,
                reasons: Sequence[Any] = ()) -> dict[str, str]:
    """'Âge (35 ans)': the concept's plain label and the client's key value; a principal
    reason's bar tells the value the reason tells (its driver, named), never another value of
    the same concept beside it ("0,38" on the bar, "plus bas : 0,12" in the sentence)."""
    lang = normalise_language(lang)
    told = {r.concept: reason_value_text(r, lang) for r in reasons}
    labels = {}
    for row in _shown(rows):
        value = told.get(str(row["key"])) or key_value_text(row, lang)
        label = str(row[f"label_{lang}"])
        labels[str(row["key"])] = f"{label} ({value})" if value else label
    return labels


def concept_details(rows: Sequence[dict], lang: str | None) -> list[ConceptDetail]:
    """Each concept shown with its raw feature groups, their values and contributions."""
    lang = normalise_language(lang)
    details = []
    for row in _shown(rows):
        members = [(str(m[f"label_{lang}"]), format_unit(m["value"], str(m["unit"]), lang),
                    float(m["contribution"])) for m in row.get("members") or []]
        details.append(ConceptDetail(str(row["key"]), str(row[f"label_{lang}"]),
                                     float(row["probability_change"]), members))
    return details


def reason_views(assessment: Assessment, lang: str | None) -> list[Reason]:
    lang = normalise_language(lang)
    return [Reason(r.concept, r.label(lang), r.probability_change, r.feature,
                   reason_value_text(r, lang), r.feature_label(lang)) for r in assessment.reasons]


def present(assessment: Assessment, top_n: int, lang: str | None, details: bool = True) -> Result:
    """An assessment laid out for a screen: the waterfall of `top_n` concepts, labels,
    sentences, the rules in words, the principal reasons as shown; `details=False` leaves
    out the concepts' raw feature groups, which only the why page shows (a third of the
    time of a batch of 1,000 applications)."""
    lang = normalise_language(lang)
    if assessment.explanation is None:
        raise ServiceError("explanation_unavailable")
    explained = assessment.explanation
    rows = explained.top(int(top_n))
    score = Score(assessment.probability, assessment.threshold, assessment.model_refused)
    decision = Decision(assessment.recommendation,
                        tuple(RuleHit(rule.id, rule.outcome, rule.text(lang)) for rule in assessment.rules))
    return Result(assessment, score,
                  explanation_from_rows(rows, explained.base_probability, explained.probability),
                  step_labels(rows, lang, assessment.reasons),
                  explanation_sentences(assessment, lang), decision,
                  reason_views(assessment, lang), concept_details(rows, lang) if details else [])


def _stored(state: AppState, sk_id: int, counterfactual: bool,
            explanation: bool = True) -> Assessment:
    """A stored client's assessment: read as the build computed it (nothing scored), or
    assessed now for a set without them. `explanation=False`: a screen that shows no table of
    concepts reads neither the client's rows nor its SHAP values (a stored assessment is then
    one record read)."""
    row = int(state.clients.at[sk_id, "row"])
    if state.stored is not None and not explanation:
        return state.stored.assessment(row, state.scorer, sk_id, counterfactual=counterfactual)
    features, application = state.feature_row(sk_id), state.applications.loc[[sk_id]]
    if state.stored is not None:
        return state.stored.assessment(row, state.scorer, sk_id, features, application,
                                       counterfactual=counterfactual)
    return state.scorer.assess_one(features, application, counterfactual=counterfactual)


def client_result(client_id: object, top_n: int, lang: str | None,
                  counterfactual: bool = False) -> Result:
    """A stored client's assessment laid out (logged as shown)."""
    state = get_state()
    sk_id = require_client(state, client_id)
    assessment = _stored(state, sk_id, counterfactual)
    result = present(assessment, top_n, lang)
    audit_log.record_assessment(assessment)
    return result


@dataclass(frozen=True)
class ClientFile:
    """What the client file shows: the assessment (with its proposal) and the key facts."""
    score: Score
    decision: Decision
    counterfactual: Counterfactual | None
    facts: list[Fact]
    reason_concepts: tuple[str, ...]  # the principal reasons' concepts (the proposal's words)


def client_file(client_id: object, lang: str | None) -> ClientFile:
    """The client file: one read of the client's row, one assessment (with what would change
    a refusal), logged as shown."""
    state = get_state()
    sk_id = require_client(state, client_id)
    assessment = _stored(state, sk_id, counterfactual=True, explanation=False)
    audit_log.record_assessment(assessment)
    lang = normalise_language(lang)
    return ClientFile(
        Score(assessment.probability, assessment.threshold, assessment.model_refused),
        Decision(assessment.recommendation,
                 tuple(RuleHit(rule.id, rule.outcome, rule.text(lang)) for rule in assessment.rules)),
        assessment.counterfactual, facts_from_row(state.applications.loc[sk_id], lang),
        tuple(r.concept for r in assessment.reasons))


def client_score(client_id: object) -> Score:
    """A stored client's score (logged as shown, like the client file)."""
    state = get_state()
    assessment = _stored(state, require_client(state, client_id), counterfactual=False,
                         explanation=False)
    audit_log.record_assessment(assessment)
    return Score(assessment.probability, assessment.threshold, assessment.model_refused)


def client_assessment(client_id: object, counterfactual: bool = True) -> Assessment:
    """A stored client's assessment, not logged (the letter logs what it states itself)."""
    state = get_state()
    return _stored(state, require_client(state, client_id), counterfactual, explanation=False)


def whatif_result(client_id: object, values: dict[str, object], top_n: int,
                  lang: str | None) -> tuple[Result | None, dict[str, str]]:
    """Validate edited fields and rescore; (None, errors) when a field is invalid."""
    state = get_state()
    sk_id = require_client(state, client_id)
    stored = state.applications.loc[sk_id]
    # The client's age is not editable but bounds the employment length they can be given.
    age = fields_from_raw_row(stored, ("age_years",))
    clean, errors = validate_fields({**values, **age}, (*WHATIF_FIELDS, "age_years"), lang)
    clean.pop("age_years", None)
    if errors:
        return None, errors
    edits = raw_row_from_fields(changed_fields(clean, fields_from_raw_row(stored, WHATIF_FIELDS)))
    app = with_values(state.applications.loc[[sk_id]], edits)
    scorer = state.scorer
    assessment = scorer.assess_one(scorer.edited_features(state.feature_row(sk_id), app, edits),
                                   app)
    audit_log.record_assessment(assessment, inputs=clean)
    return present(assessment, top_n, lang), {}


def new_applicant_result(values: dict[str, object], top_n: int, lang: str | None,
                         counterfactual: bool = False) -> tuple[Result | None, dict[str, str]]:
    """Validate a new application's fields and assess it (no history; missing never helps)."""
    state = get_state()
    clean, errors = validate_fields(values, NEW_APPLICANT_FIELDS, lang)
    if errors:
        return None, errors
    assessment = state.scorer.assess_new(raw_row_from_fields(clean), counterfactual=counterfactual)
    audit_log.record_assessment(assessment, inputs=clean)
    return present(assessment, top_n, lang), {}


@dataclass(frozen=True)
class BatchRow:
    """One application of a batch: its result, or the message of each invalid field."""
    index: int
    result: Result | None
    errors: dict[str, str]


def new_applicants_results(applications: list[dict[str, object]], top_n: int, lang: str | None,
                           counterfactual: bool = False) -> list[BatchRow]:
    """Validate every application, assess the valid ones in one call of the scorer and log
    them all in one transaction before any is returned (raises `db.DatabaseError` when the
    log cannot be written: then nothing is returned)."""
    state = get_state()
    checked = [validate_fields(values, NEW_APPLICANT_FIELDS, lang) for values in applications]
    valid = [i for i, (_, errors) in enumerate(checked) if not errors]
    assessments = state.scorer.assess_new_many(
        [raw_row_from_fields(checked[i][0]) for i in valid], counterfactual=counterfactual)
    audit_log.append_all([audit_log.assessment_row(assessment, inputs=checked[i][0])
                          for i, assessment in zip(valid, assessments)])
    results = dict(zip(valid, (present(a, top_n, lang, details=False) for a in assessments)))
    return [BatchRow(i, results.get(i), errors) for i, (_, errors) in enumerate(checked)]


def example_clients(count: int) -> list[int]:
    """A few client IDs to start from on the home page (first ones, deterministic)."""
    return [int(i) for i in get_state().clients.index[:count]]


@dataclass(frozen=True)
class DataSummary:
    """What the app has loaded: shown on the home page so nobody scores on the wrong data."""
    clients: int
    train_clients: int
    test_clients: int
    features: int
    model_kind: str
    built_at: str


def data_summary() -> DataSummary:
    state = get_state()
    sets = state.clients["set"].astype(str)
    return DataSummary(
        clients=len(state.clients),
        train_clients=int((sets == "train").sum()),
        test_clients=int((sets == "test").sum()),
        features=len(state.feature_names),
        model_kind=str(state.model.kind),
        built_at=str(state.manifest.get("created_at", ""))[:10],
    )


def loaded_text(summary: DataSummary, lang: str | None) -> str:
    """'5 793 clients chargés (…)': the data and model the advisor is looking at."""
    return translate(TEXTS, "loaded", normalise_language(lang),
                     clients=format_number(summary.clients, lang),
                     train=format_number(summary.train_clients, lang),
                     test=format_number(summary.test_clients, lang),
                     features=format_number(summary.features, lang),
                     model=summary.model_kind, built_at=summary.built_at)


def loan_term_years(credit: object, annuity: object) -> float | None:
    """Credit / yearly annuity: the number of years the loan runs (None if not computable)."""
    try:
        credit, annuity = float(credit), float(annuity)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(credit) and math.isfinite(annuity)) or annuity <= 0 or credit <= 0:
        return None
    return credit / annuity


def loan_term_text(values: dict[str, object], lang: str | None) -> str:
    """'Loan term: 20.7 years (credit / annuity)…' from the what-if fields as typed."""
    from webapp.ui.fields import parse_number

    lang = normalise_language(lang)
    try:
        years = loan_term_years(parse_number(values.get("credit"), lang),
                                parse_number(values.get("annuity"), lang))
    except ValueError:
        years = None
    if years is None:
        return translate(TEXTS, "loan_term_unknown", lang)
    return translate(TEXTS, "loan_term", lang, years=format_number(years, lang, 1))


def policy_rules(lang: str | None = None) -> list[str]:
    """The loaded set's lending rules, one line each: measure, threshold, outcome."""
    lang = normalise_language(lang)
    return [rule.describe(lang) for rule in get_state().policy_rules]


def fairness_report() -> dict | None:
    """The loaded set's fairness report (`fairness.json`), None for a set built without it."""
    return get_state().fairness


def whatif_original(client_id: object) -> dict[str, object]:
    """The client's editable fields as stored, for pre-filling and resetting the what-if form."""
    state = get_state()
    sk_id = require_client(state, client_id)
    return fields_from_raw_row(state.applications.loc[sk_id], WHATIF_FIELDS)
