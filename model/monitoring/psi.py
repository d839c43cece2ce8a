"""Population stability index (PSI) with bins fitted on the training reference.

PSI = sum over bins of (current share - reference share) * ln(current share / reference
share). The bins are the reference's deciles (fewer where values tie, e.g. flags), plus one
bin for missing values, so a feature that starts arriving empty moves its PSI too.

Why a small numpy implementation rather than optbinning (the brief's preferred library):
optbinning's PSI (`optbinning.scorecard.ScorecardMonitoring`) needs a fitted optbinning
`Scorecard` and bins chosen with the target, while this model is LightGBM and the bins must
come from the training inputs alone, scored the same way for every input and the score; it
would also add ortools (a large native wheel) to the app's image for about forty lines of
arithmetic, tested against hand-computed values in tests/model/test_monitoring.py.

The 0.10 / 0.25 bands (`config.PSI_BANDS`) are rules of thumb of credit-scoring practice,
not a statistical test: the screen and the summary say so.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from model import config


def reference_edges(values: np.ndarray, bins: int = config.PSI_BINS) -> np.ndarray:
    """Inner bin edges: the reference's quantiles 1/bins ... (bins-1)/bins, ties merged.

    A value x falls in bin i when edges[i-1] < x <= edges[i] (the first and last bins are
    open), so a constant reference gives one edge and two bins.
    """
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return np.empty(0)
    return np.unique(np.quantile(finite, np.arange(1, bins) / bins))


def bin_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of the values in each bin, the last entry being the missing values'."""
    values = np.asarray(values, dtype=np.float64)
    missing = ~np.isfinite(values)
    index = np.searchsorted(edges, values[~missing], side="left")
    counts = np.bincount(index, minlength=len(edges) + 1).astype(np.float64)
    counts = np.append(counts, missing.sum())
    return counts / max(len(values), 1)


def psi_from_shares(reference: np.ndarray, current: np.ndarray,
                    epsilon: float = config.PSI_EPSILON) -> float:
    """PSI of two share vectors over the same bins; an empty bin counts as `epsilon`."""
    reference = np.maximum(np.asarray(reference, dtype=np.float64), epsilon)
    current = np.maximum(np.asarray(current, dtype=np.float64), epsilon)
    return float(np.sum((current - reference) * np.log(current / reference)))


def band(value: float | None, bands: dict[str, float] = config.PSI_BANDS) -> str:
    """"stable" under the watch band, "watch" under the drift band, else "drift"."""
    if value is None or not np.isfinite(value):
        return "stable"
    if value >= bands["drift"]:
        return "drift"
    return "watch" if value >= bands["watch"] else "stable"


class PopulationStability:
    """Reference bins per column (fit on the training reference), PSI of any later batch.

    scikit-learn conventions: `fit` learns `edges_` and `reference_shares_` from the
    reference only; `transform` never refits, so every period is measured on the same bins.
    """

    def __init__(self, bins: int = config.PSI_BINS, epsilon: float = config.PSI_EPSILON) -> None:
        self.bins = bins
        self.epsilon = epsilon

    def fit(self, reference: pd.DataFrame) -> PopulationStability:
        self.columns_ = list(reference.columns)
        self.edges_ = {c: reference_edges(reference[c].to_numpy(np.float64), self.bins)
                       for c in self.columns_}
        self.reference_shares_ = {c: bin_shares(reference[c].to_numpy(np.float64), self.edges_[c])
                                  for c in self.columns_}
        return self

    def transform(self, current: pd.DataFrame) -> dict[str, float]:
        """PSI per fitted column present in `current` (a column it lacks is left out)."""
        return {c: psi_from_shares(self.reference_shares_[c],
                                   bin_shares(current[c].to_numpy(np.float64), self.edges_[c]),
                                   self.epsilon)
                for c in self.columns_ if c in current.columns}
