"""Screen 6 — the model (`/model`): what the score is built on and how good it is.

Model card (type, version, training date, held-out AUC / recall / precision /
cost, the threshold), the cost-vs-threshold curve with the chosen threshold
marked, the comparison table of every candidate, and global SHAP importance
(bars and a beeswarm), the lending rules applied after the score and the fairness
report by gender and age band. Everything is read from precomputed artifacts.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from model.fairness_text import group_name, group_sentence, proxy_sentence
from webapp import ids
from webapp.services import clients
from webapp.services.errors import ServiceError, error_message
from webapp.figures import model as fig
from webapp.formatting import format_number, format_percent
from webapp.i18n import normalise_language, page_title, request_language, translate
from webapp.components import chart, error_alert

CARD = "model-card"
THRESHOLD = "model-threshold"
COST_CHART = "model-cost-curve"
COMPARISON = "model-comparison-table"
IMPORTANCE_CHART = "model-importance-chart"
BEESWARM_CHART = "model-beeswarm-chart"
SEGMENTS = "model-segments-table"
CONSTRAINTS = "model-constraints"

TEXTS = {
    "fr": {
        "screen": "Modèle",
        "heading": "Le modèle de scoring",
        "intro": ("Ce que le score mesure, sur quelles données il a été appris et ce qu'il vaut sur des "
                  "clients qu'il n'a jamais vus."),
        "card": "Fiche du modèle",
        "threshold": ("Seuil de décision : {threshold}. Un client dont la probabilité de défaut atteint "
                      "ce seuil est refusé ; en dessous, le crédit est accordé. Ce seuil minimise le coût "
                      "métier, où un défaut manqué coûte dix fois un bon client refusé."),
        "cost": "Coût métier selon le seuil",
        "comparison": "Comparaison des modèles candidats",
        "comparison_note": ("Mesures sur le jeu de test mis de côté (sauf la colonne « validation "
                            "croisée »), chaque modèle à son propre seuil optimal."),
        "importance": "Variables les plus influentes (SHAP global)",
        "beeswarm": "Effet de chaque variable selon sa valeur",
        "beeswarm_note": ("Chaque point est un client : à droite de la ligne, la variable augmente son "
                          "risque ; à gauche, elle le diminue."),
        "no_shap": "L'importance globale SHAP n'a pas été calculée pour ce jeu d'artefacts.",
        "no_comparison": "Le tableau de comparaison des candidats est indisponible.",
        "field": "Élément",
        "value": "Valeur",
        "segments": "Clients avec et sans historique de crédit",
        "segments_note": ("Jeu de test mis de côté. « Sans historique » : les mêmes clients, tout "
                          "leur historique retiré, notés comme un nouveau demandeur ; ils sont "
                          "confiés à un modèle appris sur la seule demande."),
        "segment": "Segment", "clients": "Clients", "auc": "AUC", "cost_1000": "Coût / 1 000",
        "predicted": "Probabilité moyenne prédite", "observed": "Taux de défaut observé",
        "gap": "Écart de calibration",
        "with_history": "Avec historique",
        "no_history": "Sans historique (modèle utilisé)",
        "main_model_no_history": "Sans historique, modèle principal (non utilisé)",
        "segment_sentence": ("{segment} : {clients} clients, probabilité moyenne prédite {predicted} "
                             "pour un taux de défaut observé de {observed} ({within})."),
        "within": "écart de moins de 10 %", "outside": "écart de plus de 10 %",
        "constraints": ("Sens imposés : {n} variables (scores externes, revenu, taux d'effort, "
                        "retards de paiement…) ne peuvent faire varier le risque que dans le sens "
                        "attendu. Sur les mêmes plis, AUC {constrained} avec ces contraintes contre "
                        "{unconstrained} sans (écart {cost})."),
        "protected_note": ("Le sexe du demandeur n'est jamais utilisé par le modèle ; il n'est "
                           "conservé que pour le suivi de l'équité."),
    },
    "en": {
        "screen": "Model",
        "heading": "The scoring model",
        "intro": ("What the score measures, which data it was learnt from and how well it does on "
                  "clients it never saw."),
        "card": "Model card",
        "threshold": ("Decision threshold: {threshold}. A client whose probability of default reaches "
                      "it is refused; below it, the credit is granted. The threshold minimises the "
                      "business cost, where a missed default costs ten times a good client refused."),
        "cost": "Business cost by threshold",
        "comparison": "Comparison of the candidate models",
        "comparison_note": ("Measured on the held-out test split (except the cross-validation column), "
                            "each model at its own optimal threshold."),
        "importance": "Most influential features (global SHAP)",
        "beeswarm": "Effect of each feature by its value",
        "beeswarm_note": ("Each point is a client: right of the line the feature raises their risk; "
                          "left of it, it lowers it."),
        "no_shap": "Global SHAP importance was not computed for this artifact set.",
        "no_comparison": "The comparison table of the candidates is unavailable.",
        "field": "Item",
        "value": "Value",
        "segments": "Clients with and without credit history",
        "segments_note": ("Held-out split. \"Without history\": the same clients with all their "
                          "history removed, scored as a new applicant; they are scored by a model "
                          "learnt from the application alone."),
        "segment": "Segment", "clients": "Clients", "auc": "AUC", "cost_1000": "Cost / 1,000",
        "predicted": "Mean predicted probability", "observed": "Observed default rate",
        "gap": "Calibration gap",
        "with_history": "With history",
        "no_history": "Without history (model in use)",
        "main_model_no_history": "Without history, main model (not used)",
        "segment_sentence": ("{segment}: {clients} clients, mean predicted probability {predicted} "
                             "against an observed default rate of {observed} ({within})."),
        "within": "within 10%", "outside": "more than 10% apart",
        "constraints": ("Imposed directions: {n} features (external scores, income, debt-service "
                        "ratio, late payments…) can move the risk only the expected way. On the "
                        "same folds, AUC {constrained} with these constraints against "
                        "{unconstrained} without (difference {cost})."),
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
        id=CARD, bordered=False, striped=True, size="sm", className="model-card-table",
    )


def comparison_block(metrics: dict, lang: str) -> html.Div:
    table = fig.candidates_table(metrics, lang)
    if table.empty:
        return error_alert(_t("no_comparison", lang))
    return html.Div([
        html.P(_t("comparison_note", lang), className="text-muted small"),
        html.Div(dbc.Table.from_dataframe(table, id=COMPARISON, striped=True, bordered=True,
                                          hover=True, size="sm"), className="table-responsive"),
    ])


def importance_block(state, lang: str) -> list:
    if state.shap_global is None or state.shap_global.empty:
        return [error_alert(_t("no_shap", lang))]
    top = fig.top_importance(state.shap_global, state.dictionary, lang)
    labels = dict(zip(top["feature"], top["label"]))
    bees = fig.beeswarm_frame(state.shap_sample, list(top["feature"][:fig.BEESWARM_FEATURES]))
    return [
        html.H2(_t("importance", lang), className="h5 mt-4"),
        chart(IMPORTANCE_CHART, fig.importance_figure(top, lang), fig.importance_summary(top, lang)),
        html.H2(_t("beeswarm", lang), className="h5 mt-4"),
        html.P(_t("beeswarm_note", lang), className="text-muted"),
        chart(BEESWARM_CHART, fig.beeswarm_figure(bees, labels, lang),
              fig.beeswarm_summary(bees, labels, lang)),
    ]


SEGMENT_KEYS = ("with_history", "no_history", "main_model_no_history")


def segments_block(metrics: dict, lang: str) -> list:
    """Held-out figures of clients with and without history, a table and a sentence each."""
    segments = (metrics or {}).get("segments") or {}
    rows = [(key, segments[key]) for key in SEGMENT_KEYS
            if (segments.get(key) or {}).get("n_clients")]
    if not rows:
        return []
    header = html.Thead(html.Tr([html.Th(_t(k, lang), scope="col") for k in (
        "segment", "clients", "auc", "cost_1000", "predicted", "observed", "gap")]))
    body = html.Tbody([html.Tr([
        html.Th(_t(key, lang), scope="row"), html.Td(format_number(row["n_clients"], lang)),
        html.Td(format_number(row["auc"], lang, 3)),
        html.Td(format_number(row["cost_per_1000"], lang)),
        html.Td(format_percent(row["mean_predicted"], lang)),
        html.Td(format_percent(row["observed_rate"], lang)),
        html.Td(format_percent(row["calibration_gap"], lang)),
    ]) for key, row in rows])
    sentences = [_t("segment_sentence", lang, segment=_t(key, lang),
                    clients=format_number(row["n_clients"], lang),
                    predicted=format_percent(row["mean_predicted"], lang),
                    observed=format_percent(row["observed_rate"], lang),
                    within=_t("within" if row["calibrated_within_tolerance"] else "outside", lang))
                 for key, row in rows[:2]]
    return [
        html.H2(_t("segments", lang), className="h5 mt-4"),
        html.P(_t("segments_note", lang), className="text-muted small"),
        html.Div(dbc.Table([header, body], id=SEGMENTS, striped=True, bordered=True, size="sm"),
                 className="table-responsive"),
        html.Ul([html.Li(sentence) for sentence in sentences]),
    ]


def constraints_block(metrics: dict, lang: str) -> list:
    """Which directions are imposed, what they cost in AUC, and the protected attribute."""
    constraints = (metrics or {}).get("constraints")
    texts = [html.P(_t("protected_note", lang))]
    if constraints:
        texts.insert(0, html.P(_t(
            "constraints", lang, n=constraints["n_constrained"],
            constrained=format_number(constraints["cv_auc_constrained"], lang, 3),
            unconstrained=format_number(constraints["cv_auc_unconstrained"], lang, 3),
            cost=format_number(constraints["cv_auc_constrained"]
                               - constraints["cv_auc_unconstrained"], lang, 3))))
    return [html.Div(texts, id=CONSTRAINTS)]


# --- lending rules and fairness report ---------------------------------------------------------

FAIRNESS_TEXTS = {
    "fr": {
        "policy": "Règles de crédit appliquées après le score",
        "policy_note": ("Une règle déclenchée décide quelle que soit la probabilité : refus, ou étude "
                        "par un conseiller."),
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
                        "an advisor."),
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
            html.Ul([html.Li(text) for text in rules], id="model-policy-rules")]


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


def fairness_table(attribute: dict, limit: float, lang: str, table_id: str) -> html.Div:
    head = html.Thead(html.Tr([html.Th(_f(c, lang), scope="col") for c in FAIRNESS_COLUMNS]))
    body = html.Tbody([html.Tr([html.Th(row[0], scope="row"), *[html.Td(v) for v in row[1:]]])
                       for row in fairness_rows(attribute, limit, lang)])
    return html.Div(dbc.Table([head, body], id=table_id, striped=True, bordered=True, size="sm"),
                    className="table-responsive")


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
                  fairness_table(attribute, limit, lang, f"model-fairness-{key}"),
                  html.Ul([html.Li(group_sentence(g, lang, limit)) for g in attribute["groups"]],
                          className="small")]
    parts += [html.H3(_f("proxies", lang), className="h6 mt-3"),
              html.Ul([html.Li(proxy_sentence(p, lang)) for p in report.get("proxies", [])],
                      id="model-fairness-proxies")]
    return [html.Section(parts, id=ids.MODEL_FAIRNESS, **{"aria-label": _f("fairness", lang)})]


def render(lang: str) -> list:
    """The whole screen for one language, or the reason it cannot be shown."""
    try:
        state = clients.get_state()
    except ServiceError as error:
        return [error_alert(error_message(error, lang))]
    threshold = float(state.model.threshold_)
    items = fig.model_card(state.metrics, state.manifest, getattr(state.model, "kind", None),
                           threshold, lang)
    return [
        dbc.Row([
            dbc.Col([html.H2(_t("card", lang), className="h5"), card_table(items, lang)], xs=12, lg=5),
            dbc.Col([
                html.H2(_t("cost", lang), className="h5"),
                html.P(_t("threshold", lang, threshold=format_number(threshold, lang, 3)),
                       id=THRESHOLD),
                chart(COST_CHART, fig.cost_curve_figure(state.cost_curve, threshold, lang),
                      fig.cost_curve_summary(state.cost_curve, threshold, lang)),
            ], xs=12, lg=7),
        ], className="g-4"),
        html.H2(_t("comparison", lang), className="h5 mt-4"),
        comparison_block(state.metrics, lang),
        *constraints_block(state.metrics, lang),
        *segments_block(state.metrics, lang),
        *importance_block(state, lang),
        *policy_block(clients.policy_rules(lang), lang),
        *fairness_block(clients.fairness_report(), lang),
    ]


def layout(lang: str | None = None, **_query: str) -> html.Div:
    lang = normalise_language(lang)
    return html.Div([
        html.H1(_t("heading", lang), className="h3 my-3"),
        html.P(_t("intro", lang)),
        *render(lang),
    ])
