"""What the advisor screens' callbacks call: facts, score, decision, explanation, what-if,
new-applicant scoring.

Every function reads the artifacts through `webapp.serving.get_state()` (loaded
once, never mutated) and does per request at most one feature-row read, one
prediction and one explanation. Nothing is fitted here. Inputs from the browser
are validated first; errors come back as messages in the interface language.
"""
from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from webapp.db import audit_log
from webapp.formatting import format_money, format_number, format_points, format_years, missing
from webapp.ui.fields import (NEW_APPLICANT_FIELDS, WHATIF_FIELDS, changed_fields, choice_label,
                           fields_from_raw_row, raw_row_from_fields, validate_fields)
from webapp.i18n import normalise_language, translate
# The one way into the loaded artifacts; it raises a ServiceError("artifacts_missing").
from webapp.service_errors import ServiceError
from webapp.serving import derived_value, get_state
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


def client_facts(client_id: object, lang: str | None) -> list[Fact]:
    state = get_state()
    sk_id = require_client(state, client_id)
    return facts_from_row(state.clients.loc[sk_id], lang)


# --- score and decision ------------------------------------------------------------------------

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


def score_features(state: Any, features: pd.DataFrame) -> Score:
    """One prediction of the calibrated model on a one-row feature frame."""
    probability = float(np.asarray(state.model.predict_proba(features))[0])
    refused = bool(np.asarray(state.model.decide(np.array([probability])))[0])
    return Score(probability=probability, threshold=float(state.model.threshold_), refused=refused)


def client_score(client_id: object) -> Score:
    """A stored client's score (logged, with the final decision, like the client file)."""
    return client_decision(client_id, None)[0]


@dataclass(frozen=True)
class RuleHit:
    """A lending policy rule that fired, said in the interface language."""
    id: str
    outcome: str  # "refused" or "review"
    text: str


@dataclass(frozen=True)
class Decision:
    """The final outcome ("granted", "refused", "review") and the policy rules behind it.

    The lending rules of the artifact set are applied after the model: a rule that fires
    decides whatever the probability (`model.policy.decide`).
    """
    outcome: str
    rules: tuple[RuleHit, ...] = ()


def decide(state: Any, score: Score, raw_application: pd.DataFrame | pd.Series,
           lang: str | None) -> Decision:
    """The model's decision combined with the set's policy rules on the raw application row."""
    from model.policy import decide as combine, evaluate

    lang = normalise_language(lang)
    row = raw_application.iloc[0] if isinstance(raw_application, pd.DataFrame) else raw_application
    fired = evaluate(row, state.policy_rules)
    return Decision(combine(score.refused, fired),
                    tuple(RuleHit(hit.id, hit.outcome, hit.text(lang)) for hit in fired))


def decision_in_words(score: Score, decision: Decision, lang: str | None) -> str:
    """The distance to the threshold, saying so when a lending rule overrides the model."""
    model = distance_in_words(score, lang)
    if not decision.rules:
        return model
    return translate(TEXTS, "policy_decided", normalise_language(lang), model=model)


def client_decision(client_id: object, lang: str | None) -> tuple[Score, Decision]:
    """A stored client's score and final decision (model + the set's policy rules), logged as
    shown on the client file."""
    state = get_state()
    sk_id = require_client(state, client_id)
    score = score_features(state, state.feature_row(sk_id))
    decision = decide(state, score, state.applications.loc[sk_id], lang)
    audit_log.record_score(state, score, client_id=sk_id, decision=decision)
    return score, decision


def _as_category(values: object, like: pd.Series) -> pd.Categorical:
    """Values as a categorical of the stored column; a value the stored rows never had is
    added as a category (not turned into NaN), so the fitted builder maps it to `__OTHER`."""
    values = pd.Series(values, dtype=object)
    categories = like.cat.categories
    unseen = [v for v in values.dropna().unique() if v not in categories]
    return pd.Categorical(values, categories=categories.append(pd.Index(unseen)) if unseen else categories)


def _with_column_dtypes(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """Give edited rows the dtypes of the stored applications (categories kept)."""
    for column in frame.columns:
        if column in like.columns and isinstance(like[column].dtype, pd.CategoricalDtype):
            frame[column] = _as_category(frame[column], like[column])
    return frame


def _write_fields(app: pd.DataFrame, clean: dict[str, object]) -> pd.DataFrame:
    """Write validated form fields over a one-row typed application (dtypes kept), in place."""
    for column, value in raw_row_from_fields(clean).items():
        if column in app.columns and isinstance(app[column].dtype, pd.CategoricalDtype):
            app[column] = _as_category([value], app[column])
        elif column in app.columns and pd.api.types.is_numeric_dtype(app[column]):
            app[column] = np.asarray([value], dtype=np.float64)
        else:
            app[column] = [value]
    return app


def whatif_features(state: Any, client_id: int,
                    clean: dict[str, object]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The client's stored feature row with the application features recomputed from edits.

    History aggregates (bureau, previous loans...) stay as stored: only what the
    application row drives changes, through the fitted builder's own code.
    """
    app = _write_fields(state.applications.loc[[client_id]].copy(), clean).reset_index()
    columns = list(state.builder.application_features_)
    recomputed = state.builder.transform_application(app)[columns].to_numpy(np.float32)
    stored = state.feature_row(client_id)
    values = stored.to_numpy(np.float32, copy=True)
    values[0, _application_positions(state)] = recomputed[0]
    row = pd.DataFrame(values, columns=stored.columns, index=stored.index)
    return row, app.set_index("SK_ID_CURR")


@derived_value("application_positions")
def _application_positions(state: Any) -> np.ndarray:
    """Positions of the builder's application features in the stored feature row."""
    return pd.Index(state.feature_names).get_indexer(list(state.builder.application_features_))


@derived_value("typical")
def typical_application(state: Any) -> pd.DataFrame:
    """A one-row 'typical applicant' (training medians and most frequent categories).

    Fills the application fields a new-applicant form does not ask for. Computed
    once per loaded artifact set, when it is loaded (a statistic of stored rows, nothing fitted).
    """
    apps = state.applications
    train_ids = state.clients.index[state.clients["set"] == "train"]
    train = apps.loc[apps.index.intersection(train_ids)]
    values: dict[str, object] = {}
    for column in apps.columns:
        series = train[column]
        if isinstance(series.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(series):
            mode = series.mode(dropna=True)
            values[column] = mode.iloc[0] if len(mode) else None
        else:
            values[column] = float(series.median()) if series.notna().any() else np.nan
    frame = pd.DataFrame([values])
    return _with_column_dtypes(frame, apps)


def new_applicant_application(state: Any, clean: dict[str, object]) -> pd.DataFrame:
    """The raw application row of a new applicant, as entered: form fields over a typical
    application (empty optional fields still missing)."""
    app = _write_fields(typical_application(state).copy(), clean)
    app.insert(0, "SK_ID_CURR", NEW_APPLICANT_ID)
    return app


def _application_rows_features(state: Any, apps: pd.DataFrame) -> pd.DataFrame:
    """Feature rows of raw application rows without history, through the fitted builder."""
    apps = apps.assign(SK_ID_CURR=np.arange(1, len(apps) + 1))  # distinct ids for the builder
    return state.builder.transform({"application": apps})


def score_applications(state: Any, apps: pd.DataFrame) -> np.ndarray:
    """Probabilities of raw application rows without history, through the fitted builder."""
    return np.asarray(state.model.predict_proba(_application_rows_features(state, apps)))


def new_applicant_features(state: Any, clean: dict[str, object]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Feature row (and raw row) of a new applicant: form fields over a typical application,
    no history tables, through the fitted builder. An empty optional field never makes the
    applicant look safer (`model.missing_fields`): it is scored at the training median when
    that is less favourable than leaving it missing.

    One application is scored several times per request (the score, its counterfactual,
    the decision recorded): the last few are kept per loaded build, keyed by the
    validated fields, so the builder runs once.
    """
    key = (getattr(state, "build_id", None) or id(state),
           tuple(sorted((k, repr(v)) for k, v in clean.items())))
    with _FEATURES_LOCK:
        cached = _FEATURES_CACHE.get(key)
        if cached is not None:
            _FEATURES_CACHE.move_to_end(key)
            return cached[0].copy(), cached[1].copy()
    computed = _new_applicant_features(state, clean)
    with _FEATURES_LOCK:
        _FEATURES_CACHE[key] = computed
        while len(_FEATURES_CACHE) > _FEATURES_CACHE_SIZE:
            _FEATURES_CACHE.popitem(last=False)
    return computed[0].copy(), computed[1].copy()


_FEATURES_CACHE: OrderedDict = OrderedDict()
_FEATURES_CACHE_SIZE = 64
_FEATURES_LOCK = threading.Lock()


def _new_applicant_features(state: Any, clean: dict[str, object]) -> tuple[pd.DataFrame, pd.DataFrame]:
    from model.missing_fields import fill_missing_prudently

    typical = typical_application(state).iloc[0]
    batch: dict[str, pd.DataFrame] = {}

    def score(rows: pd.DataFrame) -> np.ndarray:
        # the candidate rows' features are kept: the chosen row's are then not rebuilt
        batch["rows"], batch["features"] = rows, _application_rows_features(state, rows)
        return np.asarray(state.model.predict_proba(batch["features"]))

    app, _filled = fill_missing_prudently(score, new_applicant_application(state, clean), typical)
    if batch:
        candidates = batch["rows"].reset_index(drop=True)
        position = next(i for i in range(len(candidates))
                        if candidates.iloc[[i]].set_axis(app.index).equals(app))
        features = batch["features"].iloc[[position]].set_axis(pd.Index([NEW_APPLICANT_ID], name="SK_ID_CURR"))
    else:
        features = state.builder.transform({"application": app})
    return features, app.set_index("SK_ID_CURR")


# --- explanation -------------------------------------------------------------------------------

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
    """One principal reason: a concept raising the risk, in the interface language."""
    concept: str
    label: str
    probability_change: float
    value: str  # the client's key value in its unit ('' when none)


@dataclass(frozen=True)
class ConceptDetail:
    """A concept of the waterfall and the raw feature groups inside it (for the detail)."""
    key: str
    label: str
    probability_change: float
    members: list[tuple[str, str, float]]  # (label, value, contribution in log-odds)


@dataclass(frozen=True)
class Result:
    """Everything a screen shows for one scored feature row."""
    score: Score
    explanation: Explanation
    labels: dict[str, str]           # concept key -> "plain label (client's value)"
    sentences: list[str]
    decision: Decision               # final outcome with the lending rules that fired
    principal_reasons: list[Reason] = ()  # type: ignore[assignment]
    concepts: list[ConceptDetail] = ()  # type: ignore[assignment]


def explanation_from_table(table: pd.DataFrame, base: float, final: float) -> Explanation:
    """Waterfall steps from `model.explain`'s explanation table (probability changes add up
    from the base probability to the client's probability: the explainer walks the log-odds
    path through the calibrator)."""
    shown = table[~table["is_other"].astype(bool)]
    other = table[table["is_other"].astype(bool)]
    return Explanation(
        base=float(base),
        steps=[(str(k), float(c)) for k, c in zip(shown["key"], shown["probability_change"])],
        others=float(other["probability_change"].sum()) if len(other) else 0.0,
        others_count=int(other["n_features"].sum()) if len(other) else 0,
        final=float(final),
    )


def step_labels(table: pd.DataFrame, lang: str | None = None) -> dict[str, str]:
    """'Âge (35 ans)': the concept's plain label and the client's key value."""
    from webapp.services.reasons import key_value_text

    labels = {}
    for row in table[~table["is_other"].astype(bool)].to_dict("records"):
        value = key_value_text(row, lang)
        labels[str(row["key"])] = f"{row['label']} ({value})" if value else str(row["label"])
    return labels


def concept_details(table: pd.DataFrame, lang: str | None) -> list[ConceptDetail]:
    """Each concept shown with its raw feature groups, their values and contributions."""
    from webapp.services.reasons import format_unit

    lang = normalise_language(lang)
    details = []
    for row in table[~table["is_other"].astype(bool)].to_dict("records"):
        members = [(str(m[f"label_{lang}"]), format_unit(m["value"], str(m["unit"]), lang),
                    float(m["contribution"])) for m in row.get("members") or []]
        details.append(ConceptDetail(str(row["key"]), str(row["label"]),
                                     float(row["probability_change"]), members))
    return details


def reasons_of(explained: Any, lang: str | None) -> list[Reason]:
    from webapp.services.reasons import key_value_text

    lang = normalise_language(lang)
    return [Reason(str(r["concept"]), str(r[f"label_{lang}"]), float(r["probability_change"]),
                   key_value_text(r, lang)) for r in explained.principal_reasons]


def result_for_features(state: Any, features: pd.DataFrame, raw_application: pd.DataFrame,
                        top_n: int, lang: str | None) -> Result:
    """One prediction + one explanation of a feature row, with labels and sentences."""
    from webapp.services.reasons import explanation_sentences

    lang = normalise_language(lang)
    score = score_features(state, features)
    if state.explainer is None:
        raise ServiceError("explanation_unavailable")
    explained = state.explainer.explain(features, raw_application_row=raw_application,
                                        top_n=int(top_n), language=lang)
    explanation = explanation_from_table(explained.table, explained.base_probability, explained.probability)
    return Result(score, explanation, step_labels(explained.table, lang),
                  explanation_sentences(explained, lang), decide(state, score, raw_application, lang),
                  reasons_of(explained, lang), concept_details(explained.table, lang))


def client_result(client_id: object, top_n: int, lang: str | None) -> Result:
    state = get_state()
    sk_id = require_client(state, client_id)
    result = result_for_features(state, state.feature_row(sk_id), state.applications.loc[[sk_id]],
                                 top_n, lang)
    audit_log.record_score(state, result.score, result, client_id=sk_id)
    return result


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
    edits = changed_fields(clean, fields_from_raw_row(stored, WHATIF_FIELDS))
    features, app = whatif_features(state, sk_id, edits)
    result = result_for_features(state, features, app, top_n, lang)
    audit_log.record_score(state, result.score, result, client_id=sk_id, inputs=clean)
    return result, {}


def new_applicant_result(values: dict[str, object], top_n: int,
                         lang: str | None) -> tuple[Result | None, dict[str, str]]:
    state = get_state()
    clean, errors = validate_fields(values, NEW_APPLICANT_FIELDS, lang)
    if errors:
        return None, errors
    features, app = new_applicant_features(state, clean)
    result = result_for_features(state, features, app, top_n, lang)
    audit_log.record_score(state, result.score, result, inputs=clean)
    return result, {}


NEW_APPLICANT_ID = 0  # never a real SK_ID_CURR (they start at 100,001)


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
