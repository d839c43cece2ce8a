"""The planted default signal: latent client traits, how they show, and the target.

Each client gets independent standard-normal traits. Some are seen directly
through one application column (via its quantile, so the column's marginal is
unchanged); others only through history rows (late instalments, overdue bureau
debt, refused applications), hence noisily, and not at all for clients without
history. The default probability is a logistic function of all traits plus
per-category offsets measured on the real sample, so a model must combine many
weak signals: no single column gives the target away.
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit, ndtr

# trait -> weight on the default log-odds (positive trait = riskier client).
WEIGHTS: dict[str, float] = {
    "EXT_SOURCE_3": 0.5,
    "EXT_SOURCE_2": 0.6,
    "EXT_SOURCE_1": 0.45,
    "DAYS_BIRTH": 0.0,
    "DAYS_EMPLOYED": 0.1,
    "ANNUITY_CREDIT_RATIO": 0.22,
    "CREDIT_INCOME_RATIO": 0.11,
    "DAYS_ID_PUBLISH": 0.13,
    "late": 0.80,  # instalments paid late or short, days past due in POS and cards
    "bureau": 0.35,  # active and overdue credits elsewhere, late months in bureau_balance
    "refused": 0.45,  # refused previous applications
}
# +1: a larger column value means a riskier client; -1: a safer one. (The two ratio traits
# act through the amounts' copula in `application._amounts`: risky = more credit for the
# income, smaller annuity for the credit, i.e. a longer term.)
DIRECTION: dict[str, int] = {
    "EXT_SOURCE_3": -1, "EXT_SOURCE_2": -1, "EXT_SOURCE_1": -1,
    "DAYS_BIRTH": +1,  # days are negative: larger = younger
    "DAYS_EMPLOYED": +1,  # larger = shorter employment
    "DAYS_ID_PUBLISH": +1,
}
# Log-odds intercept giving about 8 % defaults (Kaggle: 8.07 %), tuned on 100,000 clients (the
# correlated traits spread the log-odds: -3.49 gave 11 %).
INTERCEPT = -3.37
EFFECT_SCALE = 1.0  # multiplier of the categorical offsets measured on the real sample


# Correlations between traits (positive = riskier together), from the real sample's Spearman
# correlations of the columns they show through (EXT_SOURCE_1 and age -0.62, the external scores
# 0.12-0.21 with each other, age and employment length 0.31, EXT_SOURCE_1 and credit/income
# +0.15: safer clients borrow more). The bureau and refusal traits follow EXT_SOURCE_3, the
# external score that reads like a bureau score: in the sample it is -0.46 with the clients'
# mean bureau debt/credit, -0.41 with their bureau credits' mean age in days and -0.19 with their
# share of refused applications (synthetic, after this and `bureau.py`'s loadings: -0.25, -0.43,
# -0.19). Without these the model's reasons were independent in synthetic clients while real
# ones are safe or risky on several at once: a model trained on the real sample gave 6,000
# undrifted synthetic clients a score variance 25 % smaller than its training clients', only
# 4-5 % in their safest decile, and a score 0.07-0.18 PSI away per month (issue 22).
TRAIT_CORRELATION: dict[tuple[str, str], float] = {
    ("EXT_SOURCE_1", "DAYS_BIRTH"): 0.63, ("EXT_SOURCE_3", "DAYS_BIRTH"): 0.25,
    ("EXT_SOURCE_2", "DAYS_BIRTH"): 0.10, ("EXT_SOURCE_1", "EXT_SOURCE_2"): 0.22,
    ("EXT_SOURCE_1", "EXT_SOURCE_3"): 0.18, ("EXT_SOURCE_2", "EXT_SOURCE_3"): 0.13,
    ("DAYS_BIRTH", "DAYS_EMPLOYED"): 0.35, ("EXT_SOURCE_1", "DAYS_EMPLOYED"): 0.25,
    ("EXT_SOURCE_2", "DAYS_EMPLOYED"): 0.13, ("EXT_SOURCE_3", "DAYS_EMPLOYED"): 0.14,
    ("EXT_SOURCE_1", "CREDIT_INCOME_RATIO"): -0.15, ("DAYS_BIRTH", "CREDIT_INCOME_RATIO"): -0.17,
    ("EXT_SOURCE_3", "bureau"): 0.6, ("EXT_SOURCE_1", "bureau"): 0.2, ("DAYS_BIRTH", "bureau"): 0.3,
    ("EXT_SOURCE_3", "refused"): 0.3,
}


def _trait_mixing() -> tuple[list[str], np.ndarray]:
    names = sorted({name for pair in TRAIT_CORRELATION for name in pair}, key=list(WEIGHTS).index)
    corr = np.eye(len(names))
    for (a, b), value in TRAIT_CORRELATION.items():
        i, j = names.index(a), names.index(b)
        corr[i, j] = corr[j, i] = value
    return names, np.linalg.cholesky(corr)


def draw_traits(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Standard-normal traits, one array per name in `WEIGHTS` (fixed order), correlated as
    `TRAIT_CORRELATION` says (the others independent)."""
    traits = {name: rng.standard_normal(n) for name in WEIGHTS}
    names, mixing = _trait_mixing()
    mixed = mixing @ np.vstack([traits[name] for name in names])
    traits.update(zip(names, mixed))
    return traits


def column_uniform(name: str, trait: np.ndarray) -> np.ndarray:
    """Uniforms for the column's inverse-CDF draw, monotone in the trait (copula)."""
    return ndtr(DIRECTION[name] * trait)


def rate(trait: np.ndarray, base: float, slope: float) -> np.ndarray:
    """Per-row probability of a bad event (late instalment, overdue month...) for each client."""
    return expit(np.log(base / (1 - base)) + slope * trait)


def default_probability(traits: dict[str, np.ndarray], offsets: np.ndarray,
                        hidden: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """P(default) per client; `hidden` masks traits that do not apply (pensioners' employment)."""
    score = np.full(len(offsets), INTERCEPT) + EFFECT_SCALE * offsets
    for name, weight in WEIGHTS.items():
        term = weight * traits[name]
        if hidden and name in hidden:
            term = np.where(hidden[name], 0.0, term)
        score += term
    return expit(score)
