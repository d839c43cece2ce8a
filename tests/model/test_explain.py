"""SHAP explanations: exact sums, agreement with LightGBM, grouping, words, global files.

Models are real (LightGBM, logistic regression, dummy) fitted on the real sample's
features through the project's own pipeline; small settings keep the suite fast.
"""
from __future__ import annotations

from types import SimpleNamespace
import math

import numpy as np
import pandas as pd
import pytest

from model.explain.grouping import feature_concepts, feature_groups, group_labels, group_sums
from model.explain.local import OTHER, ClientExplainer, explain_rows, sigmoid
from webapp.services.reasons import explanation_sentences

N_CLIENTS = 1500


def _scoring_model(kind: str, X: pd.DataFrame, y: pd.Series):
    from model.training.calibration import ProbabilityCalibrator
    from model.training.candidates import Candidate
    from model.training.scoring import ScoringModel

    candidate = Candidate(kind)
    params = candidate.default_params(quick=True)
    if kind in ("lightgbm", "blend"):
        params.update(n_estimators=40, num_leaves=7, learning_rate=0.1)
    pipeline = candidate.build(params, seed=0)
    if kind == "lightgbm":
        pipeline.set_params(classifier__early_stopping_rounds=0)
    if kind == "blend":
        pipeline.set_params(classifier__trees__early_stopping_rounds=0)
    matrix = X.to_numpy(np.float32)
    pipeline.fit(matrix, y.to_numpy())
    calibrator = ProbabilityCalibrator("sigmoid").fit(pipeline.predict_proba(matrix)[:, 1], y)
    return ScoringModel(kind, pipeline, calibrator, threshold=0.1, feature_names=list(X.columns))


@pytest.fixture(scope="module")
def data(sample_tables):
    from model.features.builder import FeatureBuilder

    train = sample_tables["application_train"].iloc[:N_CLIENTS]
    tables = {k: v for k, v in sample_tables.items() if k != "application_test"}
    tables["application_train"] = train
    builder = FeatureBuilder().fit(tables)
    X = builder.transform(tables)
    raw = train.set_index("SK_ID_CURR").loc[X.index]
    return X, raw["TARGET"].astype(int), raw.drop(columns="TARGET"), builder.dictionary_


@pytest.fixture(scope="module")
def models(data):
    X, y, _, _ = data
    return {kind: _scoring_model(kind, X, y)
            for kind in ("lightgbm", "logistic", "blend", "dummy")}


@pytest.fixture(scope="module")
def tree_explainer(models, data):
    return ClientExplainer(models["lightgbm"], data[3])


def test_tree_shap_adds_up_to_the_margin_and_matches_pred_contrib(models, data):
    X = data[0].iloc[:30]
    model = models["lightgbm"]
    base, values = explain_rows(model, X)
    assert values.shape == (30, X.shape[1]) and list(values.columns) == list(X.columns)
    np.testing.assert_allclose(base + values.sum(axis=1), model.predict_margin(X), atol=1e-6)
    contrib = model.classifier_.booster_.predict(model.preprocess(X), pred_contrib=True)
    np.testing.assert_allclose(values.to_numpy(), contrib[:, :-1], atol=1e-6)
    np.testing.assert_allclose(contrib[:, -1], base, atol=1e-6)
    assert np.abs(values.to_numpy()).sum(axis=1).min() > 0  # the model does use features


def test_linear_shap_is_coefficient_times_centred_input(models, data):
    X = data[0].iloc[:20]
    model = models["logistic"]
    base, values = ClientExplainer(model).explain_rows(X)
    coef = model.classifier_.coef_.ravel()
    # The scaler centres training clients at 0: the SHAP value is coef * z.
    np.testing.assert_allclose(values.to_numpy(), model.preprocess(X) * coef, atol=1e-8)
    assert base == pytest.approx(float(model.classifier_.intercept_[0]))
    np.testing.assert_allclose(base + values.sum(axis=1), model.predict_margin(X), atol=1e-8)


def test_blend_shap_is_the_weighted_sum_of_its_parts_and_adds_up(models, data):
    """The blend's values are weight x TreeSHAP of its trees + (1 - weight) x the linear
    part's coef x scaled input: exact, so the waterfall still ends at the probability shown."""
    X = data[0].iloc[:25]
    model = models["blend"]
    blend = model.classifier_
    base, values = ClientExplainer(model, data[3]).explain_rows(X)
    Z = model.preprocess(X)
    trees = blend.trees_.booster_.predict(Z, pred_contrib=True)
    linear = blend.linear_[:-1].transform(Z) * blend.linear_[-1].coef_.ravel()
    w = blend.weight
    np.testing.assert_allclose(values.to_numpy(), w * trees[:, :-1] + (1 - w) * linear,
                               atol=1e-8)
    np.testing.assert_allclose(base + values.sum(axis=1), model.predict_margin(X), atol=1e-6)
    explanation = ClientExplainer(model, data[3]).explain(X.iloc[[3]])
    assert explanation.probability == pytest.approx(model.predict_proba(X.iloc[[3]])[0], abs=1e-9)
    assert 0 < w < 1 and np.abs(trees[:, :-1]).sum() > 0 and np.abs(linear).sum() > 0


def test_dummy_has_no_contribution_and_its_prior_as_base(models, data):
    model = models["dummy"]
    explanation = ClientExplainer(model, data[3]).explain(data[0].iloc[[0]])
    assert (explanation.table["contribution"] == 0).all()
    prior = data[1].mean()
    assert float(sigmoid(explanation.base_value)) == pytest.approx(prior)
    assert explanation.probability == pytest.approx(explanation.base_probability)
    told = SimpleNamespace(explanation=explanation, reasons=())  # what an Assessment carries
    assert "aucune caractéristique" in explanation_sentences(told, "fr")[1]


@pytest.mark.parametrize("row", [0, 7, 123])
def test_grouped_explanation_sums_and_maps_to_the_displayed_probability(
        tree_explainer, models, data, row):
    X, _, raw, _ = data
    x = X.iloc[[row]]
    explanation = tree_explainer.explain(x, raw_application_row=raw.iloc[[row]], top_n=8)
    table = explanation.table
    base, values = tree_explainer.explain_rows(x)
    assert len(table) == 9 and table["is_other"].tolist() == [False] * 8 + [True]
    assert table["contribution"].sum() == pytest.approx(values.to_numpy().sum(), abs=1e-9)
    assert explanation.margin == pytest.approx(models["lightgbm"].predict_margin(x)[0], abs=1e-6)
    assert explanation.probability == pytest.approx(models["lightgbm"].predict_proba(x)[0], abs=1e-9)
    assert table["probability_before"].iloc[0] == pytest.approx(explanation.base_probability)
    assert table["probability_change"].sum() == pytest.approx(
        explanation.probability - explanation.base_probability, abs=1e-12)
    # The calibrated map is monotone: a bar never goes against its log-odds sign.
    assert (table["probability_change"] * np.sign(table["contribution"]) >= -1e-12).all()
    # Largest first, and each concept row is the sum of its own columns.
    shown = table[~table["is_other"]]
    assert shown["contribution"].abs().is_monotonic_decreasing
    concepts = feature_concepts(list(X.columns), data[3])
    for key, contribution in zip(shown["key"], shown["contribution"]):
        members = concepts.index[concepts == key]
        assert contribution == pytest.approx(values[members].to_numpy().sum(), abs=1e-9)


def test_text_fields_show_the_raw_value_inside_their_concept(tree_explainer, data):
    X, _, raw, _ = data
    explanation = tree_explainer.explain(X.iloc[[5]], raw_application_row=raw.iloc[[5]],
                                         top_n=10_000, language="en")
    table = explanation.table.set_index("key")
    assert OTHER not in table.index  # every concept shown: nothing left over
    income = table.loc["income"]
    assert income["label"] == "Income, employment and education"
    members = {m["group"]: m for m in income["members"]}
    education = members["NAME_EDUCATION_TYPE"]
    assert education["value"] == str(raw["NAME_EDUCATION_TYPE"].iloc[5])
    assert education["unit"] == "category" and education["label_en"] == "Education"
    one_hot = [c for c in X.columns if c.startswith("NAME_EDUCATION_TYPE_")]
    _, values = tree_explainer.explain_rows(X.iloc[[5]])
    assert education["contribution"] == pytest.approx(values[one_hot].to_numpy().sum(), abs=1e-9)
    assert income["key_value"] == pytest.approx(float(raw["AMT_INCOME_TOTAL"].iloc[5]))


def test_feature_level_explanation_and_bad_input(tree_explainer, data):
    X = data[0]
    explanation = tree_explainer.explain(X.iloc[[3]], grouped=False, top_n=5)
    assert set(explanation.table["kind"]) == {"feature", "other"}
    assert explanation.table["n_features"].iloc[-1] == X.shape[1] - 5
    with pytest.raises(ValueError, match="one client row"):
        tree_explainer.explain(X.iloc[:2])
    with pytest.raises(ValueError, match="unknown language"):
        tree_explainer.explain(X.iloc[[0]], language="de")
    with pytest.raises(ValueError, match="missing for scoring"):
        tree_explainer.explain(X.iloc[[0]].drop(columns=["EXT_SOURCE_2"]))
    payload = explanation.to_dict()
    assert payload["contributions"][0]["key"] == explanation.table["key"].iloc[0]


def test_global_shap_files(tmp_path, models, data):
    from model.explain.global_shap import compute_global_shap

    X, y, _, dictionary = data
    per_feature = compute_global_shap(models["lightgbm"], X, y, tmp_path, sample_size=400,
                                      seed=3, dictionary=dictionary, n_beeswarm=12)
    stored = pd.read_parquet(tmp_path / "shap_global.parquet")
    pd.testing.assert_frame_equal(stored, per_feature)
    groups = pd.read_parquet(tmp_path / "shap_global_groups.parquet")
    with np.load(tmp_path / "shap_sample.npz", allow_pickle=False) as npz:
        sample = {k: npz[k] for k in npz.files}
    # Stratified: the sample keeps the default rate of the 1,500 clients.
    assert len(sample["client_ids"]) == 400
    assert abs(sample["target"].sum() - 400 * y.mean()) <= 1
    # Mean |SHAP| recomputed by hand on the same clients.
    ids = pd.Index(sample["client_ids"])
    _, values = explain_rows(models["lightgbm"], X.loc[ids])
    top = per_feature["feature"].iloc[0]
    assert per_feature["mean_abs_shap"].iloc[0] == pytest.approx(values[top].abs().mean())
    assert per_feature["mean_abs_shap"].is_monotonic_decreasing
    assert list(sample["feature_names"]) == per_feature["feature"].head(12).tolist()
    np.testing.assert_allclose(sample["shap_values"][:, 0], values[top], atol=1e-5)
    np.testing.assert_allclose(sample["feature_values"][:, 0], X.loc[ids, top], equal_nan=True)
    education = groups.set_index("group").loc["NAME_EDUCATION_TYPE"]
    members = [c for c in X.columns if c.startswith("NAME_EDUCATION_TYPE_")]
    assert education["mean_abs_shap"] == pytest.approx(values[members].sum(axis=1).abs().mean())
    assert education["label_en"] == "Education"
    assert not list(tmp_path.glob(".*tmp"))


# ---- pure helpers: hand-made inputs, no sample needed -----------------------------

DICTIONARY = pd.DataFrame({
    "feature": ["AMT_CREDIT", "TYPE_Cash", "TYPE_Revolving", "B_DAYS_MIN", "B_DAYS_MEAN"],
    "aggregation": ["raw", "one_hot", "one_hot", "min", "mean"],
    "description_fr": ["Montant du crédit", "Type de crédit : Cash", "Type de crédit : Revolving",
                       "Bureau : ancienneté du crédit, minimum", "Bureau : ancienneté du crédit, moyenne"],
    "description_en": ["Loan amount", "Loan type: Cash", "Loan type: Revolving",
                       "Bureau: lowest age of the credit", "Bureau: average age of the credit"],
    "group": ["AMT_CREDIT", "TYPE", "TYPE", "B_DAYS", "B_DAYS"],
    "group_fr": ["Montant du crédit", "Type de crédit", "Type de crédit",
                 "Bureau : ancienneté du crédit", "Bureau : ancienneté du crédit"],
    "group_en": ["Loan amount", "Loan type", "Loan type", "Bureau: age of the credit",
                 "Bureau: age of the credit"],
})


def test_group_sums_and_labels_by_hand():
    names = list(DICTIONARY["feature"]) + ["UNKNOWN"]
    groups = feature_groups(names, DICTIONARY)
    assert groups.tolist() == ["AMT_CREDIT", "TYPE", "TYPE", "B_DAYS", "B_DAYS", "UNKNOWN"]
    codes, _ = pd.factorize(groups.to_numpy())
    values = np.array([[1.0, 2.0, -0.5, 0.25, 0.25, 3.0]])
    np.testing.assert_allclose(group_sums(values, codes, 4), [[1.0, 1.5, 0.5, 3.0]])
    fr, en = group_labels(DICTIONARY, groups, "fr"), group_labels(DICTIONARY, groups, "en")
    assert fr == {"AMT_CREDIT": "Montant du crédit", "TYPE": "Type de crédit",
                  "B_DAYS": "Bureau : ancienneté du crédit", "UNKNOWN": "UNKNOWN"}
    assert en["TYPE"] == "Loan type" and en["B_DAYS"] == "Bureau: age of the credit"


def test_sigmoid():
    assert float(sigmoid(0.0)) == 0.5 and float(sigmoid(math.log(3))) == pytest.approx(0.75)
