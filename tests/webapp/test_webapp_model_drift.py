"""Model screen (card, candidates, cost curve, SHAP figures) and drift screen helpers.

Summaries and metrics below follow the formats written by model/training/report.py
and model/drift/report.py; one test runs the real drift code on a tiny frame. Expected
texts are written out by hand from those fixtures.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from model import config
from model.drift.verdict import drift_verdict
from webapp import ids
from webapp.figures import drift as dfig
from webapp.figures import model as mfig
from webapp.services import drift as sdrift
from webapp.services import model as smodel
from webapp.services import population as pop
from tests.rendered import rendered_text

DICTIONARY = pd.DataFrame(
    {"description_fr": ["Score externe 2", "Revenu total"],
     "description_en": ["External score 2", "Total income"]},
    index=pd.Index(["EXT_SOURCE_2", "AMT_INCOME_TOTAL"], name="feature"),
)

METRICS = {
    "chosen": "lightgbm_balanced",
    "threshold": 0.4,
    "candidates": {
        "dummy": {"kind": "dummy", "imbalance": "none", "best_params": {},
                  "cv": {"auc": 0.5}, "holdout": {"auc": 0.498, "recall": 0.1, "precision": 0.08,
                                                  "f2": 0.09, "brier": 0.14, "cost": 800,
                                                  "cost_per_1000": 780.25},
                  "fit_seconds": 0.01},
        "lightgbm_balanced": {"kind": "lightgbm", "imbalance": "class_weight",
                              "best_params": {"learning_rate": 0.05123, "num_leaves": 31},
                              "cv": {"auc": 0.7712, "cost_per_1000": 520.0},
                              "holdout": {"auc": 0.7654, "recall": 0.6512, "precision": 0.1834,
                                          "f2": 0.43, "brier": 0.0671, "cost": 512,
                                          "cost_per_1000": 502.5, "threshold": 0.38,
                                          "n_clients": 1000},
                              "fit_seconds": 12.34},
    },
    "final": {"calibration": {"method": "isotonic", "brier": {"raw": 0.1801, "isotonic": 0.0672}},
              # out-of-fold on every training client at the deployed threshold: the curve's cost
              "oof": {"cost_per_1000": 515.3, "n_clients": 5000}},
    "protocol": {"folds": 5},
    "n_clients": {"all": 5000, "holdout": 1000},
    "cost_weights": {"fn": 10, "fp": 1},
    "mlflow": {"registered_version": 3},
}
MANIFEST = {"created_at": "2026-11-29T16:00:00+00:00",
            "versions": {"lightgbm": "4.7.0", "scikit-learn": "1.9.0"}}


def test_candidates_table_says_each_model_in_words_and_marks_the_chosen_one():
    table = smodel.candidates_table(METRICS, "fr")
    assert list(table["Modèle"]) == ["Modèle de référence naïf (taux moyen pour tous)",
                                     "LightGBM (arbres de décision boostés), classes pondérées ✓ retenu"]
    row = table.iloc[1]
    assert row["AUC (test)"] == "0,765"
    assert row["Rappel (test)"] == "65,1\u202f%"
    assert row["Coût pour 1 000, test mis de côté"] == "502,5"
    assert row["Coût pour 1 000, validation croisée"] == "520,0"
    assert not any("params" in c.lower() or "hyper" in c.lower() for c in table.columns)
    english = smodel.candidates_table(METRICS, "en")
    assert english.iloc[1]["Cost per 1,000, held-out test"] == "502.5"
    assert english.iloc[1]["Model"] == "LightGBM (boosted decision trees), weighted classes ✓ chosen"


def test_candidates_table_says_how_far_the_loan_moves_each_model_and_which_may_be_chosen():
    metrics = json.loads(json.dumps(METRICS))
    metrics["candidates"]["dummy"].update(
        eligible=False, loan_response={"higher": 0.0, "lower": 0.0, "clients": 497})
    metrics["candidates"]["lightgbm_balanced"].update(
        eligible=True, loan_response={"higher": 0.994, "lower": 0.0, "clients": 497})
    table = smodel.candidates_table(metrics, "fr")
    assert list(table["Prêt doublé : clients dont le risque monte"]) == ["0,0\u202f%", "99,4\u202f%"]
    assert list(table["Peut être retenu"]) == ["non", "oui"]
    english = smodel.candidates_table(metrics, "en")
    assert list(english["May be chosen"]) == ["no", "yes"]
    assert smodel.candidates_table(METRICS, "en")["Loan doubled: clients whose risk rises"][0] == "n/a"


@pytest.mark.parametrize("kind, imbalance, lang, expected", [
    ("lightgbm", "none", "fr", "LightGBM (arbres de décision boostés), sans rééquilibrage des classes"),
    ("logistic", "smote", "fr", "Régression logistique, défauts suréchantillonnés (SMOTE)"),
    ("logistic", "balanced", "en", "Logistic regression, weighted classes"),
    ("dummy", "none", "en", "Naive baseline (the average rate for everyone)"),
    ("forest", "none", "en", "forest, no class rebalancing"),  # unknown kind: as written
])
def test_model_kinds_and_imbalance_in_words(kind, imbalance, lang, expected):
    assert smodel.model_in_words(kind, imbalance, lang) == expected


def test_hyperparameters_are_a_table_of_settings_in_words():
    metrics = {**METRICS, "candidates": {
        **METRICS["candidates"],
        "logistic_smote": {"kind": "logistic", "imbalance": "smote",
                           "best_params": {"C": 0.0005, "penalty": "l2", "solver": "lbfgs"}}},
        "chosen": "lightgbm_balanced"}
    metrics["candidates"]["lightgbm_balanced"] = {
        **METRICS["candidates"]["lightgbm_balanced"],
        "best_params": {"learning_rate": 0.05123, "num_leaves": 31, "colsample_bytree": 0.4}}
    table = smodel.params_table(metrics, "fr").set_index("Réglages")
    lgbm = "LightGBM (arbres de décision boostés), classes pondérées ✓ retenu"
    logistic = "Régression logistique, défauts suréchantillonnés (SMOTE)"
    assert list(table.columns) == [lgbm, logistic]  # the dummy has no setting
    assert table.at["Pas d'apprentissage", lgbm] == "0,0512"
    assert table.at["Feuilles par arbre (au plus)", lgbm] == "31"
    assert table.at["Part des variables tirées par arbre", lgbm] == "40\u202f%"
    assert table.at["Type de régularisation", logistic] == "L2 (ridge)"
    assert table.at["Algorithme d'optimisation", logistic] == "L-BFGS"
    assert table.at["Type de régularisation", lgbm] == "—"
    assert not any("=" in str(v) or "_" in str(v) for v in table.to_numpy().ravel())
    assert smodel.params_table({"candidates": {"dummy": {"best_params": {}}}}, "fr").empty


def test_model_card_states_type_version_date_threshold_and_both_costs():
    card = dict(smodel.model_card(METRICS, MANIFEST, "lightgbm", 0.4123, "en"))
    assert card["Model type"] == "LightGBM (boosted decision trees), weighted classes"
    assert card["Version"] == "MLflow v3 · lightgbm 4.7.0, scikit-learn 1.9.0"
    assert card["Training date"] == "2026-11-29 16:00:00+00:00"
    assert card["Decision threshold"] == "41.2%"
    assert card["AUC (test)"] == "0.765"
    # held-out cost at the candidate's own threshold (0.38), cross-validated cost = the curve's
    assert card["Cost per 1,000 clients, held-out test"] == "502.5 (at threshold 38.0%, 1,000 clients)"
    assert card["Cost per 1,000 clients, cross-validation (the curve)"] == (
        "515.3 (at the chosen threshold, 5,000 training clients)")
    assert card["Held-out test split"] == "1,000 clients never seen while tuning"
    assert card["Calibration isotonic (Brier before → after)"] == "0.1801 → 0.0672"
    french = dict(smodel.model_card(METRICS, MANIFEST, "lightgbm", 0.4123, "fr"))
    assert french["Calibration isotonique (Brier avant → après)"] == "0,1801 → 0,0672"


def test_threshold_is_one_percentage_on_card_sentence_and_curve():
    curve = pd.DataFrame({"threshold": [0.1, 0.2, 0.3, 0.4],
                          "cost": [900, 700, 500, 600], "cost_per_1000": [90.0, 70.0, 50.0, 60.0]})
    card = dict(smodel.model_card(METRICS, MANIFEST, "lightgbm", 0.3, "fr"))
    sentence = smodel.threshold_sentence(METRICS, 0.3, "fr")
    label = go.Figure(mfig.cost_curve_figure(curve, 0.3, "fr")).data[1].text[0]
    text = mfig.cost_curve_summary(curve, 0.3, "fr")
    for shown in (card["Seuil de décision"], sentence, label, text):
        assert "30,0\u202f%" in shown and "0,300" not in shown
    assert sentence.startswith("Seuil de décision : 30,0\u202f%.") and "coûte 10 fois" in sentence


def test_cost_note_names_both_costs_and_what_they_are_measured_on():
    note = smodel.cost_note(METRICS, "fr")
    assert "« validation croisée » (515,3 pour 1 000)" in note
    assert "5\u202f000 clients d'entraînement" in note and "moyenne sur 5 plis" in note
    assert "« test mis de côté » (502,5 pour 1 000)" in note and "1\u202f000 clients" in note
    assert "held-out test cost (502.5 per 1,000)" in smodel.cost_note(METRICS, "en")
    # the held-out cost was measured at the candidate's tuning threshold (38 %), not the one applied
    assert smodel.cost_note(METRICS, "en", 0.4123).endswith(
        "This test cost is measured at the 38.0% threshold chosen during tuning, without these "
        "clients; the threshold applied, 41.2%, was chosen again afterwards on all training clients.")
    assert "threshold applied" not in smodel.cost_note(METRICS, "en", 0.38)


def test_segments_and_constraints_are_written_out_by_the_service():
    segment = {"n_clients": 995, "auc": 0.6886, "cost_per_1000": 600.0, "mean_predicted": 0.0808,
               "observed_rate": 0.0774, "calibration_gap": 0.0442, "calibrated_within_tolerance": True}
    metrics = {**METRICS, "segments": {"with_history": segment},
               "constraints": {"n_constrained": 51, "cv_auc_constrained": 0.7335,
                               "cv_auc_unconstrained": 0.7233}}
    table = smodel.segments(metrics, "fr")
    assert table.headers[3] == "Coût pour 1 000 (test)"
    assert table.rows == [["Avec historique", "995", "0,689", "600", "8,1\u202f%", "7,7\u202f%",
                           "4,4\u202f%"]]
    assert table.sentences == ["Avec historique : 995 clients, probabilité moyenne prédite 8,1\u202f% "
                               "pour un taux de défaut observé de 7,7\u202f% (écart de moins de 10 %)."]
    assert smodel.segments(METRICS, "fr") is None
    assert ("AUC of LightGBM (boosted decision trees) 0.734 with these constraints against "
            "0.723 without (difference 0.010)") in smodel.constraints_sentence(metrics, "en")
    assert smodel.constraints_sentence(METRICS, "en") is None


def test_calibration_by_age_band_is_written_out_with_its_interval_and_verdict():
    """Issue 18: calibration by segment and age band on the Model screen, held-out and out of
    fold; a band of fewer than 100 clients is shown, not judged."""
    band = {"n_clients": 1119, "defaults": 73, "mean_predicted": 0.0702, "observed_rate": 0.0652,
            "calibration_gap": 0.0767, "calibrated_within_tolerance": True,
            "observed_ci": [0.0521, 0.0814], "judged": True}
    small = {**band, "n_clients": 95, "defaults": 4, "calibrated_within_tolerance": False,
             "judged": False}
    metrics = {**METRICS, "segments": {"by_age_band_out_of_fold": {
        "with_history": {"35-44": band, "65+": small}, "no_history": {"35-44": band}}}}
    table = smodel.age_bands(metrics, "by_age_band_out_of_fold", "fr")
    assert table.heading.startswith("Calibration par tranche d'âge (clients de calibration")
    assert table.rows[0] == ["Avec historique · 35-44", "1 119", "73", "7,0 %",
                             "6,5 %", "5,2 % – 8,1 %", "7,7 %", "oui"]
    assert table.rows[1][-1] == "non jugé (moins de 100 clients)"
    assert [row[0] for row in smodel.age_bands(metrics, "by_age_band_out_of_fold", "en").rows] == [
        "With history · 35-44", "With history · 65+", "Without history (model in use) · 35-44"]
    assert smodel.age_bands(metrics, "by_age_band", "fr") is None  # no held-out bands here
    # Above 20,000 clients the table is the deployed model's scores of the clients held apart.
    held_apart = {**metrics, "final": {**METRICS["final"], "calibration_source": "held apart"}}
    assert smodel.age_bands(held_apart, "by_age_band_out_of_fold", "fr").heading == (
        "Calibration par tranche d'âge (clients mis à part, notés par le modèle utilisé, "
        "qui ne les a pas vus)")
    assert "held apart, scored by the deployed model" in smodel.age_bands(
        held_apart, "by_age_band_out_of_fold", "en").heading


def test_cost_curve_marks_the_chosen_threshold_with_its_cost():
    curve = pd.DataFrame({"threshold": [0.1, 0.2, 0.3, 0.4],
                          "cost": [900, 700, 500, 600], "cost_per_1000": [90.0, 70.0, 50.0, 60.0]})
    assert mfig.cost_at(curve, 0.31) == 50.0
    figure = go.Figure(mfig.cost_curve_figure(curve, 0.3, "fr"))  # validates the dict
    marker = figure.data[1]
    assert marker.marker.symbol == "diamond" and (marker.x[0], marker.y[0]) == (0.3, 50.0)
    assert marker.text[0] == ("Seuil retenu : 30,0\u202f% (coût 50,0 pour 1 000 clients, "
                              "validation croisée)")
    assert figure.layout.shapes[0].x0 == 0.3  # the vertical line
    assert figure.layout.xaxis.tickformat == ".0%"
    text = mfig.cost_curve_summary(curve, 0.3, "en")
    assert "from 10% to 40%" in text and "50.0 per 1,000 clients" in text


def test_top_importance_orders_by_mean_abs_shap_with_labels():
    # as shap_global.parquet is written: sorted by mean |SHAP| (model.explain.global_shap)
    shap_global = pd.DataFrame({"feature": ["EXT_SOURCE_2", "X", "AMT_INCOME_TOTAL"],
                                "mean_abs_shap": [0.5, 0.2, 0.1]})
    top = smodel.top_importance(shap_global, DICTIONARY, "en", n=2)
    assert list(top["feature"]) == ["EXT_SOURCE_2", "X"]
    assert list(top["label"]) == ["External score 2", "X"]
    assert mfig.importance_summary(top, "en").startswith(
        "Bar chart of the 2 most influential features. First: External score 2 (0.500), then X (0.200)")
    saved = shap_global.assign(label_en=["Ext 2 (saved)", "X (saved)", "Income (saved)"])
    assert list(smodel.top_importance(saved, DICTIONARY, "en", n=2)["label"]) == ["Ext 2 (saved)", "X (saved)"]
    figure = go.Figure(mfig.importance_figure(top, "en"))
    assert list(figure.layout.yaxis.ticktext) == ["External score 2", "X"]
    assert figure.layout.xaxis.title.text == "Mean influence on the score (log-odds)"
    assert "|SHAP|" not in go.Figure(mfig.importance_figure(top, "fr")).layout.xaxis.title.text
    assert list(figure.data[0].y) == [0, 1]


def test_beeswarm_ranks_values_per_feature_and_reads_the_direction():
    sample = {
        "feature_names": np.array(["a", "b"]),
        # a: higher value -> higher SHAP; b: higher value -> lower SHAP
        "shap_values": np.array([[0.1, 0.3], [0.2, 0.2], [0.3, 0.1], [0.4, 0.0]]),
        "feature_values": np.array([[1.0, 10.0], [2.0, 20.0], [3.0, np.nan], [4.0, 40.0]]),
    }
    frame = smodel.beeswarm_frame(sample, ["b", "a", "missing"])
    assert list(frame["feature"].unique()) == ["b", "a"]
    b = frame[frame["feature"] == "b"]
    assert b["value_rank"].tolist()[:2] == pytest.approx([1 / 3, 2 / 3]) and np.isnan(b["value_rank"].iloc[2])
    assert "high values lower the risk" in mfig.beeswarm_summary(frame, {"b": "B"}, "en")
    assert "les valeurs hautes augmentent" in mfig.beeswarm_summary(
        frame[frame["feature"] == "a"], {}, "fr")
    figure = go.Figure(mfig.beeswarm_figure(frame, {"a": "A", "b": "B"}, "en"))
    assert list(figure.layout.yaxis.ticktext) == ["B", "A"]
    assert [t.name for t in figure.data[:2]] == ["B", "A"]  # one trace per feature
    assert figure.data[2].marker.symbol == "circle-open"  # the missing value
    with pytest.raises(KeyError, match="shap_values"):
        smodel.beeswarm_frame({"feature_names": np.array(["a"])}, ["a"])


# --- drift -------------------------------------------------------------------------------------

def _entry(column, drifted, severity, kind="numerical", ref_mean=1.0, cur_mean=2.0):
    stats = lambda mean: {"rows": 10, "missing_share": 0.1, "mean": mean}  # noqa: E731
    return {"column": column, "kind": kind, "drift_detected": drifted, "method": "K-S p_value",
            "threshold": 0.05, "score": 0.05 / severity, "severity": severity,
            "reference": stats(ref_mean), "current": stats(cur_mean)}


SUMMARY = {
    "rows": {"reference": 307511, "current": 48744},
    "n_columns": 3, "n_drifted": 1, "share_drifted": 1 / 3,
    "columns": [_entry("AMT_INCOME_TOTAL", False, 0.5), _entry("EXT_SOURCE_2", True, 40.0),
                _entry("NEW_COL", False, 0.9)],
    "prediction": {**_entry(pop.PREDICTION_COLUMN, True, 3.0, ref_mean=0.08, cur_mean=0.12)},
}


def test_drift_rows_sort_by_severity_and_state_drift_in_words():
    rows = sdrift.rows_from_summary(SUMMARY, DICTIONARY, ["EXT_SOURCE_2", "X"], "fr")
    assert [r.column for r in rows] == ["EXT_SOURCE_2", "NEW_COL", "AMT_INCOME_TOTAL"]
    assert [r.status for r in rows] == ["⚠ Dérive", "✓ Stable", "✓ Stable"]
    assert rows[0].label == "Score externe 2" and rows[1].label == "NEW_COL"
    assert rows[0].reference_missing == "10,0\u202f%"
    assert rows[0].method == "Test de Kolmogorov-Smirnov (p-valeur)"
    assert (rows[0].score, rows[0].threshold, rows[0].severity) == ("0,00125", "0,05", "40,00")
    assert (rows[0].rank, rows[1].rank) == ("1ʳᵉ", "—")  # first of the model's ranked features
    assert sdrift.rows_from_summary({"columns": []}, None, [], "fr") == []


@pytest.mark.parametrize("method, lang, expected", [
    ("Wasserstein distance (normed)", "fr", "Distance de Wasserstein (normalisée)"),
    ("Wasserstein distance (normed)", "en", "Wasserstein distance (normalised)"),
    ("Jensen-Shannon distance", "fr", "Distance de Jensen-Shannon"),
    ("Z-test p_value", "fr", "Test Z de proportions (p-valeur)"),
    ("chi-square p_value", "en", "Chi-square test (p-value)"),
    ("Some new test", "fr", "Some new test"),  # unknown: shown as Evidently writes it
])
def test_test_names_are_translated(method, lang, expected):
    assert sdrift.method_name(method, lang) == expected


def test_column_labels_come_from_the_dictionary_even_for_one_hot_raw_columns():
    dictionary = pd.DataFrame(
        {"description_fr": ["Type de crédit : Cash loans", "Revenu total"],
         "description_en": ["Loan type: Cash loans", "Total income"],
         "column": ["NAME_CONTRACT_TYPE", "AMT_INCOME_TOTAL"],
         "group_fr": ["Type de crédit", "Revenu total"], "group_en": ["Loan type", "Total income"]},
        index=pd.Index(["NAME_CONTRACT_TYPE_Cash_loans", "AMT_INCOME_TOTAL"], name="feature"))
    assert sdrift.column_label(dictionary, "AMT_INCOME_TOTAL", "fr") == "Revenu total"
    assert sdrift.column_label(dictionary, "NAME_CONTRACT_TYPE", "fr") == "Type de crédit"
    assert sdrift.column_label(dictionary, "NAME_CONTRACT_TYPE", "en") == "Loan type"
    assert sdrift.column_label(dictionary, "CODE_GENDER", "en") == "Applicant's gender"
    assert sdrift.column_label(dictionary, "UNKNOWN_COL", "fr") == "UNKNOWN_COL"
    assert sdrift.column_label(None, pop.PREDICTION_COLUMN, "fr") == "Probabilité de défaut prédite"


def test_a_day_count_keeps_its_raw_unit_on_the_drift_screen_whose_means_are_raw():
    """The customer's label says "Âge"; the drift table shows the raw mean (-16,000 days)."""
    dictionary = pd.DataFrame(
        {"description_fr": ["Âge", "Revenu total"], "description_en": ["Age", "Total income"],
         "unit": ["years", "eur"], "column": ["DAYS_BIRTH", "AMT_INCOME_TOTAL"]},
        index=pd.Index(["DAYS_BIRTH", "AMT_INCOME_TOTAL"], name="feature"))
    assert sdrift.column_label(dictionary, "DAYS_BIRTH", "fr") == (
        "Âge (en jours avant la demande, négatif)")
    assert sdrift.column_label(dictionary, "DAYS_BIRTH", "en") == (
        "Age (in days before the application, negative)")
    assert sdrift.column_label(dictionary, "AMT_INCOME_TOTAL", "fr") == "Revenu total"


def test_model_ranking_is_named_as_the_drift_summary_tests_columns():
    dictionary = pd.DataFrame(
        {"column": ["NAME_CONTRACT_TYPE", "NAME_CONTRACT_TYPE", "AMT_ANNUITY", "EXT_SOURCE_2"],
         "source": ["application", "application", "previous_application", "application"]},
        index=pd.Index(["NAME_CONTRACT_TYPE_Cash_loans", "NAME_CONTRACT_TYPE_Revolving_loans",
                        "PREV_AMT_ANNUITY_MIN", "EXT_SOURCE_2"], name="feature"))
    ranked = ["EXT_SOURCE_2", "NAME_CONTRACT_TYPE_Revolving_loans", "PREV_AMT_ANNUITY_MIN",
              "NAME_CONTRACT_TYPE_Cash_loans"]
    tested = {"EXT_SOURCE_2", "NAME_CONTRACT_TYPE", "AMT_ANNUITY"}
    # one-hot features count for their application column (once, at the best rank); a
    # previous-application aggregate is not the application's own AMT_ANNUITY
    assert sdrift.ranked_columns(ranked, dictionary, tested) == [
        "EXT_SOURCE_2", "NAME_CONTRACT_TYPE", "PREV_AMT_ANNUITY_MIN"]
    assert sdrift.ranked_columns(ranked, None, tested) == ranked


def test_drift_sentences():
    assert sdrift.share_sentence(SUMMARY, "fr") == (
        "1 variables sur 3 ont dérivé (33,3\u202f%) entre les 307\u202f511 clients d'entraînement "
        "et les 48\u202f744 nouveaux demandeurs.")
    text = sdrift.prediction_sentence(SUMMARY, "en")
    assert text.startswith("Predicted probabilities drifted (Kolmogorov-Smirnov test (p-value), "
                           "score 0.0167)")
    assert "mean 8.0% in training against 12.0% now" in text
    assert sdrift.prediction_sentence({}, "en") == "Prediction drift was not computed."
    # 3 features tested by K-S at 0.05 (the prediction apart)
    assert sdrift.method_items(SUMMARY, "fr") == [
        "Test de Kolmogorov-Smirnov (p-valeur) : 3 variables, dérive si le score est inférieur à 0,05"]


def test_report_sentence_says_what_the_linked_page_counts():
    # stored at build time: the page's own figures
    stored = {**SUMMARY, "report": {"n_columns": 4, "n_drifted": 2, "share_drifted": 0.5,
                                    "includes_prediction": True}}
    assert sdrift.report_sentence(stored, "en").startswith(
        "The linked Evidently report details only 4 columns")
    assert "It counts 2 drifts out of 4 (50.0%), prediction included" in sdrift.report_sentence(
        stored, "en")
    # an older set: the summary's flags of the page's columns (EXT_SOURCE_2 drifted, NEW_COL not)
    older = {**SUMMARY, "report_columns": ["EXT_SOURCE_2", "NEW_COL"]}
    assert "Il y compte 1 dérives sur 2 (50,0\u202f%) ;" in sdrift.report_sentence(older, "fr")
    assert sdrift.report_sentence(SUMMARY, "fr") is None


def _summary(drifted: list[str], tested: list[str], prediction: bool = False) -> dict:
    columns = [_entry(c, c in drifted, 2.0 if c in drifted else 0.5) for c in tested]
    return {"columns": columns, "n_columns": len(tested), "n_drifted": len(drifted),
            "share_drifted": len(drifted) / len(tested),
            "prediction": _entry(pop.PREDICTION_COLUMN, prediction, 2.0 if prediction else 0.5)}


TESTED = [f"F{i}" for i in range(20)]  # ranked F0 (most influential) ... F19


@pytest.mark.parametrize("drifted, prediction, level, reasons", [
    ([], False, "low", ()),
    (["F19"], False, "low", ()),                       # 5 %, not among the top 10
    (["F15", "F16"], False, "watch", ("share",)),      # 10 %
    (["F3"], False, "watch", ("top",)),                # one important feature
    ([], True, "watch", ("prediction",)),              # the scores themselves moved
    (["F0", "F1"], False, "review", ("top",)),         # two important features
    ([f"F{i}" for i in range(12, 18)], False, "review", ("share",)),  # 30 %
])
def test_drift_verdict_follows_the_configured_rule(drifted, prediction, level, reasons):
    verdict = drift_verdict(_summary(drifted, TESTED, prediction), TESTED)
    assert (verdict.level, verdict.reasons) == (level, reasons)
    assert verdict.top_features == tuple(TESTED[:config.DRIFT_TOP_FEATURES])
    assert verdict.top_drifted == tuple(f for f in TESTED[:10] if f in drifted)


def test_drift_verdict_rule_is_data_and_its_words():
    strict = ({"level": "review", "min_share_drifted": 0.01, "min_top_drifted": None, "prediction": False},
              {"level": "low", "min_share_drifted": None, "min_top_drifted": None, "prediction": False})
    summary = _summary(["F19"], TESTED)
    assert drift_verdict(summary, TESTED).level == "low"
    assert drift_verdict(summary, TESTED, rules=strict).level == "review"
    words = sdrift.verdict_in_words(drift_verdict(_summary(["F0", "F1"], TESTED), TESTED), None, "fr")
    assert words.headline == "Dérive notable sur des variables importantes : revoir le modèle."
    assert "parmi les 10 variables les plus influentes du modèle, 2 ont dérivé (F0, F1)" in words.facts
    assert words.rule.startswith("Règle : revoir le modèle dès 30\u202f% de variables dérivées ou 2 ")
    low = sdrift.verdict_in_words(drift_verdict(_summary([], TESTED), TESTED), None, "en")
    assert low.headline == "Low drift: no action needed." and "none drifted" in low.facts
    with pytest.raises(ValueError, match="last rule"):  # no condition holds, no default
        drift_verdict(_summary([], TESTED), TESTED, rules=strict[:1])


def test_category_shares_keep_missing_and_group_rare_categories():
    values = pd.Series(["a", "a", "a", "b", "b", None, "a", "c", "c", "c"], dtype="category")
    current = np.array([False] * 6 + [True] * 4)
    shares = sdrift.category_shares(values, current, "en", limit=3)
    # reference: a 3/6, b 2/6, missing 1/6; current: a 1/4, c 3/4. Beyond 2 categories -> Other.
    assert list(shares["category"]) == ["a", "b", "Other"]
    assert shares["reference"].tolist() == pytest.approx([0.5, 1 / 3, 1 / 6])
    assert shares["current"].tolist() == pytest.approx([0.25, 0.0, 0.75])
    assert "(missing)" in sdrift.category_shares(values, current, "en")["category"].tolist()
    verdict = sdrift.verdict_text(_entry("X", True, 2.0, "categorical"), "en")
    assert verdict == "Drift detected (Kolmogorov-Smirnov test (p-value), score 0.025, threshold 0.05)."
    summary = dfig.category_drift_summary(shares, "X", verdict, "en")
    assert "Most frequent category: a (50.0%) against Other (75.0%)" in summary


def test_column_values_look_in_clients_then_features_then_applications():
    index = pd.Index([3, 1, 2], name="SK_ID_CURR")
    clients = pd.DataFrame({"probability": [0.1, 0.2, 0.3], "AMT_CREDIT": [1.0, 2.0, 3.0],
                            "set": ["train", "train", "test"]}, index=index)
    plot_columns = pd.DataFrame({"EXT_SOURCE_2": [0.5, 0.6, 0.7]}, index=index)
    applications = pd.DataFrame({"FLAG": [10.0, 20.0, 30.0]}, index=pd.Index([1, 2, 3]))
    assert pop.column_values(pop.PREDICTION_COLUMN, clients, None, None).tolist() == [0.1, 0.2, 0.3]
    assert pop.column_values("EXT_SOURCE_2", clients, None, plot_columns).tolist() == [0.5, 0.6, 0.7]
    # applications in another order are aligned on the client IDs
    assert pop.column_values("FLAG", clients, applications, None).tolist() == [30.0, 10.0, 20.0]
    assert pop.column_values("NOPE", clients, applications, plot_columns) is None
    assert sdrift.is_current(clients).tolist() == [False, False, True]


def test_numeric_drift_chart_has_reference_and_current_bars_with_patterns():
    hist = pop.split_histogram([1.0, 1.0, 2.0, 2.0], [0, 1, 1, 1], labels=("reference", "current"))
    figure = go.Figure(dfig.numeric_drift_figure(hist, "Income", "en"))
    reference, current = figure.data
    assert list(reference.y) == pytest.approx([100.0, 0.0])
    assert list(current.y) == pytest.approx([100 / 3, 200 / 3], rel=1e-3)
    assert (reference.marker.pattern.shape, current.marker.pattern.shape) == ("", "/")


def test_distribution_of_a_column_reads_the_summary_entry():
    state = _state()
    figure, text = sdrift.distribution_for(state, "AMT_INCOME_TOTAL", "en")
    assert text.startswith("Histogram of “Total income”") and "No drift detected" in text
    assert "Mean 1.00 against 2.00; missing values 10.0% against 10.0%." in text
    assert len(go.Figure(figure).data) == 2
    _, prediction = sdrift.distribution_for(state, pop.PREDICTION_COLUMN, "fr")
    assert "« Probabilité de défaut prédite »" in prediction and "Moyenne 8,0\u202f% contre 12,0\u202f%" in prediction


def test_summary_written_by_the_drift_stage_is_read_by_the_screen(tmp_path):
    """The real run_drift output: a shifted column is listed first and flagged."""
    from model.drift.report import run_drift

    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"SHIFTED": rng.normal(0, 1, 400), "SAME": rng.normal(0, 1, 400)})
    current = pd.DataFrame({"SHIFTED": rng.normal(3, 1, 400), "SAME": rng.normal(0, 1, 400)})
    summary = run_drift(reference, current, tmp_path, sample_rows=400)
    rows = sdrift.rows_from_summary(summary, None, [], "en")
    assert [r.column for r in rows] == ["SHIFTED", "SAME"]
    assert [r.status for r in rows] == ["⚠ Drift", "✓ Stable"]
    assert sdrift.share_sentence(summary, "en").startswith("1 of 2 features drifted (50.0%)")
    assert "It counts 1 drifts out of 2 (50.0%)" in sdrift.report_sentence(summary, "en")


# --- the screens' render functions on a small in-memory state ---------------------------------

@pytest.fixture(autouse=True)
def _own_database(app_database):
    """A fresh app database per test: periods another test monitored into the shared one must
    not reach these screens."""
    return app_database


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The Model and Drift page modules, imported the way the app imports them.

    `dash.register_page` needs the app first, and Dash executes page files itself:
    importing them any other way would register their callbacks twice.
    """
    import sys

    if "app" not in sys.modules:
        folder = tmp_path_factory.mktemp("no-artifacts")
        (folder / "manifest.json").write_text("{}")  # start-up then skips the demo build
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SCORING_ARTIFACTS", str(folder))
            import app  # noqa: F401
    from webapp.pages import drift, model_card

    return drift, model_card


def _state(**overrides):
    from types import SimpleNamespace

    index = pd.Index([1, 2, 3, 4], name="SK_ID_CURR")
    clients = pd.DataFrame({"set": ["train", "train", "test", "test"], "TARGET": [0, 1, np.nan, np.nan],
                            "probability": [0.1, 0.5, 0.2, 0.3],
                            "AMT_INCOME_TOTAL": [1.0, 2.0, 3.0, 4.0]}, index=index)
    state = SimpleNamespace(
        clients=clients, applications=None, plot_columns=pd.DataFrame(index=index), dictionary=DICTIONARY,
        model=SimpleNamespace(threshold_=0.4, kind="lightgbm"), metrics=METRICS, manifest=MANIFEST,
        cost_curve=pd.DataFrame({"threshold": [0.2, 0.4], "cost": [5, 4], "cost_per_1000": [50.0, 40.0]}),
        shap_global=None, shap_sample=None, drift_summary=SUMMARY, drift_report_path=None,
        policy_rules=(), fairness=None,
    )
    for key, value in overrides.items():
        setattr(state, key, value)
    return state


@pytest.fixture(params=["json", "auto"])
def json_engine(request, monkeypatch):
    """Dash's plain JSON encoder, then the default one (orjson when it is installed)."""
    import plotly.io.json as plotly_json

    monkeypatch.setattr(plotly_json.config, "default_engine", request.param)
    return request.param


_text = rendered_text


def _find(component, component_id):
    """The component with that id in a rendered layout (depth first), or None."""
    if getattr(component, "id", None) == component_id:
        return component
    children = component if isinstance(component, list) else getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            found = _find(child, component_id)
            if found is not None:
                return found
    elif children is not None and not isinstance(children, str):
        return _find(children, component_id)
    return None


def _buttons(component) -> list:
    from dash import html

    found = [component] if isinstance(component, html.Button) else []
    children = component if isinstance(component, list) else getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        return found + [b for child in children for b in _buttons(child)]
    if children is not None and not isinstance(children, str):
        return found + _buttons(children)
    return found


def test_drift_screen_says_when_the_summary_is_missing(pages, monkeypatch, json_engine):
    drift, _ = pages
    from webapp.services import clients

    monkeypatch.setattr(clients, "get_state", lambda: _state(drift_summary=None))
    text = _text(drift.render("fr"))
    assert "Le résumé de dérive est indisponible" in text
    layout = _text(drift.layout(lang="fr"))
    for target in (ids.DRIFT_DISTRIBUTION, ids.DRIFT_TABLE_BODY, ids.DRIFT_SHOW_ALL, ids.DRIFT_FEATURE):
        assert target in layout  # callbacks keep their targets


def test_drift_screen_count_is_the_stored_summarys(pages, monkeypatch, json_engine):
    """The page's count is read from summary.json, whatever the client table holds; it says
    what it covers and what the linked report counts instead."""
    drift, _ = pages
    from webapp.services import clients

    summary = {**SUMMARY, "report_columns": [pop.PREDICTION_COLUMN, "EXT_SOURCE_2"],
               "report": {"n_columns": 2, "n_drifted": 2, "share_drifted": 1.0,
                          "includes_prediction": True}, "key_columns": ["EXT_SOURCE_2"]}
    monkeypatch.setattr(clients, "get_state", lambda: _state(drift_summary=summary))
    body = drift.render("en")
    text = _text(_find(body, ids.DRIFT_SUMMARY))
    assert "1 of 3 features drifted (33.3%) between the 307,511 training clients" in text
    assert "It counts 2 drifts out of 2 (100.0%), prediction included" in _text(
        _find(body, ids.DRIFT_REPORT_SCOPE))
    scope = _text(_find(body, ids.DRIFT_SCOPE))
    assert "Tested features (3): the application columns" in scope
    assert "among the model's 1 most influential" in scope
    assert "Kolmogorov-Smirnov test (p-value): 3 features, drift when the score is below 0.05" in scope


def test_drift_screen_lists_features_in_a_plain_accessible_table(pages, monkeypatch, json_engine):
    drift, _ = pages
    from webapp.services import clients

    shap_global = pd.DataFrame({"feature": ["AMT_INCOME_TOTAL", "EXT_SOURCE_2"],
                                "mean_abs_shap": [0.3, 0.2]})
    monkeypatch.setattr(clients, "get_state", lambda: _state(shap_global=shap_global))
    body = drift.render("en")
    text = _text(body)
    assert "The full Evidently report is not available." in text
    assert "Kolmogorov-Smirnov test (p-value)" in text and "K-S p_value" not in text
    verdict = _text(_find(body, ids.DRIFT_VERDICT))
    # 33 % drifted (>= 30 %): review, although one important feature only
    assert "Notable drift on important features: review the model." in verdict
    assert "among the model's 2 most influential features, 1 drifted (External score 2)" in verdict
    table = _find(body, ids.DRIFT_TABLE)
    assert table is not None and table.__class__.__name__ == "Table"
    picks = [b for b in _buttons(table) if isinstance(b.id, dict)]
    assert [b.id["column"] for b in picks] == ["EXT_SOURCE_2", "NEW_COL", "AMT_INCOME_TOTAL"]
    assert [b.children for b in picks] == ["External score 2", "NEW_COL", "Total income"]
    assert all(b.id["type"] == ids.DRIFT_ROW_PICK for b in picks)
    # every button of the screen has a name (axe rule button-name)
    assert all(isinstance(b.children, str) and b.children.strip() for b in _buttons(body)
               if not getattr(b, "hidden", False))


def test_drift_table_shows_the_first_rows_then_all(pages, monkeypatch):
    drift, _ = pages
    from webapp.services import clients

    many = {**SUMMARY, "columns": [_entry(f"C{i:02d}", i < 3, 10.0 - i / 10) for i in range(20)],
            "n_columns": 20, "n_drifted": 3, "share_drifted": 0.15}
    monkeypatch.setattr(clients, "get_state", lambda: _state(drift_summary=many))
    body = drift.render("fr")
    shown = _find(body, ids.DRIFT_TABLE_BODY).children
    assert len(shown) == sdrift.PAGE_SIZE == 15
    assert _find(body, ids.DRIFT_SHOW_ALL).children == "Afficher les 20 variables"
    rows, label = drift.toggle_rows(1, "severity", "fr")
    assert len(rows) == 20 and label == "N'afficher que les 15 premières"
    rows, label = drift.toggle_rows(2, "nonsense", "fr")  # unknown order: most drifted first
    assert len(rows) == 15 and label == "Afficher les 20 variables"
    assert _text(rows[0]).startswith("C00")
    from dash.exceptions import PreventUpdate

    for garbage in (None, "1", [1], {"n": 1}, -1, True):
        with pytest.raises(PreventUpdate):
            drift.toggle_rows(garbage, "severity", "xx")


def test_drift_rows_sort_by_influence_or_name():
    summary = {**SUMMARY, "columns": [_entry("A", True, 5.0), _entry("B", False, 0.5),
                                      _entry("C", False, 0.2)]}
    rows = sdrift.rows_from_summary(summary, None, ["C", "B"], "en")
    assert [r.column for r in rows] == ["A", "B", "C"]  # most drifted first
    assert [r.column for r in sdrift.ordered(rows, "influence")] == ["C", "B", "A"]  # A unranked
    assert [r.rank for r in sdrift.ordered(rows, "influence")] == ["#1", "#2", "n/a"]
    labelled = sdrift.rows_from_summary(summary, pd.DataFrame(
        {"description_en": ["zeta", "alpha", "Beta"]}, index=pd.Index(["A", "B", "C"])), [], "en")
    assert [r.label for r in sdrift.ordered(labelled, "label")] == ["alpha", "Beta", "zeta"]


def test_model_screen_without_shap_says_so_and_keeps_the_card(pages, monkeypatch, json_engine):
    _, model_card = pages
    from webapp.services import clients

    monkeypatch.setattr(clients, "get_state", lambda: _state())
    body = model_card.render("en")
    text = _text(body)
    assert "Global SHAP importance was not computed" in text
    assert "Decision threshold: 40.0%" in _text(_find(body, ids.MODEL_THRESHOLD))
    assert "LightGBM (boosted decision trees), weighted classes ✓ chosen" in text
    assert "lightgbm_balanced" not in text and "class_weight" not in text
    assert "held-out test cost (502.5 per 1,000)" in _text(_find(body, ids.MODEL_COST_NOTE))
    params = _text(_find(body, ids.MODEL_PARAMS))
    assert "Learning rate" in params and "learning_rate" not in params


def test_pages_reach_the_state_only_through_services():
    """Pages lay out and figures draw: neither reads AppState (get_state, state.<field>)."""
    import re

    from model.config import PROJECT_ROOT

    for path in ("webapp/pages/drift.py", "webapp/pages/model_card.py",
                 "webapp/figures/drift.py", "webapp/figures/model.py"):
        source = (PROJECT_ROOT / path).read_text()
        assert "get_state" not in source, path
        assert not re.search(r"\bstate\.[a-z_]+", source), path
        assert not re.search(r'\b(id|table_id)=\s*"[a-z-]+"', source), path  # ids live in webapp/ids.py


def test_screens_show_the_reason_when_artifacts_are_missing(pages, monkeypatch, json_engine):
    drift, model_card = pages
    from webapp.services import clients
    from webapp.service_errors import ServiceError

    def missing():
        raise ServiceError("artifacts_missing", detail="no manifest.json")

    monkeypatch.setattr(clients, "get_state", missing)
    assert "no manifest.json" in _text(model_card.render("fr"))
    assert "no manifest.json" in _text(drift.render("fr"))


def test_cost_note_of_a_build_that_held_clients_apart_says_which_model_each_cost_measures():
    metrics = json.loads(json.dumps(METRICS))
    metrics["final"].update(calibration_source="held apart",
                            oof={"cost_per_1000": 441.2, "n_clients": 20000})
    metrics["n_clients"] = {"all": 307511, "tuning": 10000, "holdout": 61503}
    metrics["holdout"] = {"cost_per_1000": 448.8, "n_clients": 61503, "threshold": 0.4,
                          "measured_on": "deployed model"}
    text = smodel.cost_note(metrics, "fr", 0.4)
    assert "20\u202f000 clients mis à part, notés par le modèle utilisé" in text
    assert "appris sur 10" in text and "448,8" in text and "moyenne sur" not in text
    english = smodel.cost_note(metrics, "en", 0.4)
    assert "20,000 clients held apart, scored by the deployed model" in english
    assert "each fitted on 10,000 clients only" in english
