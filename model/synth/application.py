"""Application rows (train or test) for one chunk of clients, with the planted target.

Columns are drawn from the real sample's marginals conditional on the income
type (so pensioners get `DAYS_EMPLOYED = 365243` and `ORGANIZATION_TYPE = XNA`),
amounts are derived from ratios so that credit, annuity and goods price agree,
and building-information columns share their missingness and level as in Kaggle.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from model.synth import signal
from model.synth.sampler import Partition, TableSampler, load_stats

GROUP_COLUMN = "NAME_INCOME_TYPE"
PENSION_DAYS = 365243
_BUILDING = re.compile(r"^(.*)_(AVG|MODE|MEDI)$")
_BUILDING_TEXT = {"FONDKAPREMONT_MODE", "HOUSETYPE_MODE", "WALLSMATERIAL_MODE", "EMERGENCYSTATE_MODE"}
_DERIVED = {"AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"}


@dataclass
class ApplicationChunk:
    """Columns of one chunk (numpy arrays, text as codes) and the traits history tables need."""

    columns: dict[str, np.ndarray]
    traits: dict[str, np.ndarray]


def _shared_uniforms(column: str, shared: dict[str, np.ndarray], n: int,
                     rng: np.random.Generator) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Uniforms shared by related columns: one level per building measure, one missingness per block."""
    def get(key: str) -> np.ndarray:
        if key not in shared:
            shared[key] = rng.random(n)
        return shared[key]

    match = _BUILDING.match(column)
    if column in _BUILDING_TEXT:
        return None, get("na:building")
    if match:
        return get(f"u:{match.group(1)}"), get("na:building")
    if column.startswith("AMT_REQ_CREDIT_BUREAU"):
        return None, get("na:bureau_requests")
    if column.endswith("_SOCIAL_CIRCLE"):
        return get(f"u:{column[:3]}"), get("na:circle")
    return None, None


def _ratio_amount(sampler: TableSampler, base: np.ndarray, ratio: np.ndarray, column: str) -> np.ndarray:
    low, high = sampler.bounds(column)
    return np.round(np.clip(base * ratio, low, high), 1)


def category_offsets(sampler: TableSampler, columns: dict[str, np.ndarray]) -> np.ndarray:
    """Sum over the effect columns of the per-category log-odds measured on the real sample."""
    effects = load_stats()["effects"]
    n = len(next(iter(columns.values())))
    total = np.zeros(n)
    for column, by_value in effects.items():
        values = columns[column]
        if sampler.kinds[column] == "str":
            table = np.array([by_value.get(v, 0.0) for v in sampler.dictionary(column)] + [0.0])
            total += table[values]  # code -1 (missing) picks the trailing 0
        else:
            for value, offset in by_value.items():
                total += np.where(values == float(value), offset, 0.0)
    return total


def make_applications(sampler: TableSampler, ids: np.ndarray, rng: np.random.Generator,
                      with_target: bool) -> ApplicationChunk:
    """Application columns in Kaggle's order for clients `ids` (TARGET only when `with_target`)."""
    n = len(ids)
    traits = signal.draw_traits(n, rng)
    group_codes = sampler.draw(GROUP_COLUMN, n, rng, missing=False)
    labels = np.asarray(sampler.dictionary(GROUP_COLUMN))[group_codes]
    rows = Partition(n, labels)
    columns: dict[str, np.ndarray] = {"SK_ID_CURR": ids, GROUP_COLUMN: group_codes}
    shared: dict[str, np.ndarray] = {}
    for column in sampler.kinds:
        if column in columns or column in _DERIVED or column == "TARGET":
            continue
        if column in signal.DIRECTION:
            u, u_na = signal.column_uniform(column, traits[column]), None
        else:
            u, u_na = _shared_uniforms(column, shared, n, rng)
        columns[column] = sampler.draw(column, rows, rng, u=u, u_na=u_na,
                                       missing=column != "OWN_CAR_AGE")

    income = columns["AMT_INCOME_TOTAL"]
    credit_ratio = sampler.draw("CREDIT_INCOME_RATIO", rows, rng, missing=False,
                                u=signal.column_uniform("CREDIT_INCOME_RATIO", traits["CREDIT_INCOME_RATIO"]))
    credit = _ratio_amount(sampler, income, credit_ratio, "AMT_CREDIT")
    annuity_ratio = sampler.draw("ANNUITY_CREDIT_RATIO", rows, rng, missing=False,
                                 u=signal.column_uniform("ANNUITY_CREDIT_RATIO", traits["ANNUITY_CREDIT_RATIO"]))
    annuity = _ratio_amount(sampler, credit, annuity_ratio, "AMT_ANNUITY")
    goods = _ratio_amount(sampler, credit, 1 / sampler.draw("CREDIT_GOODS_RATIO", rows, rng, missing=False),
                          "AMT_GOODS_PRICE")
    annuity[rng.random(n) < sampler.missing_rate("AMT_ANNUITY")] = np.nan
    goods[rng.random(n) < sampler.missing_rate("AMT_GOODS_PRICE")] = np.nan
    columns.update(AMT_CREDIT=credit, AMT_ANNUITY=annuity, AMT_GOODS_PRICE=goods)

    # Keep rows internally consistent: a car age only with a car, a family at least
    # as large as its children plus one, no job started before the sixteenth birthday.
    no_car = columns["FLAG_OWN_CAR"] == sampler.code("FLAG_OWN_CAR", "N")
    columns["OWN_CAR_AGE"][no_car] = np.nan
    fam = columns["CNT_FAM_MEMBERS"]
    columns["CNT_FAM_MEMBERS"] = np.where(np.isnan(fam), fam, np.maximum(fam, columns["CNT_CHILDREN"] + 1))
    employed = columns["DAYS_EMPLOYED"]
    pensioner = employed == PENSION_DAYS
    columns["DAYS_EMPLOYED"] = np.where(pensioner, employed,
                                        np.maximum(employed, columns["DAYS_BIRTH"] + 16 * 365))

    if with_target:
        probability = signal.default_probability(
            traits, category_offsets(sampler, columns), hidden={"DAYS_EMPLOYED": pensioner})
        columns["TARGET"] = (rng.random(n) < probability).astype(np.int64)
    return ApplicationChunk({c: columns[c] for c in sampler.kinds}, traits)
