"""Missing data never helps: an empty optional field is scored the less favourable way.

The model learned from training clients whose external scores are often missing
(EXT_SOURCE_1 for more than half of them), and "missing" can land on the safe side
of a tree split: leaving the scores empty on the new-applicant form lowered the
probability (issue 11: "non renseigné" −1.5 points), which teaches advisors to leave
data out. Here each empty field of `config.MISSING_NEVER_HELPS` is either left
missing or set to the training median (the typical client with the field known),
whichever of all the combinations gives the highest probability; so an empty field
is never better than the typical known value, and never better than missing either.
All combinations (2^3 = 8 for the three external scores) are scored in one batch.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from model import config


def prudent_candidates(app: pd.DataFrame, medians: Mapping[str, float],
                       fields: tuple[str, ...] = config.MISSING_NEVER_HELPS
                       ) -> tuple[pd.DataFrame, list[tuple[bool, ...]], list[str]]:
    """(candidate rows, which fields each fills, the empty fields) of a one-row application:
    every combination of its empty fields left missing or set to the training median,
    "none filled" first. No empty field: no candidates (an empty frame)."""
    if len(app) != 1:
        raise ValueError(f"expected one application row, got {len(app)}")
    empty = [f for f in fields if f in app.columns and f in medians
             and pd.isna(app[f].iloc[0]) and np.isfinite(float(medians[f]))]
    if not empty:
        return app.iloc[:0], [], []
    choices = list(itertools.product((False, True), repeat=len(empty)))
    rows = app.iloc[np.zeros(len(choices), dtype=np.intp)].reset_index(drop=True)
    for j, field in enumerate(empty):
        filled = np.array([choice[j] for choice in choices])
        rows[field] = np.where(filled, float(medians[field]), np.nan)
    return rows, choices, empty


def most_prudent(probabilities: np.ndarray, choices: list[tuple[bool, ...]], empty: list[str]
                 ) -> tuple[int, list[str]]:
    """(position of the candidate with the highest probability, the fields it fills); on a
    tie the first, i.e. the fewest fields filled."""
    best = int(np.argmax(np.asarray(probabilities, dtype=np.float64)))
    return best, [f for f, filled in zip(empty, choices[best]) if filled]


def fill_missing_prudently(score: Callable[[pd.DataFrame], np.ndarray], app: pd.DataFrame,
                           medians: Mapping[str, float],
                           fields: tuple[str, ...] = config.MISSING_NEVER_HELPS
                           ) -> tuple[pd.DataFrame, list[str]]:
    """(the one-row application to score, the fields set to their training median).

    `score(rows)`: probabilities of raw application rows (through the fitted builder
    and model); `medians`: training medians of the fields.
    """
    rows, choices, empty = prudent_candidates(app, medians, fields)
    if not empty:
        return app, []
    best, filled = most_prudent(score(rows), choices, empty)
    return rows.iloc[[best]].set_axis(app.index), filled
