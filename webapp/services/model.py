"""What the Model screen shows, prepared from the artifact set in the manager's words.

Read from precomputed artifacts only (`metrics.json`, `cost_curve.csv`, the manifest,
`shap_global.parquet`, `shap_sample.npz`, policy and fairness): nothing is computed from
the model on a request. Model kinds, imbalance handling and hyperparameters are said in
words; the threshold is always a percentage (`format_percent`), the same on the card,
in the sentence and on the curve; the two costs the screen shows are named by what they
are measured on (cross-validation on the training clients, or the held-out test split).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from webapp.formatting import format_number, format_percent
from webapp.i18n import translate
from model.training import names as model_names
from webapp.services import clients
from webapp.services.population import feature_label

TOP_FEATURES = 15
BEESWARM_FEATURES = 10
# Points per feature row in the beeswarm (the sample may hold thousands of clients).
BEESWARM_POINTS = 400

# Hyperparameters in words, in the order shown; how each value is written.
PARAM_NAMES: dict[str, dict[str, str]] = {
    "n_estimators": {"fr": "Nombre d'arbres (au plus)", "en": "Number of trees (at most)"},
    "learning_rate": {"fr": "Pas d'apprentissage", "en": "Learning rate"},
    "num_leaves": {"fr": "Feuilles par arbre (au plus)", "en": "Leaves per tree (at most)"},
    "min_child_samples": {"fr": "Clients au moins par feuille", "en": "Clients per leaf (at least)"},
    "colsample_bytree": {"fr": "Part des variables tirées par arbre", "en": "Share of features drawn per tree"},
    "subsample": {"fr": "Part des clients tirés par arbre", "en": "Share of clients drawn per tree"},
    "reg_alpha": {"fr": "Régularisation L1 (parcimonie)", "en": "L1 regularisation (sparsity)"},
    "reg_lambda": {"fr": "Régularisation L2 (lissage)", "en": "L2 regularisation (smoothing)"},
    "C": {"fr": "Souplesse de l'ajustement (C, petit = très régularisé)",
          "en": "Fit flexibility (C, small = strongly regularised)"},
    "penalty": {"fr": "Type de régularisation", "en": "Kind of regularisation"},
    "l1_ratio": {"fr": "Part L1 de la régularisation", "en": "L1 share of the regularisation"},
    "solver": {"fr": "Algorithme d'optimisation", "en": "Optimisation algorithm"},
    "free_variables": {"fr": "Variables sans sens imposé retenues (grille de score)",
                       "en": "Features without a direction kept (scorecard)"},
    "weight": {"fr": "Part des arbres dans le mélange (le reste : régression logistique)",
               "en": "Trees' share of the blend (the rest: logistic regression)"},
}
CALIBRATION_NAMES: dict[str, dict[str, str]] = {
    "sigmoid": {"fr": "sigmoïde de Platt", "en": "Platt sigmoid"},
    "isotonic": {"fr": "isotonique", "en": "isotonic"},
}
SHARE_PARAMS = ("colsample_bytree", "subsample", "l1_ratio", "weight")
VALUE_WORDS: dict[str, dict[str, str]] = {
    "l1": {"fr": "L1 (lasso)", "en": "L1 (lasso)"},
    "l2": {"fr": "L2 (ridge)", "en": "L2 (ridge)"},
    "elasticnet": {"fr": "L1 et L2 (elastic net)", "en": "L1 and L2 (elastic net)"},
    "lbfgs": {"fr": "L-BFGS", "en": "L-BFGS"},
    "saga": {"fr": "SAGA", "en": "SAGA"},
}

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "model": "Modèle",
        "params_heading": "Réglages",
        "auc_cv": "AUC (validation croisée)",
        "auc": "AUC (test)",
        "recall": "Rappel (test)",
        "precision": "Précision (test)",
        "f2": "F2 (test)",
        "brier": "Brier (test)",
        "cost_cv": "Coût pour 1 000, validation croisée",
        "cost_per_1000": "Coût pour 1 000, test mis de côté",
        "fit_seconds": "Entraînement (s)",
        "loan_higher": "Prêt doublé : clients dont le risque monte",
        "eligible": "Peut être retenu",
        "chosen_mark": "✓ retenu",
        "card_kind": "Type de modèle",
        "card_version": "Version",
        "card_trained": "Date d'entraînement",
        "card_threshold": "Seuil de décision",
        "card_cost_cv": "Coût pour 1 000 clients, validation croisée (la courbe)",
        "card_cost_cv_value": "{cost} (au seuil retenu, {n} clients d'entraînement)",
        "card_cost_holdout": "Coût pour 1 000 clients, test mis de côté",
        "card_cost_holdout_value": "{cost} (au seuil {threshold}, {n} clients)",
        "card_holdout": "Jeu de test mis de côté",
        "card_holdout_value": "{n} clients jamais vus pendant le réglage",
        "card_brier": "Calibration {method} (Brier avant → après)",
        "card_cost_weights": "Coût métier",
        "card_cost_weights_value": "{fn} × défaut manqué + {fp} × bon client refusé",
        "threshold": ("Seuil de décision : {threshold}. Un client dont la probabilité de défaut atteint "
                      "ce seuil est refusé ; en dessous, le crédit est accordé. Ce seuil minimise le coût "
                      "métier, où un défaut manqué coûte {fn} fois un bon client refusé."),
        "cost_note": ("Deux coûts, deux mesures. La courbe et le coût « validation croisée » "
                      "({cv_cost} pour 1 000) portent sur les {n_cv} clients d'entraînement, chacun noté "
                      "par un modèle appris sans lui (moyenne sur {folds} plis) : c'est sur eux que le seuil "
                      "est choisi. Le coût « test mis de côté » ({holdout_cost} pour 1 000) est mesuré une "
                      "seule fois sur {n_holdout} clients que ni le réglage ni le choix du seuil n'ont vus ; "
                      "l'écart vient de ces clients différents et de leur petit nombre."),
        "cost_note_held_apart": (
            "Deux coûts, deux mesures. La courbe et le coût « validation croisée » ({cv_cost} "
            "pour 1 000) portent sur {n_cv} clients mis à part, notés par le modèle utilisé, "
            "qui ne les a pas vus : c'est sur eux que le seuil est choisi. Le coût « test mis de "
            "côté » ({holdout_cost} pour 1 000) est mesuré une seule fois, au même seuil, sur "
            "{n_holdout} autres clients que ni le réglage, ni le seuil, ni le modèle n'ont vus. "
            "Le tableau des candidats les compare sur ces mêmes clients, chacun appris sur "
            "{n_search} clients seulement ; la fiche donne les chiffres du modèle utilisé."),
        "threshold_note": (" Ce coût de test est mesuré au seuil de {holdout_threshold} choisi pendant "
                           "le réglage, sans ces clients ; le seuil appliqué, {threshold}, a été "
                           "rechoisi ensuite sur tous les clients d'entraînement."),
        "importance_note": ("Influence moyenne : de combien, en moyenne sur les clients, la variable "
                            "déplace le score du modèle, en log-odds (échelle du score avant sa conversion "
                            "en probabilité : +0,1 multiplie la cote du risque par environ 1,1)."),
        "unknown_model": "modèle inconnu",
        "segments": "Clients avec et sans historique de crédit",
        "segments_note": ("Jeu de test mis de côté. « Sans historique » : les mêmes clients, tout "
                          "leur historique retiré, notés comme un nouveau demandeur ; ils sont "
                          "confiés à un modèle appris sur la seule demande."),
        "segment": "Segment", "seg_clients": "Clients", "cost_1000": "Coût pour 1 000 (test)",
        "seg_predicted": "Probabilité moyenne prédite", "seg_observed": "Taux de défaut observé",
        "gap": "Écart de calibration",
        "with_history": "Avec historique",
        "no_history": "Sans historique (modèle utilisé)",
        "main_model_no_history": "Sans historique, modèle principal (non utilisé)",
        "segment_sentence": ("{segment} : {clients} clients, probabilité moyenne prédite {predicted} "
                             "pour un taux de défaut observé de {observed} ({within})."),
        "within": "écart de moins de 10 %", "outside": "écart de plus de 10 %",
        "bands_by_age_band": "Calibration par tranche d'âge (jeu de test mis de côté)",
        "bands_by_age_band_out_of_fold": ("Calibration par tranche d'âge (clients de calibration, "
                                          "notés hors pli)"),
        "bands_by_age_band_out_of_fold_held_apart": (
            "Calibration par tranche d'âge (clients mis à part, notés par le modèle utilisé, "
            "qui ne les a pas vus)"),
        "bands_note": ("Chaque client est noté par un modèle qui ne l'a pas vu, et sa probabilité "
                       "calibrée sur les autres clients. Une tranche de moins "
                       "de 100 clients est montrée sans être jugée. Un taux observé sur quelques "
                       "dizaines de défauts varie beaucoup par hasard : l'intervalle à 95 % le dit."),
        "band": "Segment et tranche d'âge", "band_defaults": "Défauts",
        "band_interval": "Intervalle à 95 % du taux observé", "band_verdict": "À 10 % près",
        "yes": "oui", "no": "non", "not_judged": "non jugé (moins de 100 clients)",
        "constraints": ("Sens imposés : {n} variables (scores externes, revenu, taux d'effort, "
                        "retards de paiement…) ne peuvent faire varier le risque que dans le sens "
                        "attendu. Sur les mêmes plis, AUC de {model} {constrained} avec ces "
                        "contraintes contre {unconstrained} sans (écart {cost})."),
    },
    "en": {
        "model": "Model",
        "params_heading": "Setting",
        "auc_cv": "AUC (cross-validation)",
        "auc": "AUC (test)",
        "recall": "Recall (test)",
        "precision": "Precision (test)",
        "f2": "F2 (test)",
        "brier": "Brier (test)",
        "cost_cv": "Cost per 1,000, cross-validation",
        "cost_per_1000": "Cost per 1,000, held-out test",
        "fit_seconds": "Training (s)",
        "loan_higher": "Loan doubled: clients whose risk rises",
        "eligible": "May be chosen",
        "chosen_mark": "✓ chosen",
        "card_kind": "Model type",
        "card_version": "Version",
        "card_trained": "Training date",
        "card_threshold": "Decision threshold",
        "card_cost_cv": "Cost per 1,000 clients, cross-validation (the curve)",
        "card_cost_cv_value": "{cost} (at the chosen threshold, {n} training clients)",
        "card_cost_holdout": "Cost per 1,000 clients, held-out test",
        "card_cost_holdout_value": "{cost} (at threshold {threshold}, {n} clients)",
        "card_holdout": "Held-out test split",
        "card_holdout_value": "{n} clients never seen while tuning",
        "card_brier": "Calibration {method} (Brier before → after)",
        "card_cost_weights": "Business cost",
        "card_cost_weights_value": "{fn} × missed default + {fp} × good client refused",
        "threshold": ("Decision threshold: {threshold}. A client whose probability of default reaches "
                      "it is refused; below it, the credit is granted. The threshold minimises the "
                      "business cost, where a missed default costs {fn} times a good client refused."),
        "cost_note": ("Two costs, two measurements. The curve and the cross-validation cost "
                      "({cv_cost} per 1,000) cover the {n_cv} training clients, each scored by a model "
                      "learnt without them (mean over {folds} folds): the threshold is chosen on them. "
                      "The held-out test cost ({holdout_cost} per 1,000) is measured once on "
                      "{n_holdout} clients neither the tuning nor the threshold saw; the gap comes "
                      "from these other clients and their small number."),
        "cost_note_held_apart": (
            "Two costs, two measurements. The curve and the cross-validation cost ({cv_cost} "
            "per 1,000) cover {n_cv} clients held apart, scored by the deployed model, which "
            "never saw them: the threshold is chosen on them. The held-out test cost "
            "({holdout_cost} per 1,000) is measured once, at the same threshold, on {n_holdout} "
            "other clients neither the tuning, the threshold nor the model saw. The table of "
            "candidates compares them on the same clients, each fitted on {n_search} clients "
            "only; the card gives the deployed model's figures."),
        "threshold_note": (" This test cost is measured at the {holdout_threshold} threshold chosen "
                           "during tuning, without these clients; the threshold applied, "
                           "{threshold}, was chosen again afterwards on all training clients."),
        "importance_note": ("Mean influence: how far, on average over the clients, the feature moves "
                            "the model's score, in log-odds (the score's scale before it becomes a "
                            "probability: +0.1 multiplies the odds of default by about 1.1)."),
        "unknown_model": "unknown model",
        "segments": "Clients with and without credit history",
        "segments_note": ("Held-out split. \"Without history\": the same clients with all their "
                          "history removed, scored as a new applicant; they are scored by a model "
                          "learnt from the application alone."),
        "segment": "Segment", "seg_clients": "Clients", "cost_1000": "Cost per 1,000 (test)",
        "seg_predicted": "Mean predicted probability", "seg_observed": "Observed default rate",
        "gap": "Calibration gap",
        "with_history": "With history",
        "no_history": "Without history (model in use)",
        "main_model_no_history": "Without history, main model (not used)",
        "segment_sentence": ("{segment}: {clients} clients, mean predicted probability {predicted} "
                             "against an observed default rate of {observed} ({within})."),
        "within": "within 10%", "outside": "more than 10% apart",
        "bands_by_age_band": "Calibration by age band (held-out split)",
        "bands_by_age_band_out_of_fold": ("Calibration by age band (calibration clients, "
                                          "scored out of fold)"),
        "bands_by_age_band_out_of_fold_held_apart": (
            "Calibration by age band (clients held apart, scored by the deployed model, which "
            "never saw them)"),
        "bands_note": ("Each client is scored by a model that did not see it, and calibrated on the "
                       "other clients. A band of fewer than "
                       "100 clients is shown, not judged. A rate observed on a few dozen defaults "
                       "moves a lot by chance: the 95% interval says how much."),
        "band": "Segment and age band", "band_defaults": "Defaults",
        "band_interval": "95% interval of the observed rate", "band_verdict": "Within 10%",
        "yes": "yes", "no": "no", "not_judged": "not judged (fewer than 100 clients)",
        "constraints": ("Imposed directions: {n} features (external scores, income, debt-service "
                        "ratio, late payments…) can move the risk only the expected way. On the "
                        "same folds, AUC of {model} {constrained} with these constraints against "
                        "{unconstrained} without (difference {cost})."),
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def model_in_words(kind: str | None, imbalance: str | None, lang: str) -> str:
    """"LightGBM (arbres de décision boostés), classes pondérées" (`model.training.names`)."""
    if not kind:
        return _t("unknown_model", lang)
    return model_names.model_in_words(kind, imbalance, lang)


def candidate_in_words(name: str, entry: dict[str, Any], lang: str) -> str:
    """A candidate of metrics.json in words, the sign-bounded logistic regression apart."""
    if not entry.get("kind"):
        return _t("unknown_model", lang)
    return model_names.candidate_in_words(name, entry["kind"], entry.get("imbalance"), lang)


def param_value(name: str, value: object, lang: str) -> str:
    """A hyperparameter's value as read: shares in %, numbers in the language's format."""
    if isinstance(value, bool) or value is None:
        return str(value) if value is not None else format_number(None, lang)
    if isinstance(value, (int, np.integer)):
        return format_number(value, lang)
    if isinstance(value, (float, np.floating)):
        if name in SHARE_PARAMS:
            return format_percent(value, lang, 0)
        text = f"{float(value):.3g}"
        return text.replace(".", ",") if lang != "en" else text
    return model_names.word(VALUE_WORDS, value, lang)


def candidates_table(metrics: dict[str, Any], lang: str) -> pd.DataFrame:
    """One row per candidate: its kind and imbalance in words, cross-validated and held-out
    metrics, time. The chosen one is marked in words; headers are translated."""
    chosen = metrics.get("chosen")
    rows = []
    for name, entry in (metrics.get("candidates") or {}).items():
        cv, holdout = entry.get("cv") or {}, entry.get("holdout") or {}
        words = candidate_in_words(name, entry, lang)
        rows.append({
            _t("model", lang): f"{words} {_t('chosen_mark', lang)}" if name == chosen else words,
            _t("auc_cv", lang): format_number(cv.get("auc"), lang, 3),
            _t("cost_cv", lang): format_number(cv.get("cost_per_1000"), lang, 1),
            _t("auc", lang): format_number(holdout.get("auc"), lang, 3),
            _t("cost_per_1000", lang): format_number(holdout.get("cost_per_1000"), lang, 1),
            _t("recall", lang): format_percent(holdout.get("recall"), lang),
            _t("precision", lang): format_percent(holdout.get("precision"), lang),
            _t("f2", lang): format_number(holdout.get("f2"), lang, 3),
            _t("brier", lang): format_number(holdout.get("brier"), lang, 4),
            _t("loan_higher", lang): format_percent((entry.get("loan_response") or {}).get(
                "higher"), lang),
            _t("eligible", lang): _t("yes" if entry.get("eligible", True) else "no", lang),
            _t("fit_seconds", lang): format_number(entry.get("fit_seconds"), lang, 1),
        })
    return pd.DataFrame(rows)


def params_table(metrics: dict[str, Any], lang: str) -> pd.DataFrame:
    """Tuned hyperparameters: one row per setting (in words), one column per candidate that
    has any; "—" where a setting does not apply to that kind of model."""
    candidates = {name: entry for name, entry in (metrics.get("candidates") or {}).items()
                  if entry.get("best_params")}
    if not candidates:
        return pd.DataFrame()
    names = [p for p in PARAM_NAMES if any(p in e["best_params"] for e in candidates.values())]
    names += sorted({p for e in candidates.values() for p in e["best_params"]} - set(names))
    chosen = metrics.get("chosen")
    columns = {name: (f"{candidate_in_words(name, e, lang)}"
                      f"{' ' + _t('chosen_mark', lang) if name == chosen else ''}")
               for name, e in candidates.items()}
    rows = [{_t("params_heading", lang): model_names.word(PARAM_NAMES, p, lang),
             **{columns[name]: (param_value(p, e["best_params"][p], lang) if p in e["best_params"]
                                else format_number(None, lang))
                for name, e in candidates.items()}} for p in names]
    return pd.DataFrame(rows)


def _holdout(metrics: dict[str, Any]) -> dict[str, Any]:
    """Held-out figures of the chosen model (top level of metrics.json, else its candidate)."""
    chosen = ((metrics.get("candidates") or {}).get(metrics.get("chosen")) or {})
    return metrics.get("holdout") or chosen.get("holdout") or {}


def model_card(metrics: dict[str, Any], manifest: dict[str, Any], kind: str | None,
               threshold: float, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of the model card: type in words, version, date, threshold (%),
    both costs with what they are measured on, held-out metrics, calibration."""
    chosen = metrics.get("chosen")
    entry = (metrics.get("candidates") or {}).get(chosen) or {}
    holdout = _holdout(metrics)
    versions = manifest.get("versions") or {}
    version = ", ".join(f"{k} {versions[k]}" for k in ("lightgbm", "scikit-learn") if k in versions)
    registered = (metrics.get("mlflow") or {}).get("registered_version")
    if registered is not None:
        version = f"MLflow v{registered} · {version}" if version else f"MLflow v{registered}"
    weights = metrics.get("cost_weights") or {}
    oof = (metrics.get("final") or {}).get("oof") or {}
    n_clients = metrics.get("n_clients") or {}
    card = [
        (_t("card_kind", lang), candidate_in_words(chosen or "", {**entry, "kind": kind or entry.get("kind")},
                                                   lang)),
        (_t("card_version", lang), version or "—"),
        (_t("card_trained", lang), str(manifest.get("created_at", "—")).replace("T", " ")),
        (_t("card_threshold", lang), format_percent(threshold, lang)),
        (_t("auc", lang), format_number(holdout.get("auc"), lang, 3)),
        (_t("recall", lang), format_percent(holdout.get("recall"), lang)),
        (_t("precision", lang), format_percent(holdout.get("precision"), lang)),
    ]
    if oof.get("cost_per_1000") is not None:
        card.append((_t("card_cost_cv", lang), _t(
            "card_cost_cv_value", lang, cost=format_number(oof["cost_per_1000"], lang, 1),
            n=format_number(oof.get("n_clients") or n_clients.get("all"), lang))))
    card.append((_t("card_cost_holdout", lang), _t(
        "card_cost_holdout_value", lang, cost=format_number(holdout.get("cost_per_1000"), lang, 1),
        threshold=format_percent(holdout.get("threshold", threshold), lang),
        n=format_number(holdout.get("n_clients") or n_clients.get("holdout"), lang))))
    card.append((_t("card_cost_weights", lang), _t("card_cost_weights_value", lang,
                                                   fn=weights.get("fn", 10), fp=weights.get("fp", 1))))
    holdout_clients = n_clients.get("holdout") or holdout.get("n_clients")
    if holdout_clients:
        card.append((_t("card_holdout", lang),
                     _t("card_holdout_value", lang, n=format_number(holdout_clients, lang))))
    calibration = (metrics.get("final") or {}).get("calibration") or {}
    brier = calibration.get("brier") or {}
    method = calibration.get("method")
    if brier.get("raw") is not None and brier.get(method) is not None:
        card.append((_t("card_brier", lang, method=model_names.word(CALIBRATION_NAMES, method, lang)),
                     f"{format_number(brier['raw'], lang, 4)} → {format_number(brier[method], lang, 4)}"))
    return card


def threshold_sentence(metrics: dict[str, Any], threshold: float, lang: str) -> str:
    """What the threshold does, as a percentage (the one format of the screen)."""
    weights = metrics.get("cost_weights") or {}
    fn, fp = weights.get("fn", 10), weights.get("fp", 1) or 1
    return _t("threshold", lang, threshold=format_percent(threshold, lang),
              fn=format_number(fn / fp, lang))


def cost_note(metrics: dict[str, Any], lang: str, threshold: float | None = None) -> str:
    """Why the curve's cost and the held-out cost differ: what each is measured on (and at
    which threshold, when the held-out one is not the threshold applied)."""
    oof = (metrics.get("final") or {}).get("oof") or {}
    holdout = _holdout(metrics)
    n_clients = metrics.get("n_clients") or {}
    held_apart = (metrics.get("final") or {}).get("calibration_source") == "held apart"
    text = _t("cost_note_held_apart" if held_apart else "cost_note", lang,
              cv_cost=format_number(oof.get("cost_per_1000"), lang, 1),
              n_cv=format_number(oof.get("n_clients") or n_clients.get("all"), lang),
              folds=(metrics.get("protocol") or {}).get("folds", "—"),
              n_search=format_number(n_clients.get("tuning"), lang),
              holdout_cost=format_number(holdout.get("cost_per_1000"), lang, 1),
              n_holdout=format_number(holdout.get("n_clients") or n_clients.get("holdout"), lang))
    held = holdout.get("threshold")
    if threshold is not None and held is not None and format_percent(held, lang) != format_percent(
            threshold, lang):
        text += _t("threshold_note", lang, holdout_threshold=format_percent(held, lang),
                   threshold=format_percent(threshold, lang))
    return text


# --- clients with and without history, monotone constraints ----------------------------------

SEGMENT_KEYS = ("with_history", "no_history", "main_model_no_history")
SEGMENT_COLUMNS = ("segment", "seg_clients", "auc", "cost_1000", "seg_predicted", "seg_observed",
                   "gap")


@dataclass(frozen=True)
class Segments:
    """The held-out segments table and its sentences, written out."""

    heading: str
    note: str
    headers: list[str]
    rows: list[list[str]]      # first cell: the segment's name (row header)
    sentences: list[str]


def segments(metrics: dict[str, Any], lang: str) -> Segments | None:
    """Held-out figures of clients with and without history; None when training made none."""
    stored = (metrics or {}).get("segments") or {}
    found = [(key, stored[key]) for key in SEGMENT_KEYS if (stored.get(key) or {}).get("n_clients")]
    if not found:
        return None
    rows = [[_t(key, lang), format_number(row["n_clients"], lang), format_number(row["auc"], lang, 3),
             format_number(row["cost_per_1000"], lang), format_percent(row["mean_predicted"], lang),
             format_percent(row["observed_rate"], lang), format_percent(row["calibration_gap"], lang)]
            for key, row in found]
    sentences = [_t("segment_sentence", lang, segment=_t(key, lang),
                    clients=format_number(row["n_clients"], lang),
                    predicted=format_percent(row["mean_predicted"], lang),
                    observed=format_percent(row["observed_rate"], lang),
                    within=_t("within" if row["calibrated_within_tolerance"] else "outside", lang))
                 for key, row in found[:2]]
    return Segments(_t("segments", lang), _t("segments_note", lang),
                    [_t(c, lang) for c in SEGMENT_COLUMNS], rows, sentences)


BAND_COLUMNS = ("band", "seg_clients", "band_defaults", "seg_predicted", "seg_observed",
                "band_interval", "gap", "band_verdict")
BAND_SOURCES = ("by_age_band", "by_age_band_out_of_fold")


def age_bands(metrics: dict[str, Any], key: str, lang: str) -> Segments | None:
    """Calibration of each segment by age band (`key`: one of `BAND_SOURCES`), with the
    observed rate's 95 % interval and the 10 % verdict; None when the build made none."""
    stored = ((metrics or {}).get("segments") or {}).get(key) or {}
    rows = []
    for segment in ("with_history", "no_history"):
        for band, row in (stored.get(segment) or {}).items():
            if not row.get("n_clients"):
                continue
            low, high = row["observed_ci"]
            verdict = (("yes" if row["calibrated_within_tolerance"] else "no")
                       if row.get("judged", True) else "not_judged")
            rows.append([f"{_t(segment, lang)} · {band}", format_number(row["n_clients"], lang),
                         format_number(row["defaults"], lang),
                         format_percent(row["mean_predicted"], lang),
                         format_percent(row["observed_rate"], lang),
                         f"{format_percent(low, lang)} – {format_percent(high, lang)}",
                         format_percent(row["calibration_gap"], lang), _t(verdict, lang)])
    if not rows:
        return None
    held_apart = ((metrics.get("final") or {}).get("calibration_source") == "held apart"
                  and key == "by_age_band_out_of_fold")
    return Segments(_t(f"bands_{key}{'_held_apart' if held_apart else ''}", lang),
                    _t("bands_note", lang),
                    [_t(c, lang) for c in BAND_COLUMNS], rows, [])


def constraints_sentence(metrics: dict[str, Any], lang: str) -> str | None:
    """Which directions are imposed and what they cost in AUC on the same folds."""
    constraints = (metrics or {}).get("constraints")
    if not constraints:
        return None
    candidate = constraints.get("candidate")  # the LightGBM measured, maybe not the chosen model
    entry = (metrics.get("candidates") or {}).get(candidate) or {}
    model = (candidate_in_words(candidate, entry, lang) if entry
             else model_in_words("lightgbm", None, lang))
    return _t("constraints", lang, n=constraints["n_constrained"], model=model,
              constrained=format_number(constraints["cv_auc_constrained"], lang, 3),
              unconstrained=format_number(constraints["cv_auc_unconstrained"], lang, 3),
              cost=format_number(constraints["cv_auc_constrained"]
                                 - constraints["cv_auc_unconstrained"], lang, 3))


# --- global importance -------------------------------------------------------------------------

def top_importance(shap_global: pd.DataFrame | None, dictionary: pd.DataFrame | None, lang: str,
                   n: int = TOP_FEATURES) -> pd.DataFrame:
    """The `n` features with the largest mean |SHAP|, largest first, with their label.

    `shap_global.parquet` is stored sorted (its head is the top); the label is the one
    saved with it (`label_fr` / `label_en`) when present, else the dictionary's.
    """
    if shap_global is None or shap_global.empty:
        return pd.DataFrame(columns=["feature", "label", "mean_abs_shap"])
    from model.explain.global_shap import top_features

    top = shap_global.set_index("feature").loc[top_features(shap_global, n)].reset_index()
    saved = f"label_{'en' if lang == 'en' else 'fr'}"
    labels = (top[saved].astype(str).tolist() if saved in top.columns
              else [feature_label(dictionary, f, lang) for f in top["feature"]])
    return pd.DataFrame({"feature": top["feature"].to_numpy(), "label": labels,
                         "mean_abs_shap": top["mean_abs_shap"].to_numpy()})


def beeswarm_frame(shap_sample: dict[str, np.ndarray] | None, features: list[str],
                   points: int = BEESWARM_POINTS, seed: int = 0) -> pd.DataFrame:
    """Long table (feature, shap, value_rank) for `features`, at most `points` clients each.

    `shap_sample` holds `shap_values` and `feature_values` (clients x features)
    and `feature_names`. Feature values are turned into ranks in [0, 1] per
    feature (NaN stays NaN) so one colour scale serves features of any unit.
    """
    columns = ["feature", "shap", "value_rank"]
    if not shap_sample:
        return pd.DataFrame(columns=columns)
    for key in ("shap_values", "feature_values", "feature_names"):
        if key not in shap_sample:
            raise KeyError(f"shap_sample.npz has no array {key!r} (has {sorted(shap_sample)})")
    names = [str(n) for n in shap_sample["feature_names"]]
    shap_values = np.asarray(shap_sample["shap_values"], dtype=np.float64)
    values = np.asarray(shap_sample["feature_values"], dtype=np.float64)
    rows = np.arange(shap_values.shape[0])
    if len(rows) > points:
        rows = np.sort(np.random.default_rng(seed).choice(rows, size=points, replace=False))
    parts = []
    for feature in features:
        if feature not in names:
            continue
        j = names.index(feature)
        column = pd.Series(values[rows, j])
        parts.append(pd.DataFrame({"feature": feature, "shap": shap_values[rows, j],
                                   "value_rank": column.rank(pct=True).to_numpy()}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


# --- the screen --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ModelScreen:
    """Everything the Model screen shows, in the interface language."""

    card: list[tuple[str, str]]
    threshold: float
    threshold_text: str
    cost_curve: pd.DataFrame | None
    cost_note: str
    candidates: pd.DataFrame
    params: pd.DataFrame
    metrics: dict[str, Any]       # segments and constraints blocks read their part of it
    importance: pd.DataFrame      # top features by mean |SHAP| (empty: not computed)
    importance_note: str
    beeswarm: pd.DataFrame
    labels: dict[str, str]        # feature -> plain label, for the beeswarm
    policy_rules: list[str]
    fairness: dict | None


def model_screen(lang: str) -> ModelScreen:
    """The Model screen's content; raises `ServiceError` when no artifact set can be served."""
    state = clients.get_state()
    threshold = float(state.model.threshold_)
    metrics = state.metrics or {}
    top = top_importance(state.shap_global, state.dictionary, lang)
    bees = (beeswarm_frame(state.shap_sample, list(top["feature"][:BEESWARM_FEATURES]))
            if not top.empty else pd.DataFrame(columns=["feature", "shap", "value_rank"]))
    return ModelScreen(
        card=model_card(metrics, state.manifest or {}, getattr(state.model, "kind", None),
                        threshold, lang),
        threshold=threshold, threshold_text=threshold_sentence(metrics, threshold, lang),
        cost_curve=state.cost_curve, cost_note=cost_note(metrics, lang, threshold),
        candidates=candidates_table(metrics, lang), params=params_table(metrics, lang),
        metrics=metrics, importance=top, importance_note=_t("importance_note", lang),
        beeswarm=bees, labels=dict(zip(top["feature"], top["label"])),
        policy_rules=clients.policy_rules(lang), fairness=clients.fairness_report(),
    )
