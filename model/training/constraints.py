"""Monotone directions of the model's features, resolved from the builder's structure.

`config.MONOTONE_CONSTRAINTS` names (source table, underlying column) pairs; every
feature the fitted builder made from such a column, with a statistic that keeps the
direction (a raw value, a ratio, a minimum, maximum, mean or sum), gets it. The
match reads the builder's `FeatureInfo` (source, column, aggregation), never the
generated feature names or descriptions.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from model import config
from model.features.aggregate import FeatureInfo

# Statistics along which a higher underlying value gives a higher feature value.
DIRECTED_AGGREGATIONS = frozenset({"raw", "ratio", "mean", "min", "max", "sum"})


def feature_directions(features: Iterable[FeatureInfo],
                       constraints: Mapping[tuple[str, str], tuple[int, str]] | None = None
                       ) -> dict[str, int]:
    """Feature name -> +1 / -1 for every constrained feature (others are absent)."""
    constraints = config.MONOTONE_CONSTRAINTS if constraints is None else constraints
    directions = {}
    for info in features:
        rule = constraints.get((info.source, info.column))
        if rule is not None and info.aggregation in DIRECTED_AGGREGATIONS:
            directions[info.name] = int(rule[0])
    return directions


def constraint_vector(feature_names: list[str], directions: Mapping[str, int]) -> tuple[int, ...]:
    """LightGBM's `monotone_constraints`: one -1 / 0 / +1 per column, in column order."""
    unknown = set(directions) - set(feature_names)
    if unknown:
        raise ValueError(f"constrained feature(s) not among the model's columns: "
                         f"{', '.join(sorted(unknown)[:10])}")
    return tuple(int(directions.get(name, 0)) for name in feature_names)


def describe(features: Iterable[FeatureInfo],
             constraints: Mapping[tuple[str, str], tuple[int, str]] | None = None
             ) -> list[dict[str, object]]:
    """One row per constrained feature (name, direction, reason), for metrics.json."""
    constraints = config.MONOTONE_CONSTRAINTS if constraints is None else constraints
    features = list(features)
    directions = feature_directions(features, constraints)
    return [{"feature": info.name, "direction": directions[info.name],
             "reason": constraints[(info.source, info.column)][1]}
            for info in features if info.name in directions]

