"""Audit screen (`/audit`, managers): recorded decisions with filters, override rates
overall and per advisor, the customers' review queue (CCD Art. 18) and a CSV export.

Each row links to the client file as it was scored (`/client/<id>?entry=<n>` shows the
model version, score and inputs of that log entry).
"""
from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from webapp import ids
from webapp.db import audit_log
from webapp.auth import config
from webapp.ui.decision_form import category_word, decision_word
from webapp.formatting import format_percent
from webapp.i18n import normalise_language, page_title, request_language, translate
from webapp.ui.components import client_path, error_alert
from webapp.http.validation import bounded_text, choice

TEXTS = {
    "fr": {
        "screen": "Journal des décisions",
        "heading": "Journal des décisions",
        "intro": ("Décisions enregistrées par les conseillers, les plus récentes d'abord (au plus {limit}). "
                  "Une dérogation est une décision différente de la recommandation du modèle."),
        "actor": "Conseiller (identifiant)",
        "start": "Du",
        "end": "Au",
        "outcome": "Décision",
        "any": "Toutes",
        "overrides": "Dérogations seulement",
        "review": "Réexamen demandé seulement",
        "rates": "Taux de dérogation",
        "overall": "Toutes décisions : {rate} ({overrides} sur {decisions}).",
        "no_decisions": "Aucune décision enregistrée pour ces filtres.",
        "per_actor": "Par conseiller",
        "queue": "File de réexamen (demandes des clients, directive crédit art. 18)",
        "queue_empty": "Aucune demande de réexamen en attente.",
        "decisions": "Décisions",
        "export": "Exporter en CSV (filtres appliqués)",
        "col_at": "Date (UTC)",
        "col_actor": "Conseiller",
        "col_file": "Dossier",
        "col_recommendation": "Recommandation",
        "col_decision": "Décision",
        "col_override": "Dérogation",
        "col_category": "Catégorie",
        "col_reason": "Motif",
        "col_review": "Réexamen",
        "col_model": "Modèle",
        "col_decisions": "Décisions",
        "col_overrides": "Dérogations",
        "col_rate": "Taux",
        "applicant": "Nouveau demandeur {fingerprint}",
        "yes": "oui",
        "no": "non",
        "review_requested": "demandé",
        "review_reviewed": "réexaminé",
        "review_none": "—",
        "unavailable": "Le journal des décisions est indisponible pour l'instant.",
    },
    "en": {
        "screen": "Decision log",
        "heading": "Decision log",
        "intro": ("Decisions recorded by the advisors, newest first (at most {limit}). An override is "
                  "a decision that differs from the model's recommendation."),
        "actor": "Advisor (user name)",
        "start": "From",
        "end": "To",
        "outcome": "Decision",
        "any": "All",
        "overrides": "Overrides only",
        "review": "Review requested only",
        "rates": "Override rate",
        "overall": "All decisions: {rate} ({overrides} of {decisions}).",
        "no_decisions": "No decision recorded for these filters.",
        "per_actor": "Per advisor",
        "queue": "Review queue (customers' requests, Consumer Credit Directive Art. 18)",
        "queue_empty": "No review request waiting.",
        "decisions": "Decisions",
        "export": "Export as CSV (filters applied)",
        "col_at": "Date (UTC)",
        "col_actor": "Advisor",
        "col_file": "File",
        "col_recommendation": "Recommendation",
        "col_decision": "Decision",
        "col_override": "Override",
        "col_category": "Category",
        "col_reason": "Reason",
        "col_review": "Review",
        "col_model": "Model",
        "col_decisions": "Decisions",
        "col_overrides": "Overrides",
        "col_rate": "Rate",
        "applicant": "New applicant {fingerprint}",
        "yes": "yes",
        "no": "no",
        "review_requested": "requested",
        "review_reviewed": "reviewed",
        "review_none": "—",
        "unavailable": "The decision log is unavailable at the moment.",
    },
}
SHOWN = 200
EXPORT_URL = "/api/audit/decisions.csv"


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def title() -> str:
    return page_title(_t("screen", request_language()), request_language())


dash.register_page(__name__, path="/audit", title=title, name="Decision log",
                   description="Recorded decisions, override rates and the review queue (managers)")


def layout(lang: str | None = None, **_query: str) -> html.Div:
    lang = normalise_language(lang)
    outcomes = [{"label": _t("any", lang), "value": ""}] + [
        {"label": decision_word(d, lang), "value": d} for d in config.DECISIONS]
    return html.Div([
        html.H1(_t("heading", lang), className="h3 my-3"),
        html.P(_t("intro", lang, limit=SHOWN)),
        dbc.Row([
            dbc.Col([dbc.Label(_t("actor", lang), html_for=ids.AUDIT_ACTOR),
                     dbc.Input(id=ids.AUDIT_ACTOR, type="text", maxLength=80, debounce=True)], xs=12, md=3),
            dbc.Col([dbc.Label(_t("start", lang), html_for=f"{ids.AUDIT_DATES}-start"),
                     dbc.Input(id=f"{ids.AUDIT_DATES}-start", type="date")], xs=6, md=2),
            dbc.Col([dbc.Label(_t("end", lang), html_for=f"{ids.AUDIT_DATES}-end"),
                     dbc.Input(id=f"{ids.AUDIT_DATES}-end", type="date")], xs=6, md=2),
            dbc.Col([dbc.Label(_t("outcome", lang), html_for=ids.AUDIT_OUTCOME),
                     dbc.Select(id=ids.AUDIT_OUTCOME, options=outcomes, value="")], xs=12, md=2),
            dbc.Col(dbc.Checklist(id=ids.AUDIT_FLAGS, value=[], className="mt-md-4", options=[
                {"label": _t("overrides", lang), "value": "overrides"},
                {"label": _t("review", lang), "value": "review"}]), xs=12, md=3),
        ], className="g-2 mb-3"),
        html.A(_t("export", lang), id=ids.AUDIT_EXPORT, href=EXPORT_URL, className="btn btn-outline-primary mb-3"),
        html.Div(id=ids.AUDIT_RATES),
        html.H2(_t("queue", lang), className="h5 mt-3"),
        html.Div(id=ids.AUDIT_QUEUE),
        html.H2(_t("decisions", lang), className="h5 mt-3"),
        dcc.Loading(delay_show=300, children=html.Div(id=ids.AUDIT_TABLE)),
    ])


def _file_link(row: dict, lang: str) -> html.A:
    if pd.notna(row.get("client_id")) and row.get("client_id") is not None:
        client_id = int(row["client_id"])
        return html.A(str(client_id), href=f"{client_path(client_id)}?entry={int(row['id'])}")
    return html.A(_t("applicant", lang, fingerprint=str(row.get("input_fingerprint") or "")[:10]),
                  href=f"/new?entry={int(row['id'])}")


def _table(headers: list[str], rows: list[list], table_id: str) -> html.Div:
    return html.Div(dbc.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
                               html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows])],
                              bordered=False, hover=True, size="sm", id=table_id), className="table-responsive")


def decisions_table(frame: pd.DataFrame, lang: str, table_id: str) -> html.Div:
    """The log rows as an accessible table (words, never colour alone)."""
    columns = ("at", "actor", "file", "recommendation", "decision", "override", "category", "reason",
               "review", "model")
    rows = [[str(r["at"])[:19], r["actor"], _file_link(r, lang), decision_word(r["recommendation"] or "", lang),
             decision_word(r["final_decision"] or "", lang), _t("yes" if r["override"] else "no", lang),
             category_word(r["reason_category"], lang), r["override_reason"] or "",
             _t(f"review_{r['review_status'] or 'none'}", lang), r["model_version"] or ""]
            for r in frame.head(SHOWN).to_dict("records")]
    return _table([_t(f"col_{c}", lang) for c in columns], rows, table_id)


def rates_view(frame: pd.DataFrame, lang: str) -> html.Div:
    overall, per = audit_log.override_rates(frame)
    if overall is None:
        return html.P(_t("no_decisions", lang))
    rows = [[r["actor"], str(int(r["decisions"])), str(int(r["overrides"])), format_percent(r["rate"], lang)]
            for r in per.to_dict("records")]
    return html.Div([
        html.H2(_t("rates", lang), className="h5"),
        html.P(_t("overall", lang, rate=format_percent(overall, lang), overrides=int(frame["override"].sum()),
                  decisions=len(frame)), id=ids.AUDIT_OVERALL_RATE),
        html.H3(_t("per_actor", lang), className="h6"),
        _table([_t(c, lang) for c in ("col_actor", "col_decisions", "col_overrides", "col_rate")], rows,
               "audit-per-actor"),
    ])


@callback(
    Output(ids.AUDIT_RATES, "children"),
    Output(ids.AUDIT_QUEUE, "children"),
    Output(ids.AUDIT_TABLE, "children"),
    Output(ids.AUDIT_EXPORT, "href"),
    Input(ids.AUDIT_ACTOR, "value"),
    Input(f"{ids.AUDIT_DATES}-start", "value"),
    Input(f"{ids.AUDIT_DATES}-end", "value"),
    Input(ids.AUDIT_OUTCOME, "value"),
    Input(ids.AUDIT_FLAGS, "value"),
    Input(ids.LANGUAGE, "data"),
)
def show(actor: str | None, start: str | None, end: str | None, outcome: str | None,
         flags: list[str] | None, lang: str | None) -> tuple:
    """Filter the log, compute the rates, list the queue; the export link carries the same filters."""
    lang = normalise_language(lang)
    # Any JSON value may arrive here (a crafted request): keep only what the controls can send.
    actor, start, end = bounded_text(actor, 200), bounded_text(start, 40), bounded_text(end, 40)
    outcome = choice(outcome, config.DECISIONS)
    flags = [flag for flag in flags if choice(flag, ("overrides", "review"))] if isinstance(flags, list) else []
    query = {key: value for key, value in (("actor", actor), ("start", start), ("end", end),
                                           ("outcome", outcome)) if value}
    query.update({flag: "1" for flag in flags})
    try:
        frame = audit_log.decisions(audit_log.filters_from(query))
        queue = audit_log.review_queue()
    except Exception:  # database down: say so rather than break the page
        alert = error_alert(_t("unavailable", lang))
        return alert, None, None, EXPORT_URL
    queue_view = (decisions_table(queue, lang, "audit-queue-table") if not queue.empty
                  else html.P(_t("queue_empty", lang)))
    table = decisions_table(frame, lang, "audit-decisions-table") if not frame.empty else html.P(
        _t("no_decisions", lang))
    href = EXPORT_URL + ("?" + urlencode(query) if query else "")
    return rates_view(frame, lang), queue_view, table, href
