"""Static assets: compressed and, when their URL is fingerprinted, cached for a year.

Dash serves `assets/` files with `send_file` (a streamed response), which flask-compress
leaves alone, and with `Cache-Control: no-cache`, so every page load asked for Bootstrap's
232 KB again, uncompressed. Dash names them `?m=<modification time>` in the page: a changed
file gets a new URL, so a fingerprinted URL can be cached as immutable (as Dash already does
for its own versioned component bundles).
"""
from __future__ import annotations

from flask import Flask, Response, request

from model import config

ASSETS_PREFIX = "/assets/"


def register_static_assets(server: Flask) -> None:
    """Call after `Compress(server)`: this hook must run before flask-compress's (Flask runs
    `after_request` hooks in reverse order of registration)."""

    @server.after_request
    def static_assets(response: Response) -> Response:
        if not request.path.startswith(ASSETS_PREFIX) or response.status_code != 200:
            return response
        if response.is_streamed:
            response.direct_passthrough = False
            response.make_sequence()  # read the (small) file so that it can be compressed
        if request.args.get("m"):
            response.headers["Cache-Control"] = (
                f"public, max-age={config.STATIC_MAX_AGE_SECONDS}, immutable")
        return response
