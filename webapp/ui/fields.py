"""The fields an advisor types (what-if and new applicant): units, ranges, validation.

Pure functions, no artifacts: values arrive as typed in the browser ("1 234,5"
in French, "1,234.5" in English), are checked field by field with a message in
the interface language, and are converted to Home Credit's raw conventions
(ages and job lengths as negative days, 365243 for "not employed").
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.config import DAYS_NO_VALUE
from webapp.formatting import format_number, missing
from webapp.i18n import normalise_language, translate
from webapp.http.validation import MAX_NUMBER_LENGTH, shorten


@dataclass(frozen=True)
class FieldSpec:
    """One field an advisor can type, with its unit, allowed range and raw column.

    kind: "money" (currency units), "years" (stored as negative days), "count"
    (whole number), "share" (0..1 score), "choice" (one of `choices`).
    """
    name: str
    column: str
    kind: str
    minimum: float | None = None
    maximum: float | None = None
    required: bool = True
    choices: tuple[str, ...] = ()
    label_fr: str = ""
    label_en: str = ""

    def label(self, lang: str | None) -> str:
        return self.label_en if normalise_language(lang) == "en" else self.label_fr


FIELD_SPECS: dict[str, FieldSpec] = {spec.name: spec for spec in (
    FieldSpec("income", "AMT_INCOME_TOTAL", "money", 1_000, 100_000_000,
              label_fr="Revenu annuel (€)", label_en="Annual income (€)"),
    FieldSpec("credit", "AMT_CREDIT", "money", 1_000, 10_000_000,
              label_fr="Montant du crédit (€)", label_en="Credit amount (€)"),
    FieldSpec("annuity", "AMT_ANNUITY", "money", 100, 1_000_000,
              label_fr="Annuité (€ par an)", label_en="Annuity (€ per year)"),
    FieldSpec("goods", "AMT_GOODS_PRICE", "money", 0, 10_000_000, required=False,
              label_fr="Prix du bien financé (€)", label_en="Price of the goods (€)"),
    FieldSpec("employment_years", "DAYS_EMPLOYED", "years", 0, 60, required=False,
              label_fr="Ancienneté dans l'emploi (années, vide si sans emploi)",
              label_en="Years in current job (empty if not employed)"),
    FieldSpec("age_years", "DAYS_BIRTH", "years", 18, 100,
              label_fr="Âge (années)", label_en="Age (years)"),
    FieldSpec("children", "CNT_CHILDREN", "count", 0, 20,
              label_fr="Nombre d'enfants", label_en="Number of children"),
    FieldSpec("family_members", "CNT_FAM_MEMBERS", "count", 1, 25,
              label_fr="Personnes dans le foyer", label_en="People in the household"),
    FieldSpec("ext_source_1", "EXT_SOURCE_1", "share", 0, 1, required=False,
              label_fr="Score externe 1 (0 à 1, facultatif)", label_en="External score 1 (0 to 1, optional)"),
    FieldSpec("ext_source_2", "EXT_SOURCE_2", "share", 0, 1, required=False,
              label_fr="Score externe 2 (0 à 1, facultatif)", label_en="External score 2 (0 to 1, optional)"),
    FieldSpec("ext_source_3", "EXT_SOURCE_3", "share", 0, 1, required=False,
              label_fr="Score externe 3 (0 à 1, facultatif)", label_en="External score 3 (0 to 1, optional)"),
    FieldSpec("contract", "NAME_CONTRACT_TYPE", "choice", choices=("Cash loans", "Revolving loans"),
              label_fr="Type de contrat", label_en="Contract type"),
    FieldSpec("gender", "CODE_GENDER", "choice", choices=("F", "M"), required=False,
              label_fr="Sexe (facultatif)", label_en="Gender (optional)"),
    FieldSpec("income_type", "NAME_INCOME_TYPE", "choice",
              choices=("Working", "Commercial associate", "Pensioner", "State servant",
                       "Unemployed", "Student", "Businessman", "Maternity leave"),
              label_fr="Type de revenu", label_en="Income type"),
    FieldSpec("education", "NAME_EDUCATION_TYPE", "choice",
              choices=("Secondary / secondary special", "Higher education", "Incomplete higher",
                       "Lower secondary", "Academic degree"),
              label_fr="Niveau d'études", label_en="Education"),
    FieldSpec("family_status", "NAME_FAMILY_STATUS", "choice",
              choices=("Married", "Single / not married", "Civil marriage", "Separated", "Widow"),
              label_fr="Situation familiale", label_en="Family status"),
    FieldSpec("own_car", "FLAG_OWN_CAR", "choice", choices=("N", "Y"),
              label_fr="Possède une voiture", label_en="Owns a car"),
    FieldSpec("own_realty", "FLAG_OWN_REALTY", "choice", choices=("Y", "N"),
              label_fr="Possède un logement", label_en="Owns real estate"),
)}
WHATIF_FIELDS = ("income", "credit", "annuity", "goods", "employment_years", "children")
NEW_APPLICANT_FIELDS = tuple(FIELD_SPECS)
DAYS_PER_YEAR = 365.25

VALIDATION_TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "required": "Ce champ est obligatoire.",
        "not_number": "« {value} » n'est pas un nombre (exemple : 150000 ou 1 234,5).",
        "not_whole": "Un nombre entier est attendu.",
        "range": "Valeur attendue entre {minimum} et {maximum}.",
        "choice": "Choisissez une valeur dans la liste.",
        "age_employment": "L'ancienneté ne peut pas dépasser l'âge moins 14 ans.",
    },
    "en": {
        "required": "This field is required.",
        "not_number": "“{value}” is not a number (example: 150000 or 1,234.5).",
        "not_whole": "A whole number is expected.",
        "range": "Expected a value between {minimum} and {maximum}.",
        "choice": "Pick a value from the list.",
        "age_employment": "Years in the job cannot exceed the age minus 14.",
    },
}


# A number as typed once spaces and the currency sign are gone: ASCII digits only
# ("²" and Arabic-Indic digits are not numbers here, although `float()` reads the latter).
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?", re.ASCII)


def parse_number(raw: object, lang: str | None) -> float | None:
    """A number typed the French way ('1 234,5') or the English way ('1,234.5'); None if blank.

    Raises ValueError for anything else: text that is not a number, text longer
    than `MAX_NUMBER_LENGTH`, NaN, infinities, and integers too large for a float
    (a JSON literal of 400 digits used to raise OverflowError).
    """
    if raw is None:
        return None
    if isinstance(raw, (int, float, np.integer, np.floating)) and not isinstance(raw, bool):
        try:
            value = float(raw)
        except OverflowError:
            raise ValueError(raw) from None
    elif isinstance(raw, str):
        if len(raw) > MAX_NUMBER_LENGTH:
            raise ValueError(raw)
        text = "".join(raw.split()).replace("\u202f", "").replace("€", "")
        if not text:
            return None
        if normalise_language(lang) == "fr":
            text = text.replace(".", "").replace(",", ".") if "," in text else text
        else:
            text = text.replace(",", "")
        if not _NUMBER.fullmatch(text):
            raise ValueError(raw)
        value = float(text)
    else:  # lists, objects, booleans from a JSON body
        raise ValueError(raw)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def validate_fields(values: dict[str, object], names: tuple[str, ...] | list[str],
                    lang: str | None) -> tuple[dict[str, object], dict[str, str]]:
    """Check each field; return (clean values in field units, message per invalid field).

    Numbers keep the advisor's units (euros, years); `raw_row_from_fields` converts them.
    """
    lang = normalise_language(lang)
    clean: dict[str, object] = {}
    errors: dict[str, str] = {}

    def error(name: str, key: str, **fmt: object) -> None:
        errors[name] = translate(VALIDATION_TEXTS, key, lang, **fmt)

    for name in names:
        spec = FIELD_SPECS[name]
        raw = values.get(name)
        if spec.kind == "choice":
            if raw in (None, ""):
                if spec.required:
                    error(name, "required")
                continue
            if not isinstance(raw, str) or raw not in spec.choices:
                error(name, "choice")
                continue
            clean[name] = str(raw)
            continue
        try:
            number_value = parse_number(raw, lang)
        except ValueError:
            error(name, "not_number", value=shorten(raw))
            continue
        if number_value is None:
            if spec.required:
                error(name, "required")
            else:
                clean[name] = None
            continue
        if spec.kind == "count" and number_value != int(number_value):
            error(name, "not_whole")
            continue
        low, high = spec.minimum, spec.maximum
        if (low is not None and number_value < low) or (high is not None and number_value > high):
            decimals = 1 if spec.kind == "share" else 0
            error(name, "range", minimum=format_number(low, lang, decimals),
                  maximum=format_number(high, lang, decimals))
            continue
        clean[name] = number_value
    age, years = clean.get("age_years"), clean.get("employment_years")
    if isinstance(age, float) and isinstance(years, float) and years > age - 14:
        error("employment_years", "age_employment")
        clean.pop("employment_years")
    return clean, errors


def raw_row_from_fields(clean: dict[str, object]) -> dict[str, object]:
    """Field values (euros, years) -> raw application columns (negative days, 365243 code)."""
    row: dict[str, object] = {}
    for name, value in clean.items():
        spec = FIELD_SPECS[name]
        if spec.kind == "years":
            if value is None:
                # Home Credit codes "not employed" as 365243 days; an unknown age stays missing.
                row[spec.column] = float(DAYS_NO_VALUE) if spec.column == "DAYS_EMPLOYED" else np.nan
            else:
                row[spec.column] = -float(value) * DAYS_PER_YEAR  # type: ignore[arg-type]
        elif value is None:
            row[spec.column] = np.nan
        else:
            row[spec.column] = value
    return row


def fields_from_raw_row(row: pd.Series, names: tuple[str, ...]) -> dict[str, object]:
    """Inverse of `raw_row_from_fields` for pre-filling a form from a stored client."""
    out: dict[str, object] = {}
    for name in names:
        spec = FIELD_SPECS[name]
        value = row.get(spec.column)
        if value is None or pd.isna(value):  # NaN of any dtype (stored amounts are float32)
            out[name] = None
        elif spec.kind == "years":
            days = float(value)
            out[name] = None if days > 0 else round(-days / DAYS_PER_YEAR, 1)
        elif spec.kind == "choice":
            out[name] = str(value)
        elif spec.kind in ("count", "money"):
            # Whole euros, as an advisor types them (stored amounts are float32: 412120.0625);
            # `changed_fields` then keeps the stored cents of an untouched field.
            out[name] = int(round(float(value)))
        else:
            out[name] = round(float(value), 3)
    return out


# Most decimals a field's text keeps: enough for any amount an advisor types (cents, 0.512).
MAX_TEXT_DECIMALS = 6


def _decimals_needed(value: float) -> int:
    """Fewest decimals (up to `MAX_TEXT_DECIMALS`) that write `value` without losing it."""
    for decimals in range(MAX_TEXT_DECIMALS + 1):
        if math.isclose(round(value, decimals), value, rel_tol=1e-12, abs_tol=1e-12):
            return decimals
    return MAX_TEXT_DECIMALS


def field_text(name: str, value: object, lang: str | None) -> str | None:
    """A field's value as the advisor would type it in `lang`: "412 120" (fr) / "412,120" (en),
    "6,5" / "6.5"; `parse_number(field_text(...), lang)` gives the value back.

    Choices and text that is not a number (an invalid entry kept across a language switch)
    come back unchanged; a missing value is None (an empty field).
    """
    if value is None or FIELD_SPECS[name].kind == "choice" or isinstance(value, (str, bool)):
        return value  # type: ignore[return-value]
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number):
        return None
    return format_number(number, lang, _decimals_needed(number))


def remembered_values(values: dict[str, object], lang: str | None,
                      baseline: dict[str, object] | None = None) -> dict[str, object]:
    """The typed values in a form that does not depend on the language, to keep them across a
    language switch: numbers parsed ("1 234,5" -> 1234.5), text that is not one kept as typed.

    With `baseline` (the stored file of a what-if), only the fields that differ from it.
    """
    kept: dict[str, object] = {}
    for name, raw in values.items():
        spec = FIELD_SPECS.get(name)
        if spec is None:
            continue
        value: object = raw if isinstance(raw, str) or raw is None else None
        if spec.kind != "choice":
            try:
                value = parse_number(raw, lang)
            except ValueError:
                value = raw if isinstance(raw, str) else None
        if baseline is not None and _same_value(value, baseline.get(name)):
            continue
        kept[name] = value
    return kept


def _same_value(value: object, before: object) -> bool:
    if value in (None, "") and before in (None, ""):
        return True
    if isinstance(value, (int, float)) and isinstance(before, (int, float)) \
            and not isinstance(value, bool) and not isinstance(before, bool):
        return math.isclose(float(value), float(before), rel_tol=1e-9, abs_tol=1e-9)
    return value == before


def restored_values(remembered: object, names: list[str], lang: str | None,
                    baseline: dict[str, object] | None = None) -> list[object] | None:
    """The form's values again, written for `lang`: the remembered ones, else the baseline's.

    None when `remembered` is not what `remembered_values` writes (a browser's storage can
    hold anything).
    """
    if not isinstance(remembered, dict):
        return None
    baseline = baseline or {}
    out: list[object] = []
    for name in names:
        value = remembered[name] if name in remembered else baseline.get(name)
        out.append(field_text(name, value, lang))
    return out


def changed_fields(clean: dict[str, object], original: dict[str, object]) -> dict[str, object]:
    """The fields the advisor actually changed: the form shows rounded values (whole euros,
    years to 0.1), so an untouched field must keep the stored raw value, not its rounded display."""
    changed = {}
    for name, value in clean.items():
        before = original.get(name)
        if value is None and before is None:
            continue
        if isinstance(value, (int, float)) and isinstance(before, (int, float)) \
                and math.isclose(float(value), float(before), rel_tol=1e-9, abs_tol=1e-9):
            continue
        if value != before:
            changed[name] = value
    return changed


# Pre-filled values of the new-applicant form: a typical applicant of the training data
# (medians / most frequent values of application_train), in the advisor's units.
NEW_APPLICANT_DEFAULTS: dict[str, object] = {
    "income": 147150, "credit": 513531, "annuity": 24903, "goods": 450000,
    "employment_years": 6, "age_years": 43, "children": 0, "family_members": 2,
    "ext_source_1": None, "ext_source_2": None, "ext_source_3": None,
    "contract": "Cash loans", "gender": None, "income_type": "Working",
    "education": "Secondary / secondary special", "family_status": "Married",
    "own_car": "N", "own_realty": "Y",
}
CHOICE_LABELS_FR: dict[str, str] = {
    "Cash loans": "Prêt personnel", "Revolving loans": "Crédit renouvelable",
    "F": "Femme", "M": "Homme", "Y": "Oui", "N": "Non",
    "Working": "Salarié", "Commercial associate": "Commercial / associé", "Pensioner": "Retraité",
    "State servant": "Fonctionnaire", "Unemployed": "Sans emploi", "Student": "Étudiant",
    "Businessman": "Chef d'entreprise", "Maternity leave": "Congé maternité",
    "Secondary / secondary special": "Secondaire", "Higher education": "Supérieur",
    "Incomplete higher": "Supérieur non terminé", "Lower secondary": "Premier cycle",
    "Academic degree": "Doctorat", "Married": "Marié(e)", "Single / not married": "Célibataire",
    "Civil marriage": "Union civile", "Separated": "Séparé(e)", "Widow": "Veuf / veuve",
}
CHOICE_LABELS_EN: dict[str, str] = {"F": "Female", "M": "Male", "Y": "Yes", "N": "No",
                                    "Cash loans": "Cash loan", "Revolving loans": "Revolving loan"}


def choice_label(value: str, lang: str | None) -> str:
    table = CHOICE_LABELS_FR if normalise_language(lang) == "fr" else CHOICE_LABELS_EN
    return table.get(value, value)


def storable(raw: object) -> object:
    """A typed field value as it may be kept in the browser's form memory: a string of at
    most `MAX_NUMBER_LENGTH` characters, a finite number within ±1e15, else None. Any JSON
    value may arrive from a crafted request; an integer beyond 64 bits cannot even be
    serialised back (it was a 500)."""
    if isinstance(raw, str):
        return raw if len(raw) <= MAX_NUMBER_LENGTH else None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if abs(raw) <= 10**15 else None  # float() of a huge int overflows
    if isinstance(raw, float):
        return raw if math.isfinite(raw) and abs(raw) <= 1e15 else None
    return None


def memory_entry(memory: object, key: str, search: object) -> dict | None:
    """The remembered entry of one form (key "whatif:<id>", "new"), as
    `{"search": <URL query it was typed on>, "lang": <language it was typed in>,
    "values": {field: text as typed}}`; None when there is none, or when the page's URL
    brings values of its own (a proposal, a log entry) other than those it was typed on:
    then the URL wins, as the link the advisor just followed says."""
    entry = memory.get(key) if isinstance(memory, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
        return None
    if search and entry.get("search") != search:
        return None
    return entry


def restore_entry(entry: dict, names: list[str], lang: str | None,
                  baseline: dict[str, object] | None = None) -> list[object] | None:
    """The values of `memory_entry` for the form's fields, re-read in the language they were
    typed in and written for `lang` ("180 000,5" typed in French -> "180,000.5")."""
    kept = remembered_values(entry["values"], normalise_language(entry.get("lang")))
    return restored_values(kept, names, lang, baseline)


def inputs_text(inputs: dict[str, object], lang: str | None) -> str:
    """A log entry's scored fields for the advisor: "Revenu annuel (€) = 202 500, Type de
    contrat = Prêt personnel" (the labels carry the units), not "income = 202500.0"."""
    parts = []
    for name, value in inputs.items():
        spec = FIELD_SPECS.get(name)
        if spec is None:  # a field of an older log: shown as recorded
            parts.append(f"{name} = {value}")
            continue
        if value in (None, ""):
            text = missing(lang)
        elif spec.kind == "choice":
            text = choice_label(str(value), lang)
        else:
            text = field_text(name, value, lang) or missing(lang)
        parts.append(f"{spec.label(lang)} = {text}")
    return ", ".join(parts)
