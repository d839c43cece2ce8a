"""Screen 7 — data drift (`/drift`), for risk managers: do new applicants still look
like the clients the model learnt from?

The share of drifted features, a table sortable by drift score, reference vs
current distribution of a chosen feature, prediction drift, and a link to the
full Evidently report served by the app at `/reports/drift.html`.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, State, callback, dash_table, dcc, html
from dash.exceptions import PreventUpdate

from webapp import figures as palette
from webapp import ids
from webapp.services import clients
from webapp.services.errors import ServiceError, error_message
from webapp.services import population as pop
from webapp.figures import drift as fig
from webapp.i18n import normalise_language, page_title, request_language, translate
from webapp.components import chart, error_alert
from webapp.validation import bounded_text

REPORT_URL = "/reports/drift.html"
SUMMARY = "drift-summary"
TABLE = "drift-table"
FEATURE = "drift-feature"
DISTRIBUTION = "drift-distribution"
DISTRIBUTION_CHART = "drift-distribution-chart"
PREDICTION_CHART = "drift-prediction-chart"
REPORT_LINK = "drift-report-link"
MAX_COLUMN_LENGTH = 200  # longest feature name of the builder is about 60 characters

TEXTS = {
    "fr": {
        "screen": "Dérive des données",
        "heading": "Dérive des données : les nouveaux demandeurs ressemblent-ils aux clients d'entraînement ?",
        "intro": ("Chaque variable est comparée entre les clients d'entraînement (référence) et les "
                  "nouveaux demandeurs (lot actuel) par un test statistique d'Evidently. Une dérive "
                  "signifie que le modèle voit des clients différents de ceux sur lesquels il a appris."),
        "report": "Ouvrir le rapport Evidently complet (nouvel onglet)",
        "no_report": "Le rapport Evidently complet n'est pas disponible.",
        "table": "Variables, de la plus à la moins dérivée",
        "table_note": ("Intensité = score du test rapporté à son seuil (1 ou plus : dérive). "
                       "Cliquez sur un en-tête pour trier, sur une ligne pour voir sa distribution."),
        "feature": "Variable à examiner",
        "distribution": "Référence et lot actuel",
        "prediction": "Dérive des prédictions",
        "missing_summary": ("Le résumé de dérive est indisponible : il est produit par "
                            "« python -m model build » (ou « python -m model drift »)."),
        "col_label": "Variable",
        "col_column": "Colonne",
        "col_status": "Dérive",
        "col_method": "Test",
        "col_score": "Score",
        "col_severity": "Intensité",
        "col_reference_mean": "Moyenne référence",
        "col_current_mean": "Moyenne actuelle",
        "col_reference_missing": "Manquants référence (%)",
        "col_current_missing": "Manquants actuels (%)",
        "prediction_option": "Probabilité de défaut prédite",
    },
    "en": {
        "screen": "Data drift",
        "heading": "Data drift: do new applicants look like the training clients?",
        "intro": ("Each feature is compared between the training clients (reference) and the new "
                  "applicants (current batch) by an Evidently statistical test. Drift means the model "
                  "sees clients unlike those it learnt from."),
        "report": "Open the full Evidently report (new tab)",
        "no_report": "The full Evidently report is not available.",
        "table": "Features, most drifted first",
        "table_note": ("Severity = test score relative to its threshold (1 or more: drift). "
                       "Click a header to sort, a row to see its distribution."),
        "feature": "Feature to examine",
        "distribution": "Reference and current batch",
        "prediction": "Prediction drift",
        "missing_summary": ("The drift summary is unavailable: it is made by `python -m model build` "
                            "(or `python -m model drift`)."),
        "col_label": "Feature",
        "col_column": "Column",
        "col_status": "Drift",
        "col_method": "Test",
        "col_score": "Score",
        "col_severity": "Severity",
        "col_reference_mean": "Reference mean",
        "col_current_mean": "Current mean",
        "col_reference_missing": "Reference missing (%)",
        "col_current_missing": "Current missing (%)",
        "prediction_option": "Predicted probability of default",
    },
}
TABLE_COLUMNS = ("label", "column", "status", "method", "score", "severity", "reference_mean",
                 "current_mean", "reference_missing", "current_missing")
# d3-format specifiers: means of any unit with 4 significant digits, shares in % with one decimal.
NUMBER_FORMATS = {"score": ".3~r", "severity": ",.2f", "reference_mean": ",.4~r",
                  "current_mean": ",.4~r", "reference_missing": ",.1f", "current_missing": ",.1f"}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def title() -> str:
    lang = request_language()
    return page_title(_t("screen", lang), lang)


dash.register_page(__name__, path="/drift", title=title, name="Data drift",
                   description="Training clients vs new applicants: drifted features and predictions")


# --- what the callbacks call -------------------------------------------------------------------

def drift_figure(state, column: str, lang: str) -> tuple[object, str]:
    """(figure, text alternative) of reference vs current for one column of the summary."""
    entry = fig.drift_entry(state.drift_summary or {}, column)
    label = (_t("prediction_option", lang) if column == pop.PREDICTION_COLUMN
             else pop.feature_label(state.dictionary, column, lang))
    values = pop.column_values(column, state.clients, state.applications, state.plot_columns)
    current = fig.is_current(state.clients)
    categorical = (entry or {}).get("kind") == "categorical" or (
        values is not None and not _is_numeric(values))
    if values is None:
        empty = fig.numeric_drift_figure(pop.split_histogram([], []), label, lang)
        return empty, fig.numeric_drift_summary(entry, label, lang)
    if categorical:
        shares = fig.category_shares(values, current, lang)
        return (fig.category_drift_figure(shares, label, lang),
                fig.category_drift_summary(entry, shares, label, lang))
    histogram = pop.split_histogram(values.to_numpy(np.float64), current.astype(np.float64),
                                    labels=("reference", "current"))
    return fig.numeric_drift_figure(histogram, label, lang), fig.numeric_drift_summary(entry, label, lang)


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def render_distribution(column: str | None, lang: str) -> list:
    try:
        state = clients.get_state()
    except ServiceError as error:
        return [error_alert(error_message(error, lang))]
    if not state.drift_summary or not column:
        return [error_alert(_t("missing_summary", lang))]
    figure, text = drift_figure(state, column, lang)
    return [chart(DISTRIBUTION_CHART, figure, text)]


def drift_datatable(table, lang: str) -> dash_table.DataTable:
    """The per-feature table, sortable in the browser (sort_action="native")."""
    columns = [{"name": _t(f"col_{c}", lang), "id": c,
                **({"type": "numeric", "format": _number_format(c, lang)} if c in NUMBER_FORMATS else {})}
               for c in TABLE_COLUMNS]
    return dash_table.DataTable(
        id=TABLE,
        columns=columns,
        data=table[list(TABLE_COLUMNS)].replace({np.nan: None}).to_dict("records"),
        sort_action="native",
        sort_by=[{"column_id": "severity", "direction": "desc"}],
        page_size=15,
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": palette.FONT_FAMILY, "fontSize": "0.95rem", "padding": "4px 8px",
                    "textAlign": "left", "whiteSpace": "normal", "height": "auto",
                    "color": palette.TEXT_COLOURS["body"]},
        style_header={"fontWeight": "bold", "backgroundColor": "#F1F3F5"},
        style_data_conditional=[{"if": {"filter_query": "{severity} >= 1"},
                                 "fontWeight": "bold"}],
    )


def _number_format(column: str, lang: str) -> dict:
    decimal, group = (",", "\u202f") if lang == "fr" else (".", ",")
    return {"locale": {"decimal": decimal, "group": group}, "specifier": NUMBER_FORMATS[column]}


def render(lang: str) -> list:
    """Summary, report link, table, feature chooser, distributions; or a clear message."""
    try:
        state = clients.get_state()
    except ServiceError as error:
        return [error_alert(error_message(error, lang))]
    summary = state.drift_summary
    if not summary:
        return [error_alert(_t("missing_summary", lang))]
    table = fig.drift_table(summary, state.dictionary, lang)
    options = [{"label": f"{row.label} ({row.column})" if row.label != row.column else row.column,
                "value": row.column} for row in table.itertuples()]
    first = options[0]["value"] if options else None
    report = (html.A(_t("report", lang), href=REPORT_URL, target="_blank", rel="noopener",
                     id=REPORT_LINK, className="btn btn-outline-primary")
              if state.drift_report_path is not None
              else html.P(_t("no_report", lang), id=REPORT_LINK, className="text-muted"))
    prediction_figure, prediction_text = drift_figure(state, pop.PREDICTION_COLUMN, lang)
    return [
        html.Div([html.P(html.Strong(fig.share_sentence(summary, lang)), className="lead"),
                  html.P(fig.prediction_sentence(summary, lang)), report], id=SUMMARY),
        html.H2(_t("table", lang), className="h5 mt-4"),
        html.P(_t("table_note", lang), className="text-muted small"),
        drift_datatable(table, lang),
        html.H2(_t("distribution", lang), className="h5 mt-4"),
        dbc.Row(dbc.Col([dbc.Label(_t("feature", lang), html_for=FEATURE),
                         dbc.Select(id=FEATURE, options=options, value=first)], xs=12, md=6),
                className="mb-3"),
        dcc.Loading(html.Div(render_distribution(first, lang), id=DISTRIBUTION)),
        html.H2(_t("prediction", lang), className="h5 mt-4"),
        chart(PREDICTION_CHART, prediction_figure, prediction_text),
    ]


def layout(lang: str | None = None, **_query: str) -> html.Div:
    lang = normalise_language(lang)
    body = render(lang)
    # Callbacks need their components even when the summary is missing (validation layout).
    placeholders = [] if any(getattr(c, "id", None) == SUMMARY for c in body) else [
        dash_table.DataTable(id=TABLE, data=[], columns=[], style_table={"display": "none"}),
        dbc.Select(id=FEATURE, options=[], style={"display": "none"}),
        html.Div(id=DISTRIBUTION),
    ]
    return html.Div([
        html.H1(_t("heading", lang), className="h3 my-3"),
        html.P(_t("intro", lang)),
        *body,
        *placeholders,
    ])


@callback(
    Output(FEATURE, "value"),
    Input(TABLE, "active_cell"),
    State(TABLE, "derived_viewport_data"),
    prevent_initial_call=True,
)
def pick_from_table(active_cell: dict | None, rows: list[dict] | None) -> str:
    """Clicking a row of the (possibly re-sorted) table selects its feature."""
    position = active_cell.get("row") if isinstance(active_cell, dict) else None
    if not isinstance(position, int) or not isinstance(rows, list) or not 0 <= position < len(rows):
        raise PreventUpdate
    row = rows[position]
    column = bounded_text(row.get("column"), MAX_COLUMN_LENGTH) if isinstance(row, dict) else None
    if column is None:
        raise PreventUpdate
    return column


@callback(
    Output(DISTRIBUTION, "children"),
    Input(FEATURE, "value"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def update_distribution(column: str | None, lang: str | None) -> list:
    if not bounded_text(column, MAX_COLUMN_LENGTH):
        raise PreventUpdate
    return render_distribution(column, normalise_language(lang))
