"""Screen 3 — compare (`/client/<id>/compare`): the client on the population.

The client's value of a chosen feature on the distribution of repaid and
defaulted clients, within a chosen comparison group (all, similar, nearest
neighbours), the client's percentile said in words, and a sampled scatter of
two features coloured by score with the client as a labelled star. Each chart has
an axis scale (clipped to the 1st-99th percentile, linear, log) and a caption that
states the client's position and what falls off the axis.

The page only lays out: every number comes from `webapp.services.population`
(`compare_setup`, `distribution_view`, `scatter_view`), which reads the artifacts.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from webapp import ids
from webapp.figures import population as fig
from webapp.i18n import normalise_language, page_title, request_language, translate
from webapp.ui.components import chart, error_alert
from webapp.services import population as pop
from webapp.service_errors import ServiceError, error_message
from webapp.http.validation import choice, display_id

TEXTS = {
    "fr": {
        "screen": "Comparer",
        "heading": "Comparer le client {client_id} aux autres clients",
        "intro": ("Où se situe le client parmi les clients dont on connaît l'issue ? Les barres pleines "
                  "montrent les clients ayant remboursé, les barres hachurées ceux en défaut ; l'étoile "
                  "et la ligne pointillée marquent le client."),
        "feature": "Variable comparée",
        "group": "Comparer avec",
        "all": "Tous les clients",
        "similar": "Clients similaires (contrat, âge, revenu)",
        "neighbours": "Plus proches voisins (variables principales)",
        "distribution": "Position du client sur la distribution",
        "scatter": "Deux variables à la fois",
        "scatter_intro": ("Des clients du groupe tirés au hasard (toujours les mêmes), colorés selon "
                          "leur probabilité de défaut."),
        "x": "Axe horizontal",
        "y": "Axe vertical",
        "scale": "Échelle des axes",
        "clipped": "Écrêtée au 1er–99e centile",
        "linear": "Linéaire (toutes les valeurs)",
        "log": "Logarithmique",
    },
    "en": {
        "screen": "Compare",
        "heading": "Compare client {client_id} with other clients",
        "intro": ("Where does the client stand among clients whose outcome is known? Solid bars show "
                  "clients who repaid, hatched bars those who defaulted; the star and the dashed line "
                  "mark the client."),
        "feature": "Feature compared",
        "group": "Compare with",
        "all": "All clients",
        "similar": "Similar clients (contract, age, income)",
        "neighbours": "Nearest neighbours (main features)",
        "distribution": "The client on the distribution",
        "scatter": "Two features at once",
        "scatter_intro": ("Clients of the group drawn at random (always the same ones), coloured by "
                          "their probability of default."),
        "x": "Horizontal axis",
        "y": "Vertical axis",
        "scale": "Axis scale",
        "clipped": "Clipped to the 1st–99th percentile",
        "linear": "Linear (every value)",
        "log": "Logarithmic",
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def title(client_id: str | None = None) -> str:
    lang = request_language()
    return page_title(_t("screen", lang), lang, client_id)


dash.register_page(__name__, path_template="/client/<client_id>/compare", title=title, order=3,
                   name="Compare", description="The client compared with similar clients")


# --- what the callbacks call -------------------------------------------------------------------

def render_distribution(client_id: object, feature: object, group: str, scale: str, lang: str) -> list:
    """Group sentence, percentile sentence and the distribution chart (or an error message)."""
    try:
        view = pop.distribution_view(client_id, feature, group, scale, lang)
    except ServiceError as error:
        return [error_alert(error_message(error, lang))]
    result, facts = view.comparison, view.group
    sentence = fig.percentile_sentence(view.client_id, view.label, result.client_value,
                                       result.percentile, result.count, lang)
    by_class = fig.class_sentence(result.repaid_percentile, result.defaulted_percentile, lang)
    unknown = fig.unknown_sentence(facts.count, result.count, lang)  # 4,999 in the group, 4,996 known
    caption = " ".join(part for part in (
        fig.distribution_summary(view.label, result.count, lang), sentence, unknown,
        fig.off_axis_sentence(result.off_axis, result.axis.scale, lang)) if part)
    return [
        html.P(fig.group_sentence(facts.group, facts.count, lang, contract=facts.contract,
                                  age=facts.age, income=facts.income, n_features=facts.n_features),
               className="text-muted"),
        html.P([html.Strong(sentence), " ", " ".join(p for p in (unknown, by_class) if p)],
               id=ids.COMPARE_PERCENTILE, className="lead",
               **{"aria-live": "polite"}),
        chart(ids.COMPARE_DISTRIBUTION_CHART,
              fig.distribution_figure(result.histogram, view.client_id, result.client_value,
                                      view.label, lang, axis=result.axis),
              caption, caption_id=ids.COMPARE_DISTRIBUTION_CAPTION),
    ]


def render_scatter(client_id: object, x: object, y: object, group: str, scale: str, lang: str) -> list:
    """The sampled scatter of two features with its text alternative (or an error message)."""
    try:
        view = pop.scatter_view(client_id, x, y, group, scale, lang)
    except ServiceError as error:
        return [error_alert(error_message(error, lang))]
    return [
        html.P(_t("scatter_intro", lang), className="text-muted"),
        chart(ids.COMPARE_SCATTER_CHART,
              fig.scatter_figure(view.sample, "x", "y", view.threshold, view.client_id, view.point,
                                 view.labels, lang, axes=view.axes),
              fig.scatter_summary(view.sample, view.labels[0], view.labels[1], view.threshold,
                                  view.client_id, view.ranks, lang, view.off_axis, scale),
              caption_id=ids.COMPARE_SCATTER_CAPTION),
    ]


# --- layout and callbacks ----------------------------------------------------------------------

def _dropdown(element_id: str, label: str, options: list[dict], value: str | None) -> list:
    """A labelled, searchable list without an empty entry (dbc.Select always renders one)."""
    return [dbc.Label(label, html_for=element_id),
            dcc.Dropdown(id=element_id, options=options, value=value, clearable=False,
                         searchable=True)]


def _radios(element_id: str, label: str, values: tuple[str, ...], value: str, lang: str) -> list:
    return [dbc.Label(label, html_for=element_id),
            dbc.RadioItems(id=element_id, value=value, inline=True,
                           options=[{"label": _t(v, lang), "value": v} for v in values])]


def layout(client_id: str | None = None, lang: str | None = None, **_query: str) -> html.Div:
    lang = normalise_language(lang)
    heading = html.H1(_t("heading", lang, client_id=display_id(client_id)), className="h3 my-3")
    setup = None
    if client_id is not None:  # an unknown client or missing artifacts: say so, draw nothing
        try:
            setup = pop.compare_setup(client_id, lang)
        except ServiceError as error:
            return html.Div([heading, html.Div(error_alert(error_message(error, lang)),
                                               id=ids.PAGE_ERROR)])
    options = [{"label": c.label, "value": c.value} for c in setup.choices] if setup else []
    first, second = (setup.first, setup.second) if setup else (None, None)
    scale = pop.SCALES[0]
    return html.Div([
        heading,
        dcc.Store(id=ids.COMPARE_CLIENT, data=client_id),
        html.P(_t("intro", lang)),
        dbc.Row([
            dbc.Col(_dropdown(ids.COMPARE_FEATURE, _t("feature", lang), options, first), xs=12, md=6),
            dbc.Col([
                dbc.Label(_t("group", lang), html_for=ids.COMPARE_GROUP),
                dbc.RadioItems(id=ids.COMPARE_GROUP, value="all",
                               options=[{"label": _t(g, lang), "value": g} for g in pop.GROUPS]),
            ], xs=12, md=6),
            dbc.Col(_radios(ids.COMPARE_SCALE, _t("scale", lang), pop.SCALES, scale, lang), xs=12),
        ], className="g-3 mb-3"),
        html.H2(_t("distribution", lang), className="h5"),
        dcc.Loading(html.Div(render_distribution(client_id, first, "all", scale, lang) if setup else [],
                             id=ids.COMPARE_DISTRIBUTION)),
        html.H2(_t("scatter", lang), className="h5 mt-4"),
        dbc.Row([
            dbc.Col(_dropdown(ids.COMPARE_SCATTER_X, _t("x", lang), options, first), xs=12, md=6),
            dbc.Col(_dropdown(ids.COMPARE_SCATTER_Y, _t("y", lang), options, second), xs=12, md=6),
            dbc.Col(_radios(ids.COMPARE_SCATTER_SCALE, _t("scale", lang), pop.SCALES, scale, lang),
                    xs=12),
        ], className="g-3 mb-3"),
        dcc.Loading(html.Div(render_scatter(client_id, first, second, "all", scale, lang) if setup else [],
                             id=ids.COMPARE_SCATTER)),
    ])


@callback(
    Output(ids.COMPARE_DISTRIBUTION, "children"),
    Input(ids.COMPARE_FEATURE, "value"),
    Input(ids.COMPARE_GROUP, "value"),
    Input(ids.COMPARE_SCALE, "value"),
    State(ids.COMPARE_CLIENT, "data"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def update_distribution(feature: str | None, group: str | None, scale: str | None,
                        client_id: str | None, lang: str | None) -> list:
    if client_id is None or choice(group, pop.GROUPS) is None or choice(scale, pop.SCALES) is None:
        raise PreventUpdate
    return render_distribution(client_id, feature, group, scale, normalise_language(lang))


@callback(
    Output(ids.COMPARE_SCATTER, "children"),
    Input(ids.COMPARE_SCATTER_X, "value"),
    Input(ids.COMPARE_SCATTER_Y, "value"),
    Input(ids.COMPARE_GROUP, "value"),
    Input(ids.COMPARE_SCATTER_SCALE, "value"),
    State(ids.COMPARE_CLIENT, "data"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def update_scatter(x: str | None, y: str | None, group: str | None, scale: str | None,
                   client_id: str | None, lang: str | None) -> list:
    if client_id is None or choice(group, pop.GROUPS) is None or choice(scale, pop.SCALES) is None:
        raise PreventUpdate
    return render_scatter(client_id, x, y, group, scale, normalise_language(lang))
