"""What the server answers when a request is malformed or something breaks.

`register_error_handlers(server, callback_map)` (one call in `app.create_app`):

- bodies over 1 MB are refused with 413 before they are read (`MAX_CONTENT_LENGTH`);
- a `/_dash-update-component` request that does not match one of the app's callbacks
  (bad JSON, missing keys, wrong types, unknown ids) gets 400 JSON before Dash's
  dispatcher reads it: a generated fuzz batch once drew an HTML 500 with a traceback
  in the log from 389 of 1,199 such requests;
- HTTP errors (404, 405, 413...) come back as JSON on the API and callback routes, and an
  unknown `/api/...` path is a 404, not the dashboard page;
- anything unexpected is logged once with its traceback and answered with a generic
  500 (JSON for machines, a short bilingual page for browsers) that shows no
  traceback, exception text or server path.
"""
from __future__ import annotations

import logging
from typing import Callable

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from webapp.http.validation import MAX_BODY_BYTES, InputError, callback_request_problem, load_json

log = logging.getLogger(__name__)

CALLBACK_PATH = "/_dash-update-component"
_JSON_PREFIXES = ("/api/", "/_dash-", "/reports/")
_ERROR_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Erreur / Error</title></head>
<body><main>
<h1>Une erreur inattendue s'est produite</h1>
<p>L'incident est enregistré. Réessayez dans un instant ou revenez à <a href="/">l'accueil</a>.</p>
<h2 lang="en">An unexpected error occurred</h2>
<p lang="en">It has been logged. Try again in a moment or go back to <a href="/">the home page</a>.</p>
</main></body></html>
"""


def wants_json() -> bool:
    """Machines (API, Dash callbacks, JSON clients) get JSON; browsers get a page."""
    if request.path.startswith(_JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def json_error(message: str, status: int, **details: object) -> tuple[Response, int]:
    """An explicit message and a 4xx/5xx status, as JSON (never a traceback)."""
    return jsonify({"error": message, **details}), status


_json_error = json_error


def api_language() -> str:
    """The API answers in English unless `?lang=fr` asks for French."""
    return "fr" if request.args.get("lang") == "fr" else "en"


def service_error_response(error, **details: object) -> tuple[Response, int]:
    """A service error as JSON: 404 unknown client, 503 artifacts missing, else 400."""
    from webapp.service_errors import error_message

    status = {"unknown_client": 404, "artifacts_missing": 503, "log_unavailable": 503,
              "explanation_unavailable": 503}.get(error.key, 400)
    return json_error(error_message(error, api_language()), status, **details)


def register_error_handlers(server: Flask, callback_map: dict | Callable[[], dict]) -> None:
    """Body limit, callback-request guard and error handlers on the Flask server.

    `callback_map` is the Dash app's `callback_map` (or a function returning it):
    Dash fills it when it serves its first request, before this guard runs.
    """
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    current_map = callback_map if callable(callback_map) else (lambda: callback_map)

    @server.before_request
    def check_callback_request():
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        try:  # the raw body is cached: Dash's dispatcher decodes it again once it is known safe
            body = load_json(request.get_data(cache=True), field="callback request")
        except InputError as error:
            return _refuse_callback(error.message)
        problem = callback_request_problem(body, current_map())
        if problem:
            return _refuse_callback(problem)
        return None

    @server.get("/api/<path:_unknown>")
    def unknown_api_route(_unknown: str):
        # Without it Dash's catch-all page route answers any GET, /api/typo included, with
        # the dashboard's HTML and a 200; API routes declared anywhere else still win.
        return _json_error("no such API route", 404)

    @server.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if not wants_json():
            return error
        message = {413: f"request body larger than {MAX_BODY_BYTES // 1024} KB"}.get(
            error.code or 500, error.description or error.name)
        return _json_error(message, error.code or 500)

    @server.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # The one log line of this failure, with the traceback for whoever runs the server.
        log.error("unexpected error on %s %s", request.method, request.path, exc_info=error)
        if wants_json():
            return _json_error("internal error: the request could not be served; it has been logged",
                               500)
        return Response(_ERROR_PAGE, status=500, mimetype="text/html")


def _refuse_callback(problem: str) -> tuple[Response, int]:
    log.warning("refused callback request: %s", problem)
    return _json_error(f"malformed callback request: {problem}", 400)
