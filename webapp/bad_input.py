"""Answers for requests the framework itself refuses, so that none of them is a 5xx.

Dash raises `DependencyException` for a bundle path it does not serve
(`/_dash-component-suites/dash/nope.js`): without this it reached the generic handler, which
logs a traceback per request (a cheap way to flood the log). It is a 404, logged on one line.
"""
from __future__ import annotations

import logging

from dash.exceptions import DependencyException
from flask import Flask, jsonify, request

log = logging.getLogger(__name__)


def register_bad_input_handlers(server: Flask) -> None:
    """Attach the handlers (one call in `app.create_app`)."""

    @server.errorhandler(DependencyException)
    def unknown_bundle(_error: DependencyException):
        log.info("no such Dash bundle: %s", request.path[:200])
        return jsonify({"error": "no such file"}), 404
