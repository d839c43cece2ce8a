"""Gather per-column SHAP values into the human-level features an advisor talks about.

A client is not "NAME_INCOME_TYPE_Working = 1 and NAME_INCOME_TYPE_Pensioner = 0":
they are "income type: Working". The feature dictionary's `group` column says
which columns belong together (all one-hot columns of a text field, all
statistics of one bureau amount); summing SHAP values within a group is exact,
because SHAP values are additive, so the grouped explanation still adds up to
the model's output.
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

LANGUAGES = ("fr", "en")
_SEPARATORS = (" : ", ": ")
_TRAILING = re.compile(r"[\s,:;(=]+$")
_QUOTES = {"«", "»"}
# Words left hanging once a category value or a statistic is removed ("... where
# loan type is", "... : of months"); a group with nothing left is named by its source.
_DANGLING = {"=", "is", "où", "where", "of", "de", "du", "des"}


def _description_column(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
    return f"description_{language}"


def feature_groups(feature_names: list[str], dictionary: pd.DataFrame | None) -> pd.Series:
    """Group of every feature (indexed by feature, in model order); a feature the
    dictionary does not know, or has no group for, is its own group."""
    groups = pd.Series(feature_names, index=feature_names, dtype=object)
    if dictionary is not None and "group" in dictionary.columns:
        known = dictionary.dropna(subset=["group"]).drop_duplicates("feature")
        known = known.set_index("feature")["group"].astype(str)
        known = known[known.str.len() > 0]
        groups.update(known[known.index.isin(groups.index)])
    return groups


def group_sums(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum the columns of an (n, features) array by group code -> (n, groups); exact."""
    values = np.atleast_2d(np.asarray(values, dtype=np.float64))
    out = np.zeros((values.shape[0], n_groups), dtype=np.float64)
    np.add.at(out.T, codes, values.T)
    return out


def _shared_label(descriptions: list[str]) -> str:
    """Words of the first description found in every other one, in order.

    Drops what varies inside a group (the statistic, the subset, the category
    value): "Credit bureau: lowest age of the credit" and "... average age of the
    credit over active credits" give "Credit bureau: age of the credit".
    """
    others = [Counter(d.split()) for d in descriptions[1:]]
    kept = []
    for word in descriptions[0].split():
        if word in _QUOTES or any(counts[word] <= 0 for counts in others):
            continue
        for counts in others:
            counts[word] -= 1
        kept.append(word)
    while kept and kept[-1].lower() in _DANGLING:
        kept.pop()
    return _TRAILING.sub("", " ".join(kept))


def _before_value(description: str) -> str:
    """'Type de crédit : Cash loans' -> 'Type de crédit' (one-hot descriptions)."""
    for separator in _SEPARATORS:
        if separator in description:
            return description.rsplit(separator, 1)[0]
    return description


def group_labels(dictionary: pd.DataFrame | None, groups: pd.Series, language: str) -> dict[str, str]:
    """Plain-language label of each group, from the descriptions of its columns.

    A raw field that is its own group keeps its description; a set of one-hot
    columns is named by the text before its value ("Type de crédit"); other
    groups by the words all their descriptions share (the statistic dropped).
    """
    column = _description_column(language)
    described = pd.Series(dtype=object)
    if dictionary is not None and column in dictionary.columns:
        described = dictionary.drop_duplicates("feature").set_index("feature")[column]
    aggregation = pd.Series(dtype=object)
    if dictionary is not None and "aggregation" in dictionary.columns:
        aggregation = dictionary.drop_duplicates("feature").set_index("feature")["aggregation"]
    labels: dict[str, str] = {}
    for group, members in groups.groupby(groups, sort=False):
        names = list(members.index)
        texts = [str(described[n]) for n in names if n in described.index and pd.notna(described[n])]
        if group in described.index and pd.notna(described[group]):
            labels[group] = str(described[group])
        elif not texts:
            labels[group] = str(group)
        elif all(aggregation.get(n) == "one_hot" for n in names):
            labels[group] = _before_value(texts[0])
        elif len(texts) == 1:
            labels[group] = texts[0]
        else:
            labels[group] = _shared_label(texts)
            source, separator, rest = labels[group].rpartition(": " if language == "en" else " : ")
            rest_words = rest.split()
            while rest_words and rest_words[0] in _DANGLING:
                rest_words.pop(0)
            labels[group] = f"{source}{separator}{' '.join(rest_words)}" if source else labels[group]
            if source and not rest_words:
                labels[group] = source
    return labels
