"""Sign-in sessions the server can end: a per-user session version and an absolute lifetime.

Flask's session is a signed cookie: on its own the server keeps nothing, so a copied cookie
would stay valid after sign-out and be renewed on every answer. Two checks fix that, both
made by the user loader on every request:

- the session records the user's `session_version` when it is opened; sign-out increments
  the version in the database, so that session and every other one of the user (all
  devices) is refused from then on;
- the session records when it was opened; past `config.SESSION_HOURS` it is refused,
  however often its cookie was renewed.
"""
from __future__ import annotations

import time

import flask
import flask_login

from webapp.auth import accounts, config

VERSION_KEY = "scoring_session_version"
OPENED_KEY = "scoring_session_opened"


class SessionUser(flask_login.UserMixin):
    """Flask-Login's view of a signed-in account (the id is the account name)."""

    def __init__(self, account: accounts.Account) -> None:
        self.account = account

    def get_id(self) -> str:
        return self.account.name


def open_session(account: accounts.Account) -> None:
    """A new session for `account` (any earlier content of the cookie is dropped)."""
    flask.session.clear()
    flask.session.permanent = True
    flask_login.login_user(SessionUser(account))
    flask.session[VERSION_KEY] = account.session_version
    flask.session[OPENED_KEY] = int(time.time())


def session_user(name: str) -> SessionUser | None:
    """The user of the current session cookie, or None when the session was ended or is too old."""
    opened, version = flask.session.get(OPENED_KEY), flask.session.get(VERSION_KEY)
    if not isinstance(opened, int) or not isinstance(version, int):
        return None
    if time.time() - opened > config.SESSION_HOURS * 3600:
        return None
    account = accounts.active_user(name)
    if account is None or account.session_version != version:
        return None
    return SessionUser(account)


def close_session() -> None:
    """Sign-out: the user's sessions end on the server, then the cookie is emptied."""
    user = flask_login.current_user
    if user is not None and user.is_authenticated:
        accounts.end_sessions(user.account.name)
    flask_login.logout_user()
    flask.session.clear()
