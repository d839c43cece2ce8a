"""previous_application and the monthly tables hanging off approved applications.

POS_CASH_balance and installments_payments follow the schedule of approved
instalment loans, credit_card_balance the months of approved revolving loans,
so every child row points at a previous application of the same client.
Riskier clients have more refused applications (trait `refused`) and pay later
or short more often (trait `late`: instalments, days past due in POS and cards,
card utilisation).
"""
from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from model import config
from model.synth import signal
from model.synth.rows import DAYS_PER_MONTH, WINDOW_MONTHS, counts_per_parent, expand, month_of
from model.synth.sampler import Partition, TableSampler

# Kaggle: 338,857 of 356,255 clients have previous applications, 1,670,214 in all.
NO_PREVIOUS_SHARE = 1 - 338_857 / 356_255
PREVIOUS_PER_CLIENT = 1_670_214 / 356_255
# Log-odds of a refusal per unit of the `refused` trait, and a shift keeping the sample's share
# of refused applications (17 %) while concentrating them on as few clients as in the sample
# (36 % of clients with applications have a refusal; slope 0.9 without shift gave 52 %).
REFUSED_SLOPE = 1.9
REFUSED_OFFSET = -0.85
# A client's applications at Home Credit include at least one approved loan in the sample (99.7 %
# of the clients with applications; a lone application is approved 99 % of the time), and the
# other applications are approved less often the more a client applies (sample: a client's
# share approved 0.85 with 2 applications, 0.71 with 4, 0.55 with 6 or more). So the first
# application is approved and the others' approval log-odds move by
# APPROVED_OTHERS[0] - APPROVED_OTHERS[1] * ln(applications - 1), which keeps the sample's 60 %
# of approved rows (drawn independently, 24 % of the clients had all approved instead of the
# sample's 41 %, and PREV_NAME_CONTRACT_STATUS_Approved_MEAN was 0.17-0.28 PSI away, issue 22).
APPROVED_OTHERS = (0.45, 0.4)
SPLIT_PAYMENT_SHARE = 0.04  # instalments paid in two rows
CARD_PAYMENT_SHARE = 0.5  # card months with a repayment row (with the above: ~38 rows per client)
POS_SHARE = 0.84  # approved instalment loans with monthly POS/cash rows (tuned: ~28 rows per client)
CARD_EXTRA_MONTHS = 14  # card statements start before the revolving application's decision
SPECIAL_DAYS = config.DAYS_NO_VALUE
# Columns whose values cluster by client in the sample (one client's applications are close in
# time and alike in down payment: within-client spread of DAYS_DECISION 516 days in the sample,
# 698 when drawn independently), so a client's max or min looks like the sample's.
CLIENT_CLUSTERED = ("DAYS_DECISION", "AMT_DOWN_PAYMENT")
CLIENT_CORRELATION = 0.8
DOWN_PAYMENT_FILL = 0.8
_PREV_DAYS = ("DAYS_FIRST_DUE", "DAYS_LAST_DUE_1ST_VERSION", "DAYS_LAST_DUE", "DAYS_TERMINATION")


def _statuses(sampler: TableSampler, refused_trait: np.ndarray, parent: np.ndarray, rank: np.ndarray,
              rng: np.random.Generator) -> np.ndarray:
    """Contract status codes: each client's first application approved (`APPROVED_OTHERS`), the
    refusal log-odds of the others rising with the client's trait."""
    spec = sampler.spec("NAME_CONTRACT_STATUS")
    logits = np.log(np.diff(spec.cum, prepend=0.0))[None, :].repeat(len(refused_trait), axis=0)
    refused = spec.values == sampler.code("NAME_CONTRACT_STATUS", "Refused")
    approved = spec.values == sampler.code("NAME_CONTRACT_STATUS", "Approved")
    logits[:, refused] += REFUSED_SLOPE * refused_trait[:, None] + REFUSED_OFFSET
    applications = np.bincount(parent)[parent] if len(parent) else parent
    others = APPROVED_OTHERS[0] - APPROVED_OTHERS[1] * np.log(np.maximum(applications - 1, 1))
    logits[:, approved] += others[:, None]
    p = np.exp(logits)
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    index = (cum < rng.random(len(refused_trait))[:, None]).sum(axis=1)
    status = spec.values[np.minimum(index, len(spec.values) - 1)]
    return np.where(rank == 0, spec.values[approved][0], status)


def _contract_types(sampler: TableSampler, status: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Contract type codes given status codes, with the joint frequencies of the real sample."""
    out = np.full(len(status), sampler.code("NAME_CONTRACT_TYPE", "Cash loans"), dtype=np.int32)
    u = rng.random(len(status))
    for code, name in enumerate(sampler.dictionary("NAME_CONTRACT_STATUS")):
        pairs = [(k.split("|")[1], v) for k, v in sampler.group_rows.items() if k.split("|")[0] == name]
        rows = status == code
        if not pairs or not rows.any():
            continue
        types = np.array([sampler.code("NAME_CONTRACT_TYPE", t) for t, _ in pairs], dtype=np.int32)
        cum = np.cumsum([v for _, v in pairs]) / sum(v for _, v in pairs)
        out[rows] = types[np.minimum(np.searchsorted(cum, u[rows], side="right"), len(types) - 1)]
    return out


def make_previous(sampler: TableSampler, ids: np.ndarray, trait: np.ndarray, first_id: int,
                  rng: np.random.Generator) -> dict[str, np.ndarray]:
    """previous_application columns for clients `ids` (SK_ID_PREV from `first_id` on)."""
    parent, rank = expand(counts_per_parent(len(ids), rng, NO_PREVIOUS_SHARE, PREVIOUS_PER_CLIENT))
    m = len(parent)
    status = _statuses(sampler, trait[parent], parent, rank, rng)
    types = _contract_types(sampler, status, rng)
    pair_names = np.array([f"{s}|{t}" for s in sampler.dictionary("NAME_CONTRACT_STATUS")
                           for t in sampler.dictionary("NAME_CONTRACT_TYPE")])
    rows = Partition(m, pair_names[status * len(sampler.dictionary("NAME_CONTRACT_TYPE")) + types])
    columns = {"SK_ID_PREV": first_id + np.arange(m), "SK_ID_CURR": ids[parent],
               "NAME_CONTRACT_STATUS": status, "NAME_CONTRACT_TYPE": types}
    client_level = {c: rng.standard_normal(len(ids))[parent] for c in CLIENT_CLUSTERED}
    for column in sampler.kinds:
        if column not in columns:
            u = None
            if column in CLIENT_CLUSTERED:  # a client's applications share part of their level
                u = ndtr(CLIENT_CORRELATION * client_level[column]
                         + np.sqrt(1 - CLIENT_CORRELATION**2) * rng.standard_normal(m))
            columns[column] = sampler.draw(column, rows, rng, u=u)
    _known_down_payment(sampler, columns["AMT_DOWN_PAYMENT"], parent, rows, rng)
    _align_schedule(columns, rng)
    return columns


def _known_down_payment(sampler: TableSampler, values: np.ndarray, parent: np.ndarray,
                        rows: Partition, rng: np.random.Generator) -> None:
    """Missing down payments are spread over clients in the sample (94 % of the clients with
    applications have one known, 83 % when rows are drawn alone): a client with two or more
    applications and none known gets one, on its first row, with `DOWN_PAYMENT_FILL`."""
    if len(parent) == 0:
        return
    counts = np.bincount(parent)
    known = np.bincount(parent, weights=~np.isnan(values), minlength=len(counts))
    first = np.searchsorted(parent, np.arange(len(counts)))
    chosen = (counts >= 2) & (known == 0) & (rng.random(len(counts)) < DOWN_PAYMENT_FILL)
    rows_to_fill = first[chosen]
    if len(rows_to_fill):
        drawn = sampler.draw("AMT_DOWN_PAYMENT", rows, rng, missing=False)
        values[rows_to_fill] = drawn[rows_to_fill]


def _align_schedule(columns: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Make an approved loan's annuity and due dates follow its amount, term and decision day."""
    credit, term = columns["AMT_CREDIT"], columns["CNT_PAYMENT"]
    priced = (credit > 0) & (term > 0)
    monthly_rate = rng.uniform(0.005, 0.03, len(credit))
    annuity = np.round(credit / np.where(priced, term, 1) * (1 + monthly_rate * term), 3)
    columns["AMT_ANNUITY"] = np.where(priced & ~np.isnan(columns["AMT_ANNUITY"]), annuity, columns["AMT_ANNUITY"])
    decision = columns["DAYS_DECISION"]
    real = {c: ~np.isnan(columns[c]) & (columns[c] != SPECIAL_DAYS) for c in _PREV_DAYS}
    first_due = np.minimum(decision + rng.integers(10, 60, len(decision)), -1).astype(float)
    last_due_1st = first_due + 30 * np.maximum(np.nan_to_num(term) - 1, 0)
    last_due = np.minimum(np.maximum(columns["DAYS_LAST_DUE"], first_due), last_due_1st)
    updates = {"DAYS_FIRST_DUE": first_due, "DAYS_LAST_DUE_1ST_VERSION": last_due_1st, "DAYS_LAST_DUE": last_due}
    for column, value in updates.items():
        columns[column] = np.where(real[column], value, columns[column])
    settled = real["DAYS_TERMINATION"] & real["DAYS_LAST_DUE"]
    columns["DAYS_TERMINATION"] = np.where(
        settled, np.maximum(columns["DAYS_TERMINATION"], columns["DAYS_LAST_DUE"]), columns["DAYS_TERMINATION"])


def _loan_parents(previous: dict[str, np.ndarray], sampler: TableSampler, revolving: bool) -> np.ndarray:
    """Indices of approved applications of the kind (revolving or instalment loans)."""
    approved = previous["NAME_CONTRACT_STATUS"] == sampler.code("NAME_CONTRACT_STATUS", "Approved")
    is_revolving = previous["NAME_CONTRACT_TYPE"] == sampler.code("NAME_CONTRACT_TYPE", "Revolving loans")
    if revolving:
        return np.flatnonzero(approved & is_revolving)
    return np.flatnonzero(approved & ~is_revolving & (np.nan_to_num(previous["CNT_PAYMENT"]) > 0))


def _dpd(sampler: TableSampler, late_rate: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Days past due (and past due with tolerance) per monthly row."""
    k = len(late_rate)
    late = rng.random(k) < late_rate
    dpd = np.where(late, sampler.draw("SK_DPD>0", k, rng, missing=False), 0)
    tolerant = late & (rng.random(k) < 0.35)
    dpd_def = np.where(tolerant, np.minimum(dpd, sampler.draw("SK_DPD_DEF>0", k, rng, missing=False)), 0)
    return dpd, dpd_def


def make_pos(sampler: TableSampler, previous: dict[str, np.ndarray], prev_sampler: TableSampler,
             late_trait: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One POS/cash row per month of each approved instalment loan, up to month -1."""
    loans = _loan_parents(previous, prev_sampler, revolving=False)
    loans = loans[rng.random(len(loans)) < POS_SHARE]
    term = previous["CNT_PAYMENT"][loans]
    opened = month_of(previous["DAYS_DECISION"][loans])
    start = np.maximum(opened, -WINDOW_MONTHS)
    end = np.minimum(opened + term.astype(np.int64), -1)
    loan, rank = expand(np.maximum(end - start + 1, 0))
    months = start[loan] + rank
    future = np.maximum(term[loan] - (months - opened[loan]), 0).astype(float)
    status = np.where(future > 0, sampler.code("NAME_CONTRACT_STATUS", "Active"),
                      sampler.code("NAME_CONTRACT_STATUS", "Completed"))
    parent = loans[loan]
    dpd, dpd_def = _dpd(sampler, signal.rate(late_trait[parent], 0.02, 1.5), rng)
    return {"SK_ID_PREV": previous["SK_ID_PREV"][parent], "SK_ID_CURR": previous["SK_ID_CURR"][parent],
            "MONTHS_BALANCE": months, "CNT_INSTALMENT": term[loan], "CNT_INSTALMENT_FUTURE": future,
            "NAME_CONTRACT_STATUS": status, "SK_DPD": dpd, "SK_DPD_DEF": dpd_def}


def _card_months(previous: dict[str, np.ndarray], prev_sampler: TableSampler
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Statement months of approved revolving loans: card index, parent row, MONTHS_BALANCE."""
    cards = _loan_parents(previous, prev_sampler, revolving=True)
    start = np.maximum(month_of(previous["DAYS_DECISION"][cards]) - CARD_EXTRA_MONTHS, -WINDOW_MONTHS)
    card, rank = expand(-start)
    return card, cards[card], start[card] + rank


def _loan_schedule(sampler: TableSampler, previous: dict[str, np.ndarray], prev_sampler: TableSampler,
                   rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Instalments due so far on approved instalment loans, every 30 days from the first due day."""
    loans = _loan_parents(previous, prev_sampler, revolving=False)
    first_due = previous["DAYS_FIRST_DUE"][loans]
    scheduled = ~np.isnan(first_due) & (first_due != SPECIAL_DAYS)
    first_due = np.where(scheduled, first_due, previous["DAYS_DECISION"][loans] + 30)
    due_so_far = np.floor((-1 - first_due) / 30).astype(np.int64) + 1
    loan, rank = expand(np.clip(due_so_far, 0, previous["CNT_PAYMENT"][loans].astype(np.int64)))
    parent = loans[loan]
    return {"parent": parent, "number": rank + 1, "due": first_due[loan] + 30 * rank,
            "amount": np.round(np.nan_to_num(previous["AMT_ANNUITY"][parent], nan=0.0), 3),
            # version 0 is for card repayments; a loan's schedule starts at version 1
            "version": np.maximum(sampler.draw("NUM_INSTALMENT_VERSION", len(parent), rng, missing=False), 1)}


def _card_schedule(sampler: TableSampler, previous: dict[str, np.ndarray], prev_sampler: TableSampler,
                   rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Card repayments (instalment version 0, as in Kaggle) in a share of the statement months."""
    _, parent, months = _card_months(previous, prev_sampler)
    paid = rng.random(len(parent)) < CARD_PAYMENT_SHARE
    parent, months = parent[paid], months[paid]
    first = np.r_[True, parent[1:] != parent[:-1]]
    run_start = np.maximum.accumulate(np.where(first, np.arange(len(parent)), 0))
    return {"parent": parent, "number": np.arange(len(parent)) - run_start + 1,
            "due": np.minimum(np.round(months * DAYS_PER_MONTH + 15), -1).astype(float),
            "amount": np.round(sampler.draw("AMT_INSTALMENT", len(parent), rng, missing=False), 3),
            "version": np.zeros(len(parent))}


def make_installments(sampler: TableSampler, previous: dict[str, np.ndarray], prev_sampler: TableSampler,
                      late_trait: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Instalments of loans and cards due so far, some paid late, short or in two goes."""
    loans = _loan_schedule(sampler, previous, prev_sampler, rng)
    cards = _card_schedule(sampler, previous, prev_sampler, rng)
    due = {key: np.concatenate([loans[key], cards[key]]) for key in loans}
    split = rng.random(len(due["parent"])) < SPLIT_PAYMENT_SHARE
    instalment, part = expand(1 + split)  # one row per payment
    due = {key: value[instalment] for key, value in due.items()}
    parent, k = due["parent"], len(instalment)
    g = late_trait[parent]
    late = rng.random(k) < signal.rate(g, 0.06, 1.3)
    delay = np.where(late, sampler.draw("LATE_DAYS", k, rng, missing=False),
                     -sampler.draw("EARLY_DAYS", k, rng, missing=False))
    short = rng.random(k) < signal.rate(g, 0.03, 1.0)
    paid_share = np.where(short, sampler.draw("PAID_SHARE<1", k, rng, missing=False), 1.0)
    halves = np.where(split[instalment], np.where(part == 0, 0.6, 0.4), 1.0)
    order = np.lexsort((part, due["number"], parent))  # loan by loan, instalment by instalment
    columns = {"SK_ID_PREV": previous["SK_ID_PREV"][parent], "SK_ID_CURR": previous["SK_ID_CURR"][parent],
               "NUM_INSTALMENT_VERSION": due["version"], "NUM_INSTALMENT_NUMBER": due["number"],
               "DAYS_INSTALMENT": due["due"], "DAYS_ENTRY_PAYMENT": np.minimum(due["due"] + delay, -1),
               "AMT_INSTALMENT": due["amount"], "AMT_PAYMENT": np.round(due["amount"] * paid_share * halves, 3)}
    return {name: values[order] for name, values in columns.items()}


def make_cards(sampler: TableSampler, previous: dict[str, np.ndarray], prev_sampler: TableSampler,
               late_trait: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Monthly statements of approved revolving loans; risky clients use more of their limit."""
    card, parent, months = _card_months(previous, prev_sampler)
    k = len(parent)
    g = late_trait[parent]
    limits = sampler.draw("AMT_CREDIT_LIMIT_ACTUAL", int(card.max()) + 1 if k else 0, rng)
    columns = {"SK_ID_PREV": previous["SK_ID_PREV"][parent], "SK_ID_CURR": previous["SK_ID_CURR"][parent],
               "MONTHS_BALANCE": months, "AMT_CREDIT_LIMIT_ACTUAL": limits[card]}
    utilisation = ndtr(0.5 * g + np.sqrt(0.75) * rng.standard_normal(k))
    for column in sampler.kinds:
        if column not in columns:
            columns[column] = sampler.draw(column, k, rng, u=utilisation if column == "AMT_BALANCE" else None)
    columns["SK_DPD"], columns["SK_DPD_DEF"] = _dpd(sampler, signal.rate(g, 0.02, 1.5), rng)
    return columns
