"""Plain-language feature dictionary (French and English) generated from the fitted builder.

The dashboard explains a score to a customer with these sentences, so every
feature gets one: raw fields from the labels in `labels.csv` (written from
Kaggle's column descriptions, embedded so the app never needs Kaggle's file),
aggregates from templates ("Credit bureau: average of overdue amount over
active credits"). `group` gathers the columns of one human-level notion (all
one-hot columns of NAME_INCOME_TYPE, all statistics of one bureau amount) for
grouped SHAP explanations.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from model.features.aggregate import FeatureInfo
from model.features.concepts import BY_KEY, concept_of, unit_of

if TYPE_CHECKING:
    from model.features.builder import FeatureBuilder

LABELS_FILE = Path(__file__).with_name("labels.csv")
# The builder's structure travels as columns (table, column, aggregation, subset, value,
# unit, concept), so the explainer never re-parses the generated sentences to recover it.
COLUMNS = ["feature", "source", "aggregation", "description_fr", "description_en", "group",
           "column", "subset", "value", "unit", "concept", "concept_fr", "concept_en",
           "group_fr", "group_en"]

SOURCES = {  # table -> (French, English) name for a customer
    "application": ("Demande actuelle", "Current application"),
    "bureau": ("Bureau de crédit", "Credit bureau"),
    "bureau_balance": ("Bureau de crédit, historique mensuel", "Credit bureau, monthly history"),
    "previous_application": ("Demandes précédentes", "Previous applications"),
    "POS_CASH_balance": ("Prêts précédents (magasin, espèces), mois par mois",
                         "Previous store and cash loans, month by month"),
    "installments_payments": ("Remboursements des prêts précédents",
                              "Repayments of previous loans"),
    "credit_card_balance": ("Cartes de crédit précédentes, mois par mois",
                            "Previous credit cards, month by month"),
}
STATISTICS = {  # aggregation -> (French, English)
    "min": ("minimum", "lowest"),
    "max": ("maximum", "highest"),
    "mean": ("moyenne", "average"),
    "sum": ("total", "total"),
    "var": ("variance (dispersion)", "variance (spread)"),
    "nunique": ("nombre de valeurs différentes", "number of different values"),
}
SUBSETS = {  # subset -> (French, English) tail
    "": ("", ""),
    "active": (" des crédits en cours", " over active credits"),
    "closed": (" des crédits clos", " over closed credits"),
    "approved": (" des demandes acceptées", " over approved applications"),
    "refused": (" des demandes refusées", " over refused applications"),
}
SUBSET_COUNTS = {  # subset -> (French, English) what is counted
    "active": ("crédits en cours", "active credits"),
    "closed": ("crédits clos", "closed credits"),
    "approved": ("demandes acceptées", "approved applications"),
    "refused": ("demandes refusées", "refused applications"),
}
COUNT_OF = {  # source -> (French, English) what a row is
    "bureau": ("crédits déclarés au bureau de crédit", "credits reported by the credit bureau"),
    "bureau_balance": ("mois d'historique au bureau de crédit",
                       "months of credit bureau history"),
    "previous_application": ("demandes précédentes", "previous applications"),
    "POS_CASH_balance": ("mois de prêts précédents (magasin, espèces)",
                         "months of previous store and cash loans"),
    "installments_payments": ("échéances de prêts précédents", "instalments of previous loans"),
    "credit_card_balance": ("mois de cartes de crédit précédentes",
                            "months of previous credit cards"),
}
STATUS_VALUES = {  # bureau_balance STATUS -> (French, English)
    "0": ("à jour", "on time"),
    "1": ("1 à 30 jours de retard", "1 to 30 days late"),
    "2": ("31 à 60 jours de retard", "31 to 60 days late"),
    "3": ("61 à 90 jours de retard", "61 to 90 days late"),
    "4": ("91 à 120 jours de retard", "91 to 120 days late"),
    "5": ("plus de 120 jours de retard ou perdu", "over 120 days late or written off"),
    "C": ("clos", "closed"),
    "X": ("statut inconnu", "status unknown"),
}
VALUE_WORDS = {"(missing)": ("(non renseigné)", "(not given)"),
               "(other)": ("(autre ou rare)", "(other or rare)")}


@lru_cache(maxsize=1)
def column_labels() -> dict[tuple[str, str], tuple[str, str]]:
    """(table, column) -> (French, English) noun phrase, from labels.csv."""
    with LABELS_FILE.open(encoding="utf-8", newline="") as handle:
        return {(row["table"], row["column"]): (row["label_fr"], row["label_en"])
                for row in csv.DictReader(handle)}


def label(source: str, column: str) -> tuple[str, str]:
    """French and English label of a column (its name if the labels file lacks it)."""
    labels = column_labels()
    for table in (source, "*"):
        if (table, column) in labels:
            return labels[(table, column)]
    return column, column


def _value(info: FeatureInfo) -> tuple[str, str]:
    if info.value in VALUE_WORDS:
        return VALUE_WORDS[info.value]
    if info.column.startswith("BB_STATUS") and info.value in STATUS_VALUES:
        return STATUS_VALUES[info.value]
    return info.value, info.value


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _of(noun: str) -> str:
    """French "de" with elision before a vowel: "d'échéances", "de mois"."""
    return f"d'{noun}" if noun[:1].lower() in "aeiouyéèêh" else f"de {noun}"


def describe(info: FeatureInfo) -> tuple[str, str]:
    """(French, English) plain-language description of one feature."""
    source_fr, source_en = SOURCES[info.source]
    fr, en = label(info.source, info.column)
    subset_fr, subset_en = SUBSETS[info.subset]
    value_fr, value_en = _value(info)
    how = info.aggregation
    if info.source == "application" and how != "one_hot":
        return _capital(fr), _capital(en)
    if how == "one_hot":
        return f"{_capital(fr)} : {value_fr}", f"{_capital(en)}: {value_en}"
    if how == "count" and info.value:
        return (f"{source_fr} : nombre de mois « {value_fr} »",
                f"{source_en}: number of months '{value_en}'")
    if how == "count":
        count_fr, count_en = SUBSET_COUNTS.get(info.subset) or COUNT_OF[info.source]
        return f"{source_fr} : nombre {_of(count_fr)}", f"{source_en}: number of {count_en}"
    if how == "share":
        rows_fr, rows_en = COUNT_OF[info.source]
        return (f"{source_fr} : part des {rows_fr} où {fr} = « {value_fr} »",
                f"{source_en}: share of {rows_en} where {en} is '{value_en}'")
    if info.value:  # share of months in one bureau status, averaged over credits
        return (f"{source_fr} : part moyenne des mois « {value_fr} » par crédit",
                f"{source_en}: average share of months '{value_en}' per credit")
    stat_fr, stat_en = STATISTICS[how]
    return (f"{source_fr} : {fr}, {stat_fr}{subset_fr}",
            f"{source_en}: {stat_en} {en}{subset_en}")


def group_label(info: FeatureInfo) -> tuple[str, str]:
    """(French, English) name of the feature's group: what all its statistics describe.

    Built from the same structure as `describe` (table, column), not cut out of it.
    """
    source_fr, source_en = SOURCES[info.source]
    fr, en = label(info.source, info.column)
    if info.source == "application":
        return _capital(fr), _capital(en)
    if info.aggregation == "count" and not info.value:
        count_fr, count_en = COUNT_OF[info.source]
        return f"{source_fr} : nombre {_of(count_fr)}", f"{source_en}: number of {count_en}"
    if info.column.startswith("BB_STATUS"):
        return (f"{source_fr} : statut des mois", f"{source_en}: status of the months")
    return f"{source_fr} : {fr}", f"{source_en}: {en}"


def feature_dictionary(builder: FeatureBuilder) -> pd.DataFrame:
    """One row per feature of the fitted builder, in `feature_names_` order."""
    rows = []
    for info in builder.features_:
        description_fr, description_en = describe(info)
        concept = BY_KEY[concept_of(info)]
        rows.append((info.name, info.source, info.aggregation, description_fr,
                     description_en, info.group, info.column, info.subset, info.value,
                     unit_of(info), concept.key, concept.label_fr, concept.label_en,
                     *group_label(info)))
    return pd.DataFrame(rows, columns=COLUMNS)
