"""How much default signal the synthetic data carries: model AUC vs best single feature.

    python -m model.synth.check_signal DATA_DIR [--max-clients N]

Builds simple per-client aggregates of every table (means, maxima, counts, late
and refused shares), then reports the 3-fold cross-validated AUC of LightGBM on
all of them and the best AUC of any single feature (oriented either way). The
generator is tuned so that the first is near 0.78 and the second well below 0.70.
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from model.data.loader import load_tables

log = logging.getLogger(__name__)


def _numeric_aggregates(frame: pd.DataFrame, prefix: str, key: str = "SK_ID_CURR") -> pd.DataFrame:
    numeric = frame.select_dtypes("number").drop(columns=[c for c in frame if c.startswith("SK_ID")])
    numeric[key] = frame[key]
    grouped = numeric.groupby(key).agg(["mean", "max"])
    grouped.columns = [f"{prefix}_{a}_{b}" for a, b in grouped.columns]
    grouped[f"{prefix}_count"] = frame.groupby(key).size()
    return grouped


def client_features(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per training client: application columns plus history aggregates."""
    app = tables["application_train"].set_index("SK_ID_CURR")
    app["CREDIT_INCOME"] = app.AMT_CREDIT / app.AMT_INCOME_TOTAL
    app["ANNUITY_CREDIT"] = app.AMT_ANNUITY / app.AMT_CREDIT
    parts = [app]
    bureau = tables["bureau"].copy()
    bureau["ACTIVE"] = (bureau.CREDIT_ACTIVE == "Active").astype(float)
    balance = tables["bureau_balance"]
    late_months = balance.assign(LATE=balance.STATUS.isin(list("12345")).astype(float)) \
        .groupby("SK_ID_BUREAU").LATE.mean()
    bureau["LATE_MONTHS"] = bureau.SK_ID_BUREAU.map(late_months)
    parts.append(_numeric_aggregates(bureau, "BUREAU"))
    prev = tables["previous_application"].copy()
    prev["REFUSED"] = (prev.NAME_CONTRACT_STATUS == "Refused").astype(float)
    parts.append(_numeric_aggregates(prev, "PREV"))
    inst = tables["installments_payments"].copy()
    inst["DELAY"] = inst.DAYS_ENTRY_PAYMENT - inst.DAYS_INSTALMENT
    inst["LATE"] = (inst.DELAY > 0).astype(float)
    inst["SHORT"] = inst.AMT_INSTALMENT - inst.AMT_PAYMENT
    parts.append(_numeric_aggregates(inst, "INST"))
    parts.append(_numeric_aggregates(tables["POS_CASH_balance"], "POS"))
    card = tables["credit_card_balance"].copy()
    card["USE"] = card.AMT_BALANCE / card.AMT_CREDIT_LIMIT_ACTUAL.replace(0, np.nan)
    parts.append(_numeric_aggregates(card, "CARD"))
    return pd.concat(parts, axis=1, join="outer").loc[app.index]


def signal_report(data_dir: Path, max_clients: int | None = None, seed: int = 0) -> dict[str, float]:
    """Cross-validated LightGBM AUC, the best single-feature AUC and the default rate."""
    import lightgbm as lgb
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import cross_val_predict, StratifiedKFold

    features = client_features(load_tables(data_dir))
    if max_clients and len(features) > max_clients:
        features = features.sample(max_clients, random_state=seed)
    y = features.pop("TARGET").astype(int).to_numpy()
    model = lgb.LGBMClassifier(n_estimators=250, learning_rate=0.05, num_leaves=31,
                               min_child_samples=50, subsample=0.8, subsample_freq=1,
                               colsample_bytree=0.5, verbose=-1, random_state=seed)
    folds = StratifiedKFold(3, shuffle=True, random_state=seed)
    predicted = cross_val_predict(model, features, y, cv=folds, method="predict_proba")[:, 1]
    singles = {}
    for column in features.columns:
        values = features[column]
        values = values.cat.codes if isinstance(values.dtype, pd.CategoricalDtype) else values
        values = values.astype(float).fillna(values.astype(float).median())
        if values.nunique() > 1:
            auc = roc_auc_score(y, values)
            singles[column] = max(auc, 1 - auc)
    best = max(singles, key=singles.get)
    top = sorted(singles.items(), key=lambda kv: -kv[1])[:8]
    log.info("top single features: %s", ", ".join(f"{k} {v:.3f}" for k, v in top))
    return {"clients": len(y), "default_rate": float(y.mean()), "model_auc": float(roc_auc_score(y, predicted)),
            "best_single_auc": singles[best], "best_single_feature": best}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path)
    parser.add_argument("--max-clients", type=int, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    for key, value in signal_report(args.data, args.max_clients).items():
        log.info("%s: %s", key, f"{value:.4f}" if isinstance(value, float) else value)


if __name__ == "__main__":
    main()
