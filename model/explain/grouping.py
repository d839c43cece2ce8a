"""Gather per-column SHAP values into the human-level features an advisor talks about.

A client is not "NAME_INCOME_TYPE_Working = 1 and NAME_INCOME_TYPE_Pensioner = 0":
they are "income type: Working". The feature dictionary's `group` column says
which columns belong together (all one-hot columns of a text field, all
statistics of one bureau amount); summing SHAP values within a group is exact,
because SHAP values are additive, so the grouped explanation still adds up to
the model's output.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

LANGUAGES = ("fr", "en")


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


def group_labels(dictionary: pd.DataFrame | None, groups: pd.Series, language: str) -> dict[str, str]:
    """Plain-language label of each group: the dictionary's `group_<language>` column,
    written by the feature builder from its structure (table, column), never cut out of
    the descriptions. A raw field that is its own group keeps its description; a dictionary
    without group labels (an older artifact set) names a group by its key."""
    column = _description_column(language)
    info = (dictionary.drop_duplicates("feature").set_index("feature")
            if dictionary is not None else pd.DataFrame())
    named = f"group_{language}"
    labels: dict[str, str] = {}
    for group, members in groups.groupby(groups, sort=False):
        first = members.index[0]
        if group in info.index and column in info and pd.notna(info.at[group, column]):
            labels[group] = str(info.at[group, column])
        elif named in info and first in info.index and pd.notna(info.at[first, named]):
            labels[group] = str(info.at[first, named])
        else:
            labels[group] = str(group)
    return labels


def feature_concepts(feature_names: list[str], dictionary: pd.DataFrame | None) -> pd.Series:
    """Concept key of every feature (indexed by feature, in model order), from the
    dictionary's `concept` column; an older dictionary without it gets the concept from
    its structured columns (source, aggregation) through the same rule the builder uses."""
    from model.features.aggregate import FeatureInfo
    from model.features.concepts import OTHER, concept_of

    info = (dictionary.drop_duplicates("feature").set_index("feature")
            if dictionary is not None else pd.DataFrame())
    concepts = []
    for name in feature_names:
        known = info.loc[name] if name in info.index else None
        if known is not None and "concept" in info and isinstance(known["concept"], str):
            concepts.append(known["concept"])
        elif known is not None and "source" in info:
            column = known["column"] if "column" in info and isinstance(known["column"], str) \
                else name
            concepts.append(concept_of(FeatureInfo(name, str(known["source"]),
                                                   str(known.get("aggregation", "")), column)))
        else:
            concepts.append(OTHER)
    return pd.Series(concepts, index=feature_names, dtype=object)
