"""The fitted feature builder: raw Home Credit tables in, one float32 row per client out.

`FeatureBuilder().fit(tables)` learns every encoding from the clients of
application_train (and their history rows) only; `transform(tables)` then
yields the same columns, in the same order, for training clients, test
clients or one new applicant whose history tables are empty or absent.
It is saved with the model (joblib) so that the app scores a new applicant
through exactly the code used for training.
"""
from __future__ import annotations

import logging
import re
import time

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from model import config
from model.features.aggregate import KEY, FeatureInfo
from model.features.application import ApplicationFeatures
from model.features.bureau import BureauFeatures
from model.features.credit_card import CreditCardFeatures
from model.features.dictionary import feature_dictionary
from model.features.history import HistoryFeatures, Tables
from model.features.installments import InstallmentsFeatures
from model.features.pos_cash import PosCashFeatures
from model.features.previous import PreviousFeatures

log = logging.getLogger(__name__)

TRAIN = "application_train"
# Tables whose rows are clients to score, in output order ("application": a new applicant).
APPLICATION_TABLES = (TRAIN, "application_test", "application")
HISTORY_MODULES: tuple[type[HistoryFeatures], ...] = (
    BureauFeatures, PreviousFeatures, PosCashFeatures, InstallmentsFeatures, CreditCardFeatures,
)
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_]+$")
# Below this many clients a transform is an interactive call: log per table at DEBUG only.
_LOUD_CLIENTS = 1000


def _same_categories(parts: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Give categorical columns one category list, so that concatenating keeps them categorical
    (train and test hold different categories; pandas would fall back to slow objects)."""
    shared = set.intersection(*(set(p.columns) for p in parts))
    columns = [c for c in shared
               if all(isinstance(p[c].dtype, pd.CategoricalDtype) for p in parts)]
    if not columns:
        return parts
    union = {c: sorted(set().union(*(p[c].cat.categories for p in parts)), key=str)
             for c in columns}
    return [p.assign(**{c: p[c].cat.set_categories(union[c]) for c in columns}) for p in parts]


def application_rows(tables: Tables) -> pd.DataFrame:
    """The application rows of every client to score (train, then test, then new)."""
    parts = [tables[name] for name in APPLICATION_TABLES if name in tables]
    if not parts:
        raise ValueError(f"no application table given (expected one of {APPLICATION_TABLES})")
    app = parts[0] if len(parts) == 1 else pd.concat(_same_categories(parts), ignore_index=True)
    if KEY not in app.columns:
        raise ValueError(f"application rows need a {KEY} column")
    duplicated = app[KEY].duplicated()
    if duplicated.any():
        raise ValueError(f"{KEY} repeated across application tables, e.g. "
                         f"{app.loc[duplicated, KEY].iloc[:5].tolist()}")
    return app


def model_exclusions() -> tuple[str, ...]:
    """Fields and features the model must not see: protected attributes, then features
    without a direction (`config.PROTECTED_ATTRIBUTES`, `config.NO_DIRECTION_FEATURES`)."""
    return tuple(config.PROTECTED_ATTRIBUTES) + tuple(config.NO_DIRECTION_FEATURES)


def _without_rows(fitted: HistoryFeatures, ids: pd.Index) -> pd.DataFrame:
    """A history table's features for clients with no row in it: every aggregate unknown, the
    row counts 0 (what `transform` then `reindex` give them, without the pandas round trip)."""
    values = np.full((len(ids), len(fitted.feature_names_)), np.nan, dtype=np.float32)
    counts = pd.Index(fitted.feature_names_).get_indexer(fitted.count_features_)
    values[:, counts] = 0.0
    return pd.DataFrame(values, columns=fitted.feature_names_, index=ids, copy=False)


class FeatureBuilder(BaseEstimator):
    """Fitted transformer from the raw tables to the per-client feature matrix.

    `min_category_count`: a category needs this many training rows to get its
    own column; rarer and unseen ones share the `<column>__OTHER` column.
    `excluded`: raw fields and features never produced (with everything derived
    from them); None = `model_exclusions()`, i.e. the protected attributes and the
    features no direction can be set on (`model.config`).
    """

    def __init__(self, min_category_count: int = 10,
                 excluded: tuple[str, ...] | None = None) -> None:
        self.min_category_count = min_category_count
        self.excluded = excluded

    def fit(self, tables: Tables) -> FeatureBuilder:
        """Learn encodings and the column list from application_train clients only."""
        if TRAIN not in tables:
            raise ValueError(f"fit needs the {TRAIN} table")
        train = tables[TRAIN]
        train_ids = pd.Index(train[KEY].to_numpy())
        self.excluded_ = model_exclusions() if self.excluded is None else tuple(self.excluded)
        self.application_ = ApplicationFeatures(self.min_category_count,
                                                self.excluded_).fit(train)
        self.modules_: list[HistoryFeatures] = []
        for module in HISTORY_MODULES:
            if module.table not in tables:
                log.warning("%s absent: its features are not produced", module.table)
                continue
            self.modules_.append(module(self.min_category_count).fit(tables, train_ids))
        self.features_: list[FeatureInfo] = list(self.application_.features_)
        for fitted in self.modules_:
            self.features_ += fitted.features_
        self.feature_names_ = [info.name for info in self.features_]
        self.application_features_ = list(self.application_.feature_names_)
        self._check_names()
        self.n_features_out_ = len(self.feature_names_)
        self.dictionary_ = feature_dictionary(self)
        log.info("feature builder fitted on %d training clients: %d features "
                 "(%d from the application row)", len(train_ids), self.n_features_out_,
                 len(self.application_features_))
        return self

    def _check_names(self) -> None:
        unsafe = [n for n in self.feature_names_ if not _SAFE_NAME.match(n)]
        repeated = pd.Index(self.feature_names_)
        repeated = repeated[repeated.duplicated()].tolist()
        if unsafe or repeated:  # a programming error in a module, never a data problem
            raise RuntimeError(f"bad feature names: unsafe {unsafe[:5]}, repeated {repeated[:5]}")

    def transform_application(self, app: pd.DataFrame) -> pd.DataFrame:
        """Features of raw application rows alone (`application_features_` columns)."""
        return self.application_.transform(app)

    def transform(self, tables: Tables) -> pd.DataFrame:
        """Feature matrix (index SK_ID_CURR, float32, `feature_names_` columns) of the
        clients of the application table(s) given; history tables may be absent."""
        app = application_rows(tables)
        level = logging.INFO if len(app) >= _LOUD_CLIENTS else logging.DEBUG
        started = time.perf_counter()
        parts = [self.transform_application(app)]
        ids = parts[0].index
        log.log(level, "application: %d clients, %d features in %.1f s", len(ids),
                parts[0].shape[1], time.perf_counter() - started)
        for fitted in self.modules_:
            started = time.perf_counter()
            if not len(tables.get(fitted.table, ())):
                if fitted.table not in tables:
                    log.log(level, "%s absent: its features are missing for these clients",
                            fitted.table)
                parts.append(_without_rows(fitted, ids))  # a new applicant: no history at all
                continue
            part = fitted.transform(tables, ids).reindex(ids)
            counts = fitted.count_features_
            part[counts] = part[counts].fillna(0.0)
            parts.append(part.astype(np.float32))
            log.log(level, "%s: %d rows, %d features in %.1f s", fitted.table,
                    len(tables.get(fitted.table, ())), part.shape[1],
                    time.perf_counter() - started)
        columns = [name for part in parts for name in part.columns]
        if columns != self.feature_names_:  # guards the column contract
            raise RuntimeError("feature columns differ from the fitted feature_names_")
        if len(parts) == 1:
            return parts[0]
        return pd.DataFrame(np.concatenate([part.to_numpy(np.float32) for part in parts], axis=1),
                            columns=self.feature_names_, index=ids, copy=False)

    @property
    def history_count_features_(self) -> list[str]:
        """Counts of history rows per table (all 0 for a client without any history)."""
        return [name for fitted in self.modules_ for name in fitted.count_features_]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Output column names, scikit-learn style."""
        return np.asarray(self.feature_names_, dtype=object)
