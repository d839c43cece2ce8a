"""Screen 6 — the model (`/model`): what the score is built on and how good it is.

Model card (type in words, version, training date, held-out AUC / recall / precision,
cross-validated and held-out cost, the threshold as a percentage), the cost-vs-threshold
curve with the chosen threshold marked and what its cost measures, the comparison of
every candidate and their tuned settings, global SHAP importance (bars and a beeswarm),
the lending rules applied after the score and the fairness report by gender and age band.
The content comes from `webapp.services.model`; this module only lays it out.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from model.fairness_text import group_name, group_sentence, proxy_sentence
import pandas as pd

from webapp import ids
from webapp.figures import model as fig
from webapp.formatting import format_number, format_percent
from webapp.i18n import normalise_language, page_title, request_language, translate
from webapp.ui.components import chart, error_alert
from webapp.services import model as service
from webapp.service_errors import ServiceError, error_message

TEXTS = {
    "fr": {
        "screen": "Modèle",
        "heading": "Le modèle de scoring",
        "intro": ("Ce que le score mesure, sur quelles données il a été appris et ce qu'il vaut sur des "
                  "clients qu'il n'a jamais vus."),
        "card": "Fiche du modèle",
        "cost": "Coût métier selon le seuil",
        "comparison": "Comparaison des modèles candidats",
        "comparison_note": ("Colonnes « validation croisée » : moyenne sur les plis des clients de "
                            "réglage ; colonnes « test » : le jeu de test mis de côté, jamais vu. "
                            "Chaque modèle à son propre seuil optimal."),
        "params": "Réglages retenus pour chaque modèle candidat",
        "params_note": "« — » : réglage sans objet pour ce type de modèle.",
        "importance": "Variables les plus influentes (SHAP global)",
        "beeswarm": "Effet de chaque variable selon sa valeur",
        "beeswarm_note": ("Chaque point est un client : à droite de la ligne, la variable augmente son "
                          "risque ; à gauche, elle le diminue."),
        "no_shap": "L'importance globale SHAP n'a pas été calculée pour ce jeu d'artefacts.",
        "no_comparison": "Le tableau de comparaison des candidats est indisponible.",
        "field": "Élément",
        "value": "Valeur",
        "protected_note": ("Le sexe du demandeur n'est jamais utilisé par le modèle ; il n'est "
                           "conservé que pour le suivi de l'équité."),
    },
    "en": {
        "screen": "Model",
        "heading": "The scoring model",
        "intro": ("What the score measures, which data it was learnt from and how well it does on "
                  "clients it never saw."),
        "card": "Model card",
        "cost": "Business cost by threshold",
        "comparison": "Comparison of the candidate models",
        "comparison_note": ("Cross-validation columns: mean over the folds of the tuning clients; "
                            "test columns: the held-out split, never seen. Each model at its own "
                            "optimal threshold."),
        "params": "Settings tuned for each candidate model",
        "params_note": "“n/a”: setting that does not apply to that kind of model.",
        "importance": "Most influential features (global SHAP)",
        "beeswarm": "Effect of each feature by its value",
        "beeswarm_note": ("Each point is a client: right of the line the feature raises their risk; "
                          "left of it, it lowers it."),
        "no_shap": "Global SHAP importance was not computed for this artifact set.",
        "no_comparison": "The comparison table of the candidates is unavailable.",
        "field": "Item",
        "value": "Value",
        "protected_note": ("The applicant's gender is never used by the model; it is kept only "
                           "to monitor fairness."),
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def title() -> str:
    lang = request_language()
    return page_title(_t("screen", lang), lang)


dash.register_page(__name__, path="/model", title=title, name="Model",
                   description="Model card, cost curve, candidates and global SHAP importance")


def card_table(items: list[tuple[str, str]], lang: str) -> dbc.Table:
    """The model card as a two-column table with row headers (read well by screen readers)."""
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(_t("field", lang), scope="col"),
                             html.Th(_t("value", lang), scope="col")])),
         html.Tbody([html.Tr([html.Th(label, scope="row"), html.Td(value)]) for label, value in items])],
        id=ids.MODEL_CARD, bordered=False, striped=True, size="sm", className="model-card-table",
    )


def _scroll_frame(table: dbc.Table, label: str) -> html.Div:
    """A wide table's frame: it scrolls sideways at 200 % zoom, so it takes the keyboard
    focus and is named (WCAG 2.1.1; axe's scrollable-region-focusable), and the columns
    past the edge can be reached without a mouse."""
    return html.Div(table, className="table-responsive", tabIndex="0", role="region",
                    **{"aria-label": label})


def _table(frame: pd.DataFrame, table_id: str, label: str) -> html.Div:
    """A DataFrame as a table whose first column is the row header (read well by screen readers)."""
    head = html.Thead(html.Tr([html.Th(str(c), scope="col") for c in frame.columns]))
    body = html.Tbody([html.Tr([html.Th(row[0], scope="row"), *[html.Td(v) for v in row[1:]]])
                       for row in frame.itertuples(index=False)])
    return _scroll_frame(dbc.Table([head, body], id=table_id, striped=True, bordered=True,
                                   hover=True, size="sm"), label)


def comparison_block(candidates: pd.DataFrame, params: pd.DataFrame, lang: str) -> html.Div:
    if candidates.empty:
        return error_alert(_t("no_comparison", lang))
    parts = [html.P(_t("comparison_note", lang), className="text-muted small"),
             _table(candidates, ids.MODEL_COMPARISON, _t("comparison", lang))]
    if not params.empty:
        parts += [html.H3(_t("params", lang), className="h6 mt-3"),
                  html.P(_t("params_note", lang), className="text-muted small"),
                  _table(params, ids.MODEL_PARAMS, _t("params", lang))]
    return html.Div(parts)


def importance_block(screen: service.ModelScreen, lang: str) -> list:
    top = screen.importance
    if top.empty:
        return [error_alert(_t("no_shap", lang))]
    return [
        html.H2(_t("importance", lang), className="h5 mt-4"),
        html.P(screen.importance_note, className="text-muted"),
        chart(ids.MODEL_IMPORTANCE_CHART, fig.importance_figure(top, lang),
              fig.importance_summary(top, lang)),
        html.H2(_t("beeswarm", lang), className="h5 mt-4"),
        html.P(_t("beeswarm_note", lang), className="text-muted"),
        chart(ids.MODEL_BEESWARM_CHART, fig.beeswarm_figure(screen.beeswarm, screen.labels, lang),
              fig.beeswarm_summary(screen.beeswarm, screen.labels, lang)),
    ]


def segments_block(metrics: dict, lang: str) -> list:
    """Held-out figures of clients with and without history, a table and a sentence each;
    then their calibration by age band, on the held-out split and out of fold."""
    blocks = [(ids.MODEL_SEGMENTS, service.segments(metrics, lang))]
    blocks += [(ids.MODEL_AGE_BANDS[key], service.age_bands(metrics, key, lang))
               for key in service.BAND_SOURCES]
    return [part for table_id, table in blocks if table is not None
            for part in _table_block(table_id, table)]


def _table_block(table_id: str, table: service.Segments) -> list:
    header = html.Thead(html.Tr([html.Th(h, scope="col") for h in table.headers]))
    body = html.Tbody([html.Tr([html.Th(row[0], scope="row"), *[html.Td(v) for v in row[1:]]])
                       for row in table.rows])
    return [
        html.H2(table.heading, className="h5 mt-4"),
        html.P(table.note, className="text-muted small"),
        _scroll_frame(dbc.Table([header, body], id=table_id, striped=True, bordered=True,
                                size="sm"), table.heading),
        *([html.Ul([html.Li(sentence) for sentence in table.sentences])]
          if table.sentences else []),
    ]


def constraints_block(metrics: dict, lang: str) -> list:
    """Which directions are imposed, what they cost in AUC, and the protected attribute."""
    sentence = service.constraints_sentence(metrics, lang)
    texts = [html.P(sentence)] if sentence else []
    return [html.Div([*texts, html.P(_t("protected_note", lang))], id=ids.MODEL_CONSTRAINTS)]


# --- lending rules and fairness report ---------------------------------------------------------

FAIRNESS_TEXTS = {
    "fr": {
        "policy": "Règles de crédit appliquées après le score",
        "policy_note": ("Une règle déclenchée décide quelle que soit la probabilité : refus, ou étude "
                        "par un responsable."),
        "fairness": "Équité des décisions (rapport pour les gestionnaires des risques)",
        "fairness_note": ("Mesuré sur {count} clients de validation jamais vus à l'apprentissage, au "
                          "seuil de décision {threshold}. Entre crochets : intervalle à 95 % "
                          "({n_boot} rééchantillonnages)."),
        "gender_out": "Le sexe n'est pas une variable du modèle ; il sert uniquement à ce contrôle.",
        "gender_in": ("Attention : ce modèle utilise encore {count} variable(s) tirée(s) du sexe ; "
                      "il faut le reconstruire sans elles."),
        "gender": "Par sexe", "age": "Par tranche d'âge",
        "group": "Groupe", "clients": "Clients", "observed": "Défaut observé",
        "predicted": "Défaut prédit", "refused": "Refusés", "false_refusals": "Bons clients refusés",
        "recall": "Défauts détectés", "ratio": "Ratio d'acceptation",
        "flagged": "⚠ sous {limit}", "ok": "conforme", "small": "trop peu de clients",
        "proxies": "Variables liées au sexe (possibles substituts)",
        "no_fairness": "Le rapport d'équité n'a pas été calculé pour ce jeu d'artefacts.",
    },
    "en": {
        "policy": "Lending rules applied after the score",
        "policy_note": ("A rule that fires decides whatever the probability: refusal, or review by "
                        "a manager."),
        "fairness": "Fairness of the decisions (report for risk managers)",
        "fairness_note": ("Measured on {count} held-out clients never seen in training, at the "
                          "decision threshold {threshold}. In brackets: 95% interval ({n_boot} "
                          "resamples)."),
        "gender_out": "Gender is not a model input; it is used for this check only.",
        "gender_in": ("Warning: this model still uses {count} feature(s) derived from gender; "
                      "it must be rebuilt without them."),
        "gender": "By gender", "age": "By age band",
        "group": "Group", "clients": "Clients", "observed": "Observed default",
        "predicted": "Predicted default", "refused": "Refused", "false_refusals": "Good clients refused",
        "recall": "Defaults caught", "ratio": "Approval ratio",
        "flagged": "⚠ below {limit}", "ok": "within limit", "small": "too few clients",
        "proxies": "Inputs associated with gender (possible proxies)",
        "no_fairness": "The fairness report was not computed for this artifact set.",
    },
}


def _f(key: str, lang: str, **values: object) -> str:
    return translate(FAIRNESS_TEXTS, key, lang, **values)


def policy_block(rules: list[str], lang: str) -> list:
    """The set's lending rules, one sentence each."""
    if not rules:
        return []
    return [html.H2(_f("policy", lang), className="h5 mt-4"),
            html.P(_f("policy_note", lang), className="text-muted"),
            html.Ul([html.Li(text) for text in rules], id=ids.MODEL_POLICY_RULES)]


def _with_interval(value: float | None, interval: list | None, lang: str) -> str:
    if value is None:
        return format_percent(None, lang)
    text = format_percent(value, lang)
    if not interval or None in interval:
        return text
    low, high = (format_percent(bound, lang) for bound in interval)
    return f"{text} [{low} ; {high}]" if lang == "fr" else f"{text} [{low}, {high}]"


def fairness_rows(attribute: dict, limit: float, lang: str) -> list[list[str]]:
    """One table row per group: counts and rates in words, the approval ratio with its verdict."""
    rows = []
    for group in attribute["groups"]:
        ratio = group.get("disparate_impact")
        verdict = (_f("small", lang) if not group.get("enough_clients") else
                   _f("flagged", lang, limit=format_number(limit, lang, 1)) if group.get("flag")
                   else _f("ok", lang))
        rows.append([
            group_name(group["group"], lang), format_number(group["count"], lang),
            _with_interval(group["default_rate"], group.get("default_rate_ci"), lang),
            _with_interval(group["mean_predicted"], group.get("mean_predicted_ci"), lang),
            _with_interval(group["refusal_rate"], group.get("refusal_rate_ci"), lang),
            _with_interval(group["false_refusal_rate"], group.get("false_refusal_rate_ci"), lang),
            _with_interval(group["recall"], group.get("recall_ci"), lang),
            "—" if ratio is None else f"{format_number(ratio, lang, 2)} ({verdict})",
        ])
    return rows


FAIRNESS_COLUMNS = ("group", "clients", "observed", "predicted", "refused", "false_refusals",
                    "recall", "ratio")


def fairness_table(attribute: dict, limit: float, lang: str, table_id: str,
                   label: str) -> html.Div:
    head = html.Thead(html.Tr([html.Th(_f(c, lang), scope="col") for c in FAIRNESS_COLUMNS]))
    body = html.Tbody([html.Tr([html.Th(row[0], scope="row"), *[html.Td(v) for v in row[1:]]])
                       for row in fairness_rows(attribute, limit, lang)])
    return _scroll_frame(dbc.Table([head, body], id=table_id, striped=True, bordered=True,
                                   size="sm"), label)


def gender_note(protected: list[str], lang: str) -> html.P:
    """Whether gender still reaches the model, said in words (a warning when it does)."""
    if protected:
        return html.P(_f("gender_in", lang, count=len(protected)), className="fw-semibold",
                      role="alert")
    return html.P(_f("gender_out", lang), className="text-muted")


def fairness_block(report: dict | None, lang: str) -> list:
    """Outcomes by gender and age band at the business threshold, a sentence per group, and
    the proxy check; all from the set's fairness.json."""
    heading = html.H2(_f("fairness", lang), className="h5 mt-4")
    if not report:
        return [heading, error_alert(_f("no_fairness", lang))]
    limit = float(report["disparate_impact_limit"])
    parts = [heading, html.P(_f("fairness_note", lang, count=format_number(report["n_clients"], lang),
                                threshold=format_percent(report["threshold"], lang),
                                n_boot=report["bootstrap"]["n_boot"]), className="text-muted"),
             gender_note(report.get("protected_features_in_model", []), lang)]
    for key, attribute in report["attributes"].items():
        parts += [html.H3(_f(key, lang), className="h6 mt-3"),
                  fairness_table(attribute, limit, lang, f"{ids.MODEL_FAIRNESS}-{key}",
                                 _f(key, lang)),
                  html.Ul([html.Li(group_sentence(g, lang, limit)) for g in attribute["groups"]],
                          className="small")]
    parts += [html.H3(_f("proxies", lang), className="h6 mt-3"),
              html.Ul([html.Li(proxy_sentence(p, lang)) for p in report.get("proxies", [])],
                      id=ids.MODEL_FAIRNESS_PROXIES)]
    return [html.Section(parts, id=ids.MODEL_FAIRNESS, **{"aria-label": _f("fairness", lang)})]


def render(lang: str) -> list:
    """The whole screen for one language, or the reason it cannot be shown."""
    try:
        screen = service.model_screen(lang)
    except ServiceError as error:
        return [error_alert(error_message(error, lang))]
    return [
        dbc.Row([
            dbc.Col([html.H2(_t("card", lang), className="h5"), card_table(screen.card, lang)],
                    xs=12, lg=5),
            dbc.Col([
                html.H2(_t("cost", lang), className="h5"),
                html.P(screen.threshold_text, id=ids.MODEL_THRESHOLD),
                chart(ids.MODEL_COST_CHART,
                      fig.cost_curve_figure(screen.cost_curve, screen.threshold, lang),
                      fig.cost_curve_summary(screen.cost_curve, screen.threshold, lang)),
                html.P(screen.cost_note, id=ids.MODEL_COST_NOTE, className="small"),
            ], xs=12, lg=7),
        ], className="g-4"),
        html.H2(_t("comparison", lang), className="h5 mt-4"),
        comparison_block(screen.candidates, screen.params, lang),
        *constraints_block(screen.metrics, lang),
        *segments_block(screen.metrics, lang),
        *importance_block(screen, lang),
        *policy_block(screen.policy_rules, lang),
        *fairness_block(screen.fairness, lang),
    ]


def layout(lang: str | None = None, **_query: str) -> html.Div:
    lang = normalise_language(lang)
    return html.Div([
        html.H1(_t("heading", lang), className="h3 my-3"),
        html.P(_t("intro", lang)),
        *render(lang),
    ])
