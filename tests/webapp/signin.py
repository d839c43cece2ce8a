"""Signing in through the real `/login` form in a Flask test client, CSRF token included.

`signed_in_server` makes a bare Flask server with the real sign-in (`init_auth`, mode
`local`) on a fresh SQLite database, one account per role and a route per area; tests of
sessions, CSRF and access paths use it without starting gunicorn or loading a model.
"""
from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

PASSWORDS = {"advisor": "advisor-password-1", "manager": "manager-password-1", "admin": "admin-password-1"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the form a GET of `path` renders (same cookie jar as later posts)."""
    match = TOKEN.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token in the form of {path}"
    return match.group(1)


def sign_in(client: FlaskClient, name: str, password: str | None = None, **extra: str):
    """POST the sign-in form as a browser would; returns the answer (302 when signed in)."""
    data = {"username": name, "password": password if password is not None else PASSWORDS[name],
            "csrf_token": form_token(client), **extra}
    return client.post("/login", data=data)


def signed_in_server(database_url: str, paths: tuple[str, ...] = ()) -> Flask:
    """A Flask server with the real guard and sign-in routes, users advisor/manager/admin
    (name = role) in `database_url` (set SCORING_DATABASE_URL to it first), and `paths`
    answering "ok"."""
    from webapp.auth import accounts
    from webapp.auth.guard import init_auth

    for role, password in PASSWORDS.items():
        accounts.add_user(role, role, password, database_url)
    server = Flask("signin-test")
    init_auth(server, "local")
    for path in paths:
        server.add_url_rule(path, path, lambda **_: "ok", methods=["GET", "POST"])
    return server
