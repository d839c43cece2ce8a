"""CSRF tokens (Flask-WTF's `CSRFProtect`) on every form the server renders.

Which requests need a token, and why the others do not (docs/security.md, "CSRF"):

- the plain HTML forms (`/login`, `/logout`) post `application/x-www-form-urlencoded`, which
  any other site can make a browser send: they carry a token, checked here;
- Dash's own `POST /_dash-update-component` and the API's POST routes accept only
  `application/json` bodies (Dash's dispatcher and `webapp.http.validation.load_json` refuse
  anything else). A page of another site cannot send that content type without a CORS
  preflight, which this server never answers, and the session cookie is `SameSite=Lax`, so
  it is not sent on another site's POST at all. API keys travel in `Authorization`, which a
  browser never adds by itself. These routes are exempt: a token would add nothing, and
  Dash's front end could not send one without patching its renderer.
"""
from __future__ import annotations

from markupsafe import Markup, escape
from flask import Flask, request
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from webapp.auth import access

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# JSON-only routes (see above), on the normalised path.
EXEMPT_PATHS = frozenset({"/_dash-update-component"})
EXEMPT_PREFIXES = ("/api/",)
FIELD = "csrf_token"

_protect = CSRFProtect()


def needs_token(path: str, method: str) -> bool:
    """Whether a request must carry a valid token (form posts; not the JSON-only routes)."""
    if method not in UNSAFE_METHODS:
        return False
    normal = access.normalise_path(path)
    return normal not in EXEMPT_PATHS and not (normal + "/").startswith(EXEMPT_PREFIXES)


def register_csrf(server: Flask) -> None:
    """Check the token of every request that needs one, before its view runs.

    `WTF_CSRF_CHECK_DEFAULT` is off so that the choice above is the only one; tokens live as
    long as the session (whose absolute lifetime is enforced by `webapp.auth.sessions`).
    """
    server.config.update(WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_TIME_LIMIT=None,
                         WTF_CSRF_FIELD_NAME=FIELD)
    _protect.init_app(server)

    @server.before_request
    def check_csrf_token():
        if needs_token(request.path, request.method):
            _protect.protect()  # raises CSRFError (400): webapp.auth.guard answers it


def token_field() -> Markup:
    """The hidden input every HTML form of the server includes."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(generate_csrf())}">')


__all__ = ["CSRFError", "FIELD", "generate_csrf", "needs_token", "register_csrf", "token_field"]
