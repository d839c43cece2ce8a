"""Candidate models in words: what a risk manager reads instead of "lightgbm_balanced".

One table for the Model screen (`webapp/services/model.py`) and the model card
(`model/card.py`), in French and English.
"""
from __future__ import annotations

KIND_NAMES: dict[str, dict[str, str]] = {
    "lightgbm": {"fr": "LightGBM (arbres de décision boostés)", "en": "LightGBM (boosted decision trees)"},
    "logistic": {"fr": "Régression logistique", "en": "Logistic regression"},
    "logistic_monotone": {"fr": "Régression logistique à signes bornés",
                          "en": "Logistic regression with bounded signs"},
    "blend": {"fr": "Mélange LightGBM et régression logistique (signes bornés)",
              "en": "Blend of LightGBM and logistic regression (signs bounded)"},
    "scorecard": {"fr": "Grille de score (classes monotones, points par classe)",
                  "en": "Scorecard (monotone bins, points per bin)"},
    "dummy": {"fr": "Modèle de référence naïf (taux moyen pour tous)",
              "en": "Naive baseline (the average rate for everyone)"},
}
IMBALANCE_NAMES: dict[str, dict[str, str]] = {
    "none": {"fr": "sans rééquilibrage des classes", "en": "no class rebalancing"},
    "balanced": {"fr": "classes pondérées", "en": "weighted classes"},
    "class_weight": {"fr": "classes pondérées", "en": "weighted classes"},
    "smote": {"fr": "défauts suréchantillonnés (SMOTE)", "en": "defaults oversampled (SMOTE)"},
}


def word(table: dict[str, dict[str, str]], key: object, lang: str) -> str:
    """The entry of `key` in `lang`, else the key itself (an unknown kind stays readable)."""
    entry = table.get(str(key))
    return entry["en" if lang == "en" else "fr"] if entry else str(key)


def model_in_words(kind: str, imbalance: str | None, lang: str) -> str:
    """"LightGBM (arbres de décision boostés), classes pondérées" (no imbalance for the baseline)."""
    if kind == "dummy" or not imbalance:
        return word(KIND_NAMES, kind, lang)
    return f"{word(KIND_NAMES, kind, lang)}, {word(IMBALANCE_NAMES, imbalance, lang)}"


def candidate_in_words(name: str, kind: str | None, imbalance: str | None, lang: str) -> str:
    """`model_in_words` of a candidate of a build: the logistic regression whose signs are
    bounded (`logistic_none_monotone`, kind "logistic") is named apart from the free one."""
    if kind == "logistic" and name.endswith("_monotone"):
        kind = "logistic_monotone"
    return model_in_words(str(kind), imbalance, lang)
