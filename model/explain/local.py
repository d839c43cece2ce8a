"""Why this client got this score: SHAP values of the final model, in words.

How log-odds become the probability the advisor sees
-----------------------------------------------------
SHAP explains the classifier's raw output, the log-odds `margin`:
`margin = base_value + sum(contributions)` exactly (TreeExplainer for LightGBM,
LinearExplainer for the logistic regression). The displayed probability is
`f(margin) = calibrator(sigmoid(margin))`, a monotone but non-linear map, so a
contribution has no fixed size in probability. The waterfall therefore walks
the log-odds path: starting at `base_value`, it adds the contributions one by
one in the order shown (largest first, "other features" last) and maps every
intermediate point through `f`. Each bar is `f(after) - f(before)`; the bars
add up exactly from `f(base_value)` (the probability of a client at the
model's average log-odds, `base_probability`) to the client's displayed
probability. The contribution column stays in log-odds, which is order-free.

`ClientExplainer` is built once per loaded model (the app builds it at start):
building SHAP's explainer is the slow part, explaining one client then takes
a few milliseconds, so explanations of stored, new or edited (what-if) clients
are computed on demand.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model.explain.grouping import LANGUAGES, feature_groups, group_labels, group_sums
from model.explain.text import direction, format_value, words

OTHER = "__other__"
# Aggregations named next to a group's value ("maximum : 1 259 jours").
_STATISTICS = ("min", "max", "mean", "sum", "var", "std")
_EPS = 1e-12
# The category value closing a "share" description: « Family » (fr) or 'Family' (en).
_QUOTED = {"fr": re.compile(r"«\s*([^»]*?)\s*»\s*$"), "en": re.compile(r"'([^']*)'\s*$")}


def sigmoid(margin: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(margin, dtype=np.float64)))


def _as_frame(x: pd.DataFrame | pd.Series) -> pd.DataFrame:
    if isinstance(x, pd.Series):
        return x.to_frame().T
    if not isinstance(x, pd.DataFrame):
        raise TypeError(f"expected a DataFrame of feature rows, got {type(x).__name__}")
    return x


class _Engine:
    """SHAP values of one model kind: `base_value` and `values(Z)` on the classifier's input."""

    base_value: float

    def values(self, Z: np.ndarray) -> np.ndarray:
        raise NotImplementedError


# Below this many rows LightGBM's thread start-up costs more than the work itself:
# one client's contributions take ~0.7 ms on one thread and ~16 ms on two busy cores.
SINGLE_THREAD_ROWS = 64


def _single_thread_copy(booster: Any) -> Any:
    """A copy of the LightGBM booster that predicts small batches on one thread."""
    import lightgbm as lgb

    class SmallBatchBooster(lgb.Booster):
        def predict(self, data: Any, *args: Any, **kwargs: Any) -> Any:
            if getattr(data, "shape", (SINGLE_THREAD_ROWS,))[0] < SINGLE_THREAD_ROWS:
                kwargs.setdefault("num_threads", 1)
            return super().predict(data, *args, **kwargs)

    return SmallBatchBooster(model_str=booster.model_to_string())


class _TreeEngine(_Engine):
    def __init__(self, classifier: Any) -> None:
        import shap

        # SHAP computes LightGBM's values with booster.predict(pred_contrib=True): exact
        # TreeSHAP, the same numbers as the classifier's own booster.
        self.explainer = shap.TreeExplainer(_single_thread_copy(classifier.booster_))
        # SHAP 0.5x: one scalar base value and one (n, features) array for binary LightGBM.
        self.base_value = float(np.ravel(self.explainer.expected_value)[-1])

    def values(self, Z: np.ndarray) -> np.ndarray:
        with warnings.catch_warnings():  # SHAP warns about its (already handled) output shape
            warnings.simplefilter("ignore", UserWarning)
            values = self.explainer.shap_values(Z)
        if isinstance(values, list):  # older SHAP: one array per class
            values = values[-1]
        return np.asarray(values, dtype=np.float64)


class _LinearEngine(_Engine):
    def __init__(self, classifier: Any, mean: np.ndarray) -> None:
        import shap

        masker = shap.maskers.Independent(np.asarray(mean, dtype=np.float64).reshape(1, -1))
        self.explainer = shap.LinearExplainer(classifier, masker)
        self.base_value = float(np.ravel(self.explainer.expected_value)[-1])

    def values(self, Z: np.ndarray) -> np.ndarray:
        return np.asarray(self.explainer.shap_values(Z), dtype=np.float64)


class _ConstantEngine(_Engine):
    """The dummy ignores every feature: all contributions are zero, the base is its prior."""

    def __init__(self, classifier: Any) -> None:
        prior = float(np.ravel(getattr(classifier, "class_prior_", [0.5, 0.5]))[-1])
        prior = min(max(prior, _EPS), 1 - _EPS)
        self.base_value = float(np.log(prior / (1 - prior)))

    def values(self, Z: np.ndarray) -> np.ndarray:
        return np.zeros(Z.shape, dtype=np.float64)


def _make_engine(model: Any, background: pd.DataFrame | None) -> _Engine:
    if model.kind == "lightgbm":
        return _TreeEngine(model.classifier_)
    if model.kind == "logistic":
        # The pipeline ends with a StandardScaler fitted on training clients, so
        # their mean is 0 on the classifier's input; a background sample refines it.
        width = len(model.feature_names_)
        mean = model.preprocess(background).mean(axis=0) if background is not None else np.zeros(width)
        return _LinearEngine(model.classifier_, mean)
    if model.kind == "dummy":
        return _ConstantEngine(model.classifier_)
    raise ValueError(f"cannot explain a model of kind {model.kind!r}")


@dataclass
class ClientExplanation:
    """One client's explanation; `table` is in waterfall order and sums exactly.

    `table` columns: key (group or feature), kind ("group", "feature" or "other"),
    is_other, n_features, main_feature (largest member), label / value in
    `language` plus label_fr, label_en, value_fr, value_en, contribution
    (log-odds), direction, probability_before, probability_after,
    probability_change (calibrated probability along the waterfall).
    """

    table: pd.DataFrame
    base_value: float  # log-odds
    margin: float  # log-odds = base_value + table.contribution.sum()
    base_probability: float  # f(base_value)
    probability: float  # f(margin): the calibrated probability the advisor sees
    threshold: float
    kind: str
    language: str
    client_id: Any = None
    method: str = field(default="")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the API and dcc.Store)."""
        return {
            "client_id": None if self.client_id is None else _plain(self.client_id),
            "base_value": self.base_value, "margin": self.margin,
            "base_probability": self.base_probability, "probability": self.probability,
            "threshold": self.threshold, "kind": self.kind, "language": self.language,
            "method": self.method,
            "contributions": [
                {k: _plain(v) for k, v in row.items()} for row in self.table.to_dict("records")
            ],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


class ClientExplainer:
    """SHAP explainer of a `ScoringModel`, built once and reused for every client.

    `dictionary`: the feature dictionary (feature, aggregation, description_fr,
    description_en, group); without it every column is its own group, named by
    its column name. `background`: optional training rows; only the logistic
    regression uses it (mean of its input), the tree explainer needs no data.
    """

    def __init__(self, model: Any, dictionary: pd.DataFrame | None = None,
                 background: pd.DataFrame | None = None) -> None:
        self.model = model
        self.feature_names_ = list(model.feature_names_)
        self._columns = pd.Index(self.feature_names_)
        self.engine_ = _make_engine(model, background)
        self.base_value_ = self.engine_.base_value
        # Applicants without history are scored by the model's application-only model:
        # its own engine, on its columns (a subset of ours), with its own base value.
        self.no_history_ = getattr(model, "no_history_", None)
        if self.no_history_ is not None:
            self.no_history_engine_ = _make_engine(self.no_history_, background)
            self._no_history_columns = self._columns.get_indexer(self.no_history_.feature_names_)
            if (self._no_history_columns < 0).any():
                raise ValueError("the no-history model uses columns the main model lacks")
        if dictionary is not None and "feature" not in dictionary.columns:
            dictionary = dictionary.reset_index()  # the app reads it indexed by feature
        groups = feature_groups(self.feature_names_, dictionary)
        codes, uniques = pd.factorize(groups.to_numpy())
        self.groups_ = [str(g) for g in uniques]
        self._codes = codes
        self._members = [np.flatnonzero(codes == i) for i in range(len(uniques))]
        info = (dictionary.drop_duplicates("feature").set_index("feature")
                if dictionary is not None else pd.DataFrame())
        self._aggregation = [
            str(info["aggregation"].get(f, "")) if "aggregation" in info else ""
            for f in self.feature_names_
        ]
        self._one_hot = np.array([
            all(self._aggregation[j] == "one_hot" for j in members) for members in self._members
        ])
        self._descriptions = {}
        self._group_labels = {}
        for language in LANGUAGES:
            column = f"description_{language}"
            described = info[column] if column in info else pd.Series(dtype=object)
            self._descriptions[language] = [
                str(described[f]) if f in described.index and pd.notna(described[f]) else f
                for f in self.feature_names_
            ]
            labels = group_labels(dictionary, groups, language)
            self._group_labels[language] = [labels[g] for g in self.groups_]

    # ---- numbers -------------------------------------------------------------------
    def _history(self, X: pd.DataFrame) -> np.ndarray:
        if self.no_history_ is None:
            return np.ones(len(X), dtype=bool)
        return self.model.has_history(X)

    def _values(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Per-row base value and SHAP values (rows x model features) of each row's segment."""
        history = self._history(X)
        base = np.where(history, self.base_value_, 0.0)
        values = np.zeros((len(X), len(self.feature_names_)), dtype=np.float64)
        if history.any():
            rows = X if history.all() else X.iloc[np.flatnonzero(history)]
            Z = self.model.preprocess(rows)
            if Z.shape[1] != len(self.feature_names_):
                raise ValueError(f"the model's preprocessing returns {Z.shape[1]} columns for "
                                 f"{len(self.feature_names_)} features: cannot map SHAP values")
            values[history] = self.engine_.values(Z)
        if not history.all():  # application-only model: zero on every history column
            rows = X.iloc[np.flatnonzero(~history)]
            Z = self.no_history_.preprocess(rows)
            sub = np.zeros((len(rows), len(self.feature_names_)), dtype=np.float64)
            sub[:, self._no_history_columns] = self.no_history_engine_.values(Z)
            values[~history] = sub
            base[~history] = self.no_history_engine_.base_value
        return base, values

    def explain_rows(self, X: pd.DataFrame) -> tuple[float | np.ndarray, pd.DataFrame]:
        """Base value (log-odds) and SHAP values (rows of X x model features).

        For LightGBM and the logistic regression, base + row sum equals
        `model.predict_margin(X)`; for the dummy every value is zero. The base is
        one float, or one per row when some rows go to the no-history model.
        """
        X = _as_frame(X)
        base, values = self._values(X)
        frame = pd.DataFrame(values, index=X.index, columns=self.feature_names_)
        if not len(base) or np.all(base == base[0]):
            return float(base[0]) if len(base) else self.base_value_, frame
        return base, frame

    def probability_of_margin(self, margin: np.ndarray | float, history: bool = True
                              ) -> np.ndarray:
        """Displayed (calibrated) probability of a log-odds value: calibrator(sigmoid(margin)),
        with the calibrator of the segment (`history=False`: the no-history model's)."""
        raw = sigmoid(np.atleast_1d(margin))
        scorer = self.model if history or self.no_history_ is None else self.no_history_
        calibrator = getattr(scorer, "calibrator_", None)
        return calibrator.predict(raw) if calibrator is not None else raw

    # ---- one client ----------------------------------------------------------------
    def explain(self, x_row: pd.DataFrame | pd.Series, raw_application_row: Any = None,
                top_n: int = 10, language: str = "fr", grouped: bool = True) -> ClientExplanation:
        """Explanation of one client (a stored, new or edited feature row).

        `raw_application_row` (Series or one-row DataFrame of raw application
        fields) lets text fields be shown as entered ("Working") rather than as
        one-hot columns. `top_n` rows are shown, the rest summed into "other".
        `grouped=False` gives one row per model column instead of per group.
        """
        words(language)  # fails early on an unknown language
        x = _as_frame(x_row)
        if len(x) != 1:
            raise ValueError(f"explain expects one client row, got {len(x)}")
        bases, all_values = self._values(x)
        values, history = all_values[0], bool(self._history(x)[0])
        same_order = x.columns.equals(self._columns)  # skips a copy of 800 columns
        x_values = (x if same_order else x[self.feature_names_]).to_numpy(np.float64)[0]
        raw = _raw_row(raw_application_row)
        totals = group_sums(values, self._codes, len(self.groups_))[0] if grouped else values
        order = np.argsort(-np.abs(totals), kind="stable")
        shown, rest = order[:top_n], order[top_n:]
        rows = [self._row(i, values, x_values, raw, grouped) for i in shown]
        if len(rest):
            rows.append(self._other_row(float(totals[rest].sum()), len(rest)))
        base = float(bases[0])
        contributions = np.array([r["contribution"] for r in rows])
        path = self.probability_of_margin(
            base + np.concatenate([[0.0], np.cumsum(contributions)]), history=history)
        for row, before, after in zip(rows, path[:-1], path[1:]):
            row.update(label=row[f"label_{language}"], value=row[f"value_{language}"],
                       direction="" if row["is_other"] else direction(row["contribution"], language),
                       probability_before=float(before), probability_after=float(after),
                       probability_change=float(after - before))
        # The path ends at base + every contribution: the client's own margin.
        table = pd.DataFrame({key: [row[key] for row in rows] for key in rows[0]})
        return ClientExplanation(
            table=table, base_value=base, margin=base + float(values.sum()),
            base_probability=float(path[0]), probability=float(path[-1]),
            threshold=float(getattr(self.model, "threshold_", 0.5)), kind=self.model.kind,
            language=language, client_id=x.index[0], method=type(self.engine_).__name__.strip("_"),
        )

    def _row(self, index: int, values: np.ndarray, x_values: np.ndarray, raw: pd.Series | None,
             grouped: bool) -> dict[str, Any]:
        members = self._members[index] if grouped else np.array([index])
        main = int(members[np.argmax(np.abs(values[members]))])
        contribution = float(values[members].sum())
        row: dict[str, Any] = {
            "key": self.groups_[index] if grouped else self.feature_names_[index],
            "kind": "group" if grouped and len(members) > 1 else "feature",
            "is_other": False, "n_features": int(len(members)),
            "main_feature": self.feature_names_[main], "contribution": contribution,
        }
        for language in LANGUAGES:
            if grouped:
                row[f"label_{language}"] = self._group_labels[language][index]
                row[f"value_{language}"] = self._group_value(index, main, x_values, raw, language)
            else:
                row[f"label_{language}"] = self._descriptions[language][main]
                row[f"value_{language}"] = self._feature_value(main, x_values, raw, language)
        return row

    def _other_row(self, contribution: float, count: int) -> dict[str, Any]:
        row: dict[str, Any] = {"key": OTHER, "kind": "other", "is_other": True,
                               "n_features": count, "main_feature": "", "contribution": contribution}
        for language in LANGUAGES:
            row[f"label_{language}"] = words(language)["other"].format(n=count)
            row[f"value_{language}"] = ""
        return row

    def _feature_value(self, j: int, x_values: np.ndarray, raw: pd.Series | None,
                       language: str) -> str:
        name = self.feature_names_[j]
        if raw is not None and name in raw.index:
            return format_value(raw[name], name, language, self._aggregation[j])
        return format_value(x_values[j], name, language, self._aggregation[j])

    def _group_value(self, index: int, main: int, x_values: np.ndarray, raw: pd.Series | None,
                     language: str) -> str:
        group, members = self.groups_[index], self._members[index]
        if raw is not None and group in raw.index:
            return format_value(raw[group], group, language)
        if self._one_hot[index]:
            active = [j for j in members if x_values[j] == 1.0]
            if not active:
                return words(language)["missing"]
            return self._descriptions[language][active[0]].rsplit(":", 1)[-1].strip()
        value = self._feature_value(main, x_values, raw, language)
        if len(members) == 1:
            return value
        aggregation = self._aggregation[main]
        if aggregation == "share":  # "share of ... where type is 'Consumer credit'"
            found = _QUOTED[language].search(self._descriptions[language][main])
            if not found:
                return value
            return f"{value} « {found.group(1)} »" if language == "fr" else f"{value} '{found.group(1)}'"
        qualifier = words(language).get(aggregation) if aggregation in _STATISTICS else None
        if not qualifier:
            return value
        return f"{qualifier} : {value}" if language == "fr" else f"{qualifier}: {value}"


def _raw_row(raw: Any) -> pd.Series | None:
    if raw is None:
        return None
    if isinstance(raw, pd.DataFrame):
        if len(raw) != 1:
            raise ValueError(f"raw_application_row must be one row, got {len(raw)}")
        return raw.iloc[0]
    return pd.Series(raw)


def explain_rows(model: Any, X: pd.DataFrame) -> tuple[float, pd.DataFrame]:
    """Base value and SHAP values of rows of X (builds the explainer: reuse
    `ClientExplainer` when explaining many times)."""
    return ClientExplainer(model).explain_rows(X)


def client_explanation(model: Any, x_row: pd.DataFrame | pd.Series,
                       dictionary: pd.DataFrame | None, raw_application_row: Any = None,
                       top_n: int = 10, language: str = "fr") -> ClientExplanation:
    """One-off explanation of one client (see `ClientExplainer.explain`)."""
    return ClientExplainer(model, dictionary).explain(
        x_row, raw_application_row=raw_application_row, top_n=top_n, language=language)


__all__ = ["ClientExplainer", "ClientExplanation", "OTHER", "client_explanation",
           "explain_rows", "sigmoid"]
