"""Vectorised helpers to lay out child rows under parent rows (no per-row Python loops)."""
from __future__ import annotations

import numpy as np

DAYS_PER_MONTH = 30.4375
WINDOW_MONTHS = 96  # Kaggle's monthly tables cover the last eight years


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For `counts[i]` children of parent i: each child's parent index and rank (0, 1, ...)."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(int(counts.sum())) - np.repeat(starts, counts)
    return parent, rank


def counts_per_parent(n: int, rng: np.random.Generator, none_share: float, mean: float,
                      dispersion: float = 1.5) -> np.ndarray:
    """Children per parent: none with `none_share`, else 1 + negative binomial; overall mean `mean`."""
    has = rng.random(n) >= none_share
    extra = max(mean / (1 - none_share) - 1, 1e-6)
    more = rng.negative_binomial(dispersion, dispersion / (dispersion + extra), n)
    return np.where(has, 1 + more, 0)


def month_of(days: np.ndarray) -> np.ndarray:
    """Kaggle's MONTHS_BALANCE of a day offset: days -30..-1 are month -1, day 0 is month 0."""
    return np.floor(np.asarray(days, dtype=float) / DAYS_PER_MONTH).astype(np.int64)
