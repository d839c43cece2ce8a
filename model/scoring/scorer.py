"""The one scoring path: application rows in, `Assessment`s out.

features (the fitted builder) -> calibrated probability (the model, routed by history) ->
lending rules (the set's policy) -> recommendation -> principal reasons (SHAP by concept)
-> what would change the decision (when asked) -> one `Assessment` per application.

The client file, the why and what-if pages, the new-applicant form, the JSON API, the
customer's letter, the decision log and the batch job all call a `Scorer`; nothing else
combines the model, the rules and the reasons, so they can never tell different stories.
A `Scorer` is built once per verified artifact set and never mutated: safe to share
between threads.
"""
from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from model.explain.local import ClientExplainer, ClientExplanation
from model.features.application import TEXT_COLUMNS, numeric_features
from model.features.builder import FeatureBuilder
from model.features.concepts import CONCEPTS
from model.scoring import policy
from model.scoring.applications import KEY, with_values, with_values_many
from model.scoring.assessment import GRANTED, REFUSED, Assessment, Reason
from model.scoring.counterfactual import (LOAN_FIELDS, Counterfactual, find_counterfactuals,
                                          granted_as_asked,
                                          policy_check, score_edited_rows)
from model.scoring.missing_fields import most_prudent, prudent_candidates
from model.training.scoring import ScoringModel

log = logging.getLogger(__name__)

# Every concept is a row of the stored explanation: a presenter folds the tail into
# "other items" for the number of rows it shows (`ClientExplanation.top`).
ALL_CONCEPTS = len(CONCEPTS)
NEW_APPLICANT_ID = 0  # never a real SK_ID_CURR (they start at 100,001)


class Scorer:
    """Assess applications with one artifact set's builder, model, explainer and rules.

    `typical`: a one-row typical application (model.scoring.applications.typical_application)
    that fills the fields a new application leaves out; `explainer` None gives assessments
    without reasons (a set whose model cannot be explained).
    """

    def __init__(self, model: ScoringModel, builder: FeatureBuilder,
                 explainer: ClientExplainer | None, rules: Sequence[policy.PolicyRule],
                 build_id: str, model_version: str, typical: pd.DataFrame | None = None) -> None:
        self.model = model
        self.builder = builder
        self.explainer = explainer
        self.rules = tuple(rules)
        self.build_id = build_id
        self.model_version = model_version
        self.typical = typical
        self._rules_check = policy_check(self.rules)
        self._application_columns = list(builder.application_features_)

    @property
    def threshold(self) -> float:
        return float(self.model.threshold_)

    # ---- feature rows ------------------------------------------------------------------
    def features(self, applications: pd.DataFrame,
                 history: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
        """Feature rows of raw applications (an `SK_ID_CURR` column) and their optional
        history tables, through the fitted builder; indexed by SK_ID_CURR."""
        return self.builder.transform({"application": applications, **dict(history or {})})

    def edited_features(self, stored: pd.DataFrame, application: pd.DataFrame,
                        edited: Collection[str] | None = None) -> pd.DataFrame:
        """A stored client's feature row with the application features recomputed from an
        edited raw row (history aggregates kept as stored): the what-if. `application` may
        hold several edited rows of the same client (a new applicant's prudent candidates):
        one feature row each, indexed like them.

        `edited`: the raw columns changed. When they are all numbers (every what-if field
        is), only the numeric application features are recomputed, in numpy (the text
        fields' codes stay as stored): ~0.1 ms instead of the builder's ~10 ms of pandas,
        the same values (`tests/model/test_edited_features.py`)."""
        values = np.repeat(stored.to_numpy(np.float32), len(application), axis=0)
        if edited is not None and not set(edited) & set(TEXT_COLUMNS):
            recomputed = numeric_features(application)
            for j, column in zip(stored.columns.get_indexer(list(recomputed)), recomputed):
                if j >= 0:
                    values[:, j] = recomputed[column]
        else:
            rows = self.builder.transform_application(application.reset_index())
            positions = stored.columns.get_indexer(self._application_columns)
            values[:, positions] = rows[self._application_columns].to_numpy(np.float32)
        return pd.DataFrame(values, columns=stored.columns, index=application.index)

    def new_application(self, values: Mapping[str, object]) -> pd.DataFrame:
        """The raw row of a new applicant (indexed by SK_ID_CURR = 0): the given raw columns
        over the typical application; fields given as missing stay missing."""
        if self.typical is None:
            raise ValueError("this scorer has no typical application to start a new one from")
        app = with_values(self.typical, values)
        app.insert(0, KEY, NEW_APPLICANT_ID)
        return app.set_index(KEY)

    # ---- assessments -------------------------------------------------------------------
    def assess(self, applications: pd.DataFrame, history: Mapping[str, pd.DataFrame] | None = None,
               *, counterfactual: bool = False, prudent_missing: bool = False,
               explanations: bool = True) -> list[Assessment]:
        """Assess raw applications (an `SK_ID_CURR` column, Kaggle's schema) with their
        optional history tables, vectorised over the batch.

        `prudent_missing`: an empty optional field (`config.MISSING_NEVER_HELPS`) is scored
        the less favourable way, missing or at the training median (new applicants).
        `explanations=False`: the same reasons, without each client's table of every concept
        (what a screen shows; a batch file holds only the reasons, computed for the batch).
        """
        apps = applications.set_index(KEY, drop=False)
        features = self.features(applications, history).loc[apps.index]
        filled: dict[object, tuple[str, ...]] = {}
        if prudent_missing and self.typical is not None and not history:
            apps, features, filled = self._prudent(apps, features)
        return self.assess_features(features, apps.drop(columns=KEY), counterfactual=counterfactual,
                                    filled=filled, explanations=explanations)

    def assess_features(self, features: pd.DataFrame, applications: pd.DataFrame, *,
                        counterfactual: bool = False,
                        filled: Mapping[object, tuple[str, ...]] | None = None,
                        explanations: bool = True,
                        shap: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
                        ) -> list[Assessment]:
        """Assess feature rows already built (a stored client's, an edited one) with their raw
        application rows (both indexed by SK_ID_CURR, same order). `shap`: the rows'
        `ClientExplainer.shap_values`, when already computed (reasons only)."""
        if not features.index.equals(applications.index):
            raise ValueError("feature rows and application rows must have the same clients, "
                             "in the same order")
        probability = np.asarray(self.model.predict_proba(features), dtype=np.float64)
        model_refused = self.model.decide(probability)
        history = self.model.has_history(features)
        values = policy.rule_values(applications, self.rules)
        fired = np.asarray(policy.fired_in(values, self.rules), dtype=bool)
        measured = values.to_numpy(np.float64)
        figures = applications.reindex(columns=list(policy.RULE_FIELDS))
        explained, reasons = self._explain(features, applications, explanations, shap)
        recommendations = []
        fired_rules = []
        for i in range(len(features)):
            rules = ()
            if fired[i].any():  # the customer's figures, read only when a rule fired
                row = figures.iloc[i]
                rules = tuple(policy.FiredRule(self.rules[j], float(measured[i, j]),
                                               policy.largest_credit_within(self.rules[j], row))
                              for j in np.flatnonzero(fired[i]))
            fired_rules.append(rules)
            recommendations.append(policy.decide(bool(model_refused[i]), rules))
        changes: list[Counterfactual | None] = [None] * len(features)
        if counterfactual:  # searched only when not granted (a granted loan has nothing to change)
            changes = self._counterfactuals(features, applications,
                                            np.array([r != GRANTED for r in recommendations]))
        out = []
        for i, client in enumerate(features.index):
            out.append(Assessment(
                client_id=int(client) if client != NEW_APPLICANT_ID else None,
                probability=float(probability[i]), threshold=self.threshold,
                model_outcome=REFUSED if model_refused[i] else GRANTED, rules=fired_rules[i],
                recommendation=recommendations[i],
                reasons=tuple(Reason.from_explanation(r) for r in reasons[i]),
                explanation=explained[i], build_id=self.build_id,
                model_version=self.model_version, counterfactual=changes[i],
                has_history=bool(history[i]), filled_fields=tuple((filled or {}).get(client, ()))))
        return out

    def assess_one(self, features: pd.DataFrame, application: pd.DataFrame, *,
                   counterfactual: bool = False) -> Assessment:
        """`assess_features` of one row (a stored client, a what-if)."""
        return self.assess_features(features, application, counterfactual=counterfactual)[0]

    def assess_new(self, values: Mapping[str, object], *, counterfactual: bool = False) -> Assessment:
        """A new applicant without history: raw column values over the typical application,
        empty optional fields scored prudently."""
        return self.assess_new_many([values], counterfactual=counterfactual)[0]

    def assess_new_many(self, applicants: Sequence[Mapping[str, object]], *,
                        counterfactual: bool = False) -> list[Assessment]:
        """`assess_new` of several applicants in one vectorised call (`POST /api/score/batch`).

        Each row gets a distinct provisional id (1, 2, ...: never a real SK_ID_CURR, which
        start at 100,001) so the rows stay apart through the builder; an applicant has no
        client id, so the assessments carry none, as `assess_new`'s."""
        if not applicants:
            return []
        if self.typical is None:
            raise ValueError("this scorer has no typical application to start a new one from")
        rows = with_values_many(self.typical, applicants)
        rows.insert(0, KEY, np.arange(1, len(applicants) + 1))
        assessed = self.assess(rows, counterfactual=counterfactual, prudent_missing=True)
        return [replace(assessment, client_id=None) for assessment in assessed]

    # ---- parts -------------------------------------------------------------------------
    def _explain(self, features: pd.DataFrame, applications: pd.DataFrame, explanations: bool,
                 shap: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
                 ) -> tuple[list[ClientExplanation | None], list[list[dict]]]:
        """Every row's explanation (when asked) and principal reasons, one SHAP call for the
        batch (the same numbers as one client at a time: `ClientExplainer.explain_many`)."""
        if self.explainer is None:
            return [None] * len(features), [[] for _ in range(len(features))]
        raws = _records(applications)
        if not explanations:
            return [None] * len(features), self.explainer.reasons_many(features, raws, shap=shap)
        explained = self.explainer.explain_many(features, raws, top_n=ALL_CONCEPTS, language="fr")
        return explained, [e.principal_reasons for e in explained]

    def _counterfactuals(self, features: pd.DataFrame, applications: pd.DataFrame,
                         searched: np.ndarray) -> list[Counterfactual]:
        """The proposal of every row: searched where `searched` (not granted), every searched
        row's grid scored in one batch; the others are granted as asked."""
        app_rows = applications.reset_index()
        loans = app_rows.reindex(columns=list(LOAN_FIELDS)).to_dict("records")
        out = [None if searched[i] else granted_as_asked(loan) for i, loan in enumerate(loans)]
        rows = np.flatnonzero(searched)
        if len(rows):
            feature_rows, some = features.iloc[rows], app_rows.iloc[rows].reset_index(drop=True)

            def score(owner: np.ndarray, edits: pd.DataFrame) -> np.ndarray:
                return score_edited_rows(self.builder, self.model, feature_rows, some, edits, owner)

            for position, found in zip(rows, find_counterfactuals(
                    score, some, self.threshold, rules=self._rules_check)):
                out[position] = found
        return out

    def _prudent(self, apps: pd.DataFrame, features: pd.DataFrame
                 ) -> tuple[pd.DataFrame, pd.DataFrame, dict[object, tuple[str, ...]]]:
        """Applications without history whose optional fields are empty, re-scored the less
        favourable way (`model.scoring.missing_fields`): the candidates differ from their
        application in numeric fields only, so their features are the application's with the
        numeric application features recomputed (`edited_features`, not the builder again),
        all scored in one call; the chosen row's features are taken from them."""
        typical = self.typical.iloc[0]
        candidates = [prudent_candidates(apps.iloc[[i]].reset_index(drop=True), typical)
                      for i in range(len(apps))]
        starts = np.cumsum([0] + [len(rows) for rows, _, _ in candidates])
        if starts[-1]:
            every_features = pd.concat(
                [self.edited_features(features.iloc[[i]], rows, edited=empty)
                 for i, (rows, _, empty) in enumerate(candidates) if len(rows)])
            probability = np.asarray(self.model.predict_proba(every_features))
        filled: dict[object, tuple[str, ...]] = {}
        rows, feature_rows = [], []
        for i, (client, (own, choices, empty)) in enumerate(zip(apps.index, candidates)):
            if not empty:
                rows.append(apps.iloc[[i]])
                feature_rows.append(features.iloc[[i]])
                continue
            best, fields = most_prudent(probability[starts[i]:starts[i + 1]], choices, empty)
            rows.append(own.iloc[[best]].set_axis(apps.index[[i]]))
            if fields:
                position = starts[i] + best
                feature_rows.append(every_features.iloc[[position]].set_axis(features.index[[i]]))
                filled[client] = tuple(fields)
            else:
                feature_rows.append(features.iloc[[i]])
        return pd.concat(rows), pd.concat(feature_rows), filled


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts of raw values, as `to_dict("records")` gives them, from one object
    array: pandas' `to_dict` boxed each of a row's 122 mixed-type cells apart (~9 ms for one
    what-if row)."""
    columns = list(frame.columns)
    return [dict(zip(columns, row)) for row in frame.to_numpy(dtype=object)]
