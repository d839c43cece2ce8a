"""Screen 3 — compare (`/client/<id>/compare`): the client on the population.

The client's value of a chosen feature on the distribution of repaid and
defaulted clients, within a chosen comparison group (all, similar, nearest
neighbours), the client's percentile said in words, and a sampled scatter of
two features coloured by score with the client as a labelled star.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from webapp import ids
from webapp.services import clients
from webapp.services.errors import ServiceError, error_message
from webapp.services import population as pop
from webapp.fields import choice_label
from webapp.figures import population as fig
from webapp.i18n import normalise_language, page_title, request_language, translate
from webapp.components import chart, error_alert
from webapp.state import derived_value
from webapp.validation import choice, display_id, shorten

# Component ids of this screen (kebab-case, prefixed by the screen).
CLIENT = "compare-client-id"
FEATURE = "compare-feature"
GROUP = "compare-group"
SCATTER_X = "compare-scatter-x"
SCATTER_Y = "compare-scatter-y"
DISTRIBUTION = "compare-distribution"
DISTRIBUTION_CHART = "compare-distribution-chart"
PERCENTILE = "compare-percentile"
SCATTER = "compare-scatter"
SCATTER_CHART = "compare-scatter-chart"

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
        "scatter_intro": ("{n} clients du groupe tirés au hasard (toujours les mêmes), colorés selon "
                          "leur probabilité de défaut."),
        "x": "Axe horizontal",
        "y": "Axe vertical",
        "bad_feature": "La variable « {feature} » n'est pas disponible.",
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
        "scatter_intro": ("{n} clients of the group drawn at random (always the same ones), coloured by "
                          "their probability of default."),
        "x": "Horizontal axis",
        "y": "Vertical axis",
        "bad_feature": "The feature “{feature}” is not available.",
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

def feature_options(state, lang: str) -> list[dict]:
    """The top features the app keeps in memory, by plain-language label (years for DAYS_*)."""
    return [{"label": fig.axis_label(pop.feature_label(state.dictionary, f, lang), f, lang), "value": f}
            for f in state.plot_columns.columns]


def _label(state, feature: str, lang: str) -> str:
    return fig.axis_label(pop.feature_label(state.dictionary, feature, lang), feature, lang)


@derived_value("neighbour_index")
def neighbour_index(state) -> pop.NeighbourIndex:
    """The top features standardised once per artifact set, when it is loaded (about 0.2 s at
    full scale)."""
    return pop.neighbour_index(state.clients, state.plot_columns.iloc[:, :pop.NEIGHBOUR_FEATURES])


def group_mask(state, sk_id: int, group: str):
    """The comparison group over `state.clients` (neighbours on the top features)."""
    index = neighbour_index(state) if group == "neighbours" else None
    return pop.comparison_mask(state.clients, sk_id, group, index=index)


def _group_text(state, sk_id: int, group: str, count: int, lang: str) -> str:
    row = state.clients.loc[sk_id]
    contract = row.get("NAME_CONTRACT_TYPE")
    if isinstance(contract, str):  # "Cash loans" -> "Prêt personnel"
        contract = choice_label(contract, lang)
    return fig.group_sentence(
        group, count, lang, contract=contract,
        age=pop.band_of(float(pop.age_years([row.get("DAYS_BIRTH")])[0]), pop.AGE_BAND_EDGES),
        income=pop.band_of(float(row.get("AMT_INCOME_TOTAL")), pop.INCOME_BAND_EDGES),
        n_features=min(pop.NEIGHBOUR_FEATURES, state.plot_columns.shape[1]),
    )


def render_distribution(client_id: object, feature: str | None, group: str, lang: str) -> list:
    """Group sentence, percentile sentence and the distribution chart (or an error message)."""
    try:
        state = clients.get_state()
        sk_id = clients.require_client(state, client_id)
        feature = feature or state.plot_columns.columns[0]
        if not isinstance(feature, str) or feature not in state.plot_columns.columns:
            return [error_alert(_t("bad_feature", lang, feature=shorten(feature)))]
        mask = group_mask(state, sk_id, group)
        result = pop.compare_client(state.clients, state.plot_columns, sk_id, feature, group,
                                    mask=mask)
    except ServiceError as error:
        return [error_alert(error_message(error, lang))]
    label = _label(state, feature, lang)
    sentence = fig.percentile_sentence(sk_id, label, result.client_value, result.percentile,
                                       result.count, lang)
    by_class = fig.class_sentence(result.repaid_percentile, result.defaulted_percentile, lang)
    return [
        html.P(_group_text(state, sk_id, group, int(mask.sum()), lang), className="text-muted"),
        html.P([html.Strong(sentence), " ", by_class], id=PERCENTILE, className="lead",
               **{"aria-live": "polite"}),
        chart(DISTRIBUTION_CHART,
              fig.distribution_figure(result.histogram, sk_id, result.client_value, label, lang),
              fig.distribution_summary(label, result.count, lang) + " " + sentence),
    ]


def render_scatter(client_id: object, x: str | None, y: str | None, group: str, lang: str) -> list:
    """The sampled scatter of two features with its text alternative (or an error message)."""
    try:
        state = clients.get_state()
        sk_id = clients.require_client(state, client_id)
        columns = list(state.plot_columns.columns)
        x = x or columns[0]
        y = y or columns[min(1, len(columns) - 1)]
        for feature in (x, y):
            if not isinstance(feature, str) or feature not in columns:
                return [error_alert(_t("bad_feature", lang, feature=shorten(feature)))]
        mask = group_mask(state, sk_id, group)
        sample = pop.scatter_points(state.clients, state.plot_columns, mask, x, y)
        point = pop.client_point(state.clients, state.plot_columns, sk_id, x, y)
    except ServiceError as error:
        return [error_alert(error_message(error, lang))]
    labels = (_label(state, x, lang), _label(state, y, lang))
    threshold = float(state.model.threshold_)
    ranks = (None, None)
    if point is not None:  # the client's rank among the points drawn
        ranks = (pop.percentile_of(sample["x"], point[0]), pop.percentile_of(sample["y"], point[1]))
    return [
        html.P(_t("scatter_intro", lang, n=len(sample)), className="text-muted"),
        chart(SCATTER_CHART,
              fig.scatter_figure(sample, "x", "y", threshold, sk_id, point, labels, lang),
              fig.scatter_summary(sample, labels[0], labels[1], threshold, sk_id, ranks, lang)),
    ]


# --- layout and callbacks ----------------------------------------------------------------------

def _select(element_id: str, label: str, options: list[dict], value: str | None) -> list:
    return [dbc.Label(label, html_for=element_id),
            dbc.Select(id=element_id, options=options, value=value)]


def layout(client_id: str | None = None, lang: str | None = None, **_query: str) -> html.Div:
    lang = normalise_language(lang)
    heading = html.H1(_t("heading", lang, client_id=display_id(client_id)), className="h3 my-3")
    options: list[dict] = []
    if client_id is not None:  # an unknown client or missing artifacts: say so, draw nothing
        try:
            state = clients.get_state()
            clients.require_client(state, client_id)
            options = feature_options(state, lang)
        except ServiceError as error:
            return html.Div([heading, html.Div(error_alert(error_message(error, lang)),
                                               id=ids.PAGE_ERROR)])
    first = options[0]["value"] if options else None
    second = options[min(1, len(options) - 1)]["value"] if options else None
    has_client = client_id is not None
    return html.Div([
        heading,
        dcc.Store(id=CLIENT, data=client_id),
        html.P(_t("intro", lang)),
        dbc.Row([
            dbc.Col(_select(FEATURE, _t("feature", lang), options, first), xs=12, md=6),
            dbc.Col([
                dbc.Label(_t("group", lang), html_for=GROUP),
                dbc.RadioItems(id=GROUP, value="all",
                               options=[{"label": _t(g, lang), "value": g} for g in pop.GROUPS]),
            ], xs=12, md=6),
        ], className="g-3 mb-3"),
        html.H2(_t("distribution", lang), className="h5"),
        dcc.Loading(html.Div(render_distribution(client_id, first, "all", lang) if has_client else [],
                             id=DISTRIBUTION)),
        html.H2(_t("scatter", lang), className="h5 mt-4"),
        dbc.Row([
            dbc.Col(_select(SCATTER_X, _t("x", lang), options, first), xs=12, md=6),
            dbc.Col(_select(SCATTER_Y, _t("y", lang), options, second), xs=12, md=6),
        ], className="g-3 mb-3"),
        dcc.Loading(html.Div(render_scatter(client_id, first, second, "all", lang) if has_client else [],
                             id=SCATTER)),
    ])


@callback(
    Output(DISTRIBUTION, "children"),
    Input(FEATURE, "value"),
    Input(GROUP, "value"),
    State(CLIENT, "data"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def update_distribution(feature: str | None, group: str | None, client_id: str | None,
                        lang: str | None) -> list:
    if client_id is None or choice(group, pop.GROUPS) is None:
        raise PreventUpdate
    return render_distribution(client_id, feature, group, normalise_language(lang))


@callback(
    Output(SCATTER, "children"),
    Input(SCATTER_X, "value"),
    Input(SCATTER_Y, "value"),
    Input(GROUP, "value"),
    State(CLIENT, "data"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def update_scatter(x: str | None, y: str | None, group: str | None, client_id: str | None,
                   lang: str | None) -> list:
    if client_id is None or choice(group, pop.GROUPS) is None:
        raise PreventUpdate
    return render_scatter(client_id, x, y, group, normalise_language(lang))
