"""What the advisor screens' callbacks call: facts, score, decision, explanation, what-if,
new-applicant scoring.

Every function reads the artifacts through `webapp.state.get_state()` (loaded
once, never mutated) and does per request at most one feature-row read, one
prediction and one explanation. Nothing is fitted here. Inputs from the browser
are validated first; errors come back as messages in the interface language.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from webapp.formatting import format_money, format_number, format_percent, format_points, format_years, missing
from webapp.i18n import normalise_language, translate

log = logging.getLogger(__name__)

SEARCH_LIMIT = 20
DEFAULT_TOP_N = 10
MAX_CLIENT_ID = 10**9

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "below": "{points} sous le seuil : accordé",
        "above": "{points} au-dessus du seuil : refusé",
        "at": "exactement au seuil : refusé",
        "age": "Âge",
        "income": "Revenu annuel",
        "credit": "Montant du crédit",
        "annuity": "Annuité",
        "goods": "Prix du bien",
        "contract": "Type de contrat",
        "employment": "Ancienneté dans l'emploi",
        "income_type": "Type de revenu",
        "no_employment": "sans emploi salarié / retraité",
        "Cash loans": "Prêt personnel",
        "Revolving loans": "Crédit renouvelable",
    },
    "en": {
        "below": "{points} below the threshold: granted",
        "above": "{points} above the threshold: refused",
        "at": "exactly at the threshold: refused",
        "age": "Age",
        "income": "Annual income",
        "credit": "Credit amount",
        "annuity": "Annuity",
        "goods": "Goods price",
        "contract": "Contract type",
        "employment": "Employment length",
        "income_type": "Income type",
        "no_employment": "not employed / pensioner",
        "Cash loans": "Cash loan",
        "Revolving loans": "Revolving loan",
    },
}


class ServiceError(RuntimeError):
    """A request the screens cannot serve; `key`/`values` give the message to show."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


def get_state() -> Any:
    """The loaded artifacts, or `ServiceError("artifacts_missing")` with the reason."""
    from webapp.state import get_state as _get_state

    try:
        return _get_state()
    except Exception as error:  # missing/altered artifacts must not break the page
        log.warning("artifacts unavailable: %s", error)
        raise ServiceError("artifacts_missing", detail=str(error)) from error


# --- client lookup -----------------------------------------------------------------------------

def parse_client_id(raw: object) -> int | None:
    """An SK_ID_CURR from user input ('100002', ' 100 002 ', 100002.0), else None."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, np.integer)):
        value = int(raw)
    elif isinstance(raw, (float, np.floating)):
        if not math.isfinite(raw) or raw != int(raw):
            return None
        value = int(raw)
    else:
        text = "".join(str(raw).split()).replace("\u202f", "")
        if not text.isdigit():
            return None
        value = int(text)
    return value if 0 < value < MAX_CLIENT_ID else None


def client_exists(client_id: int | None) -> bool:
    if client_id is None:
        return False
    try:
        return get_state().has_client(client_id)
    except ServiceError:
        return False


@lru_cache(maxsize=2)
def _sorted_id_strings(state: Any) -> np.ndarray:
    return np.sort(state.clients.index.astype(np.int64).astype(str).to_numpy(dtype="U12"))


def search_clients(text: str, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Dropdown options for IDs starting with the typed digits (at most `limit`)."""
    digits = "".join(ch for ch in str(text) if ch.isdigit())
    if not digits:
        return []
    try:
        ids = _sorted_id_strings(get_state())
    except ServiceError:
        return []
    return [{"label": value, "value": int(value)} for value in prefix_matches(ids, digits, limit)]


def prefix_matches(sorted_strings: np.ndarray, prefix: str, limit: int) -> list[str]:
    """Entries of a sorted string array that start with `prefix`, in order (binary search)."""
    start = int(np.searchsorted(sorted_strings, prefix, side="left"))
    stop = int(np.searchsorted(sorted_strings, prefix + "\uffff", side="left"))
    return [str(s) for s in sorted_strings[start:min(stop, start + limit)]]


def require_client(state: Any, raw_id: object) -> int:
    client_id = parse_client_id(raw_id)
    if client_id is None:
        raise ServiceError("invalid_client", value=raw_id)
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
    return translate(TEXTS, str(value), lang) if str(value) in TEXTS["fr"] else str(value)


def employment_text(days_employed: object, lang: str) -> str:
    """Employment length; Home Credit's 365243 code (pensioners, unemployed) said in words."""
    try:
        days = float(days_employed)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return missing(lang)
    if math.isfinite(days) and days > 0:
        return translate(TEXTS, "no_employment", lang)
    return format_years(days, lang, decimals=1)


def facts_from_row(row: pd.Series, lang: str | None) -> list[Fact]:
    """The client's key facts, formatted for the language (pure: a raw application row in)."""
    lang = normalise_language(lang)
    get = row.get
    values = (
        ("age", format_years(get("DAYS_BIRTH"), lang)),
        ("income", format_money(get("AMT_INCOME_TOTAL"), lang, 0)),
        ("credit", format_money(get("AMT_CREDIT"), lang, 0)),
        ("annuity", format_money(get("AMT_ANNUITY"), lang, 0)),
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
    probability: float
    threshold: float

    @property
    def refused(self) -> bool:
        """Refused when the risk reaches the threshold (same rule as ScoringModel.decide)."""
        return self.probability >= self.threshold

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
    probability = float(np.asarray(state.model.predict_proba(features[state.feature_names]))[0])
    return Score(probability=probability, threshold=float(state.model.threshold_))


def client_score(client_id: object) -> Score:
    state = get_state()
    sk_id = require_client(state, client_id)
    return score_features(state, state.feature_row(sk_id))


def percent(p: float, lang: str | None) -> str:
    return format_percent(p, lang, 1)


def number(x: float, lang: str | None) -> str:
    return format_number(x, lang, 0)
