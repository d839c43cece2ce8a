"""Lending policy rules applied after the model: affordability and legal age.

A rule that fires decides the outcome whatever the probability: `refused`, or
`review` (a person decides). Rules are plain data (`model.config.policy_rules()`),
written into the artifact set as `policy.json` so that the app applies the rules a
model was built with. Everything here is pure: raw application fields in, fired
rules and a decision out; a measure that cannot be computed (missing income or
age) fires nothing.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model import config
from model.wording import number, percent

OUTCOMES = ("refused", "review")
POLICY_FILE = "policy.json"
DAYS_PER_YEAR = config.DAYS_PER_YEAR
RULE_FIELDS = ("AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "DAYS_BIRTH")


@dataclass(frozen=True)
class PolicyRule:
    """One configured rule: fires when `measure` is `comparison` ("above"/"below") `threshold`."""
    id: str
    measure: str
    comparison: str
    threshold: float
    unit: str
    outcome: str
    text_fr: str
    text_en: str
    # The sentence a letter tells the customer ("vos remboursements représenteraient 43 % de vos
    # revenus ; notre limite est de 35 %"); sets built before it fall back to `text_fr/en`.
    letter_fr: str = ""
    letter_en: str = ""

    def __post_init__(self) -> None:
        if self.measure not in MEASURES:
            raise ValueError(f"policy rule {self.id}: unknown measure {self.measure!r} "
                             f"(known: {', '.join(MEASURES)})")
        if self.comparison not in ("above", "below"):
            raise ValueError(f"policy rule {self.id}: comparison must be 'above' or 'below'")
        if self.outcome not in OUTCOMES:
            raise ValueError(f"policy rule {self.id}: outcome must be one of {OUTCOMES}")
        if not math.isfinite(float(self.threshold)):
            raise ValueError(f"policy rule {self.id}: threshold must be a finite number")

    def text(self, lang: str, value: float) -> str:
        """The rule's sentence for one application in `lang` ("fr" or "en")."""
        template = self.text_en if lang == "en" else self.text_fr
        return template.format(value=format_value(value, self.unit, lang),
                               threshold=format_value(self.threshold, self.unit, lang))

    def letter(self, lang: str, value: float) -> str:
        """The rule said to the customer, with their figure and the limit."""
        template = (self.letter_en if lang == "en" else self.letter_fr) or (
            self.text_en if lang == "en" else self.text_fr)
        return template.format(value=format_value(value, self.unit, lang),
                               threshold=format_value(self.threshold, self.unit, lang))

    def describe(self, lang: str) -> str:
        """'Debt-service ratio (annuity / yearly income) above 35%: refused' (model card)."""
        lang = "en" if lang == "en" else "fr"
        words = RULE_WORDS[lang]
        return (f"{words[self.measure]} {words[self.comparison]} "
                f"{format_value(self.threshold, self.unit, lang)}{words['then']}{words[self.outcome]}")


@dataclass(frozen=True)
class FiredRule:
    """A rule that fired for one application, with the customer's figure and, when a smaller
    loan can satisfy it, the largest credit at the same term within the limit."""
    rule: PolicyRule
    value: float
    credit_within: float | None = None

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def outcome(self) -> str:
        return self.rule.outcome

    @property
    def limit(self) -> float:
        return float(self.rule.threshold)

    def text(self, lang: str) -> str:
        """The advisor's sentence (measure, limit, consequence)."""
        return self.rule.text(lang, self.value)

    def letter(self, lang: str) -> str:
        """The customer's sentence (their figure and our limit)."""
        return self.rule.letter(lang, self.value)

    def to_dict(self) -> dict:
        return {"id": self.id, "outcome": self.outcome, "measure": self.rule.measure,
                "value": self.value if math.isfinite(self.value) else None, "limit": self.limit,
                "unit": self.rule.unit, "credit_within": self.credit_within}


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator; a zero income with a positive amount is an infinite ratio."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator / denominator
    return np.where((denominator == 0) & (numerator == 0), 0.0, ratio)


RULE_WORDS = {
    "fr": {"annuity_to_income": "Taux d'endettement (annuité / revenu annuel)",
           "credit_to_income": "Crédit rapporté au revenu annuel (fois)", "age_years": "Âge",
           "above": "au-dessus de", "below": "en dessous de", "then": " : ",
           "refused": "refus", "review": "étude par un responsable"},
    "en": {"annuity_to_income": "Debt-service ratio (annuity / yearly income)",
           "credit_to_income": "Credit over yearly income (times)", "age_years": "Age",
           "above": "above", "below": "below", "then": ": ",
           "refused": "refused", "review": "manager review"},
}
MEASURES = {
    "annuity_to_income": lambda f: _ratio(f["AMT_ANNUITY"], f["AMT_INCOME_TOTAL"]),
    "credit_to_income": lambda f: _ratio(f["AMT_CREDIT"], f["AMT_INCOME_TOTAL"]),
    "age_years": lambda f: -f["DAYS_BIRTH"] / DAYS_PER_YEAR,
}


def format_value(value: float, unit: str, lang: str) -> str:
    """'41 %' / '41%', '12,5' / '12.5', '17 ans' / '17 years': a rule's numbers in words."""
    if unit == "percent":  # one decimal, so 35.4 % never reads as "35 %, above 35 %"
        return percent(value, lang, 1).replace(",0\u202f%", "\u202f%").replace(".0%", "%")
    if unit == "years":
        whole = math.floor(value + 1e-9) if math.isfinite(value) else value
        return number(whole, lang, 0) + (" ans" if lang != "en" else " years")
    return number(value, lang, 1).removesuffix(",0").removesuffix(".0")


def rules_from_config() -> tuple[PolicyRule, ...]:
    """The rule set configured now (the build freezes it into the artifact set)."""
    return rules_from_records(config.policy_rules())


def rules_from_records(records: Iterable[Mapping]) -> tuple[PolicyRule, ...]:
    rules = tuple(PolicyRule(**{**record, "threshold": float(record["threshold"])})
                  for record in records)
    seen = [rule.id for rule in rules]
    if len(set(seen)) != len(seen):
        raise ValueError(f"policy rule ids must be unique, got {seen}")
    return rules


def write_policy(folder: Path, rules: Iterable[PolicyRule]) -> Path:
    """`folder/policy.json`: the rule set the model is served with."""
    path = Path(folder) / POLICY_FILE
    path.write_text(json.dumps({"rules": [asdict(rule) for rule in rules]}, indent=2,
                               ensure_ascii=False))
    return path


def read_policy(path: Path) -> tuple[PolicyRule, ...]:
    """Rules of an artifact set's `policy.json`; raises ValueError naming the file if malformed."""
    try:
        return rules_from_records(json.loads(Path(path).read_text())["rules"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: not a valid policy rule set ({error})") from error


def rule_values(applications: pd.DataFrame, rules: Iterable[PolicyRule]) -> pd.DataFrame:
    """Each rule's measure for each application row (NaN where a field is missing)."""
    missing = [c for c in RULE_FIELDS if c not in applications.columns]
    if missing:
        raise ValueError(f"application rows lack the column(s) the policy rules read: "
                         f"{', '.join(missing)}")
    # numpy, not pandas: one new applicant paid ~4 ms of pandas for three divisions
    fields = {c: applications[c].to_numpy(np.float64, na_value=np.nan) for c in RULE_FIELDS}
    return pd.DataFrame({rule.id: MEASURES[rule.measure](fields) for rule in rules},
                        index=applications.index)


def fired_mask(applications: pd.DataFrame, rules: Iterable[PolicyRule]) -> pd.DataFrame:
    """True where a rule fires, one column per rule (a NaN measure never fires)."""
    rules = tuple(rules)
    return fired_in(rule_values(applications, rules), rules)


def fired_in(values: pd.DataFrame, rules: Iterable[PolicyRule]) -> pd.DataFrame:
    """`fired_mask` from the rules' measures (`rule_values`), when they are needed too."""
    measured = values.to_numpy(np.float64)
    fired = {rule.id: (measured[:, j] > rule.threshold) if rule.comparison == "above"
             else (measured[:, j] < rule.threshold) for j, rule in enumerate(rules)}
    return pd.DataFrame(fired, index=values.index, dtype=bool)


def evaluate(application: Mapping | pd.Series, rules: Iterable[PolicyRule]) -> list[FiredRule]:
    """The rules one application row fires, in rule-set order."""
    rules = tuple(rules)
    row = pd.DataFrame([{c: _number(application.get(c)) for c in RULE_FIELDS}])
    values, fired = rule_values(row, rules).iloc[0], fired_mask(row, rules).iloc[0]
    return [FiredRule(rule, float(values[rule.id])) for rule in rules if fired[rule.id]]


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


# Measures a smaller credit at the same term can bring within a limit: the credit that just
# reaches the limit, from the application's own figures (annuity scaled with the credit).
_CREDIT_AT_LIMIT = {
    "annuity_to_income": lambda f, limit: f["AMT_CREDIT"] * limit * f["AMT_INCOME_TOTAL"] / f["AMT_ANNUITY"],
    "credit_to_income": lambda f, limit: limit * f["AMT_INCOME_TOTAL"],
}


def largest_credit_within(rule: PolicyRule, application: Mapping | pd.Series,
                          rounding: float = 1000.0) -> float | None:
    """The largest credit, at the same term, that keeps `rule` from firing (rounded down);
    None when the loan cannot satisfy the rule (age) or the figures are missing."""
    at_limit = _CREDIT_AT_LIMIT.get(rule.measure)
    if at_limit is None or rule.comparison != "above":
        return None
    figures = {c: _number(application.get(c)) for c in RULE_FIELDS}
    if not all(math.isfinite(v) and v > 0 for k, v in figures.items() if k != "DAYS_BIRTH"):
        return None
    credit = math.floor(at_limit(figures, rule.threshold) / rounding) * rounding
    return float(credit) if credit > 0 else None


def decide(model_refused: bool, fired: Iterable[FiredRule]) -> str:
    """The final decision: a `refused` rule wins, then a `review` rule, then the model."""
    outcomes = {rule.outcome for rule in fired}
    if "refused" in outcomes:
        return "refused"
    if "review" in outcomes:
        return "review"
    return "refused" if model_refused else "granted"
