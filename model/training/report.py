"""Readable results without the MLflow UI: metrics.json, comparison.md, cost_curve.csv."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

COMPARISON_COLUMNS = ("model", "imbalance", "best hyperparameters", "CV AUC", "CV recall",
                      "CV precision", "CV F2", "CV Brier (raw → calibrated)",
                      "CV cost / 1,000", "holdout AUC", "holdout cost / 1,000",
                      "trees", "learning rate", "stopping round", "loan x2: higher / lower",
                      "fit time (s)")


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _json_safe(value.item())
    return value


def _params_text(params: dict[str, Any]) -> str:
    if not params:
        return "—"
    return ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in params.items())


def capacity_cells(capacity: dict[str, Any] | None) -> list[str]:
    """Trees (refit on the tuning rows), learning rate and stopping rule; — for non-trees."""
    if not capacity:
        return ["—", "—", "—"]
    stopping = (f"{capacity['early_stopping_rounds']} ({capacity['inner_folds']} inner folds)"
                if capacity["inner_folds"] >= 2 else "none (fixed number of trees)")
    return [str(capacity["trees"]), f"{capacity['learning_rate']:.3g}", stopping]


def deployed_holdout_text(metrics: dict[str, Any]) -> str:
    """The deployed model's own held-out figures, when it never saw those clients (data held
    apart to calibrate it): the comparison above is of the search's smaller fits."""
    holdout = metrics.get("holdout") or {}
    if holdout.get("measured_on") != "deployed model":
        return ""
    return (f" The deployed model on the same clients: AUC {holdout['auc']:.4f}, cost "
            f"{holdout['cost']} ({holdout['cost_per_1000']:.0f} per 1,000) at its threshold "
            f"{metrics['threshold']:.4f}.")


def loan_response_cell(response: dict[str, Any] | None) -> str:
    """Shares of the sampled tuning clients whose probability a larger loan raises / lowers."""
    if not response:
        return "—"
    return f"{100 * response['higher']:.1f} % / {100 * response['lower']:.1f} %"


# What a kind's name alone does not say, in comparison.md.
KIND_NOTES = {"monotone": " (signs bounded)",
              "scorecard": " (optbinning, directions by construction)",
              "blend": " (LightGBM + logistic regression with bounded signs, log-odds averaged)"}


def comparison_table(metrics: dict[str, Any]) -> str:
    """Markdown table, one row per candidate, the chosen one in bold."""
    lines = ["| " + " | ".join(COMPARISON_COLUMNS) + " |",
             "|" + "---|" * len(COMPARISON_COLUMNS)]
    for name, result in metrics["candidates"].items():
        cv, holdout = result["cv"], result["holdout"]
        kind = result["kind"] + KIND_NOTES.get("monotone" if name.endswith("_monotone")
                                               else result["kind"], "")
        label = f"**{kind}**" if name == metrics["chosen"] else kind
        cells = [label, result["imbalance"], _params_text(result["best_params"]),
                 f"{cv['auc']:.4f}", f"{cv['recall']:.3f}", f"{cv['precision']:.3f}",
                 f"{cv['f2']:.3f}", f"{cv['brier_raw']:.4f} → {cv['brier']:.4f}",
                 f"{cv['cost_per_1000']:.0f}", f"{holdout['auc']:.4f}",
                 f"{holdout['cost_per_1000']:.0f}", *capacity_cells(result.get("capacity")),
                 loan_response_cell(result.get("loan_response")), f"{result['fit_seconds']:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    chosen = metrics["candidates"][metrics["chosen"]]
    final = metrics["final"]
    notes = [
        "",
        f"Chosen: **{metrics['chosen']}** (lowest cross-validated business cost per 1,000 among "
        "the eligible candidates, on cross-fitted calibrated scores). "
        f"Cost = {metrics['cost_weights']['fn']}·FN + {metrics['cost_weights']['fp']}·FP, "
        "each candidate at its own cost-optimal threshold on out-of-fold predictions.",
        f"Held-out split ({metrics['n_clients']['holdout']} clients, never used for tuning): "
        f"the chosen configuration fitted on its {chosen.get('n_tuning', '?')} tuning clients, "
        f"cost {chosen['holdout']['cost']} ({chosen['holdout']['cost_per_1000']:.0f} per 1,000) "
        f"at threshold {chosen['cv']['threshold']:.4f}." + deployed_holdout_text(metrics),
        (f"Final model fitted on {final['fit_rows']} tuning clients, "
         f"{final['calibration_rows']} more held apart to calibrate it, the held-out split "
         "never seen; "
         if final.get("calibration_source") == "held apart" else
         f"Final model refit on all {metrics['n_clients']['all']} training clients; ")
        + f"calibration {final['calibration']['method']} "
        f"(cross-validated Brier {final['calibration']['brier']['raw']:.4f} raw → "
        f"{final['calibration']['brier'][final['calibration']['method']]:.4f}); "
        f"threshold {final['threshold']:.4f} on the calibrated probability"
        + (" (both from the final model's scores of the clients held apart)."
           if final.get("calibration_source") == "held apart" else "."),
    ]
    tuning = {name: r["n_tuning"] for name, r in metrics["candidates"].items() if "n_tuning" in r}
    smaller = {name: n for name, n in tuning.items() if n < metrics["n_clients"]["tuning"]}
    if smaller:
        notes.append(f"Tuned on a stratified subset of the {metrics['n_clients']['tuning']} "
                     "tuning clients (same folds): " + ", ".join(
                         f"{name} on {n}" for name, n in smaller.items()) + ".")
    gate = metrics.get("protocol", {}).get("loan_gate")
    if gate and gate != "applied":
        notes.append(f"The loan's rule (a doubled loan raises the probability of at least 80 % "
                     f"of 500 tuning clients, lowers none): {gate}.")
    ineligible = {name: r["ineligible_reason"] for name, r in metrics["candidates"].items()
                  if r.get("ineligible_reason")}
    if ineligible:
        notes.append("Compared but not eligible for selection: " + "; ".join(
            f"{name} ({reason})" for name, reason in ineligible.items()) + ".")
    return "\n".join(lines + notes + constraints_text(metrics.get("constraints"))
                     + segments_table(metrics.get("segments"))
                     + age_band_table(metrics.get("segments"))
                     + age_band_table(metrics.get("segments"), "by_age_band_out_of_fold")
                     + points_table(metrics["candidates"])) + "\n"


def points_table(candidates: dict[str, Any]) -> list[str]:
    """The scorecard's points per bin of each characteristic (fitted on the tuning
    rows): a reason can be read as the points a bin takes away."""
    scorecard = next((r for r in candidates.values() if r.get("points")), None)
    if scorecard is None:
        return []
    points = pd.DataFrame(scorecard["points"])
    spread = points.groupby("feature", sort=False)["points"].agg(lambda p: p.max() - p.min())
    lines = ["", "## Scorecard: points per bin", "",
             f"{len(spread)} characteristics with points (bins with a monotone default rate, "
             "the direction table's trend for a directed feature, coefficients of the sign "
             "that keeps it: the directions hold by construction). 600 points at odds of 50 "
             "to 1, 20 points to double them; more points = safer. Characteristics by spread "
             "of points, largest first.", "", "| characteristic | bin | points |",
             "|---|---|---|"]
    for feature in spread.sort_values(ascending=False, kind="stable").index:
        for row in points[points["feature"] == feature].itertuples():
            lines.append(f"| {feature} | {row.bin} | {row.points:.1f} |")
    return lines


def constraints_text(constraints: dict[str, Any] | None) -> list[str]:
    """Lines on the AUC cost of the monotone constraints (same folds, same configuration)."""
    if not constraints:
        return []
    return ["", "## Monotone constraints", "",
            f"{constraints['n_constrained']} features constrained "
            f"({constraints['candidate']}, method {constraints['method']}). Same configuration "
            "and folds without the constraints: cross-validated AUC "
            f"{constraints['cv_auc_unconstrained']:.4f} unconstrained vs "
            f"{constraints['cv_auc_constrained']:.4f} constrained (cost "
            f"{constraints['cv_auc_cost']:+.4f}); held-out AUC "
            f"{constraints['holdout_auc_unconstrained']:.4f} vs "
            f"{constraints['holdout_auc_constrained']:.4f} (cost "
            f"{constraints['holdout_auc_cost']:+.4f}). A negative cost: the constrained "
            "model ranks better."]


SEGMENT_ROWS = (("with_history", "with history (as they are)"),
                ("no_history", "without history (history rows removed), deployed model"),
                ("application_only", "without history, application-only LightGBM"),
                ("main_model_no_history", "without history, main model (not routed)"))


def segments_table(segments: dict[str, Any] | None) -> list[str]:
    """Markdown table of the held-out figures by segment."""
    if not segments:
        return []
    lines = ["", "## Clients with and without credit history (held-out split)", "",
             f"Method: {segments['method']}; threshold {segments['threshold']:.4f}.", "",
             "| segment | clients | defaults | AUC | cost / 1,000 | mean predicted | "
             "observed rate | calibration gap |", "|---|---|---|---|---|---|---|---|"]
    for key, label in SEGMENT_ROWS:
        row = segments.get(key)
        if not row or not row.get("n_clients"):
            continue
        lines.append(f"| {label} | {row['n_clients']} | {row['defaults']} | {row['auc']:.4f} | "
                     f"{row['cost_per_1000']:.0f} | {row['mean_predicted']:.4f} | "
                     f"{row['observed_rate']:.4f} | {100 * row['calibration_gap']:+.1f} % |")
    return lines


# Where each calibration-by-age-band table of a build comes from (metrics.json key, words).
AGE_BAND_SOURCES = {
    "by_age_band": "held-out split",
    "by_age_band_out_of_fold": "calibration clients, out-of-fold scores calibrated on the "
                               "other folds",
    "held_apart": "clients held apart from the final fit, scored by the deployed model, "
                  "calibrated on the other folds"}


def age_band_table(segments: dict[str, Any] | None, key: str = "by_age_band") -> list[str]:
    """Markdown table of calibration by segment and age band (`key`: on the held-out split,
    or on every calibration client's out-of-fold score), with the observed rate's 95 %
    interval: a band of 200 clients holds 6 to 20 defaults, and its observed rate moves by
    half its value by chance."""
    bands = (segments or {}).get(key)
    if not bands:
        return []
    source = AGE_BAND_SOURCES[key]
    if key == "by_age_band_out_of_fold" and segments.get("measured_on") == "deployed model":
        source = AGE_BAND_SOURCES["held_apart"]
    lines = ["", f"## Calibration by segment and age band ({source})", "",
             "Bands of fewer than 100 clients are shown, not judged. \"within 10 %\": mean "
             "predicted within 10 % of the observed rate; \"in interval\": within the observed "
             "rate's 95 % (Wilson) interval.", "",
             "| segment | age band | clients | defaults | mean predicted | observed rate "
             "(95 % interval) | gap | within 10 % | in interval |",
             "|---|---|---|---|---|---|---|---|---|"]
    for segment, label in (("with_history", "with history"), ("no_history", "without history")):
        for band, row in bands.get(segment, {}).items():
            if not row.get("n_clients"):
                continue
            low, high = row["observed_ci"]
            inside = low <= row["mean_predicted"] <= high
            judged = row.get("judged", True)
            lines.append(
                f"| {label} | {band} | {row['n_clients']} | {row['defaults']} | "
                f"{row['mean_predicted']:.4f} | {row['observed_rate']:.4f} ({low:.4f}–{high:.4f}) "
                f"| {100 * row['calibration_gap']:+.0f} % | "
                f"{('yes' if row['calibrated_within_tolerance'] else 'no') if judged else '—'} | "
                f"{'yes' if inside else 'no'} |")
    return lines


def write_reports(out_dir: Path, metrics: dict[str, Any], curve: pd.DataFrame) -> list[Path]:
    """Write the three report files into `out_dir`; returns their paths."""
    out_dir = Path(out_dir)
    paths = [out_dir / "metrics.json", out_dir / "comparison.md", out_dir / "cost_curve.csv"]
    paths[0].write_text(json.dumps(_json_safe(metrics), indent=2, allow_nan=False),
                        encoding="utf-8")
    paths[1].write_text(comparison_table(metrics), encoding="utf-8")
    curve.to_csv(paths[2], index=False, float_format="%.6g")
    return paths
