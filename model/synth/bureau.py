"""bureau and bureau_balance rows: other lenders' credits of each client, month by month.

Riskier clients (trait `bureau`) have more active credits, more recent ones,
overdue amounts and late months (STATUS 1-5), so the signal is spread over
several columns and two tables.
"""
from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from model.synth import signal
from model.synth.rows import WINDOW_MONTHS, counts_per_parent, expand, month_of
from model.synth.sampler import Partition, TableSampler

# Kaggle: 305,811 of 356,255 clients have bureau records, 1,716,428 records,
# 27,299,925 bureau_balance months.
NO_BUREAU_SHARE = 1 - 305_811 / 356_255
RECORDS_PER_CLIENT = 1_716_428 / 356_255
MONTHLY_SHARE = 0.405  # share of records with a monthly history (tuned: ~16 months per record)
LATE_STATUS_SHARES = np.array([0.78, 0.09, 0.04, 0.03, 0.06])  # STATUS '1'..'5' among late months
# Quantiles (at ACTIVE_DEBT_LEVELS) of debt / credit of the real sample's active credits with
# AMT_CREDIT_SUM > 0: 16.5 % owe nothing (without the 0.165 level, interpolation left 8 %, and
# too few clients had only debt-free active credits), 5 % owe more than the credit (interest),
# a few thousands of times more (capped here at 1.5).
ACTIVE_DEBT_LEVELS = np.array([0, .1, .165, .2, .3, .4, .5, .6, .7, .8, .85, .9, .92, .94, .96, .98,
                               .99, 1])
ACTIVE_DEBT_SHARE = np.array([0.0, 0.0, 0.0, 0.091, 0.343, 0.529, 0.684, 0.797, 0.881, 0.939, 0.961,
                              0.991, 0.999, 1.0, 1.012, 1.046, 1.201, 1.5])
UNKNOWN_MONTH_SHARE = 0.34  # STATUS 'X' among months before closing (~21 % of all, as Kaggle)
# How the client's `bureau` trait (risky = more active, more recent, more of them still owed;
# correlated with EXT_SOURCE_3, `signal.TRAIT_CORRELATION`) shows: the log-odds slope of a record
# being active, and Gaussian-copula loadings on each record's recency (DAYS_CREDIT) and on an
# active credit's debt share, which also shares a client-level part (DEBT_CLIENT_LOADING: a
# client's active credits are owed alike). Set so that the clients' bureau aggregates match the
# real sample's: 66 % of clients with an active credit (slope 0.6 gave 62 %), 6.7 % whose active
# credits owe nothing (the debt drawn per record gave 3 %), debt/credit mean -0.46 and credits'
# mean age -0.41 with EXT_SOURCE_3 (0 when drawn apart from it).
ACTIVE_SLOPE = 0.4
RECENT_LOADING = 0.55
DEBT_LOADING = 0.45
DEBT_CLIENT_LOADING = 0.4


def _loaded(trait: np.ndarray, loading: float, rng: np.random.Generator,
            explained: float | None = None) -> np.ndarray:
    """Uniforms whose normal scores are `loading * trait` plus independent noise, the noise
    filling the variance `trait` leaves (`explained`, default `loading**2`) up to 1 (a copula)."""
    explained = loading**2 if explained is None else explained
    return ndtr(loading * trait + np.sqrt(1 - explained) * rng.standard_normal(len(trait)))


def make_bureau(sampler: TableSampler, ids: np.ndarray, trait: np.ndarray, first_id: int,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """bureau columns for clients `ids` (SK_ID_BUREAU from `first_id` on)."""
    parent, _ = expand(counts_per_parent(len(ids), rng, NO_BUREAU_SHARE, RECORDS_PER_CLIENT))
    m, g = len(parent), trait[parent]
    active_code, closed_code = sampler.code("CREDIT_ACTIVE", "Active"), sampler.code("CREDIT_ACTIVE", "Closed")
    drawn = sampler.draw("CREDIT_ACTIVE", m, rng, missing=False)
    active = rng.random(m) < signal.rate(g, sampler.share("CREDIT_ACTIVE", "Active"), ACTIVE_SLOPE)
    status = np.where(active, active_code, np.where(drawn == active_code, closed_code, drawn))
    rows = Partition(m, np.asarray(sampler.dictionary("CREDIT_ACTIVE"))[status])
    columns = {"SK_ID_CURR": ids[parent], "SK_ID_BUREAU": first_id + np.arange(m), "CREDIT_ACTIVE": status}
    recent = _loaded(g, RECENT_LOADING, rng)  # risky: recent credits
    for column in sampler.kinds:
        if column not in columns:
            columns[column] = sampler.draw(column, rows, rng, u=recent if column == "DAYS_CREDIT" else None)

    overdue = active & (rng.random(m) < signal.rate(g, 0.008, 1.4))
    for column in ("CREDIT_DAY_OVERDUE", "AMT_CREDIT_SUM_OVERDUE"):
        columns[column] = np.where(overdue, sampler.draw(f"{column}>0", m, rng, missing=False), 0.0)
    max_overdue = columns["AMT_CREDIT_MAX_OVERDUE"]
    was_late = rng.random(m) < signal.rate(g, 0.18, 1.0)  # sample: 20 % of known maxima > 0
    columns["AMT_CREDIT_MAX_OVERDUE"] = np.where(
        np.isnan(max_overdue), np.nan,
        np.where(was_late, sampler.draw("AMT_CREDIT_MAX_OVERDUE>0", m, rng, missing=False), 0.0))
    # An active credit's debt is a share of the credit (drawn on its own, a debt often exceeded
    # the credit and the clients' debt/credit ratios were far from the sample's): the share
    # follows the sample's deciles; closed credits keep their drawn (mostly zero) debt.
    debt, total = columns["AMT_CREDIT_SUM_DEBT"], columns["AMT_CREDIT_SUM"]
    owed = (status == active_code) & ~np.isnan(debt) & (np.nan_to_num(total) > 0)
    client = rng.standard_normal(len(ids))[parent]
    level = DEBT_LOADING * g + DEBT_CLIENT_LOADING * client
    share = np.interp(_loaded(level, 1.0, rng, DEBT_LOADING**2 + DEBT_CLIENT_LOADING**2),
                      ACTIVE_DEBT_LEVELS, ACTIVE_DEBT_SHARE)
    columns["AMT_CREDIT_SUM_DEBT"] = np.where(owed, np.round(np.nan_to_num(total) * share, 1), debt)
    opened = columns["DAYS_CREDIT"]
    columns["DAYS_CREDIT_UPDATE"] = np.maximum(columns["DAYS_CREDIT_UPDATE"], opened)
    ended = columns["DAYS_ENDDATE_FACT"]
    columns["DAYS_ENDDATE_FACT"] = np.where(np.isnan(ended), ended, np.clip(ended, opened, 0))
    return columns


def make_bureau_balance(sampler: TableSampler, bureau: dict[str, np.ndarray], trait_per_record: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Monthly statuses of a share of the bureau records, from the credit's start month to month 0."""
    m = len(bureau["SK_ID_BUREAU"])
    start = np.maximum(month_of(bureau["DAYS_CREDIT"]), -WINDOW_MONTHS)
    counts = np.where(rng.random(m) < MONTHLY_SHARE, 1 - start, 0)
    record, rank = expand(counts)
    k = len(record)
    months = start[record] + rank
    ended = bureau["DAYS_ENDDATE_FACT"][record]
    closed_after = np.where(np.isnan(ended), np.inf, month_of(np.nan_to_num(ended)))
    code = {v: sampler.code("STATUS", v) for v in ("C", "0", "X", "1", "2", "3", "4", "5")}
    late_level = np.searchsorted(np.cumsum(LATE_STATUS_SHARES), rng.random(k) * 0.999999, side="right")
    late_codes = np.array([code[str(i)] for i in range(1, 6)])[late_level]
    late = rng.random(k) < signal.rate(trait_per_record[record], 0.012, 1.5)
    status = np.where(late, late_codes, code["0"])
    status = np.where(rng.random(k) < UNKNOWN_MONTH_SHARE, code["X"], status)
    status = np.where(months > closed_after, code["C"], status)
    return {"SK_ID_BUREAU": bureau["SK_ID_BUREAU"][record], "MONTHS_BALANCE": months, "STATUS": status}
