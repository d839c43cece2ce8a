"""The shell around every screen: header (logo, title, FR/EN switch), navigation,
client picker, the Dash Pages container and the stores holding per-user state.

`app.py` builds the app with `dash.Dash(..., use_pages=True,
routing_callback_inputs=ROUTING_CALLBACK_INPUTS)` and `app.layout = make_layout`:
every page's `layout(client_id=None, lang=None, **query)` then receives the
language and is re-rendered when the switch changes. The URL carries the rest of
the state (`/client/<id>/why`), so links can be shared and the back button works.
"""
from __future__ import annotations

import re

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from webapp import decision_change, ids
from webapp.services import clients
from webapp.auth.access import area_for
from webapp.auth.principal import Principal, current_principal
from webapp.figures.client import Step, waterfall_figure, waterfall_text_alternative
from webapp.formatting import format_percent
from webapp.i18n import DEFAULT_LANGUAGE, LANGUAGES, normalise_language, shell, translate
from webapp.validation import shorten

# Page layouts receive `lang=<"fr"|"en">`; pass this to dash.Dash(routing_callback_inputs=...).
ROUTING_CALLBACK_INPUTS = {"lang": Input(ids.LANGUAGE, "data")}

# Navigation entries: (text key, path under /client/<id> or absolute path, needs a client).
NAV_ENTRIES = (
    ("nav_client", "", True),
    ("nav_why", "/why", True),
    ("nav_compare", "/compare", True),
    ("nav_whatif", "/what-if", True),
    ("nav_new", "/new", False),
    ("nav_model", "/model", False),
    ("nav_drift", "/drift", False),
    ("nav_audit", "/audit", False),
)
MAX_PATH_LENGTH = 2048
_CLIENT_PATH = re.compile(r"^/client/(?P<client_id>[^/]+)(?P<rest>/[^?#]*)?$")


def client_from_path(pathname: str | None) -> tuple[str | None, str]:
    """('100002', '/why') from '/client/100002/why'; (None, '') for other pages (and for
    anything that is not a path a browser sends)."""
    if not isinstance(pathname, str) or len(pathname) > MAX_PATH_LENGTH:
        return None, ""
    match = _CLIENT_PATH.match(pathname.rstrip("/") or "/")
    if not match:
        return None, ""
    return match.group("client_id"), match.group("rest") or ""


def client_path(client_id: object, subpage: str = "") -> str:
    """'/client/100002/why' for a client and a sub-page ('' = client file)."""
    return f"/client/{client_id}{subpage}"


def nav_items(lang: str, client_id: object | None, pathname: str | None,
              principal: Principal | None = None) -> list:
    """Navigation links the principal may open (all when None); the client screens link to
    the selected client (or the home page); then who is signed in and a sign-out link."""
    items = []
    for key, path, needs_client in NAV_ENTRIES:
        if principal is not None and not principal.may(area_for(path or "/client/")):
            continue
        if needs_client:
            href = client_path(client_id, path) if client_id is not None else "/"
        else:
            href = path
        active = (pathname or "/").rstrip("/") == href.rstrip("/") and href != "/"
        items.append(dbc.NavItem(dbc.NavLink(
            shell(key, lang), href=href, active=active,
            id={"type": ids.NAV_LINK, "page": key},
            disabled=needs_client and client_id is None,
        )))
    if principal is not None and principal.kind in ("user", "azure"):
        items.append(dbc.NavItem(html.Span(shell("signed_in_as", lang, name=principal.name,
                                                 role=shell(f"role_{principal.role}", lang)),
                                           className="nav-link text-muted", id="signed-in-as"),
                                 className="ms-auto"))
        if principal.kind == "user":
            items.append(dbc.NavItem(html.A(shell("sign_out", lang), href="/logout", className="nav-link",
                                            id="sign-out")))
    return items


def _header() -> html.Header:
    return html.Header(
        dbc.Container(
            dbc.Row(
                [
                    dbc.Col(
                        html.A(
                            [
                                html.Img(src=dash.get_asset_url("logo.svg"), alt="Prêt à dépenser",
                                         height="44", className="me-2 app-logo"),
                                html.Span(id="app-title", className="h4 mb-0 app-title"),
                            ],
                            href="/", className="d-flex align-items-center text-decoration-none",
                        ),
                        xs=12, md=7, className="py-2",
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                html.Span(id="language-label", className="me-2"),
                                html.Div(dbc.RadioItems(
                                    id=ids.LANGUAGE_SWITCH,
                                    options=[{"label": code.upper(), "value": code} for code in LANGUAGES],
                                    value=DEFAULT_LANGUAGE,
                                    persistence=True, persistence_type="local",
                                    inline=True,
                                    className="btn-group",
                                    inputClassName="btn-check",
                                    labelClassName="btn btn-outline-light",
                                    labelCheckedClassName="active",
                                ), role="radiogroup", **{"aria-labelledby": "language-label"}),
                            ],
                            className="d-flex align-items-center justify-content-md-end",
                        ),
                        xs=12, md=5, className="py-2",
                    ),
                ],
                className="align-items-center",
            ),
            fluid=True,
        ),
        className="app-header",
    )


def _picker() -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(id="picker-label", html_for=ids.CLIENT_PICKER),
                    dcc.Dropdown(id=ids.CLIENT_PICKER, options=[], searchable=True,
                                 clearable=True, className="client-picker"),
                ],
                xs=12, lg=6,
            ),
            dbc.Col(
                [
                    dbc.Label(id="id-input-label", html_for=ids.CLIENT_ID_INPUT),
                    dbc.InputGroup([
                        dbc.Input(id=ids.CLIENT_ID_INPUT, type="text", inputMode="numeric",
                                  autoComplete="off", debounce=False,
                                  maxLength=clients.MAX_ID_INPUT_LENGTH),
                        dbc.Button(id=ids.CLIENT_ID_GO, color="primary", n_clicks=0),
                    ]),
                    html.Div(id=ids.CLIENT_ID_FEEDBACK, role="alert", className="text-danger small mt-1"),
                ],
                xs=12, lg=6,
            ),
        ],
        className="g-3 py-3 client-picker-row",
    )


def make_layout() -> html.Div:
    """The whole page shell; the screens render inside `dash.page_container`."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Store(id=ids.LANGUAGE, data=DEFAULT_LANGUAGE),
            dcc.Store(id=ids.CLIENT_STORE, storage_type="memory"),
            # What the advisor typed in the what-if and new-applicant forms and the number of
            # factors chosen: the pages re-render on a language switch (and a reload), and
            # restore these instead of the stored file (see `fields.remembered_values`).
            dcc.Store(id=ids.FORM_MEMORY, storage_type="session", data={}),
            html.A(id="skip-link", href="#main-content", className="visually-hidden-focusable skip-link"),
            _header(),
            dbc.Container(
                [
                    html.Nav(dbc.Nav(id=ids.NAVIGATION, pills=True, className="flex-wrap py-2"),
                             id="main-nav", **{"aria-label": "navigation"}),
                    _picker(),
                    html.Main(dash.page_container, id="main-content", tabIndex="-1"),
                    html.Footer(html.P(id="app-footer", className="small text-muted mt-4")),
                ],
                fluid=True,
                className="pb-4",
            ),
        ]
    )


# --- callbacks (thin: parse, call a service, return) -------------------------------------------

# The switch is the source of truth (its value persists in local storage); the store
# mirrors it for callbacks and the pages router. Always returning the value (never
# no_update) lets the initial callbacks that depend on the store run.
clientside_callback(
    """
    function(lang) {
        lang = lang || "%(default)s";
        document.cookie = "language=" + lang + "; path=/; max-age=31536000; SameSite=Lax";
        document.documentElement.lang = lang;
        return lang;
    }
    """ % {"default": DEFAULT_LANGUAGE},
    Output(ids.LANGUAGE, "data"),
    Input(ids.LANGUAGE_SWITCH, "value"),
)


@callback(
    Output("app-title", "children"),
    Output("language-label", "children"),
    Output("picker-label", "children"),
    Output(ids.CLIENT_PICKER, "placeholder"),
    Output("id-input-label", "children"),
    Output(ids.CLIENT_ID_INPUT, "placeholder"),
    Output(ids.CLIENT_ID_GO, "children"),
    Output("app-footer", "children"),
    Output("main-nav", "aria-label"),
    Input(ids.LANGUAGE, "data"),
)
def translate_shell(lang: str | None) -> tuple:
    """Shell texts in the chosen language."""
    lang = normalise_language(lang)
    return tuple(shell(key, lang) for key in (
        "app_title", "language_label", "picker_label", "picker_placeholder",
        "id_input_label", "id_input_placeholder", "open", "footer", "nav_label",
    ))


@callback(
    Output(ids.CLIENT_STORE, "data"),
    Input(ids.URL, "pathname"),
    State(ids.CLIENT_STORE, "data"),
)
def remember_client(pathname: str | None, current: int | None) -> int:
    """The client in the URL becomes the selected client (kept when visiting /model etc.)."""
    client_id, _ = client_from_path(pathname)
    parsed = clients.parse_client_id(client_id)
    if parsed is None or parsed == current or not clients.client_exists(parsed):
        raise PreventUpdate
    return parsed


@callback(
    Output(ids.NAVIGATION, "children"),
    Input(ids.LANGUAGE, "data"),
    Input(ids.CLIENT_STORE, "data"),
    Input(ids.URL, "pathname"),
)
def render_navigation(lang: str | None, client_id: int | None, pathname: str | None) -> list:
    principal = current_principal()  # outside a request (tests): the whole menu
    pathname = pathname if isinstance(pathname, str) else None
    return nav_items(normalise_language(lang), clients.parse_client_id(client_id), pathname,
                     None if principal.kind == "system" else principal)


@callback(
    Output(ids.CLIENT_PICKER, "options"),
    Input(ids.CLIENT_PICKER, "search_value"),
    State(ids.CLIENT_PICKER, "value"),
)
def search_clients(search_value: str | None, value: int | None) -> list[dict]:
    """At most `clients.SEARCH_LIMIT` matching IDs: the browser never gets the full list."""
    if not search_value:
        value = clients.parse_client_id(value)
        if value is None:
            raise PreventUpdate
        return [{"label": str(value), "value": value}]
    return clients.search_clients(search_value)


# The URL drives the selected client (store); the picker and the typed ID drive the URL.
# The picker is not set back from the URL: that would close a URL -> picker -> URL loop.


@callback(
    Output(ids.URL, "pathname"),
    Output(ids.CLIENT_ID_FEEDBACK, "children"),
    Output(ids.CLIENT_ID_INPUT, "invalid"),
    Output(ids.CLIENT_PICKER, "value"),
    Input(ids.CLIENT_PICKER, "value"),
    Input(ids.CLIENT_ID_GO, "n_clicks"),
    Input(ids.CLIENT_ID_INPUT, "n_submit"),
    State(ids.CLIENT_ID_INPUT, "value"),
    State(ids.URL, "pathname"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def open_client(picked: int | None, _clicks: int, _submit: int | None, typed: str | None,
                pathname: str | None, lang: str | None) -> tuple:
    """Go to the chosen client, staying on the same screen (file, why, what-if...)."""
    lang = normalise_language(lang)
    from_picker = dash.ctx.triggered_id == ids.CLIENT_PICKER
    raw = picked if from_picker else typed
    if raw in (None, ""):
        raise PreventUpdate
    # A typed ID clears the picker so it never shows another client than the page.
    picker = dash.no_update if from_picker else None
    client_id = clients.parse_client_id(raw)
    if client_id is None:
        return dash.no_update, shell("invalid_client", lang, value=shorten(raw)), True, picker
    if not clients.client_exists(client_id):
        return dash.no_update, shell("unknown_client", lang, client_id=client_id), True, picker
    _, subpage = client_from_path(pathname)
    target = client_path(client_id, subpage)
    return (dash.no_update if target == pathname else target), "", False, picker


# --- building blocks shared by the screens -------------------------------------------------------

def error_alert(message: str) -> dbc.Alert:
    """A clear message in the page instead of a broken layout or a traceback."""
    return html.Div(dbc.Alert(message, color="warning", className="my-3"), role="alert")


def chart(graph_id: str | dict, figure: object, text_alternative: str, caption_id: str | None = None) -> html.Figure:
    """A Plotly chart with its text alternative as aria-label and visible caption (WCAG 1.1.1)."""
    caption_props = {"id": caption_id} if caption_id else {}
    return html.Figure(
        [
            html.Div(dcc.Graph(id=graph_id, figure=figure, config={"displayModeBar": False,
                                                                   "responsive": True}),
                     role="img", **{"aria-label": text_alternative}),
            html.Figcaption(text_alternative, className="chart-caption", **caption_props),
        ],
        className="mb-3",
    )


DECISION_ICONS = {"granted": "✓", "refused": "✗", "review": "⚠"}


def decision_badge(outcome: str, lang: str, element_id: str | None = None) -> html.Div:
    """'✗ Refusé' / '✓ Accordé' / '⚠ À étudier': icon + word + colour + border style, never
    colour alone. `outcome` is a `clients.Decision.outcome`."""
    props = {"id": element_id} if element_id else {}
    return html.Div(
        [html.Span(DECISION_ICONS[outcome], className="decision-icon", **{"aria-hidden": "true"}),
         html.Span(shell(outcome, lang))],
        className=f"decision decision-{outcome}", **props,
    )


POLICY_TEXTS = {
    "fr": {"heading": "Règles de crédit appliquées (indépendantes du score)",
           "refused": "Refus", "review": "Examen"},
    "en": {"heading": "Lending rules applied (independent of the score)",
           "refused": "Refusal", "review": "Review"},
}


def policy_rules_view(decision: clients.Decision, lang: str, element_id: str) -> html.Div:
    """The lending rules that fired, each with its outcome in words, apart from the model's
    reasons; an empty container when none fired (the id stays for tests and screen readers)."""
    if not decision.rules:
        return html.Div(id=element_id)
    items = [html.Li([html.Strong(f"{translate(POLICY_TEXTS, hit.outcome, lang)} — "), hit.text],
                     **{"data-rule": hit.id}) for hit in decision.rules]
    return html.Div([
        html.H2(translate(POLICY_TEXTS, "heading", lang), className="h6 mb-1"),
        html.Ul(items, className="mb-0"),
    ], id=element_id, className="policy-rules alert alert-light border mb-2", role="note")


def score_row(result: clients.Result, label: str, probability_id: str, lang: str,
              rules_id: str) -> html.Div:
    """Probability, final decision, distance to the threshold and the lending rules that fired."""
    return html.Div([
        dbc.Row([
            dbc.Col([html.P(label, className="fact-label"),
                     html.P(format_percent(result.score.probability, lang), id=probability_id,
                            className="probability-value mb-1")], xs=12, sm=6),
            dbc.Col([decision_badge(result.decision.outcome, lang),
                     html.P(clients.decision_in_words(result.score, result.decision, lang))],
                    xs=12, sm=6),
        ]),
        policy_rules_view(result.decision, lang, rules_id),
    ])


VIEW_TEXTS = {"fr": {"read_out": "À lire au client"}, "en": {"read_out": "To read out to the client"}}


def explanation_view(result: clients.Result, lang: str, chart_id: str = ids.WHY_CHART,
                     sentences_id: str = ids.WHY_SENTENCES) -> html.Div:
    """Waterfall + caption + sentences of one scored row (also used by what-if and new applicant)."""
    explanation = result.explanation
    steps = [Step(result.labels[f], delta) for f, delta in explanation.steps]
    figure = waterfall_figure(explanation.base, steps, explanation.final, lang,
                              others=explanation.others, others_count=explanation.others_count,
                              threshold=result.score.threshold)
    return html.Div([
        chart(chart_id, figure, waterfall_text_alternative(explanation.base, steps, explanation.final, lang)),
        html.H2(translate(VIEW_TEXTS, "read_out", lang), className="h5"),
        html.Ul([html.Li(sentence) for sentence in result.sentences], id=sentences_id,
                className="read-out"),
    ])


def proposal_view(client_id: object, change, lang: str, element_id: str) -> list:
    """What would change the decision, in sentences, with a link that loads the proposal
    into the simulation (client file and what-if screen alike)."""
    body = [html.H2(translate(decision_change.TEXTS, "heading", lang), className="h5"),
            html.Ul([html.Li(line) for line in decision_change.counterfactual_sentences(change, lang)])]
    if change.changes:
        body.append(dcc.Link(translate(decision_change.TEXTS, "load", lang),
                             href=client_path(client_id, "/what-if") + decision_change.whatif_query(change),
                             id=f"{element_id}-load", className="btn btn-outline-primary mb-3"))
    return body
