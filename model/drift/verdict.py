"""One overall drift verdict for the risk manager, from the stored summary and the model's
top features; the rule itself is data (`model.config.DRIFT_VERDICT_RULES`).

A per-column table answers "what drifted"; a manager first asks "must I act". Two facts
decide it: how much of the tested population drifted, and whether the drifted columns
are ones the model leans on (a drifted column the model ignores changes no score).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from model import config


@dataclass(frozen=True)
class DriftVerdict:
    """The level that applies and the facts it was decided on (for the sentence shown)."""

    level: str                      # "low" | "watch" | "review" (config.DRIFT_VERDICT_RULES)
    share_drifted: float            # of the tested features, prediction aside
    top_features: tuple[str, ...]   # the model's most influential features considered
    top_drifted: tuple[str, ...]    # those of them that drifted, most influential first
    prediction_drifted: bool
    reasons: tuple[str, ...]        # which conditions held: "share", "top", "prediction"


def drift_verdict(summary: dict[str, Any], ranked_features: list[str],
                  rules: tuple[dict, ...] = config.DRIFT_VERDICT_RULES,
                  top_n: int = config.DRIFT_TOP_FEATURES) -> DriftVerdict:
    """The first rule of `rules` whose any condition holds (the last one is the default).

    `ranked_features` is the model's features by importance, most influential first
    (`model.explain.global_shap.top_features(shap_global)`); its first `top_n` that the
    summary tested count as important.
    """
    drifted = {e["column"] for e in summary.get("columns", []) if e.get("drift_detected")}
    tested = {e["column"] for e in summary.get("columns", [])}
    top = tuple(f for f in ranked_features[:top_n] if f in tested)
    top_drifted = tuple(f for f in top if f in drifted)
    share = float(summary.get("share_drifted") or 0.0)
    prediction = bool((summary.get("prediction") or {}).get("drift_detected"))
    for rule in rules:
        reasons = []
        if rule.get("min_share_drifted") is not None and share >= rule["min_share_drifted"]:
            reasons.append("share")
        if rule.get("min_top_drifted") is not None and len(top_drifted) >= rule["min_top_drifted"]:
            reasons.append("top")
        if rule.get("prediction") and prediction:
            reasons.append("prediction")
        conditions = [rule.get("min_share_drifted"), rule.get("min_top_drifted"),
                      rule.get("prediction") or None]
        if reasons or all(c is None for c in conditions):
            return DriftVerdict(rule["level"], share, top, top_drifted, prediction, tuple(reasons))
    raise ValueError("DRIFT_VERDICT_RULES needs a last rule without conditions")
