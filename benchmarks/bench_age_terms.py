"""Which age terms let a model follow the default rate after 55 (issue 18, fifth pass)?

    python benchmarks/bench_age_terms.py --data DIR [--knots 60,65 55,62 ...]

On the application columns of a synthetic (or real) `application_train` alone, fits a
logistic regression, a LightGBM with the build's quick settings, their 0.6/0.4 log-odds
blend, and the same LightGBM boosted from an age base (a logistic regression on the age
terms alone), each with days of age only and with each set of hinges (days past each
birthday, 0 before it), and prints each age band's mean predicted against its observed rate on a
fifth of the clients left out (each model calibrated by a sigmoid on another tenth). The
build's own features are richer: this ranks the terms, it does not measure the build.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

BANDS = ["<25", "25-34", "35-44", "45-54", "55-64", "65+"]
CATEGORIES = ["NAME_INCOME_TYPE", "ORGANIZATION_TYPE", "OCCUPATION_TYPE", "NAME_EDUCATION_TYPE"]
TREES = dict(n_estimators=600, learning_rate=0.02, num_leaves=7, min_child_samples=60,
             reg_alpha=0.1, reg_lambda=1.0, colsample_bytree=0.25, subsample=0.9,
             subsample_freq=1, max_bin=63, verbose=-1)


def application_matrix(app: pd.DataFrame) -> pd.DataFrame:
    numeric = [c for c in app.columns if app[c].dtype.kind in "fi" and c not in ("TARGET", "SK_ID_CURR")]
    X = app[numeric].copy()
    X["DAYS_EMPLOYED"] = X["DAYS_EMPLOYED"].replace(365243, np.nan)
    for column in CATEGORIES:
        X = X.join(pd.get_dummies(app[column], prefix=column, dtype=float))
    return X


def hinges(days_birth: pd.Series, knots: tuple[int, ...]) -> pd.DataFrame:
    return pd.DataFrame({f"past_{k}": np.minimum(days_birth + k * 365.25, 0.0) for k in knots},
                        index=days_birth.index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with application_train")
    parser.add_argument("--knots", nargs="+", default=["", "55", "60", "50,60", "55,62", "60,65"],
                        help="comma-separated birthdays per variant ('' = days of age only)")
    args = parser.parse_args()
    import lightgbm as lgb
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from model.data.loader import load_tables

    app = load_tables(args.data, names=("application_train",))["application_train"]
    y = app["TARGET"].to_numpy().astype(int)
    age = -app["DAYS_BIRTH"].to_numpy() / 365.25
    bands = np.asarray(pd.cut(age, [0, 25, 35, 45, 55, 65, 200], right=False, labels=BANDS))
    draw = np.random.default_rng(0).random(len(y))
    fit, calibrate, test = draw < 0.7, (draw >= 0.7) & (draw < 0.8), draw >= 0.8
    X = application_matrix(app)
    X.columns = [f"f{i}" for i in range(X.shape[1])]  # LightGBM refuses some category names

    def calibrated(margin: np.ndarray) -> np.ndarray:
        sigmoid = LogisticRegression(C=1e6).fit(margin[calibrate].reshape(-1, 1), y[calibrate])
        return sigmoid.predict_proba(margin.reshape(-1, 1))[:, 1]

    def gaps(p: np.ndarray) -> str:
        return " | ".join(f"{100 * (p[test & (bands == b)].mean() / y[test & (bands == b)].mean() - 1):+.0f} %"
                          for b in BANDS)

    print(f"{len(y)} clients, {int(test.sum())} left out; gap of the mean predicted by age band\n")
    print("| age terms | model | " + " | ".join(BANDS) + " |")
    print("|---|---|" + "---|" * len(BANDS))
    for variant in args.knots:
        knots = tuple(int(k) for k in variant.split(",") if k)
        Z = X.join(hinges(app["DAYS_BIRTH"], knots)) if knots else X
        Z.columns = [f"f{i}" for i in range(Z.shape[1])]
        linear = make_pipeline(SimpleImputer(add_indicator=True), StandardScaler(),
                               LogisticRegression(max_iter=3000)).fit(Z[fit], y[fit])
        trees = lgb.LGBMClassifier(**TREES).fit(Z[fit], y[fit])
        linear_margin, tree_margin = linear.decision_function(Z), trees.predict(Z, raw_score=True)
        # Trees boosted from an age base: a logistic regression on the age terms alone gives
        # every client its starting log-odds (LightGBM's init_score), the trees fit the rest.
        age_terms = np.column_stack([app["DAYS_BIRTH"].to_numpy(), hinges(app["DAYS_BIRTH"], knots)])
        age_terms = age_terms / 365.25
        base = LogisticRegression(max_iter=1000).fit(age_terms[fit], y[fit]).decision_function(age_terms)
        on_base = lgb.LGBMClassifier(**TREES).fit(Z[fit], y[fit], init_score=base[fit])
        based_margin = on_base.predict(Z, raw_score=True) + base
        name = "past " + " and ".join(map(str, knots)) if knots else "days of age only"
        for model, margin in (("logistic", linear_margin), ("LightGBM", tree_margin),
                              ("blend 0.6/0.4", 0.6 * tree_margin + 0.4 * linear_margin),
                              ("LightGBM on an age base", based_margin)):
            print(f"| {name} | {model} | {gaps(calibrated(margin))} |", flush=True)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
