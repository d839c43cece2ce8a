"""Screen 7 — data drift (`/drift`), for risk managers: do new applicants still look
like the clients the model learnt from?

An overall verdict (act or not), the share of drifted features with what it counts
(columns, tests, thresholds), what the linked Evidently report covers, a table of the
features (most drifted first, first rows or all), reference vs current distribution of a
chosen feature, and prediction drift. Everything comes from `webapp.services.drift`;
this module only lays it out and wires two thin callbacks.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from webapp import ids
from webapp.i18n import normalise_language, page_title, request_language, translate
from webapp.ui.components import chart, error_alert
from webapp.services import drift as service
from webapp.services import drift_periods as periods_service
from webapp.service_errors import ServiceError, error_message
from webapp.http.validation import bounded_text

REPORT_URL = "/reports/drift.html"
MAX_COLUMN_LENGTH = 200  # longest feature name of the builder is about 60 characters

TEXTS = {
    "fr": {
        "screen": "Dérive des données",
        "heading": "Dérive des données : les nouveaux demandeurs ressemblent-ils aux clients d'entraînement ?",
        "intro": ("Chaque variable est comparée entre les clients d'entraînement (référence) et les "
                  "nouveaux demandeurs (lot actuel) par un test statistique d'Evidently. Une dérive "
                  "signifie que le modèle voit des clients différents de ceux sur lesquels il a appris."),
        "verdict": "Avis d'ensemble",
        "methods": "Tests utilisés (choisis par Evidently selon le type de variable) :",
        "report": "Ouvrir le rapport Evidently complet (nouvel onglet)",
        "no_report": "Le rapport Evidently complet n'est pas disponible.",
        "table": "Variables testées",
        "table_caption": "Résultat du test de dérive de chaque variable",
        "table_note": ("Intensité = score du test rapporté à son seuil (1 ou plus : dérive). Rang "
                       "d'influence : place de la variable dans l'importance SHAP du modèle. Choisissez "
                       "une variable pour voir sa distribution."),
        "sort": "Trier le tableau",
        "sort_severity": "De la plus à la moins dérivée",
        "sort_influence": "De la plus à la moins influente dans le modèle",
        "sort_label": "Par nom (ordre alphabétique)",
        "show_all": "Afficher les {count} variables",
        "show_first": "N'afficher que les {count} premières",
        "pick": "Voir la distribution de « {label} »",
        "feature": "Variable à examiner",
        "distribution": "Référence et lot actuel",
        "prediction": "Dérive des prédictions",
        "missing_summary": ("Le résumé de dérive est indisponible : il est produit par "
                            "« python -m model build » (ou « python -m model drift »)."),
        "col_label": "Variable (nom technique)", "col_status": "Dérive",
        "col_method": "Test", "col_score": "Score", "col_threshold": "Seuil",
        "col_severity": "Intensité", "col_rank": "Rang d'influence",
        "col_reference_mean": "Moyenne référence", "col_current_mean": "Moyenne actuelle",
        "col_reference_missing": "Manquants référence", "col_current_missing": "Manquants actuels",
        "periods": "Suivi par période",
        "periods_intro": ("Chaque période de demandes (journal des décisions ou fichiers notés) est "
                          "comparée aux clients d'entraînement ; la première ligne est la comparaison "
                          "entraînement / test de l'ensemble servi. Une période est évaluée sur les "
                          "défauts observés une fois ses issues connues (maturité)."),
        "periods_missing": ("Aucune période suivie : lancez « python -m model monitor --database "
                            "<URL de l'application> » sur les scores notés."),
        "periods_caption": "Stabilité, taux et évaluation a posteriori par période",
        "p_period": "Période", "p_clients": "Clients", "p_status": "État",
        "p_score_psi": "PSI du score", "p_top_input": "Variable la plus décalée (PSI)",
        "p_approval": "Taux d'accord", "p_override": "Taux de dérogation",
        "p_no_history": "Sans historique", "p_backtest": "Évaluation a posteriori",
        "p_report": "Rapport Evidently",
        "open_report": "Ouvrir le rapport de {period} (nouvel onglet)",
        "no_report_short": "—",
        "alerts": "Alertes",
        "alerts_none": "Aucune alerte : toutes les périodes sont stables.",
        "alerts_period": "{period} : {count} alerte(s), {status}",
        "trend": "Évolution du PSI",
        "backtest": "Évaluation a posteriori d'une période mûre",
        "backtest_period": "Période évaluée",
        "backtest_none": "Aucune période n'est encore mûre : les défauts ne sont pas encore connus.",
        "backtest_caption": "Taux de défaut observé et prédit par décile de score (1 = risque le plus faible)",
        "backtest_facts": ("Défauts observés {observed} contre {predicted} prédits ; test de "
                           "Hosmer-Lemeshow p = {p_value} ; {inversions} inversion(s) de l'ordre "
                           "des déciles."),
        "b_decile": "Décile", "b_clients": "Clients", "b_defaults": "Défauts",
        "b_predicted_rate": "Taux prédit", "b_observed_rate": "Taux observé",
        "b_interval": "Intervalle de Jeffreys (95 %)", "b_inside": "Prédiction dans l'intervalle",
    },
    "en": {
        "screen": "Data drift",
        "heading": "Data drift: do new applicants look like the training clients?",
        "intro": ("Each feature is compared between the training clients (reference) and the new "
                  "applicants (current batch) by an Evidently statistical test. Drift means the model "
                  "sees clients unlike those it learnt from."),
        "verdict": "Overall verdict",
        "methods": "Tests used (chosen by Evidently by type of feature):",
        "report": "Open the full Evidently report (new tab)",
        "no_report": "The full Evidently report is not available.",
        "table": "Tested features",
        "table_caption": "Drift test result of each feature",
        "table_note": ("Severity = test score relative to its threshold (1 or more: drift). Rank of "
                       "influence: the feature's place in the model's SHAP importance. Choose a "
                       "feature to see its distribution."),
        "sort": "Sort the table",
        "sort_severity": "Most drifted first",
        "sort_influence": "Most influential in the model first",
        "sort_label": "By name (alphabetical)",
        "show_all": "Show all {count} features",
        "show_first": "Show only the first {count}",
        "pick": "See the distribution of “{label}”",
        "feature": "Feature to examine",
        "distribution": "Reference and current batch",
        "prediction": "Prediction drift",
        "missing_summary": ("The drift summary is unavailable: it is made by `python -m model build` "
                            "(or `python -m model drift`)."),
        "col_label": "Feature (technical name)", "col_status": "Drift",
        "col_method": "Test", "col_score": "Score", "col_threshold": "Threshold",
        "col_severity": "Severity", "col_rank": "Rank of influence",
        "col_reference_mean": "Reference mean", "col_current_mean": "Current mean",
        "col_reference_missing": "Reference missing", "col_current_missing": "Current missing",
        "periods": "Monitoring per period",
        "periods_intro": ("Each period of applications (decision log or scored files) is compared "
                          "with the training clients; the first row is the served set's training / "
                          "test comparison. A period is back-tested on the defaults observed once "
                          "its outcomes are known (maturity)."),
        "periods_missing": ("No period monitored yet: run `python -m model monitor --database "
                            "<the app's URL>` on the scores."),
        "periods_caption": "Stability, rates and back-test per period",
        "p_period": "Period", "p_clients": "Clients", "p_status": "Status",
        "p_score_psi": "Score PSI", "p_top_input": "Most shifted input (PSI)",
        "p_approval": "Approval rate", "p_override": "Override rate",
        "p_no_history": "Without history", "p_backtest": "Back-test",
        "p_report": "Evidently report",
        "open_report": "Open the report of {period} (new tab)",
        "no_report_short": "—",
        "alerts": "Alerts",
        "alerts_none": "No alert: every period is stable.",
        "alerts_period": "{period}: {count} alert(s), {status}",
        "trend": "PSI over time",
        "backtest": "Back-test of a matured period",
        "backtest_period": "Period back-tested",
        "backtest_none": "No period has matured yet: the defaults are not known yet.",
        "backtest_caption": "Observed and predicted default rate per score decile (1 = lowest risk)",
        "backtest_facts": ("Observed defaults {observed} against {predicted} predicted; "
                           "Hosmer-Lemeshow test p = {p_value}; {inversions} inversion(s) of the "
                           "deciles' order."),
        "b_decile": "Decile", "b_clients": "Clients", "b_defaults": "Defaults",
        "b_predicted_rate": "Predicted rate", "b_observed_rate": "Observed rate",
        "b_interval": "Jeffreys interval (95%)", "b_inside": "Prediction inside the interval",
    },
}
# Table columns after the feature's label (technical name beneath it), in order (DriftRow fields).
TABLE_COLUMNS = ("status", "method", "score", "threshold", "severity", "rank",
                 "reference_mean", "current_mean", "reference_missing", "current_missing")


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def title() -> str:
    lang = request_language()
    return page_title(_t("screen", lang), lang)


dash.register_page(__name__, path="/drift", title=title, name="Data drift",
                   description="Training clients vs new applicants: drifted features and predictions")


def table_rows(rows: list[service.DriftRow], lang: str) -> list[html.Tr]:
    """One row per feature; its label is a button that shows its distribution (keyboard too)."""
    return [html.Tr([
        html.Th([html.Button(row.label, id={"type": ids.DRIFT_ROW_PICK, "column": row.column},
                             type="button", className="btn btn-link p-0 text-start",
                             title=_t("pick", lang, label=row.label)),
                 html.Span(row.column, className="technical-name")],
                scope="row", className="drift-label"),
        *[html.Td(getattr(row, c), className="fw-bold" if row.drifted else None)
          for c in TABLE_COLUMNS],
    ]) for row in rows]


def drift_table(rows: list[service.DriftRow], lang: str, show_all: bool = False) -> html.Div:
    """A plain table (row headers, caption) with the first rows or all, and the toggle."""
    head = html.Thead(html.Tr([html.Th(_t(f"col_{c}", lang), scope="col")
                               for c in ("label", *TABLE_COLUMNS)]))
    shown = rows if show_all else rows[:service.PAGE_SIZE]
    table = html.Table([html.Caption(_t("table_caption", lang), className="visually-hidden"), head,
                        html.Tbody(table_rows(shown, lang), id=ids.DRIFT_TABLE_BODY)],
                       id=ids.DRIFT_TABLE, className="table table-sm table-striped")
    toggle = (html.Button(_toggle_text(len(rows), show_all, lang), id=ids.DRIFT_SHOW_ALL,
                          type="button", n_clicks=1 if show_all else 0,
                          className="btn btn-outline-secondary btn-sm",
                          **{"aria-controls": ids.DRIFT_TABLE_BODY})
              if len(rows) > service.PAGE_SIZE else
              html.Button(id=ids.DRIFT_SHOW_ALL, type="button", hidden=True, n_clicks=0))
    sort = dbc.Row(dbc.Col([
        dbc.Label(_t("sort", lang), html_for=ids.DRIFT_SORT),
        dbc.Select(id=ids.DRIFT_SORT, value=service.ORDERS[0],
                   options=[{"label": _t(f"sort_{o}", lang), "value": o} for o in service.ORDERS]),
    ], xs=12, md=6), className="mb-2")
    return html.Div([sort, html.Div(table, className="table-responsive"), toggle])


def _toggle_text(count: int, show_all: bool, lang: str) -> str:
    return (_t("show_first", lang, count=service.PAGE_SIZE) if show_all
            else _t("show_all", lang, count=count))


def render_distribution(column: str | None, lang: str) -> list:
    try:
        drawn = service.distribution(column, lang) if column else None
    except ServiceError as error:
        return [error_alert(error_message(error, lang))]
    if drawn is None:
        return [error_alert(_t("missing_summary", lang))]
    return [chart(ids.DRIFT_DISTRIBUTION_CHART, *drawn)]


def verdict_block(verdict: service.Verdict, lang: str) -> html.Section:
    """The overall verdict first: what to do, then the facts and the rule it follows."""
    icon = {"low": "✓", "watch": "◔", "review": "⚠"}.get(verdict.level, "")
    return html.Section([
        html.H2(_t("verdict", lang), className="h5"),
        html.P(html.Strong([html.Span(icon, **{"aria-hidden": "true"}), f" {verdict.headline}"]),
               className="lead mb-1"),
        html.P(verdict.facts, className="mb-1"),
        html.P(verdict.rule, className="text-muted small mb-0"),
    ], id=ids.DRIFT_VERDICT, className=f"border rounded p-3 mb-3 drift-verdict-{verdict.level}",
        **{"aria-label": _t("verdict", lang), "data-level": verdict.level})


# --- monitoring over time (issue 22) -----------------------------------------------------------
PERIOD_COLUMNS = ("clients", "status_text", "score_psi", "top_input", "approval", "override",
                  "no_history", "backtest")
PERIOD_HEADERS = ("clients", "status", "score_psi", "top_input", "approval", "override",
                  "no_history", "backtest")


def periods_table(rows: list, lang: str) -> html.Div:
    """One row per period (row header: the period); status as icon and word, report link."""
    head = html.Thead(html.Tr([html.Th(_t(f"p_{c}", lang), scope="col")
                               for c in ("period", *PERIOD_HEADERS, "report")]))
    body = [html.Tr([
        html.Th(row.period, scope="row"),
        *[html.Td(getattr(row, c), className="fw-bold" if c == "status_text" and
                  row.status != "stable" else None) for c in PERIOD_COLUMNS],
        html.Td(html.A(_t("open_report", lang, period=row.period), href=row.report_url,
                       target="_blank", rel="noopener") if row.report_url
                else _t("no_report_short", lang)),
    ], **{"data-status": row.status, "data-period": row.key}) for row in rows]
    table = html.Table([html.Caption(_t("periods_caption", lang), className="visually-hidden"),
                        head, html.Tbody(body)], id=ids.DRIFT_PERIODS_TABLE,
                       className="table table-sm table-striped")
    return html.Div(table, className="table-responsive")


def backtest_block(period: str | None, lang: str) -> list:
    """The chosen matured period's decile table (rank ordering, calibration), or why none."""
    try:
        found = periods_service.backtest_rows(period, lang) if period else None
    except ServiceError as error:
        return [error_alert(error_message(error, lang))]
    if found is None:
        return [html.P(_t("backtest_none", lang), className="text-muted")]
    rows, facts = found
    columns = ("decile", "clients", "defaults", "predicted_rate", "observed_rate", "interval",
               "inside")
    table = html.Table([
        html.Caption(_t("backtest_caption", lang)),
        html.Thead(html.Tr([html.Th(_t(f"b_{c}", lang), scope="col") for c in columns])),
        html.Tbody([html.Tr([html.Th(r["decile"], scope="row"),
                             *[html.Td(r[c]) for c in columns[1:]]]) for r in rows]),
    ], className="table table-sm")
    return [html.P(html.Strong(facts["headline"])),
            html.P(_t("backtest_facts", lang, **{k: v for k, v in facts.items() if k != "headline"})),
            html.Div(table, className="table-responsive")]


def periods_section(lang: str) -> html.Section:
    """Trend table, chart, alerts and the back-test of a matured period; or how to get them."""
    try:
        screen = periods_service.monitoring_screen(lang)
    except ServiceError as error:
        screen, problem = None, error_message(error, lang)
    else:
        problem = _t("periods_missing", lang)
    heading = html.H2(_t("periods", lang), className="h4 mt-2")
    if screen is None:
        return html.Section([heading, html.P(problem, className="text-muted"),
                             dbc.Select(id=ids.DRIFT_BACKTEST_PERIOD, options=[],
                                        style={"display": "none"}),
                             html.Div(id=ids.DRIFT_BACKTEST)], id=ids.DRIFT_PERIODS)
    first = screen.matured[-1]["value"] if screen.matured else None
    alerts = (html.Div([
        html.Details([html.Summary(_t("alerts_period", lang, period=group.period,
                                      count=len(group.items), status=group.status_text)),
                      html.Ul([html.Li(item) for item in group.items])], open=index == 0)
        for index, group in enumerate(screen.alerts)], id=ids.DRIFT_ALERTS)
              if screen.alerts else html.P(_t("alerts_none", lang), id=ids.DRIFT_ALERTS))
    return html.Section([
        heading,
        html.P(_t("periods_intro", lang)),
        html.P(screen.bands, className="small"),
        periods_table(screen.rows, lang),
        html.H3(_t("trend", lang), className="h5 mt-3"),
        chart(ids.DRIFT_PERIODS_CHART, screen.figure, screen.text_alternative),
        html.H3(_t("alerts", lang), className="h5 mt-3"),
        alerts,
        html.H3(_t("backtest", lang), className="h5 mt-3"),
        dbc.Row(dbc.Col([dbc.Label(_t("backtest_period", lang), html_for=ids.DRIFT_BACKTEST_PERIOD),
                         dbc.Select(id=ids.DRIFT_BACKTEST_PERIOD, options=screen.matured,
                                    value=first)], xs=12, md=4), className="mb-2"),
        html.Div(backtest_block(first, lang), id=ids.DRIFT_BACKTEST, **{"aria-live": "polite"}),
        html.Hr(),
    ], id=ids.DRIFT_PERIODS, className="mb-4")


def render(lang: str) -> list:
    """Verdict, counts and what they cover, report link, table, distributions; or a message."""
    try:
        screen = service.drift_screen(lang)
        prediction = service.distribution(service.PREDICTION_COLUMN, lang) if screen else None
    except ServiceError as error:
        return [error_alert(error_message(error, lang))]
    if screen is None:
        return [error_alert(_t("missing_summary", lang))]
    first = screen.options[0]["value"] if screen.options else None
    report = (html.A(_t("report", lang), href=REPORT_URL, target="_blank", rel="noopener",
                     id=ids.DRIFT_REPORT_LINK, className="btn btn-outline-primary")
              if screen.has_report
              else html.P(_t("no_report", lang), id=ids.DRIFT_REPORT_LINK, className="text-muted"))
    return [
        verdict_block(screen.verdict, lang),
        html.Div([
            html.P(html.Strong(screen.share), className="lead"),
            html.Div([html.P(screen.scope, className="mb-1"),
                      html.P(_t("methods", lang), className="mb-0"),
                      html.Ul([html.Li(item) for item in screen.methods])], id=ids.DRIFT_SCOPE),
            html.P(screen.prediction),
            html.P(screen.report, id=ids.DRIFT_REPORT_SCOPE) if screen.report else None,
            report,
        ], id=ids.DRIFT_SUMMARY),
        html.H2(_t("table", lang), className="h5 mt-4"),
        html.P(_t("table_note", lang), className="text-muted small"),
        drift_table(screen.rows, lang),
        html.H2(_t("distribution", lang), className="h5 mt-4"),
        dbc.Row(dbc.Col([dbc.Label(_t("feature", lang), html_for=ids.DRIFT_FEATURE),
                         dbc.Select(id=ids.DRIFT_FEATURE, options=screen.options, value=first)],
                        xs=12, md=6), className="mb-3"),
        # polite live region: the chosen feature's chart caption is read out when it changes
        dcc.Loading(html.Div(render_distribution(first, lang), id=ids.DRIFT_DISTRIBUTION,
                             **{"aria-live": "polite"})),
        html.H2(_t("prediction", lang), className="h5 mt-4"),
        chart(ids.DRIFT_PREDICTION_CHART, *prediction),
    ]


def layout(lang: str | None = None, **_query: str) -> html.Div:
    lang = normalise_language(lang)
    body = render(lang)
    # Callbacks need their components even when the summary is missing (validation layout).
    placeholders = [] if any(getattr(c, "id", None) == ids.DRIFT_SUMMARY for c in body) else [
        html.Div([html.Table(html.Tbody(id=ids.DRIFT_TABLE_BODY)),
                  html.Button(id=ids.DRIFT_SHOW_ALL, n_clicks=0),
                  dbc.Select(id=ids.DRIFT_SORT, options=[])], hidden=True),
        dbc.Select(id=ids.DRIFT_FEATURE, options=[], style={"display": "none"}),
        html.Div(id=ids.DRIFT_DISTRIBUTION),
    ]
    return html.Div([
        html.H1(_t("heading", lang), className="h3 my-3"),
        html.P(_t("intro", lang)),
        periods_section(lang),
        *body,
        *placeholders,
    ])


@callback(
    Output(ids.DRIFT_TABLE_BODY, "children"),
    Output(ids.DRIFT_SHOW_ALL, "children"),
    Input(ids.DRIFT_SHOW_ALL, "n_clicks"),
    Input(ids.DRIFT_SORT, "value"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def toggle_rows(n_clicks: int | None, order: str | None, lang: str | None) -> tuple[list, str]:
    """The rows in the chosen order; odd clicks show every feature, even ones the first rows."""
    if not isinstance(n_clicks, int) or isinstance(n_clicks, bool) or n_clicks < 0:
        raise PreventUpdate
    lang = normalise_language(lang)
    try:
        rows = service.drift_rows(lang, order if order in service.ORDERS else None)
    except ServiceError:
        raise PreventUpdate from None
    show_all = n_clicks % 2 == 1
    shown = rows if show_all else rows[:service.PAGE_SIZE]
    return table_rows(shown, lang), _toggle_text(len(rows), show_all, lang)


@callback(
    Output(ids.DRIFT_FEATURE, "value"),
    Input({"type": ids.DRIFT_ROW_PICK, "column": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def pick_from_table(_clicks: list) -> str:
    """Choosing a feature's label in the table selects it for the distribution chart."""
    trigger = ctx.triggered_id
    clicked = ctx.triggered[0].get("value") if ctx.triggered else None
    if not isinstance(trigger, dict) or not clicked:  # rows added by "show all" fire too
        raise PreventUpdate
    column = bounded_text(trigger.get("column"), MAX_COLUMN_LENGTH)
    if column is None:
        raise PreventUpdate
    return column


@callback(
    Output(ids.DRIFT_DISTRIBUTION, "children"),
    Input(ids.DRIFT_FEATURE, "value"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def update_distribution(column: str | None, lang: str | None) -> list:
    if not bounded_text(column, MAX_COLUMN_LENGTH):
        raise PreventUpdate
    return render_distribution(column, normalise_language(lang))


@callback(
    Output(ids.DRIFT_BACKTEST, "children"),
    Input(ids.DRIFT_BACKTEST_PERIOD, "value"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def update_backtest(period: str | None, lang: str | None) -> list:
    """The chosen matured period's back-test."""
    period = bounded_text(period, MAX_COLUMN_LENGTH)
    if not period:
        raise PreventUpdate
    return backtest_block(period, normalise_language(lang))
