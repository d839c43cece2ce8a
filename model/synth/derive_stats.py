"""Derive the per-column statistics the generator samples from, once, from the real sample.

The generator must run without any download, so the marginals it imitates are
frozen in `stats.json` beside this file. Rerun this script only to refresh them:

    python -m model.synth.derive_stats --sample ../shared/data/homecredit-sample

For each table (optionally split by a grouping column, e.g. previous
applications by contract status and type, so that cancelled applications keep
`AMT_CREDIT = 0` and no due dates) and each column it stores the missing rate
and either the value frequencies (text and columns with few distinct values)
or a grid of quantiles (continuous columns).
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from model import config
from model.data.schema import SCHEMAS

log = logging.getLogger(__name__)

STATS_FILE = Path(__file__).with_name("stats.json")
# Probabilities of the stored quantile grid: finer in the tails, where amounts spread.
QUANTILE_GRID = [0, 0.002, 0.01, 0.025, 0.05, 0.075] + [round(0.1 + 0.05 * i, 3) for i in range(17)] \
    + [0.925, 0.95, 0.975, 0.99, 0.998, 1]
MAX_DISCRETE = 60  # columns with at most this many distinct values keep their frequencies
MIN_GROUP_ROWS = 60  # smaller groups fall back to the whole-table statistics
GROUP_BY = {
    "application_train": ["NAME_INCOME_TYPE"],
    "application_test": ["NAME_INCOME_TYPE"],
    "previous_application": ["NAME_CONTRACT_STATUS", "NAME_CONTRACT_TYPE"],
    "bureau": ["CREDIT_ACTIVE"],
}
# Categorical columns whose default rate per value becomes a planted logit offset.
EFFECT_COLUMNS = ["CODE_GENDER", "NAME_EDUCATION_TYPE", "NAME_INCOME_TYPE", "OCCUPATION_TYPE",
                  "REGION_RATING_CLIENT_W_CITY", "NAME_FAMILY_STATUS", "FLAG_OWN_CAR",
                  "NAME_CONTRACT_TYPE"]
EFFECT_SHRINK = 150  # pseudo-count pulling small categories towards the overall rate
# Kaggle's full application_train has 4 clients out of 307,511 with CODE_GENDER = 'XNA';
# a 5,000-client slice usually has none, so the rare third value is added here.
RARE_GENDER_SHARE = 4 / 307_511


def _number(value: float) -> float | int:
    value = float(value)
    return int(value) if value.is_integer() else float(f"{value:.6g}")


def column_spec(series: pd.Series) -> dict:
    """Missing rate plus frequencies (few distinct values) or quantiles of one column."""
    present = series.dropna()
    spec: dict = {"na": round(float(series.isna().mean()), 5)}
    if present.empty:  # always missing in this group: any placeholder value will do
        spec.update(values=["XNA"] if series.dtype.kind not in "iuf" else [0], p=[1.0])
        return spec
    numeric = pd.api.types.is_numeric_dtype(present)
    counts = present.value_counts()
    if not numeric or len(counts) <= MAX_DISCRETE:
        counts = counts.head(MAX_DISCRETE)
        spec["values"] = [str(v) if not numeric else _number(v) for v in counts.index]
        spec["p"] = [round(float(c), 6) for c in counts / counts.sum()]
        return spec
    values = present.astype(float)
    spec["q"] = [_number(v) for v in np.quantile(values, QUANTILE_GRID)]
    if (values == values.round()).all():
        spec["round"] = True
    return spec


def table_specs(frame: pd.DataFrame, extra: dict[str, pd.Series] | None = None) -> dict:
    specs = {column: column_spec(frame[column]) for column in frame.columns}
    for name, series in (extra or {}).items():
        specs[name] = column_spec(series)
    return specs


def _ratio(a: pd.Series, b: pd.Series) -> pd.Series:
    ratio = a / b.where(b > 0)
    return ratio.replace([np.inf, -np.inf], np.nan).dropna()


def derived_columns(name: str, frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Pseudo-columns (ratios, positive parts) the generator needs to keep rows coherent."""
    if name.startswith("application"):
        return {
            "CREDIT_GOODS_RATIO": _ratio(frame.AMT_CREDIT, frame.AMT_GOODS_PRICE),
        }
    if name == "bureau":
        return {f"{c}>0": frame.loc[frame[c] > 0, c]
                for c in ("CREDIT_DAY_OVERDUE", "AMT_CREDIT_SUM_OVERDUE", "AMT_CREDIT_MAX_OVERDUE")}
    if name in ("POS_CASH_balance", "credit_card_balance"):
        return {f"{c}>0": frame.loc[frame[c] > 0, c] for c in ("SK_DPD", "SK_DPD_DEF")}
    if name == "installments_payments":
        delay = frame.DAYS_ENTRY_PAYMENT - frame.DAYS_INSTALMENT
        paid = frame.AMT_PAYMENT / frame.AMT_INSTALMENT.where(frame.AMT_INSTALMENT > 0)
        return {"LATE_DAYS": delay[delay > 0], "EARLY_DAYS": -delay[delay <= 0],
                "PAID_SHARE<1": paid[paid < 0.999]}
    return {}


def default_effects(train: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Shrunk logit offset of the default rate per category (the planted categorical signal)."""
    overall = train.TARGET.mean()
    effects = {}
    for column in EFFECT_COLUMNS:
        grouped = train.groupby(train[column].astype(str), observed=True).TARGET.agg(["sum", "count"])
        rate = (grouped["sum"] + EFFECT_SHRINK * overall) / (grouped["count"] + EFFECT_SHRINK)
        logit = np.log(rate / (1 - rate)) - np.log(overall / (1 - overall))
        effects[column] = {str(k): round(float(v), 4) for k, v in logit.items()}
    return effects


def _add_rare_gender(spec: dict) -> None:
    if "XNA" not in spec["values"]:
        spec["p"] = [round(p * (1 - RARE_GENDER_SHARE), 8) for p in spec["p"]] + [RARE_GENDER_SHARE]
        spec["values"].append("XNA")


def derive(sample_dir: Path) -> dict:
    """Statistics of every table of the sample, keyed by table then group then column."""
    stats: dict = {"source": "real Home Credit sample (5,000 train + 5,000 test clients)",
                   "quantile_grid": QUANTILE_GRID}
    tables = {}
    for name, schema in SCHEMAS.items():
        path = next(Path(sample_dir).glob(f"{name}.*"))
        frame = pd.read_csv(path, low_memory=False)[schema.column_names]
        log.info("%s: %d rows", name, len(frame))
        entry = {"rows": len(frame), "groups": {"__all__": table_specs(frame, derived_columns(name, frame))}}
        keys = GROUP_BY.get(name)
        if keys:
            entry["group_by"] = keys
            label = frame[keys].astype(str).agg("|".join, axis=1)
            entry["group_rows"] = {str(k): int(v) for k, v in label.value_counts().items()}
            for group, part in frame.groupby(label):
                if len(part) >= MIN_GROUP_ROWS:
                    entry["groups"][group] = table_specs(part, derived_columns(name, part))
        tables[name] = entry
        if name.startswith("application"):
            for specs in entry["groups"].values():
                _add_rare_gender(specs["CODE_GENDER"])
        if name == "application_train":
            stats["effects"] = default_effects(frame)
            stats["default_rate"] = round(float(frame.TARGET.mean()), 5)
    stats["tables"] = tables
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=Path, default=config.SAMPLE_DIR)
    parser.add_argument("--out", type=Path, default=STATS_FILE)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stats = derive(args.sample)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(stats, separators=(",", ":")))
    tmp.replace(args.out)
    log.info("wrote %s (%.0f kB)", args.out, args.out.stat().st_size / 1024)


if __name__ == "__main__":
    main()
