"""Features of the application row alone: raw fields, cleaned anomalies, ratios, one-hot categories.

Nothing here reads a history table, so the what-if screen can recompute these
columns from edited fields (`ApplicationFeatures.transform`) and keep the stored
history aggregates of the client.
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from model import config
from model.data.schema import SCHEMAS
from model.features.aggregate import KEY, FeatureInfo, safe_ratio
from model.features.encoding import CategoryEncoder

log = logging.getLogger(__name__)

SOURCE = "application"
NO_DATE = config.DAYS_NO_VALUE  # DAYS_EMPLOYED of pensioners and unemployed: "not employed"
_FIELDS = SCHEMAS["application_test"].columns  # the fields an applicant fills (no TARGET)
TEXT_COLUMNS = [c for c, kind in _FIELDS.items() if kind == "str"]
NUMERIC_COLUMNS = [c for c, kind in _FIELDS.items() if kind != "str" and c != KEY]
EXT_SOURCES = ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]
DOCUMENTS = [c for c in NUMERIC_COLUMNS if c.startswith("FLAG_DOCUMENT_")]
DAYS_PER_YEAR = config.DAYS_PER_YEAR
AGE_PAST = {f"DAYS_BIRTH_PAST_{years}": years for years in config.AGE_KNOTS_YEARS}

# name -> kind (formulas in `engineered`, plain-language labels in labels.csv)
ENGINEERED: dict[str, str] = {
    "DAYS_EMPLOYED_ANOM": "flag",  # DAYS_EMPLOYED was 365243
    "DAYS_EMPLOYED_PERC": "ratio",
    "CREDIT_INCOME_RATIO": "ratio",
    "ANNUITY_INCOME_PERC": "ratio",
    "PAYMENT_RATE": "ratio",
    "GOODS_CREDIT_RATIO": "ratio",
    "INCOME_PER_PERSON": "ratio",
    "EXT_SOURCES_MEAN": "mean",
    "EXT_SOURCES_MIN": "min",
    "EXT_SOURCES_MAX": "max",
    "EXT_SOURCES_STD": "std",
    "DOCUMENT_COUNT": "sum",
    **dict.fromkeys(AGE_PAST, "hinge"),  # age past a birthday, negative days (0 before it)
}
# Raw fields each engineered feature is computed from: a feature derived from an excluded
# (protected) field is excluded with it.
ENGINEERED_INPUTS: dict[str, tuple[str, ...]] = {
    "DAYS_EMPLOYED_ANOM": ("DAYS_EMPLOYED",),
    "DAYS_EMPLOYED_PERC": ("DAYS_EMPLOYED", "DAYS_BIRTH"),
    "CREDIT_INCOME_RATIO": ("AMT_CREDIT", "AMT_INCOME_TOTAL"),
    "ANNUITY_INCOME_PERC": ("AMT_ANNUITY", "AMT_INCOME_TOTAL"),
    "PAYMENT_RATE": ("AMT_ANNUITY", "AMT_CREDIT"),
    "GOODS_CREDIT_RATIO": ("AMT_GOODS_PRICE", "AMT_CREDIT"),
    "INCOME_PER_PERSON": ("AMT_INCOME_TOTAL", "CNT_FAM_MEMBERS"),
    **{name: tuple(EXT_SOURCES) for name in ENGINEERED if name.startswith("EXT_SOURCES_")},
    "DOCUMENT_COUNT": tuple(DOCUMENTS),
    **dict.fromkeys(AGE_PAST, ("DAYS_BIRTH",)),
}


def kept_feature(info: FeatureInfo, excluded: frozenset[str]) -> bool:
    """False for a feature that is, or is computed from, an excluded field or feature.

    A name of `config.NO_DIRECTION_FEATURES` leaves alone: it is left out for how it
    moves, not for what it says, so a ratio built from it stays (AMT_GOODS_PRICE goes,
    GOODS_CREDIT_RATIO stays). Any other excluded field (a protected attribute) takes every
    feature computed from it along.
    """
    if info.name in excluded or info.column in excluded:
        return False
    inherited = excluded.difference(config.NO_DIRECTION_FEATURES)
    return not inherited.intersection(ENGINEERED_INPUTS.get(info.name, ()))


def numeric_fields(app: pd.DataFrame) -> dict[str, np.ndarray]:
    """Numeric fields as float64 arrays; a field absent from the rows is missing."""
    absent = [c for c in NUMERIC_COLUMNS if c not in app.columns]
    if absent:
        log.info("application rows lack %d field(s), taken as missing: %s",
                 len(absent), ", ".join(absent[:10]))
    # Columns already numeric convert as one block (one row of a what-if or a new applicant
    # paid ~0.2 ms of pandas per column, a hundred times); the others one by one.
    dtypes = app.dtypes
    numeric = [c for c in NUMERIC_COLUMNS if c in dtypes.index
               and pd.api.types.is_numeric_dtype(dtypes[c]) and not pd.api.types.is_bool_dtype(dtypes[c])]
    block = app[numeric].to_numpy(np.float64, na_value=np.nan) if numeric else None
    at = {column: j for j, column in enumerate(numeric)}
    out = {}
    for column in NUMERIC_COLUMNS:
        if column in at:
            out[column] = block[:, at[column]].copy()
        elif column not in app.columns:
            out[column] = np.full(len(app), np.nan)
        else:
            try:
                out[column] = pd.to_numeric(app[column]).to_numpy(np.float64, na_value=np.nan)
            except (TypeError, ValueError) as error:
                raise ValueError(f"application: column {column} must be numeric ({error})") from error
    return out


def numeric_features(app: pd.DataFrame) -> dict[str, np.ndarray]:
    """Every application feature computed from numbers (the fields, the employment anomaly
    flag, the ratios): all but the text fields' one-hot codes. A what-if that edits numbers
    only recomputes these (`Scorer.edited_features`)."""
    fields = numeric_fields(app)
    anomaly = fields["DAYS_EMPLOYED"] == NO_DATE
    fields["DAYS_EMPLOYED"] = np.where(anomaly, np.nan, fields["DAYS_EMPLOYED"])
    return {**fields, "DAYS_EMPLOYED_ANOM": anomaly.astype(np.float64), **engineered(fields)}


def engineered(fields: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Ratios and summaries of the ENGINEERED table (DAYS_EMPLOYED_ANOM is set by the caller).

    Expects `fields` with DAYS_EMPLOYED already cleaned (365243 -> missing).
    """
    ext = pd.DataFrame({c: fields[c] for c in EXT_SOURCES})
    return {
        "DAYS_EMPLOYED_PERC": safe_ratio(fields["DAYS_EMPLOYED"], fields["DAYS_BIRTH"]),
        "CREDIT_INCOME_RATIO": safe_ratio(fields["AMT_CREDIT"], fields["AMT_INCOME_TOTAL"]),
        "ANNUITY_INCOME_PERC": safe_ratio(fields["AMT_ANNUITY"], fields["AMT_INCOME_TOTAL"]),
        "PAYMENT_RATE": safe_ratio(fields["AMT_ANNUITY"], fields["AMT_CREDIT"]),
        "GOODS_CREDIT_RATIO": safe_ratio(fields["AMT_GOODS_PRICE"], fields["AMT_CREDIT"]),
        "INCOME_PER_PERSON": safe_ratio(fields["AMT_INCOME_TOTAL"], fields["CNT_FAM_MEMBERS"]),
        "EXT_SOURCES_MEAN": ext.mean(axis=1).to_numpy(),
        "EXT_SOURCES_MIN": ext.min(axis=1).to_numpy(),
        "EXT_SOURCES_MAX": ext.max(axis=1).to_numpy(),
        "EXT_SOURCES_STD": ext.std(axis=1, ddof=0).to_numpy(),
        "DOCUMENT_COUNT": np.nansum(np.column_stack([fields[c] for c in DOCUMENTS]), axis=1),
        # Days past the birthday, negative like DAYS_BIRTH (so shown in years), 0 before it.
        **{name: np.minimum(fields["DAYS_BIRTH"] + years * DAYS_PER_YEAR, 0.0)
           for name, years in AGE_PAST.items()},
    }


class ApplicationFeatures:
    """Fitted application-row features (one-hot codes learned on application_train).

    `excluded`: raw fields (e.g. protected attributes) and feature names left out of
    the output, with every feature derived from them (`ENGINEERED_INPUTS`).
    """

    def __init__(self, min_category_count: int = 10, excluded: tuple[str, ...] = ()) -> None:
        self.min_category_count = min_category_count
        self.excluded = excluded

    def fit(self, train: pd.DataFrame) -> ApplicationFeatures:
        """Learn the category lists from the training applications."""
        missing = [c for c in TEXT_COLUMNS if c not in train.columns]
        if missing:
            raise ValueError(f"application_train: missing column(s) {', '.join(missing)}")
        self.encoder_ = CategoryEncoder(TEXT_COLUMNS, self.min_category_count).fit(train)
        infos = [FeatureInfo(c, SOURCE, "raw", c, group=c) for c in NUMERIC_COLUMNS]
        infos += [FeatureInfo(name, SOURCE, how, name, group=name)
                  for name, how in ENGINEERED.items()]
        for column in TEXT_COLUMNS:
            labels = zip(self.encoder_.suffixes_[column], self.encoder_.value_labels(column))
            infos += [FeatureInfo(f"{column}_{suffix}", SOURCE, "one_hot", column, value=value,
                                  group=column) for suffix, value in labels]
        excluded = frozenset(self.excluded)
        self.features_ = [info for info in infos if kept_feature(info, excluded)]
        return self

    @property
    def feature_names_(self) -> list[str]:
        return [info.name for info in self.features_]

    def transform(self, app: pd.DataFrame) -> pd.DataFrame:
        """Application features of the given raw rows, indexed by SK_ID_CURR, float32."""
        if KEY not in app.columns:
            raise ValueError(f"application rows need a {KEY} column")
        if app[KEY].isna().any():
            raise ValueError(f"application rows: {KEY} missing in {int(app[KEY].isna().sum())} "
                             "row(s); every client to score needs an identifier")
        index = pd.Index(pd.to_numeric(app[KEY]).to_numpy(np.int64), name=KEY)
        names = self.feature_names_
        position = {name: j for j, name in enumerate(names)}
        out = np.zeros((len(app), len(names)), dtype=np.float32)  # one matrix, no frame of dicts
        filled = set()
        for name, values in numeric_features(app).items():
            if name in position:
                out[:, position[name]] = values
                filled.add(name)
        rows = np.arange(len(app))
        for column in TEXT_COLUMNS:
            n_codes = self.encoder_.n_codes(column)
            one_hot = np.zeros((len(app), n_codes), dtype=np.float32)
            if column in app.columns:
                one_hot[rows, self.encoder_.codes(app[column], column)] = 1.0
            else:  # field not given: the MISSING code
                one_hot[:, n_codes - 2] = 1.0
            for j, suffix in enumerate(self.encoder_.suffixes_[column]):
                if f"{column}_{suffix}" in position:
                    out[:, position[f"{column}_{suffix}"]] = one_hot[:, j]
                    filled.add(f"{column}_{suffix}")
        if len(filled) != len(names):  # a programming error: a feature nothing computes
            raise KeyError(f"application features not computed: {sorted(set(names) - filled)[:5]}")
        return pd.DataFrame(out, columns=names, index=index, copy=False)
