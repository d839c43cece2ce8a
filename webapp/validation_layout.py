"""The layout Dash's renderer checks callbacks against: every component id, nothing else.

With Pages, Dash renders every page's `layout()` at the first request and sends the result in
each page document's config (`validation_layout`), so that the renderer can check that every
callback's ids exist. Our manager screens render their whole content there (the model card,
the drift report): 234 KB of JSON encoded on every page load, 14 % of a worker's CPU under 32
users (py-spy, `benchmarks/bench_load.py`). The renderer only looks for ids and their
component types, so each component with an id is kept bare, with that id alone.
"""
from __future__ import annotations

import copy
from typing import Any

import dash
from dash import html
from dash.development.base_component import Component


def bare_components(tree: Any) -> list[Component]:
    """Every component of `tree` that has an id, as a copy holding its id and nothing else."""
    found: list[Component] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (list, tuple)):
            pending.extend(reversed(node))
            continue
        if not isinstance(node, Component):
            continue
        if getattr(node, "id", None) is not None:
            bare = copy.copy(node)
            bare.__dict__ = {"id": node.id, **{k: v for k, v in node.__dict__.items()
                                               if k.startswith("_")}}
            found.append(bare)
        pending.append(getattr(node, "children", None))
    return found


def register_light_validation_layout(app: dash.Dash) -> None:
    """After Dash's first-request setup has built its validation layout, keep only its ids.

    Runs as a `before_request` registered after Dash's own (Pages registers its router when
    the app is created). It lightens whatever layout is not the one it made: a first request
    may find the shell's layout while another thread's router is still rendering every page;
    the next request then lightens the router's."""
    made: list[Any] = [None]

    def lighten() -> None:
        current = app.validation_layout
        if current is None or current is made[0]:
            return
        made[0] = app.validation_layout = html.Div(bare_components(current))

    app.server.before_request(lighten)
