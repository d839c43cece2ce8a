"""Sign-in, roles and the access check of the Flask server under the Dash app."""
from __future__ import annotations

import dash


def register_auth(app: dash.Dash, mode: str | None = None) -> str:
    """The one call `create_app` makes: guard every route of `app.server`, set the headers.

    `mode` overrides `SCORING_AUTH` (tests); raises `guard.StartupError` when unsafe.
    """
    from webapp.auth.guard import init_auth

    app.server.config["SCORING_CSP_HASHES"] = app.csp_hashes
    return init_auth(app.server, mode)
