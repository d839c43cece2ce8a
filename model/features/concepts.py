"""The concepts a customer recognises, and which feature belongs to which.

An explanation by 800 columns (or 200 "groups") mostly says "other things": the
issue measured "Other factors (212)" as the largest bar for most clients. A
customer understands about a dozen notions: how they repaid earlier loans with
us, their credit-bureau history, the loan they ask for and what it costs them...
Each feature is given one concept from its builder metadata (`FeatureInfo`:
table, column, aggregation), never from its generated description, and the
concept travels as a column of the feature dictionary. Summing SHAP values by
concept is exact, so the explanation still adds up to the probability.

`REASONABLE[concept]` is False for a concept that may never be a principal
reason told to a customer (the weekday or hour of an application, which
documents were ticked): the model may use it, an adverse-action notice may not.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.features.aggregate import FeatureInfo
from model.features.application import AGE_PAST


@dataclass(frozen=True)
class Concept:
    key: str
    label_fr: str
    label_en: str
    reasonable: bool = True  # may be told to a customer as a principal reason
    # Feature holding the client's key value for this concept, and its unit
    # (years, eur, percent, count, score, rating); "" = no single value says it.
    key_feature: str = ""
    unit: str = ""


CONCEPTS: tuple[Concept, ...] = (
    Concept("repayment", "Remboursement des crédits précédents chez nous",
            "Repayment of earlier loans with us", key_feature="INSTAL_LATE_MEAN", unit="percent"),
    Concept("cards", "Utilisation des cartes de crédit chez nous", "Use of credit cards with us"),
    Concept("bureau", "Historique au bureau de crédit (autres prêteurs)",
            "Credit-bureau history (other lenders)", key_feature="BURO_COUNT", unit="count"),
    Concept("previous", "Demandes de crédit précédentes chez nous",
            "Earlier credit applications with us", key_feature="PREV_COUNT", unit="count"),
    Concept("loan", "Le crédit demandé et sa charge", "The requested loan and its cost",
            key_feature="AMT_CREDIT", unit="eur"),
    Concept("affordability", "Part du revenu consacrée aux remboursements",
            "Share of income going to repayments", key_feature="ANNUITY_INCOME_PERC",
            unit="percent"),
    Concept("income", "Revenus, emploi et formation", "Income, employment and education",
            key_feature="AMT_INCOME_TOTAL", unit="eur"),
    Concept("external", "Scores de crédit externes", "External credit scores",
            key_feature="EXT_SOURCES_MEAN", unit="score"),
    Concept("age", "Âge", "Age", key_feature="DAYS_BIRTH", unit="years"),
    Concept("family", "Logement et famille", "Housing and family"),
    Concept("region", "Région de résidence et de travail", "Region of residence and work",
            key_feature="REGION_RATING_CLIENT", unit="rating"),
    Concept("contact", "Stabilité des coordonnées et des papiers d'identité",
            "Stability of contact details and identity papers"),
    Concept("details", "Détails techniques de la demande (jour, heure, pièces fournies)",
            "Technical details of the application (day, hour, documents)", reasonable=False),
    Concept("other", "Autres éléments", "Other items", reasonable=False),
)
BY_KEY = {concept.key: concept for concept in CONCEPTS}
OTHER = "other"
HISTORY_TABLES = {  # table -> concept (every column of it, unless listed below)
    "installments_payments": "repayment",
    "POS_CASH_balance": "repayment",
    "credit_card_balance": "cards",
    "bureau": "bureau",
    "bureau_balance": "bureau",
    "previous_application": "previous",
}
# Columns of previous applications that describe the paperwork, not the customer.
PREVIOUS_DETAILS = {"HOUR_APPR_PROCESS_START", "WEEKDAY_APPR_PROCESS_START",
                    "FLAG_LAST_APPL_PER_CONTRACT", "NFLAG_LAST_APPL_IN_DAY", "SELLERPLACE_AREA"}
APPLICATION = {  # application column -> concept
    **dict.fromkeys(("AMT_CREDIT", "AMT_GOODS_PRICE", "NAME_CONTRACT_TYPE",
                     "GOODS_CREDIT_RATIO", "PAYMENT_RATE"), "loan"),
    **dict.fromkeys(("AMT_ANNUITY", "ANNUITY_INCOME_PERC", "CREDIT_INCOME_RATIO"),
                    "affordability"),
    **dict.fromkeys(("AMT_INCOME_TOTAL", "INCOME_PER_PERSON", "NAME_INCOME_TYPE",
                     "NAME_EDUCATION_TYPE", "OCCUPATION_TYPE", "ORGANIZATION_TYPE",
                     "DAYS_EMPLOYED", "DAYS_EMPLOYED_ANOM", "DAYS_EMPLOYED_PERC",
                     "FLAG_EMP_PHONE"), "income"),
    **dict.fromkeys(("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "EXT_SOURCES_MEAN",
                     "EXT_SOURCES_MIN", "EXT_SOURCES_MAX", "EXT_SOURCES_STD"), "external"),
    **dict.fromkeys(("DAYS_BIRTH", *AGE_PAST), "age"),
    **dict.fromkeys(("CNT_CHILDREN", "CNT_FAM_MEMBERS", "NAME_FAMILY_STATUS",
                     "NAME_HOUSING_TYPE", "FLAG_OWN_CAR", "OWN_CAR_AGE", "FLAG_OWN_REALTY",
                     "FONDKAPREMONT_MODE", "HOUSETYPE_MODE", "TOTALAREA_MODE",
                     "WALLSMATERIAL_MODE", "EMERGENCYSTATE_MODE"), "family"),
    **dict.fromkeys(("REGION_POPULATION_RELATIVE", "REGION_RATING_CLIENT",
                     "REGION_RATING_CLIENT_W_CITY", "REG_REGION_NOT_LIVE_REGION",
                     "REG_REGION_NOT_WORK_REGION", "LIVE_REGION_NOT_WORK_REGION",
                     "REG_CITY_NOT_LIVE_CITY", "REG_CITY_NOT_WORK_CITY",
                     "LIVE_CITY_NOT_WORK_CITY", "OBS_30_CNT_SOCIAL_CIRCLE",
                     "DEF_30_CNT_SOCIAL_CIRCLE", "OBS_60_CNT_SOCIAL_CIRCLE",
                     "DEF_60_CNT_SOCIAL_CIRCLE"), "region"),
    **dict.fromkeys(("FLAG_MOBIL", "FLAG_WORK_PHONE", "FLAG_CONT_MOBILE", "FLAG_PHONE",
                     "FLAG_EMAIL", "DAYS_LAST_PHONE_CHANGE", "DAYS_REGISTRATION",
                     "DAYS_ID_PUBLISH"), "contact"),
    **dict.fromkeys(("WEEKDAY_APPR_PROCESS_START", "HOUR_APPR_PROCESS_START",
                     "NAME_TYPE_SUITE", "DOCUMENT_COUNT"), "details"),
}
# Building statistics of the applicant's home (APARTMENTS_AVG, ..._MODE, ..._MEDI).
_BUILDING_SUFFIXES = ("_AVG", "_MODE", "_MEDI")


def concept_of(info: FeatureInfo) -> str:
    """Concept key of one feature, from its table and underlying column."""
    column = info.column or info.name
    if info.source in HISTORY_TABLES:
        if info.source == "previous_application" and column in PREVIOUS_DETAILS:
            return "details"
        return HISTORY_TABLES[info.source]
    if column in APPLICATION:
        return APPLICATION[column]
    if column.startswith("FLAG_DOCUMENT_"):
        return "details"
    if column.startswith("AMT_REQ_CREDIT_BUREAU_"):
        return "bureau"  # enquiries to the credit bureau about the applicant
    if column.endswith(_BUILDING_SUFFIXES):
        return "family"
    return OTHER


# Units of single features, for the detail an advisor opens under a concept.
def unit_of(info: FeatureInfo) -> str:
    """Natural unit of a feature's value: years, days, eur, percent, share, flag, count, ''."""
    column = info.column or info.name
    how = info.aggregation
    if how in ("one_hot", "share"):
        return "share" if how == "share" else "category"
    if how == "count":
        return "count"
    if how in ("var", "std", "nunique"):
        return ""
    if column.startswith("EXT_SOURCE"):
        return "score"  # an external credit score between 0 and 1
    if column in ("ANNUITY_INCOME_PERC", "DAYS_EMPLOYED_PERC"):
        return "percent"  # before the "DAYS" test: a share of life, not days ("0 jours")
    if column.startswith("DAYS_BIRTH") or column in ("DAYS_EMPLOYED", "DAYS_REGISTRATION",
                                                     "DAYS_ID_PUBLISH"):
        return "years"
    if "DAYS" in column or column in ("DPD", "DBD"):
        return "days"
    if column.startswith("MONTHS") or column.startswith("BB_MONTHS"):
        return "months"
    if column.startswith("AMT_") or column in ("INCOME_PER_PERSON", "PAYMENT_DIFF"):
        return "eur"
    if column in ("ANNUITY_INCOME_PERC", "LATE", "PAYMENT_PERC", "DAYS_EMPLOYED_PERC") \
            or column.startswith("RATE_") or column.startswith("BB_STATUS"):
        return "percent"
    if how == "flag" or column.startswith(("FLAG_", "REG_", "LIVE_")):
        return "flag"
    return ""
