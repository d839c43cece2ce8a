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

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model import config
from model.explain.grouping import (LANGUAGES, feature_concepts, feature_groups, group_labels,
                                    group_sums)
from model.features.concepts import BY_KEY, Concept

OTHER = "__other__"  # the waterfall row summing the concepts not shown
_EPS = 1e-12
# At most this many principal reasons per score, each raising the probability by at least
# this much (0.5 point; `model/config.py` says why). The sentence on what lowers the risk
# uses the same bound.
MAX_REASONS = config.MAX_REASONS
MIN_REASON_CHANGE = config.MIN_REASON_POINTS


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


def _single_thread_copy(booster: Any) -> Any:
    """A copy of the LightGBM booster that predicts small batches on one thread."""
    import lightgbm as lgb

    class SmallBatchBooster(lgb.Booster):
        def predict(self, data: Any, *args: Any, **kwargs: Any) -> Any:
            rows = getattr(data, "shape", (config.SINGLE_THREAD_ROWS,))[0]
            if rows < config.SINGLE_THREAD_ROWS:
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


class _TermsEngine(_Engine):
    """A model whose log-odds are `linear_intercept` plus one term per column (`linear_terms`:
    the blend's linear part, the scorecard's coefficient x weight of evidence): each SHAP value
    is the column's term minus its mean term over the background (the training rows' mean
    the classifier kept, `mean_terms_`, without one), as `_LinearEngine`'s independent
    masker gives them; computed directly, SHAP's per-call checks cost more than the product
    on one row."""

    def __init__(self, classifier: Any, background: np.ndarray | None) -> None:
        self.classifier = classifier
        if background is not None:
            self.mean_terms = classifier.linear_terms(background).mean(axis=0)
        else:  # the blend's scaled inputs average 0 over the training rows: so do its terms
            self.mean_terms = getattr(classifier, "mean_terms_",
                                      np.zeros(classifier.n_features_in_, dtype=np.float64))
        self.base_value = float(classifier.linear_intercept + self.mean_terms.sum())

    def values(self, Z: np.ndarray) -> np.ndarray:
        return self.classifier.linear_terms(Z) - self.mean_terms


class _BlendEngine(_Engine):
    """The blend's margin is weight x trees + (1 - weight) x linear model, so its SHAP values
    are the same weighted sum of each part's (both exact): they still add up to the margin."""

    def __init__(self, classifier: Any, background: np.ndarray | None) -> None:
        self.weight = float(classifier.weight)
        self.trees = _TreeEngine(classifier.trees_)
        self.linear = _TermsEngine(classifier, background)
        self.base_value = (self.weight * self.trees.base_value
                           + (1.0 - self.weight) * self.linear.base_value)

    def values(self, Z: np.ndarray) -> np.ndarray:
        return (self.weight * self.trees.values(Z)
                + (1.0 - self.weight) * self.linear.values(Z))


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
    if model.kind == "blend":
        return _BlendEngine(model.classifier_, None if background is None
                            else model.preprocess(background))
    if model.kind == "scorecard":
        return _TermsEngine(model.classifier_, None if background is None
                            else model.preprocess(background))
    if model.kind == "dummy":
        return _ConstantEngine(model.classifier_)
    raise ValueError(f"cannot explain a model of kind {model.kind!r}")


@dataclass
class ClientExplanation:
    """One client's explanation by concept; `rows` are in waterfall order and sum exactly.

    `rows` are plain dicts (`table` is the same as a DataFrame, built only when asked: the
    screens read a few rows, and building the frame cost more than the explanation). Keys: key (concept, or feature with grouped=False), kind ("concept",
    "feature" or "other"), is_other, reasonable (may be told as a principal reason),
    n_features, main_feature (largest member), label in `language` plus label_fr /
    label_en, key_feature, key_value (the client's key value, a float or a raw text)
    and unit, members (the raw feature groups inside the concept, largest first:
    group, label_fr, label_en, feature, value, unit, contribution), contribution
    (log-odds), probability_before, probability_after, probability_change (calibrated
    probability along the waterfall).

    `principal_reasons`: the concepts that raise the risk most, largest first (at most
    `MAX_REASONS`), never an unreasonable concept; their numbers are the table's.
    """

    rows: list[dict[str, Any]]
    base_value: float  # log-odds
    margin: float  # log-odds = base_value + the rows' contributions
    base_probability: float  # f(base_value)
    probability: float  # f(margin): the calibrated probability the advisor sees
    threshold: float
    kind: str
    language: str
    client_id: Any = None
    method: str = field(default="")
    principal_reasons: list[dict[str, Any]] = field(default_factory=list)

    @property
    def table(self) -> pd.DataFrame:
        """`rows` as a DataFrame (for analysis and tests; the app reads `rows`)."""
        return pd.DataFrame({key: [row[key] for row in self.rows] for key in self.rows[0]})

    def top(self, n: int) -> list[dict[str, Any]]:
        """The first `n` rows, the rest summed into one "other items" row: the waterfall of
        `n` bars. The path is the same, so the rows shown keep their numbers."""
        if len(self.rows) <= n or any(row["is_other"] for row in self.rows):
            return self.rows
        return self.rows[:n] + [other_row(self.rows[n:], self.language)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the API and dcc.Store)."""
        return {
            "client_id": None if self.client_id is None else _plain(self.client_id),
            "base_value": self.base_value, "margin": self.margin,
            "base_probability": self.base_probability, "probability": self.probability,
            "threshold": self.threshold, "kind": self.kind, "language": self.language,
            "method": self.method,
            "contributions": [
                {k: _plain(v) for k, v in row.items()} for row in self.rows
            ],
            "principal_reasons": [{k: _plain(v) for k, v in r.items()}
                                  for r in self.principal_reasons],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [{k: _plain(v) for k, v in item.items()} if isinstance(item, dict) else _plain(item)
                for item in value]
    return value


def principal_reasons(rows: list[dict[str, Any]], limit: int = MAX_REASONS,
                      min_change: float = MIN_REASON_CHANGE) -> list[dict[str, Any]]:
    """The reasonable concepts that raise the probability by at least `min_change`, largest
    first, each with the value a customer can check: its driver.

    The driver is the feature group inside the concept that raises the risk most (the value
    shown is the client's value of it, in its unit): "income 247,500 €" was shown as the
    reason of a concept whose income lowered the risk and whose job length raised it. A
    concept that lowers the risk, or moves it by less than `min_change`, is never a reason.
    A protected attribute never reaches the model (config.PROTECTED_ATTRIBUTES); a concept
    made of one is skipped here too, should a dictionary ever name one.
    """
    protected = {c.lower() for c in config.PROTECTED_ATTRIBUTES}
    raising = [r for r in rows if not r["is_other"] and r["reasonable"]
               and r["probability_change"] >= min_change and r["contribution"] > 0
               and r["key"].lower() not in protected
               and any(m["contribution"] > 0 for m in r["members"])]
    raising.sort(key=lambda r: (-r["probability_change"], -r["contribution"]))
    reasons = []
    for r in raising[:limit]:
        driver = max((m for m in r["members"] if m["contribution"] > 0),
                     key=lambda m: m["contribution"])
        reasons.append({
            "concept": r["key"], "label": r["label"], "label_fr": r["label_fr"],
            "label_en": r["label_en"], "probability_change": r["probability_change"],
            "contribution": r["contribution"], "feature": driver["feature"],
            "feature_label_fr": driver["label_fr"], "feature_label_en": driver["label_en"],
            "value": driver["value"], "unit": driver["unit"],
            "feature_contribution": driver["feature_contribution"]})
    return reasons


class ClientExplainer:
    """SHAP explainer of a `ScoringModel`, built once and reused for every client.

    `dictionary`: the feature dictionary (feature, source, aggregation, column, unit,
    concept, group, descriptions...); without it every column is its own feature and
    the concept "other". `background`: optional training rows; only linear models use it
    (the mean of their input: the logistic regression, the blend's linear part), the tree
    explainer needs no data.
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
            self._no_history_columns = model.no_history_positions()
        if dictionary is not None and "feature" not in dictionary.columns:
            dictionary = dictionary.reset_index()  # the app reads it indexed by feature
        info = (dictionary.drop_duplicates("feature").set_index("feature")
                if dictionary is not None else pd.DataFrame())
        self._position = {name: j for j, name in enumerate(self.feature_names_)}
        self._units = [_text(info, f, "unit") for f in self.feature_names_]
        self._raw_columns = [_text(info, f, "column") or f for f in self.feature_names_]
        self._descriptions = {language: [_text(info, f, f"description_{language}") or f
                                         for f in self.feature_names_]
                              for language in LANGUAGES}
        # Concepts: the waterfall's rows.
        concepts = feature_concepts(self.feature_names_, dictionary)
        codes, uniques = pd.factorize(concepts.to_numpy())
        self.concepts_: list[Concept] = [BY_KEY.get(str(c), BY_KEY["other"]) for c in uniques]
        self._codes = codes
        self._members = [np.flatnonzero(codes == i) for i in range(len(uniques))]
        # Groups (the columns of one raw field or statistic): the detail under a concept.
        groups = feature_groups(self.feature_names_, dictionary)
        group_codes, group_keys = pd.factorize(groups.to_numpy())
        self._group_codes, self._group_keys = group_codes, [str(g) for g in group_keys]
        # Per concept: the member positions of each of its groups (the detail rows).
        self._concept_groups = [
            [(int(code), members[group_codes[members] == code])
             for code in np.unique(group_codes[members])] for members in self._members]
        self._group_labels = {language: group_labels(dictionary, groups, language)
                              for language in LANGUAGES}
        # The same sums as matrix products, for a batch's reasons (`reasons_many`).
        self._concept_indicator = _indicator(codes, len(uniques))
        self._group_indicator = _indicator(group_codes, len(group_keys))
        group_concept = np.zeros(len(group_keys), dtype=np.int64)
        for concept_index, members in enumerate(self._members):
            group_concept[group_codes[members]] = concept_index
        self._group_concept_indicator = _indicator(group_concept, len(uniques))
        protected = {c.lower() for c in config.PROTECTED_ATTRIBUTES}
        self._may_be_reason = np.array([c.reasonable and c.key.lower() not in protected
                                        for c in self.concepts_], dtype=bool)

    # ---- numbers -------------------------------------------------------------------
    def _history(self, X: pd.DataFrame) -> np.ndarray:
        if self.no_history_ is None:
            return np.ones(len(X), dtype=bool)
        return self.model.has_history(X)

    def _values(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-row base value, SHAP values (rows x model features) of each row's segment, and
        the segment (has history)."""
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
        return base, values, history

    def explain_rows(self, X: pd.DataFrame) -> tuple[float | np.ndarray, pd.DataFrame]:
        """Base value (log-odds) and SHAP values (rows of X x model features).

        For LightGBM and the logistic regression, base + row sum equals
        `model.predict_margin(X)`; for the dummy every value is zero. The base is
        one float, or one per row when some rows go to the no-history model.
        """
        X = _as_frame(X)
        base, values, _ = self._values(X)
        frame = pd.DataFrame(values, index=X.index, columns=self.feature_names_)
        if not len(base) or np.all(base == base[0]):
            return float(base[0]) if len(base) else self.base_value_, frame
        return base, frame

    def concept_sums(self, values: np.ndarray) -> pd.DataFrame:
        """Per-row SHAP sums by concept (rows x concept keys); exact, for benchmarks."""
        sums = group_sums(values, self._codes, len(self.concepts_))
        return pd.DataFrame(sums, columns=[c.key for c in self.concepts_])

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
        """Explanation of one client (a stored, new or edited feature row), by concept.

        `raw_application_row` (Series or one-row DataFrame of raw application
        fields) gives the values as entered ("Working", days of age) for the key
        values and the detail. `top_n` rows are shown, the rest summed into "other";
        the principal reasons are taken from every concept, so they never depend on
        `top_n`, and the rows shown carry the same numbers (same path, same order).
        `grouped=False` gives one row per model column instead of per concept.
        """
        x = _as_frame(x_row)
        if len(x) != 1:
            raise ValueError(f"explain expects one client row, got {len(x)}")
        raw_row = _raw_row(raw_application_row)
        raw = None if raw_row is None else [raw_row.to_dict()]  # a dict: ~200 look-ups per client
        return self.explain_many(x, raw, top_n=top_n, language=language, grouped=grouped)[0]

    def explain_many(self, X: pd.DataFrame, raw_applications: list[dict[str, Any]] | None = None,
                     top_n: int = 10, language: str = "fr", grouped: bool = True
                     ) -> list[ClientExplanation]:
        """`explain` of every row of X, with one SHAP call for the whole batch.

        SHAP values of a row do not depend on the other rows (TreeSHAP and the linear
        explainer work row by row), so a batch gives each client exactly the explanation
        it gets alone; a batch job then pays SHAP's per-call overhead once per partition
        instead of once per client. `raw_applications`: one dict of raw fields per row.
        """
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")
        X = _as_frame(X)
        if raw_applications is not None and len(raw_applications) != len(X):
            raise ValueError(f"{len(raw_applications)} raw application rows for {len(X)} clients")
        bases, all_values, history = self.shap_values(X)
        same_order = X.columns.equals(self._columns)  # skips a copy of 800 columns
        x_values = (X if same_order else X[self.feature_names_]).to_numpy(np.float64)
        raws = raw_applications if raw_applications is not None else [None] * len(X)
        return [self._explanation(X.index[i], float(bases[i]), all_values[i], bool(history[i]),
                                  x_values[i], raws[i], top_n, language, grouped)
                for i in range(len(X))]

    def shap_values(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row: the base value (log-odds, its segment's), the SHAP values (rows x model
        features) and whether the row has history: what a stored explanation is made of
        (`explanation_of`), computed once at build time."""
        return self._values(_as_frame(X))

    def explanation_of(self, client_id: Any, base: float, values: np.ndarray, history: bool,
                       x_row: pd.DataFrame, raw: dict[str, Any] | None, top_n: int = 10,
                       language: str = "fr") -> ClientExplanation:
        """A client's explanation from SHAP values computed before (`shap_values`, stored
        with the set): the same table `explain` gives, with no call of the model or SHAP."""
        same_order = x_row.columns.equals(self._columns)
        x_values = (x_row if same_order else x_row[self.feature_names_]).to_numpy(np.float64)[0]
        return self._explanation(client_id, float(base), np.asarray(values, dtype=np.float64),
                                 bool(history), x_values, raw, top_n, language, True)

    def reasons_many(self, X: pd.DataFrame, raw_applications: list[dict[str, Any]] | None = None,
                     language: str = "fr",
                     shap: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
                     ) -> list[list[dict[str, Any]]]:
        """The principal reasons of every row of X, as `explain_many(...)[i].principal_reasons`
        gives them, without building any client's explanation table.

        A batch needs the reasons, not the why page: building each client's table of every
        concept and its detail in Python was 94 % of a batch's time. Here the concept and
        group sums are matrix products, every client's waterfall path goes through the
        calibrator in one call per segment, and only the at most `MAX_REASONS` concepts told
        look for their driver. `tests/model/test_reasons_many.py` holds it to the table's.
        `shap`: X's `shap_values`, when already computed.
        """
        X = _as_frame(X)
        if raw_applications is not None and len(raw_applications) != len(X):
            raise ValueError(f"{len(raw_applications)} raw application rows for {len(X)} clients")
        if not len(X):
            return []
        bases, values, history = shap if shap is not None else self.shap_values(X)
        totals = values @ self._concept_indicator  # (clients, concepts), log-odds
        change = self._waterfall_changes(bases, totals, history)
        group_totals = values @ self._group_indicator  # (clients, groups)
        any_raising_group = ((group_totals > 0) @ self._group_concept_indicator) > 0
        eligible = (self._may_be_reason[None, :] & (change >= MIN_REASON_CHANGE)
                    & (totals > 0) & any_raising_group)
        same_order = X.columns.equals(self._columns)
        x_values = (X if same_order else X[self.feature_names_]).to_numpy(np.float64)
        raws = raw_applications if raw_applications is not None else [None] * len(X)
        out = []
        for i in range(len(X)):
            told = np.flatnonzero(eligible[i])
            told = told[np.lexsort((-totals[i, told], -change[i, told]))][:MAX_REASONS]
            out.append([self._reason(int(c), float(change[i, c]), float(totals[i, c]),
                                     values[i], group_totals[i], x_values[i], raws[i], language)
                        for c in told])
        return out

    def _waterfall_changes(self, bases: np.ndarray, totals: np.ndarray, history: np.ndarray
                           ) -> np.ndarray:
        """Each concept's change of the calibrated probability along each client's waterfall
        (concepts by decreasing |contribution|, as `_explanation` walks them)."""
        order = np.argsort(-np.abs(totals), axis=1, kind="stable")
        steps = np.take_along_axis(totals, order, axis=1)
        margins = bases[:, None] + np.concatenate(
            [np.zeros((len(totals), 1)), np.cumsum(steps, axis=1)], axis=1)
        path = np.empty_like(margins)
        for segment in (True, False):
            rows = history == segment
            if rows.any():
                path[rows] = self.probability_of_margin(
                    margins[rows].ravel(), history=segment).reshape(int(rows.sum()), -1)
        change = np.empty_like(totals)
        np.put_along_axis(change, order, np.diff(path, axis=1), axis=1)
        return change

    def _reason(self, concept_index: int, change: float, contribution: float, values: np.ndarray,
                group_totals: np.ndarray, x_values: np.ndarray, raw: dict[str, Any] | None,
                language: str) -> dict[str, Any]:
        """One principal reason with its driver: the concept's group raising the risk most,
        told by its member pulling that way (`_detail`'s choice)."""
        concept = self.concepts_[concept_index]
        code, inside = max(((code, inside) for code, inside in self._concept_groups[concept_index]
                            if group_totals[code] > 0), key=lambda item: group_totals[item[0]])
        main = int(inside[np.argmax(values[inside])])
        group = self._group_keys[code]
        one_hot = len(inside) > 1 and raw is not None and self._raw_columns[main] in raw
        feature = self._raw_columns[main] if one_hot else self.feature_names_[main]
        return {
            "concept": concept.key, "label": concept.label_en if language == "en"
            else concept.label_fr, "label_fr": concept.label_fr, "label_en": concept.label_en,
            "probability_change": change, "contribution": contribution, "feature": feature,
            "feature_label_fr": self._group_labels["fr"].get(group, group),
            "feature_label_en": self._group_labels["en"].get(group, group),
            "value": self._value_of(feature, x_values, raw),
            "unit": "category" if one_hot else self._units[main],
            "feature_contribution": float(group_totals[code] if one_hot else values[main])}

    def _explanation(self, client_id: Any, base: float, values: np.ndarray, history: bool,
                     x_values: np.ndarray, raw: dict[str, Any] | None, top_n: int, language: str,
                     grouped: bool) -> ClientExplanation:
        """One client's explanation from its SHAP values (one row of `_values`)."""
        totals = group_sums(values, self._codes, len(self.concepts_))[0] if grouped else values
        order = np.argsort(-np.abs(totals), kind="stable")
        group_totals = values @ self._group_indicator if grouped else None
        rows = [self._row(i, values, group_totals, x_values, raw) for i in order]
        path = self.probability_of_margin(
            base + np.concatenate([[0.0], np.cumsum([r["contribution"] for r in rows])]),
            history=history)
        for row, before, after in zip(rows, path[:-1], path[1:]):
            row.update(label=row[f"label_{language}"], probability_before=float(before),
                       probability_after=float(after), probability_change=float(after - before))
        reasons = principal_reasons(rows) if grouped else []
        shown, rest = rows[:top_n], rows[top_n:]
        if rest:
            shown.append(other_row(rest, language))
        # The path ends at base + every contribution: the client's own margin.
        return ClientExplanation(
            rows=shown, base_value=base, margin=base + float(values.sum()),
            base_probability=float(path[0]), probability=float(path[-1]),
            threshold=float(getattr(self.model, "threshold_", 0.5)), kind=self.model.kind,
            language=language, client_id=client_id,
            method=type(self.engine_).__name__.strip("_"), principal_reasons=reasons,
        )

    def _row(self, index: int, values: np.ndarray, group_totals: np.ndarray | None,
             x_values: np.ndarray, raw: dict[str, Any] | None) -> dict[str, Any]:
        """One waterfall row: a concept (`group_totals`: the client's sum per feature group)
        or, ungrouped (`group_totals` None), one feature."""
        grouped = group_totals is not None
        members = self._members[index] if grouped else np.array([index])
        main = int(members[np.argmax(np.abs(values[members]))])
        if grouped:
            concept = self.concepts_[index]
            key, labels, reasonable = concept.key, (concept.label_fr, concept.label_en), \
                concept.reasonable
            key_feature, unit = concept.key_feature, concept.unit
        else:
            key, reasonable = self.feature_names_[index], False
            labels = (self._descriptions["fr"][index], self._descriptions["en"][index])
            key_feature, unit = key, self._units[index]
        return {
            "key": key, "kind": "concept" if grouped else "feature", "is_other": False,
            "reasonable": reasonable, "n_features": int(len(members)),
            "main_feature": self.feature_names_[main],
            "label_fr": labels[0], "label_en": labels[1],
            "key_feature": key_feature, "key_value": self._value_of(key_feature, x_values, raw),
            "unit": unit,
            "members": self._detail(index, values, group_totals, x_values, raw) if grouped else [],
            "contribution": float(values[members].sum()),
        }

    def _value_of(self, feature: str, x_values: np.ndarray, raw: dict[str, Any] | None) -> Any:
        """The client's value of a feature: as entered when the raw row has it, else the
        model input (NaN when neither knows it)."""
        if not feature:
            return np.nan
        if raw is not None and feature in raw:
            value = raw[feature]
            if isinstance(value, str):
                return value
            try:
                return float(value)
            except (TypeError, ValueError):
                return np.nan
        j = self._position.get(feature)
        return float(x_values[j]) if j is not None else np.nan

    def _detail(self, index: int, values: np.ndarray, group_totals: np.ndarray,
                x_values: np.ndarray, raw: dict[str, Any] | None) -> list[dict[str, Any]]:
        """The feature groups inside one concept, largest |contribution| first."""
        out = []
        for code, inside in self._concept_groups[index]:
            total = float(group_totals[code])
            # the member pulling the group's way (a group raising the risk names a feature
            # that raises it, never a larger one lowering it)
            inner = values[inside]
            main = int(inside[np.argmax(inner) if total >= 0 else np.argmin(inner)])
            group = self._group_keys[code]
            one_hot = len(inside) > 1 and raw is not None and self._raw_columns[main] in raw
            feature = self._raw_columns[main] if one_hot else self.feature_names_[main]
            out.append({
                "group": group, "feature": feature,
                "label_fr": self._group_labels["fr"].get(group, group),
                "label_en": self._group_labels["en"].get(group, group),
                "value": self._value_of(feature, x_values, raw),
                "unit": "category" if one_hot else self._units[main],
                "contribution": total,
                # of the feature named: the whole raw field for a one-hot group
                "feature_contribution": total if one_hot else float(values[main]),
            })
        out.sort(key=lambda item: -abs(item["contribution"]))
        return out


def other_row(rest: list[dict[str, Any]], language: str) -> dict[str, Any]:
    """One waterfall row summing `rest` (consecutive rows of the path), "Other items (n)"."""
    before, after = rest[0]["probability_before"], rest[-1]["probability_after"]
    count = len(rest)
    label_fr, label_en = f"Autres éléments ({count})", f"Other items ({count})"
    return {"key": OTHER, "kind": "other", "is_other": True, "reasonable": False,
            "n_features": count, "main_feature": "",  # here: concepts summed
            "label_fr": label_fr, "label_en": label_en,
            "key_feature": "", "key_value": np.nan, "unit": "", "members": [],
            "contribution": float(sum(r["contribution"] for r in rest)),
            "label": label_fr if language == "fr" else label_en,
            "probability_before": before, "probability_after": after,
            "probability_change": after - before}


def _indicator(codes: np.ndarray, n_groups: int) -> np.ndarray:
    """(items, groups) 0/1 matrix: `values @ it` sums the columns of each group."""
    out = np.zeros((len(codes), n_groups), dtype=np.float64)
    out[np.arange(len(codes)), codes] = 1.0
    return out


def _text(info: pd.DataFrame, feature: str, column: str) -> str:
    """A text cell of the dictionary ('' when absent or empty)."""
    if column not in info or feature not in info.index:
        return ""
    value = info.at[feature, column]
    return str(value) if isinstance(value, str) else ""


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


__all__ = ["ClientExplainer", "ClientExplanation", "MAX_REASONS", "OTHER", "explain_rows",
           "principal_reasons", "sigmoid"]
