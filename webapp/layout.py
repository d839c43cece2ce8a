"""The shell around every screen: header (logo, title, FR/EN switch), navigation,
client picker, the Dash Pages container and the stores holding per-user state.

`app.py` builds the app with `dash.Dash(..., use_pages=True,
routing_callback_inputs=ROUTING_CALLBACK_INPUTS)` and `app.layout = make_layout`:
every page's `layout(client_id=None, lang=None, **query)` then receives the
language and is re-rendered when the switch changes. The URL carries the rest of
the state (`/client/<id>/why`), so links can be shared and the back button works.

The client search is a plain search box whose matches come back from the server as a
list of links (at most `clients.SEARCH_LIMIT`, with how many more there are): every match
is an ordinary link in the tab order, Enter opens the exact ID or the first match, and
nothing is hidden from assistive technology. (dcc.Dropdown was used before: its hidden
focus target, unnamed popup and listbox, and focus jumping to the selected option on
reopening failed axe-core and keyboard users.) The UI builders the screens share live in
`webapp/ui/components.py`.
"""
from __future__ import annotations

import re

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from webapp import ids
from webapp.auth.access import area_for
from webapp.auth.principal import Principal, current_principal
from webapp.ui.components import client_path
from webapp.formatting import format_number
from webapp.i18n import DEFAULT_LANGUAGE, LANGUAGES, normalise_language, shell
from webapp.services import clients
from webapp.http.validation import shorten

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


def nav_items(lang: str, client_id: object | None, pathname: str | None,
              principal: Principal | None = None) -> list:
    """Navigation links the principal may open (all when None); the client screens link to
    the selected client. Without a client they are greyed-out text marked aria-disabled,
    not links: out of the tab order, and never a link to a page that cannot show anything.
    Then who is signed in and a sign-out link."""
    items = []
    for key, path, needs_client in NAV_ENTRIES:
        if principal is not None and not principal.may(area_for(path or "/client/")):
            continue
        element_id = {"type": ids.NAV_LINK, "page": key}
        if needs_client and client_id is None:
            items.append(dbc.NavItem(html.Span(
                [shell(key, lang), html.Span(" " + shell("nav_unavailable", lang), className="visually-hidden")],
                id=element_id, role="link", className="nav-link disabled", **{"aria-disabled": "true"})))
            continue
        href = client_path(client_id, path) if needs_client else path
        active = (pathname or "/").rstrip("/") == href.rstrip("/")
        items.append(dbc.NavItem(dbc.NavLink(shell(key, lang), href=href, active=active, id=element_id)))
    if principal is not None and principal.kind in ("user", "azure"):
        items.append(dbc.NavItem(html.Span(shell("signed_in_as", lang, name=principal.name,
                                                 role=shell(f"role_{principal.role}", lang)),
                                           className="nav-link text-muted", id=ids.SIGNED_IN_AS),
                                 className="ms-auto"))
        if principal.kind == "user":
            items.append(dbc.NavItem(html.A(shell("sign_out", lang), href="/logout", className="nav-link",
                                            id=ids.SIGN_OUT)))
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
                                html.Span(id=ids.APP_TITLE, className="h4 mb-0 app-title"),
                            ],
                            href="/", className="d-flex align-items-center text-decoration-none",
                        ),
                        xs=12, md=7, className="py-2",
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                html.Span(id=ids.LANGUAGE_LABEL, className="me-2"),
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
                                ), role="radiogroup", **{"aria-labelledby": ids.LANGUAGE_LABEL}),
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


def _picker() -> html.Div:
    """The search landmark: a search box listing matching IDs as links, and the exact-ID box."""
    return html.Div(
        dbc.Row(
            [
                dbc.Col(
                    html.Div([
                        dbc.Label(id=ids.CLIENT_PICKER_LABEL, html_for=ids.CLIENT_PICKER),
                        dbc.Input(id=ids.CLIENT_PICKER, type="search", inputMode="numeric",
                                  autoComplete="off", debounce=False,
                                  maxLength=clients.MAX_ID_INPUT_LENGTH),
                        html.Div([
                            html.P(id=ids.CLIENT_PICKER_STATUS, role="status", className="small mb-1"),
                            html.Ul(id=ids.CLIENT_PICKER_RESULTS, className="list-unstyled mb-0"),
                        ], className="client-search-popup"),
                    ], className="client-search"),
                    xs=12, lg=6,
                ),
                dbc.Col(
                    [
                        dbc.Label(id=ids.CLIENT_ID_LABEL, html_for=ids.CLIENT_ID_INPUT),
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
        ),
        id=ids.CLIENT_SEARCH_REGION, role="search",
        **{"aria-label": shell("search_region", DEFAULT_LANGUAGE)},
    )


def make_layout() -> html.Div:
    """The whole page shell; the screens render inside `dash.page_container`.

    Landmarks: banner (header), navigation, search (client choice), main, contentinfo
    (footer, one per page): everything a screen reader user meets is inside one of them.
    """
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Store(id=ids.LANGUAGE, data=DEFAULT_LANGUAGE),
            dcc.Store(id=ids.CLIENT_STORE, storage_type="memory"),
            # What the advisor typed in the what-if and new-applicant forms and the number of
            # factors chosen: the pages re-render on a language switch (and a reload), and
            # restore these instead of the stored file (see `fields.remembered_values`).
            dcc.Store(id=ids.FORM_MEMORY, storage_type="session", data={}),
            html.A(shell("skip_link", DEFAULT_LANGUAGE), id=ids.SKIP_LINK, href=f"#{ids.MAIN_CONTENT}",
                   className="visually-hidden-focusable skip-link"),
            _header(),
            dbc.Container(
                [
                    html.Nav(dbc.Nav(id=ids.NAVIGATION, pills=True, className="flex-wrap py-2"),
                             id=ids.MAIN_NAV, **{"aria-label": shell("nav_label", DEFAULT_LANGUAGE)}),
                    _picker(),
                    html.Main(dash.page_container, id=ids.MAIN_CONTENT, tabIndex="-1"),
                ],
                fluid=True,
                className="pb-2",
            ),
            html.Footer(dbc.Container(html.P(id=ids.APP_FOOTER, className="small text-muted mb-0"), fluid=True),
                        className="py-3"),
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

# (component id, property, shell text key) of every fixed text of the shell.
SHELL_LABELS = (
    (ids.APP_TITLE, "children", "app_title"),
    (ids.LANGUAGE_LABEL, "children", "language_label"),
    (ids.SKIP_LINK, "children", "skip_link"),
    (ids.CLIENT_SEARCH_REGION, "aria-label", "search_region"),
    (ids.CLIENT_PICKER_LABEL, "children", "picker_label"),
    (ids.CLIENT_PICKER, "placeholder", "picker_placeholder"),
    (ids.CLIENT_PICKER_RESULTS, "aria-label", "search_results"),
    (ids.CLIENT_ID_LABEL, "children", "id_input_label"),
    (ids.CLIENT_ID_INPUT, "placeholder", "id_input_placeholder"),
    (ids.CLIENT_ID_GO, "children", "open"),
    (ids.APP_FOOTER, "children", "footer"),
    (ids.MAIN_NAV, "aria-label", "nav_label"),
)


@callback(
    *(Output(component, prop) for component, prop, _ in SHELL_LABELS),
    Input(ids.LANGUAGE, "data"),
)
def translate_shell(lang: str | None) -> tuple:
    """Shell texts in the chosen language."""
    lang = normalise_language(lang)
    return tuple(shell(key, lang) for _, _, key in SHELL_LABELS)


@callback(
    Output(ids.CLIENT_STORE, "data"),
    Output(ids.CLIENT_ID_INPUT, "value"),
    Output(ids.CLIENT_PICKER, "value"),
    Output(ids.NAVIGATION, "children"),
    Input(ids.URL, "pathname"),
    Input(ids.LANGUAGE, "data"),
    State(ids.CLIENT_STORE, "data"),
    State(ids.CLIENT_PICKER, "value"),
)
def follow_url(pathname: str | None, lang: str | None, current: int | None,
               searched: str | None) -> tuple:
    """The shell follows the URL in one round trip (a client switch is then three callbacks:
    the Open button, the page, this): the client in the URL becomes the selected client (kept
    when visiting /model etc.), the exact-ID box shows it (also after the browser's Back), a
    new page closes the search, and the menu links to the selected client's screens."""
    pathname = pathname if isinstance(pathname, str) else None
    parsed = clients.parse_client_id(client_from_path(pathname)[0])
    selected = parsed if parsed is not None and clients.client_exists(parsed) else None
    client = selected if selected is not None else clients.parse_client_id(current)
    principal = current_principal()  # outside a request (tests): the whole menu
    menu = nav_items(normalise_language(lang), client, pathname,
                     None if principal.kind == "system" else principal)
    return (dash.no_update if selected is None or selected == current else selected,
            dash.no_update if parsed is None else str(parsed),
            dash.no_update if not searched else "",  # an empty search needs no new round trip
            menu)


@callback(
    Output(ids.CLIENT_PICKER_RESULTS, "children"),
    Output(ids.CLIENT_PICKER_STATUS, "children"),
    Input(ids.CLIENT_PICKER, "value"),
    State(ids.URL, "pathname"),
    State(ids.LANGUAGE, "data"),
)
def search_clients(search_value: str | None, pathname: str | None = None,
                   lang: str | None = None) -> tuple[list, str]:
    """Links to at most `clients.SEARCH_LIMIT` matching IDs (the browser never gets the full
    list), on the screen being shown, and how many more match."""
    lang = normalise_language(lang)
    if not search_value or not isinstance(search_value, str):
        return [], ""
    found = clients.search_client_ids(search_value)
    if not found.ids:
        return [], shell("search_none", lang, value=shorten(search_value))
    _, subpage = client_from_path(pathname)
    links = [html.Li(dcc.Link(str(client_id), href=client_path(client_id, subpage),
                              className="client-search-option"))
             for client_id in found.ids]
    more = found.total - len(found.ids)
    status = shell("search_found", lang, count=format_number(found.total, lang))
    if more > 0:
        status = shell("search_more", lang, count=format_number(more, lang))
    return links, status


def _search_target(search_value: object) -> int | None:
    """Enter in the search box: the exact ID when it is a client, else the first match."""
    exact = clients.parse_client_id(search_value)
    if exact is not None and clients.client_exists(exact):
        return exact
    if not isinstance(search_value, str):
        return None
    found = clients.search_client_ids(search_value, limit=1)
    return found.ids[0] if found.ids else None


# The URL drives the selected client (store) and both boxes; Enter in either box, the
# Open button and the search's links drive the URL.


@callback(
    Output(ids.URL, "pathname"),
    Output(ids.CLIENT_ID_FEEDBACK, "children"),
    Output(ids.CLIENT_ID_INPUT, "invalid"),
    Input(ids.CLIENT_PICKER, "n_submit"),
    Input(ids.CLIENT_ID_GO, "n_clicks"),
    Input(ids.CLIENT_ID_INPUT, "n_submit"),
    State(ids.CLIENT_PICKER, "value"),
    State(ids.CLIENT_ID_INPUT, "value"),
    State(ids.URL, "pathname"),
    State(ids.LANGUAGE, "data"),
    prevent_initial_call=True,
)
def open_client(_search_submit: int | None, _clicks: int, _submit: int | None, searched: str | None,
                typed: str | None, pathname: str | None, lang: str | None) -> tuple:
    """Go to the chosen client, staying on the same screen (file, why, what-if...)."""
    lang = normalise_language(lang)
    _, subpage = client_from_path(pathname)
    if dash.ctx.triggered_id == ids.CLIENT_PICKER:
        client_id = _search_target(searched)
        if client_id is None:
            raise PreventUpdate  # the search's status already says that nothing matches
        target = client_path(client_id, subpage)
        return (dash.no_update if target == pathname else target), "", False
    if typed in (None, ""):
        raise PreventUpdate
    client_id = clients.parse_client_id(typed)
    if client_id is None:
        return dash.no_update, shell("invalid_client", lang, value=shorten(typed)), True
    if not clients.client_exists(client_id):
        return dash.no_update, shell("unknown_client", lang, client_id=client_id), True
    target = client_path(client_id, subpage)
    return (dash.no_update if target == pathname else target), "", False
