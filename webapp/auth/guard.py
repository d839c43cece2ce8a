"""The one access check of the Flask server, the sign-in routes and the security headers.

`before_request` runs for every request the server answers (pages, every Dash request
`/_dash-layout`, `/_dash-dependencies`, `/_dash-update-component`, assets, the drift
report, the API), so no screen or route can forget it.
"""
from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta

import flask
import flask_login
from flask import Flask, g, jsonify, redirect, request

from webapp import db
from webapp.auth import access, accounts, config, csrf, pages, sessions
from webapp.auth.principal import DEVELOPER, Principal, azure_principal
from webapp.i18n import request_language
from webapp.http.validation import InputError, load_json

log = logging.getLogger(__name__)
AZURE_LOGIN = "/.auth/login/aad"
api_log = logging.getLogger("webapp.http.api.access")


class StartupError(RuntimeError):
    """The configuration is not safe to serve with; the message says what is missing."""


# --- start-up --------------------------------------------------------------------------------------

def check_startup(mode: str) -> list[str]:
    """What is missing to start (empty when the app may start); checks the database too."""
    problems = []
    if mode not in config.AUTH_MODES:
        problems.append(f"SCORING_AUTH={mode!r} is not one of {', '.join(config.AUTH_MODES)}")
    if mode == "local":
        try:
            accounts.count_users()
        except db.DatabaseError as error:
            problems.append(f"the accounts database cannot be opened ({error}; check SCORING_DATABASE_URL)")
            return problems
    if config.is_production():
        if mode == "off":
            problems.append("SCORING_AUTH=off is refused with SCORING_ENV=production")
        if not config.secret_key():
            problems.append("SCORING_SECRET_KEY is not set (needed to sign session cookies)")
        if not os.environ.get("SCORING_ARTIFACT_KEY"):
            problems.append("SCORING_ARTIFACT_KEY is not set (needed to verify the artifact sets' "
                            "signatures)")
        if mode == "local" and accounts.count_admins() == 0:
            problems.append("no active admin account: create one with "
                            "`python -m webapp users add NAME --role admin`")
    return problems


def _secret_key() -> str:
    key = config.secret_key()
    if key:
        return key
    log.warning("SCORING_SECRET_KEY is not set: using a random key for this server "
                "(sessions end when it restarts)")
    return secrets.token_hex(32)


def _demo_accounts() -> None:
    """First start of the embedded demo: one account per role, passwords logged once."""
    for name, role, password in accounts.create_demo_accounts():
        log.warning("demo account created (shown once): user %r, role %s, password %s", name, role, password)


# --- registration ----------------------------------------------------------------------------------

def init_auth(server: Flask, mode: str | None = None) -> str:
    """Attach sign-in, the access check and the security headers; returns the mode in force.

    Raises `StartupError` (with every missing item) when the configuration is unsafe.
    """
    from webapp.auth.headers import register_headers

    mode = (mode or config.auth_mode()).strip().lower()
    problems = check_startup(mode)
    if problems:
        raise StartupError("refusing to start: " + "; ".join(problems))
    if mode == "off":
        log.warning("SCORING_AUTH=off: NO SIGN-IN, every visitor has every role (development/tests only)")
    if config.is_development():
        log.warning("SCORING_ENV=development: DEVELOPMENT MODE, asked for explicitly: artifact sets "
                    "signed with the public development key are served, demo accounts are made")
    if mode == "local" and not config.is_production():
        _demo_accounts()
    secure = config.is_production() or config.secure_cookies()
    server.config.update(
        SECRET_KEY=_secret_key(),
        SESSION_COOKIE_NAME="scoring_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.SESSION_HOURS),
        # The cookie is written only when the session changes: it then expires SESSION_HOURS
        # after sign-in, like the session itself (webapp.auth.sessions), and the answer of a
        # slow callback started on an earlier page cannot put back an older cookie (it
        # removed the CSRF token the sign-out form had just stored).
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    server.config["SCORING_AUTH_MODE"] = mode
    manager = flask_login.LoginManager()
    manager.init_app(server)
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(name: str):
        return sessions.session_user(name)

    server.before_request(_guard)
    csrf.register_csrf(server)
    _register_routes(server)
    register_headers(server)
    log.info("sign-in mode: %s", mode)
    return mode


# --- the check ----------------------------------------------------------------------------------------

def _identify(mode: str) -> Principal | None:
    if mode == "off":
        return DEVELOPER
    path = request.path
    authorization = request.headers.get("Authorization", "")
    if access.normalise_path(path).startswith("/api/") and authorization[:7].lower() == "bearer ":
        account = accounts.check_api_key(authorization[7:])
        if account is None:
            api_log.warning("API request with an invalid or revoked key: %s %s", request.method, path)
            return None
        api_log.info("API request by key %r (%s): %s %s", account.name, account.role, request.method, path)
        return Principal(account.name, account.role, "api_key")
    if mode == "azure":
        return azure_principal(request.headers.get("X-MS-CLIENT-PRINCIPAL"),
                               request.headers.get("X-MS-CLIENT-PRINCIPAL-NAME"))
    user = flask_login.current_user
    if user is not None and user.is_authenticated:
        return Principal(user.account.name, user.account.role, "user")
    return None


def _refuse(status: int, principal: Principal | None):
    path = request.path
    if access.is_page(path, request.method):
        if status == 401:
            target = _quote(request.full_path.rstrip("?"))
            if flask.current_app.config["SCORING_AUTH_MODE"] == "azure":  # App Service's own sign-in
                return redirect(f"{AZURE_LOGIN}?post_login_redirect_uri={target}", code=302)
            return redirect("/login?next=" + target, code=302)
        return pages.forbidden_page(request_language(), principal.role if principal else None), 403
    message = "sign in first" if status == 401 else "your role may not use this resource"
    return jsonify({"error": message}), status


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def _guard():
    """The one access decision of a request, on its normalised path (`access.normalise_path`):
    who asks, which area the path (or the page a Dash router request renders) is in, and
    whether the principal's role may open it."""
    path = request.path
    mode = flask.current_app.config["SCORING_AUTH_MODE"]
    if access.is_public(path):
        g.principal = _identify(mode) if mode == "off" else None
        return None
    try:
        principal = _identify(mode)
    except db.DatabaseError:  # accounts unreadable: refuse, and say why, rather than a 500
        log.error("sign-in check failed: the database is unavailable")
        return jsonify({"error": "sign-in is unavailable: the database cannot be reached"}), 503
    g.principal = principal
    if principal is None:
        return _refuse(401, None)
    area = access.area_for(path)
    if access.normalise_path(path) == "/_dash-update-component":
        try:
            payload = load_json(request.get_data(cache=True))  # depth-limited, never raises past here
        except InputError:
            payload = None  # malformed: webapp.http.errors answers it 400 after this check
        routed = access.routed_pathname(payload)
        if routed is not None and not access.is_router_pathname(routed):
            return jsonify({"error": "the page router needs a path starting with /"}), 400
        area = access.callback_area(payload)
    if not principal.may(area):
        log.info("refused %s %s to %s (%s)", request.method, path, principal.name, principal.role)
        return _refuse(403, principal)
    if principal.kind in ("user", "azure") and request.headers.get("Sec-Fetch-Site") == "cross-site" \
            and not access.cross_site_allowed(path, request.method):
        # Another site's link or form reaching data with the visitor's cookie (a score would
        # be logged under their name): only plain page navigations may come from elsewhere.
        log.info("refused cross-site %s %s for %s", request.method, path, principal.name)
        return jsonify({"error": "cross-site request refused"}), 403
    return None


def _register_routes(server: Flask) -> None:
    @server.errorhandler(csrf.CSRFError)
    def csrf_refused(error: csrf.CSRFError):
        log.info("refused %s %s: %s", request.method, request.path, error.description)
        if access.normalise_path(request.path) == "/login":
            lang = request_language()
            return pages.login_page(lang, pages.login_error("expired", lang, config.LOCKOUT_MINUTES)), 400
        return jsonify({"error": f"refused: {error.description}"}), 400

    @server.route("/login", methods=["GET", "POST"])
    def login():
        lang = request_language()
        if server.config["SCORING_AUTH_MODE"] != "local":
            return redirect("/")
        if request.method == "GET":
            return pages.login_page(lang, next_path=access.same_site_path(request.args.get("next")))
        name = (request.form.get("username") or "")[:80]
        next_path = access.same_site_path(request.form.get("next"))
        try:
            account, problem = accounts.authenticate(name, (request.form.get("password") or "")[:200])
        except db.DatabaseError:  # the attempt could not be counted: nothing was checked
            log.error("sign-in of %r refused: the accounts database cannot be written", name)
            message = pages.login_error("unavailable", lang, config.LOCKOUT_MINUTES)
            return pages.login_page(lang, message, next_path, name), 503
        if account is None:
            log.info("failed sign-in for %r (%s)", name, problem)
            message = pages.login_error(problem, lang, config.LOCKOUT_MINUTES)
            return pages.login_page(lang, message, next_path, name), (429 if problem == "locked" else 401)
        sessions.open_session(account)
        log.info("user %s (%s) signed in", account.name, account.role)
        return redirect(next_path)

    @server.route("/logout", methods=["GET", "POST"])
    def logout():
        """GET asks (a link of another site must not sign anyone out); POST, with its
        token, ends the user's sessions on the server."""
        if request.method == "GET":
            return pages.logout_page(request_language())
        try:
            sessions.close_session()
        except db.DatabaseError:
            log.error("sign-out could not be recorded: the accounts database cannot be written")
            flask.session.clear()
            return jsonify({"error": "sign-out is unavailable: the database cannot be written"}), 503
        return redirect("/login")

    @server.get("/admin")
    def admin():
        return pages.admin_page(request_language(), accounts.list_users(), accounts.list_api_keys())
