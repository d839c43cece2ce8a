"""Model screen (card, candidates, cost curve, SHAP figures) and drift screen helpers.

Summaries and metrics below follow the formats written by model/training/report.py
and model/drift/report.py; one test runs the real drift code on a tiny frame.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from webapp.services import population as pop
from webapp.figures import drift as dfig
from webapp.figures import model as mfig

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
                              "cv": {"auc": 0.7712}, "holdout": {"auc": 0.7654, "recall": 0.6512,
                                                                 "precision": 0.1834, "f2": 0.43,
                                                                 "brier": 0.0671, "cost": 512,
                                                                 "cost_per_1000": 502.5},
                              "fit_seconds": 12.34},
    },
    "final": {"calibration": {"method": "isotonic", "brier": {"raw": 0.1801, "isotonic": 0.0672}}},
    "n_clients": {"all": 5000, "holdout": 1000},
    "cost_weights": {"fn": 10, "fp": 1},
    "mlflow": {"registered_version": 3},
}
MANIFEST = {"created_at": "2026-11-29T16:00:00+00:00",
            "versions": {"lightgbm": "4.7.0", "scikit-learn": "1.9.0"}}


def test_candidates_table_formats_numbers_and_marks_the_chosen_model_in_words():
    table = mfig.candidates_table(METRICS, "fr")
    assert list(table["Modèle"]) == ["dummy", "lightgbm_balanced ✓ retenu"]
    row = table.iloc[1]
    assert row["AUC (test)"] == "0,765"
    assert row["Rappel (test)"] == "65,1\u202f%"
    assert row["Coût pour 1 000 (test)"] == "502,5"
    assert row["Meilleurs hyperparamètres"] == "learning_rate=0.0512, num_leaves=31"
    assert table.iloc[0]["Meilleurs hyperparamètres"] == "—"
    english = mfig.candidates_table(METRICS, "en")
    assert english.iloc[1]["Cost per 1,000 (test)"] == "502.5"


def test_model_card_states_type_version_date_threshold_and_held_out_metrics():
    card = dict(mfig.model_card(METRICS, MANIFEST, "lightgbm", 0.4123, "en"))
    assert card["Model type"] == "lightgbm · class_weight"
    assert card["Version"] == "MLflow v3 · lightgbm 4.7.0, scikit-learn 1.9.0"
    assert card["Training date"] == "2026-11-29 16:00:00+00:00"
    assert card["Decision threshold"] == "0.412"
    assert card["AUC (test)"] == "0.765"
    assert card["Cost (test)"] == "512"
    assert card["Held-out test split"] == "1,000 clients never seen while tuning"
    assert card["Calibration isotonic (Brier before → after)"] == "0.1801 → 0.0672"


def test_cost_curve_marks_the_chosen_threshold_with_its_cost():
    curve = pd.DataFrame({"threshold": [0.1, 0.2, 0.3, 0.4],
                          "cost": [900, 700, 500, 600], "cost_per_1000": [90.0, 70.0, 50.0, 60.0]})
    assert mfig.cost_at(curve, 0.31) == 50.0
    figure = go.Figure(mfig.cost_curve_figure(curve, 0.3, "fr"))  # validates the dict
    marker = figure.data[1]
    assert marker.marker.symbol == "diamond" and (marker.x[0], marker.y[0]) == (0.3, 50.0)
    assert marker.text[0] == "Seuil retenu : 0,300 (coût 50,0 pour 1 000 clients)"
    assert figure.layout.shapes[0].x0 == 0.3  # the vertical line
    text = mfig.cost_curve_summary(curve, 0.3, "en")
    assert "from 0.10 to 0.40" in text and "50.0 per 1,000 clients" in text


def test_top_importance_orders_by_mean_abs_shap_with_labels():
    # as shap_global.parquet is written: sorted by mean |SHAP| (model.explain.global_shap)
    shap_global = pd.DataFrame({"feature": ["EXT_SOURCE_2", "X", "AMT_INCOME_TOTAL"],
                                "mean_abs_shap": [0.5, 0.2, 0.1]})
    top = mfig.top_importance(shap_global, DICTIONARY, "en", n=2)
    assert list(top["feature"]) == ["EXT_SOURCE_2", "X"]
    assert list(top["label"]) == ["External score 2", "X"]
    assert mfig.importance_summary(top, "en").startswith(
        "Bar chart of the 2 most influential features. First: External score 2 (0.500), then X (0.200)")
    saved = shap_global.assign(label_en=["Ext 2 (saved)", "X (saved)", "Income (saved)"])
    assert list(mfig.top_importance(saved, DICTIONARY, "en", n=2)["label"]) == ["Ext 2 (saved)", "X (saved)"]
    figure = go.Figure(mfig.importance_figure(top, "en"))
    assert list(figure.layout.yaxis.ticktext) == ["External score 2", "X"]
    assert list(figure.data[0].y) == [0, 1]


def test_beeswarm_ranks_values_per_feature_and_reads_the_direction():
    sample = {
        "feature_names": np.array(["a", "b"]),
        # a: higher value -> higher SHAP; b: higher value -> lower SHAP
        "shap_values": np.array([[0.1, 0.3], [0.2, 0.2], [0.3, 0.1], [0.4, 0.0]]),
        "feature_values": np.array([[1.0, 10.0], [2.0, 20.0], [3.0, np.nan], [4.0, 40.0]]),
    }
    frame = mfig.beeswarm_frame(sample, ["b", "a", "missing"])
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
        mfig.beeswarm_frame({"feature_names": np.array(["a"])}, ["a"])


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


def test_drift_table_sorts_by_severity_and_states_drift_in_words():
    table = dfig.drift_table(SUMMARY, DICTIONARY, "fr")
    assert list(table["column"]) == ["EXT_SOURCE_2", "NEW_COL", "AMT_INCOME_TOTAL"]
    assert list(table["status"]) == ["⚠ Dérive", "✓ Stable", "✓ Stable"]
    assert table.loc[0, "label"] == "Score externe 2"
    assert table.loc[0, "reference_missing"] == 10.0
    assert dfig.drift_table({"columns": []}, None, "fr").empty


def test_drift_sentences():
    assert dfig.share_sentence(SUMMARY, "fr") == (
        "1 variables sur 3 ont dérivé (33,3\u202f%) entre les 307\u202f511 clients d'entraînement "
        "et les 48\u202f744 nouveaux demandeurs.")
    text = dfig.prediction_sentence(SUMMARY, "en")
    assert text.startswith("Predicted probabilities drifted (K-S p_value test, score 0.0167)")
    assert "mean 8.0% in training against 12.0% now" in text
    assert dfig.prediction_sentence({}, "en") == "Prediction drift was not computed."


def test_category_shares_keep_missing_and_group_rare_categories():
    values = pd.Series(["a", "a", "a", "b", "b", None, "a", "c", "c", "c"], dtype="category")
    current = np.array([False] * 6 + [True] * 4)
    shares = dfig.category_shares(values, current, "en", limit=3)
    # reference: a 3/6, b 2/6, missing 1/6; current: a 1/4, c 3/4. Beyond 2 categories -> Other.
    assert list(shares["category"]) == ["a", "b", "Other"]
    assert shares["reference"].tolist() == pytest.approx([0.5, 1 / 3, 1 / 6])
    assert shares["current"].tolist() == pytest.approx([0.25, 0.0, 0.75])
    assert "(missing)" in dfig.category_shares(values, current, "en")["category"].tolist()
    summary = dfig.category_drift_summary(_entry("X", True, 2.0, "categorical"), shares, "X", "en")
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
    assert dfig.is_current(clients).tolist() == [False, False, True]


def test_numeric_drift_chart_has_reference_and_current_bars_with_patterns():
    hist = pop.split_histogram([1.0, 1.0, 2.0, 2.0], [0, 1, 1, 1], labels=("reference", "current"))
    figure = go.Figure(dfig.numeric_drift_figure(hist, "Income", "en"))
    reference, current = figure.data
    assert list(reference.y) == pytest.approx([100.0, 0.0])
    assert list(current.y) == pytest.approx([100 / 3, 200 / 3], rel=1e-3)
    assert (reference.marker.pattern.shape, current.marker.pattern.shape) == ("", "/")
    text = dfig.numeric_drift_summary(SUMMARY["columns"][1], "Income", "en")
    assert text.startswith("Histogram of “Income”") and "Drift detected" in text
    assert "Mean 1.00 against 2.00; missing values 10.0% against 10.0%." in text


def test_summary_written_by_the_drift_stage_is_read_by_the_screen(tmp_path):
    """The real run_drift output: a shifted column is listed first and flagged."""
    from model.drift.report import run_drift

    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"SHIFTED": rng.normal(0, 1, 400), "SAME": rng.normal(0, 1, 400)})
    current = pd.DataFrame({"SHIFTED": rng.normal(3, 1, 400), "SAME": rng.normal(0, 1, 400)})
    summary = run_drift(reference, current, tmp_path, sample_rows=400)
    table = dfig.drift_table(summary, None, "en")
    assert list(table["column"]) == ["SHIFTED", "SAME"]
    assert list(table["status"]) == ["⚠ Drift", "✓ Stable"]
    assert dfig.share_sentence(summary, "en").startswith("1 of 2 features drifted (50.0%)")


# --- the screens' render functions on a small in-memory state ---------------------------------

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


def _text(component) -> str:
    """Every string of a rendered layout (texts, ids, props), decoded: the same whichever
    JSON encoder Dash uses (its plain encoder writes "r\\u00e9sum\\u00e9", orjson "résumé")."""
    from dash._utils import to_json

    def strings(value) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for item in value.values() for s in strings(item)]
        if isinstance(value, list):
            return [s for item in value for s in strings(item)]
        return []

    return "\n".join(strings(json.loads(to_json(component))))


def test_drift_screen_says_when_the_summary_is_missing(pages, monkeypatch, json_engine):
    drift, _ = pages
    from webapp.services import clients

    monkeypatch.setattr(clients, "get_state", lambda: _state(drift_summary=None))
    text = _text(drift.render("fr"))
    assert "Le résumé de dérive est indisponible" in text
    assert drift.DISTRIBUTION in _text(drift.layout(lang="fr"))  # callbacks keep their targets


def test_drift_screen_lists_features_without_a_report(pages, monkeypatch, json_engine):
    drift, _ = pages
    from webapp.services import clients

    monkeypatch.setattr(clients, "get_state", lambda: _state())
    text = _text(drift.render("en"))
    assert "1 of 3 features drifted" in text and "The full Evidently report is not available." in text
    table = next(c for c in drift.render("en") if getattr(c, "id", None) == drift.TABLE)
    assert [row["column"] for row in table.data] == ["EXT_SOURCE_2", "NEW_COL", "AMT_INCOME_TOTAL"]
    assert table.sort_action == "native"


def test_model_screen_without_shap_says_so_and_keeps_the_card(pages, monkeypatch, json_engine):
    _, model_card = pages
    from webapp.services import clients

    monkeypatch.setattr(clients, "get_state", lambda: _state())
    text = _text(model_card.render("en"))
    assert "Global SHAP importance was not computed" in text
    assert "Decision threshold: 0.400" in text and "lightgbm_balanced ✓ chosen" in text


def test_screens_show_the_reason_when_artifacts_are_missing(pages, monkeypatch, json_engine):
    drift, model_card = pages
    from webapp.services import clients
    from webapp.services.errors import ServiceError

    def missing():
        raise ServiceError("artifacts_missing", detail="no manifest.json")

    monkeypatch.setattr(clients, "get_state", missing)
    assert "no manifest.json" in _text(model_card.render("fr"))
    assert "no manifest.json" in _text(drift.render("fr"))
