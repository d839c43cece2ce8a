"""The layout the renderer checks callbacks against keeps every id of every page, and only
the ids: Dash's own (every page rendered whole) was 234 KB in each page document."""
from __future__ import annotations

import json
import re

import dash
from dash import html
from dash._utils import to_json
from dash.development.base_component import Component

from webapp.validation_layout import bare_components


def _ids(tree) -> list[str]:
    """Every (component type, id) of a layout, as sorted JSON texts."""
    out, pending = [], [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (list, tuple)):
            pending.extend(node)
        elif isinstance(node, Component):
            if getattr(node, "id", None) is not None:
                out.append(json.dumps([type(node).__name__, node.id], sort_keys=True))
            pending.append(getattr(node, "children", None))
    return sorted(out)


def test_the_page_document_carries_every_id_and_nothing_else(app_client):
    import app as app_module

    app_client.get("/")  # Dash's first-request setup (its router) has run
    # Dash's own: every page rendered whole, plus the shell, as its router builds it (now: the
    # pages' content depends on the data, e.g. the drift tab's monitored periods)
    pages = [p["layout"]() if callable(p["layout"]) else p["layout"]
             for p in dash.page_registry.values()]
    full = html.Div(pages + [app_module.app.layout()])
    app_module.app.validation_layout = full
    page = app_client.get("/client/does-not-matter").get_data(as_text=True)
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>',
                                  page, re.S).group(1))
    sent = json.dumps(config["validation_layout"])
    assert _ids(app_module.app.validation_layout) == _ids(full)
    assert len(sent) < len(to_json(full)) / 5
    assert '"id"' in sent and "figure" not in sent  # ids kept, the content left out


def test_bare_components_keep_type_and_id_only() -> None:
    from dash import dcc

    tree = html.Div([html.H1("Titre", id="title"), html.P("sans id"),
                     dcc.Graph(id={"type": "chart", "index": 1}, figure={"data": [1] * 100}),
                     html.Div(html.Span("texte", id="inner"))])
    bare = bare_components(tree)
    assert [(type(c).__name__, c.id) for c in bare] == [
        ("H1", "title"), ("Graph", {"type": "chart", "index": 1}), ("Span", "inner")]
    assert all(set(c.to_plotly_json()["props"]) == {"id"} for c in bare)


def test_a_layout_set_after_the_first_lightening_is_lightened_too() -> None:
    """Two first requests of a new worker: one may lighten the shell's layout while the other's
    Pages router is still rendering every page; the router's layout is lightened next time."""
    from types import SimpleNamespace

    from flask import Flask

    from webapp.validation_layout import register_light_validation_layout

    app = SimpleNamespace(server=Flask(__name__), validation_layout=html.Div(html.P("x", id="shell")))
    register_light_validation_layout(app)

    def request() -> None:
        with app.server.test_request_context("/"):
            app.server.preprocess_request()

    request()
    assert [c.id for c in app.validation_layout.children] == ["shell"]
    light = app.validation_layout
    request()
    assert app.validation_layout is light  # nothing to do: not lightened again
    app.validation_layout = html.Div([html.P("x", id="shell"), html.Div(id="page")])  # the router
    request()
    assert [c.id for c in app.validation_layout.children] == ["shell", "page"]
    assert set(app.validation_layout.children[1].to_plotly_json()["props"]) == {"id"}
