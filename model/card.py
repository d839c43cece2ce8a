"""`python -m model card`: the model card (Markdown) written from an artifact set.

The technical documentation a reviewer asks for first (EU AI Act Annex IV, credit
scoring being a high-risk use under Annex III 5(b)). Every number comes from the
set's files (`manifest.json`, `metrics.json`, `policy.json`, `fairness.json`,
`feature_names.json`, `applications.parquet`), so regenerating the card after a
rebuild is the only way to update it: nothing here is typed by hand but the
intended use and the reasoning behind the excluded attributes.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from model import config
from model.fairness_text import group_name, group_sentence, proxy_sentence
from model.training.names import candidate_in_words
from model.fairness import protected_features
from model.scoring.policy import POLICY_FILE, fired_mask, read_policy
from model.wording import number, percent

log = logging.getLogger(__name__)

# Keys under which a build records its monotone constraints and its segment metrics.
CONSTRAINT_KEYS = ("monotone_constraints", "constraints")
SEGMENT_KEYS = ("segments",)


def _read_json(folder: Path, name: str) -> Any:
    path = folder / name
    return json.loads(path.read_text()) if path.is_file() else None


def _pct(value: float | None, decimals: int = 1) -> str:
    return percent(value, "en", decimals)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows], ""]


def version_section(manifest: dict, metrics: dict, fairness: dict | None) -> list[str]:
    model_sha = manifest.get("files", {}).get("model.joblib", "")[:12]
    lines = ["## Version", "",
             f"- Build: `{model_sha or 'unknown'}` (first digits of the sha256 of `model.joblib`), "
             f"created {manifest.get('created_at', 'unknown')}",
             f"- Mode: {'quick (small search, demo and tests)' if manifest.get('quick') else 'full'}",
             "- Libraries: " + ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items())
             + (f", fairlearn {fairness['fairlearn_version']}" if fairness and
                fairness.get("fairlearn_version") else ""),
             "- Data files (sha256, first digits): " + ", ".join(
                 f"`{name}` {info['sha256'][:10]}" for name, info in manifest.get("data", {}).items()),
             ""]
    if metrics.get("mlflow", {}).get("run_id"):
        lines.insert(-1, f"- MLflow run: `{metrics['mlflow']['run_id']}`")
    return lines


def use_section() -> list[str]:
    return ["## Intended use and users", "",
            "- **Use:** estimate the probability that an applicant for consumer credit at "
            "Prêt à dépenser defaults, and support the grant / refuse decision with the reasons "
            "behind it. Credit scoring of natural persons is a high-risk use under the EU AI Act "
            "(Annex III 5(b)); the applicant has a right to an explanation (Consumer Credit "
            "Directive 2023/2225).",
            "- **Users:** client advisors (client file, why this score, what-if, new applicant), "
            "risk managers (this card, the fairness report, drift), other systems through the JSON API.",
            "- **Not for:** an automatic decision without an advisor, applicants outside the "
            "population of the training data (other countries, business loans), or any use of the "
            "probability as a price.",
            "- **Decision:** refused when the calibrated probability reaches the threshold; the "
            "lending rules below apply after the model and decide whatever the probability.", ""]


def data_section(metrics: dict, manifest: dict, applications: pd.DataFrame | None) -> list[str]:
    n = metrics.get("n_clients", {})
    lines = ["## Data", "",
             f"- Source: Home Credit Default Risk files in Kaggle's format, read from "
             f"`{Path(str(manifest.get('data_dir', '?'))).name}` ({len(manifest.get('data', {}))} files).",
             f"- Training clients: {number(n.get('all'), 'en', 0)} (default rate "
             f"{_pct(metrics.get('default_rate'))}); {number(n.get('holdout'), 'en', 0)} of them "
             f"held out (stratified, {_pct(metrics.get('protocol', {}).get('holdout_fraction'), 0)}) "
             "and never used for tuning; the held-out figures below are measured on them.",
             f"- Features: {metrics.get('n_features', '?')} built by the fitted feature builder from "
             "the application row and the credit history tables (bureau, previous applications, "
             "instalments, card and POS balances); a new applicant has no history rows."]
    if applications is not None:
        lines.append(f"- Application rows in the set (train and test): "
                     f"{number(len(applications), 'en', 0)}.")
    return lines + [""]


def excluded_section(feature_names: list[str]) -> list[str]:
    lines = ["## Excluded attributes", "",
             "| attribute | model features derived from it in this set |", "|---|---|"]
    for attribute in config.PROTECTED_ATTRIBUTES:
        derived = [f for f in protected_features(feature_names) if f.startswith(attribute)]
        lines.append(f"| `{attribute}` | {len(derived)}" +
                     (f" (**still a model input**: {', '.join(derived[:5])})" if derived else "") + " |")
    lines += ["",
              "Gender is a protected attribute: the model must not use it, nor show it as a reason. "
              "It stays in the client table and is used only for the fairness report below. "
              "Age is kept: it is a legitimate credit factor (the length of a working life left "
              "to repay, the legal age to contract) that lenders may use when it is actuarially "
              "justified, and it is monitored by age band in the fairness report.", ""]
    return lines


def constraints_section(metrics: dict) -> list[str]:
    """What the build measured (how many features, the AUC cost on the same folds) and the
    configured directions with their reasons (`model.config.MONOTONE_CONSTRAINTS`)."""
    lines = ["## Monotone constraints", ""]
    found = next((metrics[k] for k in CONSTRAINT_KEYS if metrics.get(k)), None)
    if not found:
        return lines + ["No monotone constraints are recorded in this artifact set.", ""]
    if isinstance(found, dict) and "n_constrained" in found:
        lines += [f"{found['n_constrained']} features are constrained (LightGBM `monotone_constraints`, "
                  f"method `{found.get('method')}`). On the same folds, constrained against "
                  f"unconstrained {found.get('candidate')}: cross-validated AUC "
                  f"{found['cv_auc_constrained']:.4f} vs {found['cv_auc_unconstrained']:.4f} "
                  f"(cost {found['cv_auc_unconstrained'] - found['cv_auc_constrained']:+.4f}), held-out AUC "
                  f"{found['holdout_auc_constrained']:.4f} vs {found['holdout_auc_unconstrained']:.4f} "
                  f"(cost {found['holdout_auc_unconstrained'] - found['holdout_auc_constrained']:+.4f}; "
                  "a negative cost means the constrained model ranks better).", ""]
    rows = [[f"`{table}.{column}`", "higher never lowers the risk" if direction > 0
             else "higher never raises the risk", reason]
            for (table, column), (direction, reason) in config.MONOTONE_CONSTRAINTS.items()]
    rows += [[f"`{name}`", "left out of the model", reason]
             for name, reason in config.NO_DIRECTION_FEATURES.items()]
    return lines + _table(["column (and every statistic of it)", "direction", "why"], rows)


def policy_section(rules: tuple, applications: pd.DataFrame | None,
                   train_ids: pd.Index | None) -> list[str]:
    lines = ["## Lending policy rules", "",
             "Applied after the model, from the set's `policy.json`: a rule that fires makes the "
             "outcome `refused` (or `review`: an advisor decides) whatever the probability, and the "
             "screens and the API name it apart from the model's reasons.", ""]
    if not rules:
        return lines + ["No policy rules in this artifact set.", ""]
    shares: dict[str, float] = {}
    if applications is not None and train_ids is not None:
        train = applications.loc[applications.index.intersection(train_ids)]
        shares = fired_mask(train, rules).mean().to_dict()
    rows = [[f"`{r.id}`", r.describe("en"), r.outcome, number(r.threshold, "en", 2),
             _pct(shares.get(r.id)) if r.id in shares else "—"] for r in rules]
    return lines + _table(["id", "rule", "outcome", "threshold", "training clients it fires on"],
                          rows)


def _chosen_in_words(metrics: dict) -> str:
    """"LightGBM (boosted decision trees), weighted classes (`lightgbm_balanced`)": the
    manager's words, with the id the comparison table and the logs use."""
    chosen = metrics.get("chosen")
    entry = metrics.get("candidates", {}).get(chosen) if isinstance(metrics.get("candidates"), dict) else None
    if not chosen or not isinstance(entry, dict) or not entry.get("kind"):
        return f"`{chosen or '?'}`"
    return f"{candidate_in_words(chosen, entry['kind'], entry.get('imbalance'), 'en')} (`{chosen}`)"


def _holdout_name(hold: dict) -> str:
    if hold.get("measured_on") == "deployed model":
        return "held-out (the deployed model, which never saw them)"
    return "held-out (model fitted without them)"


def _oof_name(final: dict) -> str:
    if final.get("calibration_source") == "held apart":
        return "clients held apart from the final fit, scored by the deployed model"
    return "out-of-fold, all training clients"


def performance_section(metrics: dict, comparison_md: str) -> list[str]:
    hold, final = metrics.get("holdout", {}), metrics.get("final", {})
    lines = ["## Performance", "",
             f"Chosen model: **{_chosen_in_words(metrics)}** (lowest cross-validated business "
             f"cost, a missed default costing {metrics.get('cost_weights', {}).get('fn', '?')} times "
             f"a good client refused). Decision threshold {number(metrics.get('threshold'), 'en', 4)}.",
             ""]
    rows = [[name, number(part.get("auc"), "en", 3), _pct(part.get("recall")),
             _pct(part.get("precision")), number(part.get("f2"), "en", 3),
             number(part.get("brier"), "en", 4), number(part.get("cost_per_1000"), "en", 0),
             number(part.get("n_clients"), "en", 0)]
            for name, part in ((_holdout_name(hold), hold), (_oof_name(final), final.get("oof", {})))]
    lines += _table(["measured on", "AUC", "recall", "precision", "F2", "Brier", "cost / 1,000",
                     "clients"], rows)
    segments = next((metrics[k] for k in SEGMENT_KEYS if metrics.get(k)), None)
    lines += ["### By segment", ""]
    if isinstance(segments, dict):
        rows = [[name, *[_cell(values.get(k)) for k in ("n_clients", "auc", "cost_per_1000",
                                                          "mean_predicted", "observed_rate")]]
                for name, values in segments.items()
                if isinstance(values, dict) and "n_clients" in values]
        lines += _table(["segment", "clients", "AUC", "cost / 1,000", "mean predicted",
                         "observed default rate"], rows)
    else:
        lines += ["No segment metrics (with / without credit history) in this artifact set.", ""]
    if comparison_md.strip():
        lines += ["### Candidates compared", "", comparison_md.strip(), ""]
    return lines


def _cell(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(float(value), "en", 0 if float(value).is_integer() and value > 1 else 3)
    return "—" if value is None else str(value)


def calibration_section(metrics: dict, fairness: dict | None) -> list[str]:
    calibration = metrics.get("final", {}).get("calibration", {})
    briers = calibration.get("brier", {})
    lines = ["## Calibration", "",
             f"- Method: {calibration.get('method', '?')}, chosen on cross-fitted Brier scores "
             f"(raw {number(briers.get('raw'), 'en', 4)}; "
             + "; ".join(f"{k} {number(v, 'en', 4)}" for k, v in briers.items() if k != "raw") + ")."]
    if fairness:
        overall = fairness["attributes"]["gender"]["overall"]
        lines.append(f"- Held-out clients: mean predicted probability "
                     f"{_pct(overall['mean_predicted'])} against an observed default rate of "
                     f"{_pct(overall['default_rate'])} (95% interval "
                     f"{_pct(overall['default_rate_ci'][0])}–{_pct(overall['default_rate_ci'][1])}); "
                     "by group in the fairness tables.")
    return lines + [""]


def _fairness_source(metrics: dict) -> str:
    """Which model's held-out probabilities the fairness report rests on."""
    if (metrics.get("holdout") or {}).get("measured_on") == "deployed model":
        return ("The held-out probabilities are the deployed model's own (it was fitted without "
                "these clients), as in the held-out row above.")
    return ("The held-out probabilities come from the chosen configuration fitted on the tuning "
            "clients, so overall rates differ slightly from the held-out column above (measured "
            "at that fit's own threshold).")


def fairness_section(fairness: dict | None, metrics: dict | None = None) -> list[str]:
    lines = ["## Fairness", ""]
    if not fairness:
        return lines + ["No fairness report (`fairness.json`) in this artifact set.", ""]
    limit = fairness["disparate_impact_limit"]
    boot = fairness["bootstrap"]
    lines += [f"Held-out clients ({fairness['n_clients']}), decisions at the deployed threshold "
              f"{number(fairness['threshold'], 'en', 4)}; 95% bootstrap intervals ({boot['n_boot']} "
              f"resamples, seed {boot['seed']}); approval ratio = a group's approval rate over the "
              f"most approved group's with at least {fairness['min_group']} clients, flagged below "
              f"{limit}. " + _fairness_source(metrics or {}), ""]
    for key, attribute in fairness["attributes"].items():
        lines += [f"### By {'gender' if key == 'gender' else 'age band'} (`{attribute['column']}`)", ""]
        rows = [[group_name(g["group"], "en"), g["count"], _pct(g["default_rate"]),
                 _pct(g["mean_predicted"]), _pct(g["refusal_rate"]), _pct(g["false_refusal_rate"]),
                 _pct(g["recall"]), number(g.get("disparate_impact"), "en", 2) +
                 (" **flagged**" if g.get("flag") else ""), _pct(g.get("policy_rule_rate"))]
                for g in attribute["groups"]]
        lines += _table(["group", "clients", "observed default", "predicted", "refused by the model",
                         "good clients refused", "defaults caught", "approval ratio",
                         "a lending rule fires"], rows)
        lines += [f"- {group_sentence(g, 'en', limit)}" for g in attribute["groups"]] + [""]
    lines += ["### Proxies of gender", "",
              f"Association of other inputs with gender on the training clients (Cramér's V; "
              f"strong from {fairness['proxy_limit']}).", ""]
    rows = []
    for proxy in fairness.get("proxies", []):
        extreme = [c for c in proxy["categories"] if c["count"] >= 10]
        most = max(extreme, key=lambda c: c["share_women"], default=None)
        rows.append([f"`{proxy['column']}`", number(proxy["cramers_v"], "en", 2),
                     "yes" if proxy["used_by_model"] else "no",
                     f"{most['value']} ({_pct(most['share_women'], 0)} women)" if most else "—",
                     proxy["decision"]])
    lines += _table(["input", "Cramér's V", "model input", "most female category (≥ 10 clients)",
                     "decision"], rows)
    lines += [f"- {proxy_sentence(p, 'en')}" for p in fairness.get("proxies", [])] + [""]
    return lines


def limits_section(metrics: dict, fairness: dict | None) -> list[str]:
    n = metrics.get("n_clients", {})
    overall = (fairness or {}).get("attributes", {}).get("gender", {}).get("overall", {})
    defaults = (f" ({number(overall['count'] * overall['default_rate'], 'en', 0)} defaults)"
                if overall.get("default_rate") is not None else "")
    lines = ["## Limits", "",
             f"- Figures rest on {number(n.get('holdout'), 'en', 0)} held-out clients{defaults}: "
             "an AUC measured on so few defaults is known to a few hundredths; compare models on "
             "the same folds, not on single numbers.",
             "- A new applicant has no credit history rows; the model's quality for them is only "
             "as good as the segment figures above say.",
             "- The probability is calibrated on the training population; a drift of the "
             "applicants (see the drift report) calls for recalibration.",
             "- Lending rules read the declared income, credit and annuity: they are only as good "
             "as those declarations."]
    if fairness:
        small = [group_name(g["group"], "en") for a in fairness["attributes"].values()
                 for g in a["groups"] if not g.get("enough_clients")]
        flagged = [group_name(g["group"], "en") for a in fairness["attributes"].values()
                   for g in a["groups"] if g.get("flag")]
        if small:
            lines.append(f"- Too few held-out clients to conclude for: {', '.join(small)}.")
        if flagged:
            lines.append(f"- Approval ratio below {fairness['disparate_impact_limit']} for: "
                         f"{', '.join(flagged)}: to be examined by the risk committee before use.")
    return lines + [""]


def model_card(folder: Path | str) -> str:
    """The whole card as Markdown, from the artifact set in `folder`."""
    folder = Path(folder)
    manifest, metrics = _read_json(folder, "manifest.json"), _read_json(folder, "metrics.json")
    if manifest is None or metrics is None:
        raise FileNotFoundError(f"{folder}: no manifest.json / metrics.json; build the artifacts "
                                "with `python -m model build`")
    fairness = _read_json(folder, "fairness.json")
    feature_names = _read_json(folder, "feature_names.json") or []
    rules = read_policy(folder / POLICY_FILE) if (folder / POLICY_FILE).is_file() else ()
    applications, train_ids = None, None
    if (folder / "applications.parquet").is_file() and (folder / "clients.parquet").is_file():
        applications = pd.read_parquet(folder / "applications.parquet").set_index("SK_ID_CURR")
        clients = pd.read_parquet(folder / "clients.parquet", columns=["set"])
        train_ids = clients.index[clients["set"] == "train"]
    comparison = (folder / "comparison.md").read_text() if (folder / "comparison.md").is_file() else ""
    sections = [
        ["# Model card — Prêt à dépenser credit scoring", "",
         f"Generated by `python -m model card` from the artifact set built "
         f"{manifest.get('created_at', '?')}. Do not edit by hand: rebuild and regenerate.", ""],
        use_section(), data_section(metrics, manifest, applications), excluded_section(feature_names),
        constraints_section(metrics), policy_section(rules, applications, train_ids),
        performance_section(metrics, comparison), calibration_section(metrics, fairness),
        fairness_section(fairness, metrics), limits_section(metrics, fairness), version_section(manifest, metrics, fairness),
    ]
    return "\n".join(line for section in sections for line in section).rstrip() + "\n"


def write_model_card(folder: Path | str, out: Path | str) -> Path:
    """Write the card to `out` (temporary file, then rename)."""
    out = Path(out)
    text = model_card(folder)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    log.info("model card written to %s", out)
    return out
