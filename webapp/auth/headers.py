"""Security headers on every answer of the server.

Dash 4 renders two kinds of inline `<script>`: its config (`type="application/json"`,
not executed, so not subject to `script-src`) and the renderer start-up plus the
inline clientside callbacks; `app.csp_hashes()` gives the hashes of the latter, so
`script-src` needs no 'unsafe-inline'. React and Plotly set `style=` attributes, hence
`style-src 'unsafe-inline'`; Plotly draws images from `data:`/`blob:` URLs.
The Evidently report is a self-contained HTML page full of inline scripts: it gets
its own, looser policy (it is our own build artifact, opened by managers only).
"""
from __future__ import annotations

from flask import Flask, current_app, request

from webapp.auth import config

REPORT_PREFIX = "/reports/"
_BASE = {
    "default-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def content_security_policy(script_hashes: list[str], report: bool = False) -> str:
    """The CSP header value: hashed inline scripts for the app, inline allowed for the report."""
    script = "'self' 'unsafe-inline' 'unsafe-eval'" if report else " ".join(["'self'", *script_hashes])
    return "; ".join(f"{k} {v}" for k, v in {**_BASE, "script-src": script}.items())


def _is_https() -> bool:
    # Azure App Service ends TLS at its front end and says so in X-Forwarded-Proto.
    return request.is_secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def register_headers(server: Flask) -> None:
    """Add the headers after every request.

    The script hashes are read at each answer, not once: Dash adds inline scripts
    until its index page is first rendered (a hash list cached earlier missed one).
    """
    def policy(report: bool) -> str:
        hashes_of = current_app.config.get("SCORING_CSP_HASHES")
        return content_security_policy(list(hashes_of()) if hashes_of and not report else [], report)

    @server.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy(request.path.startswith(REPORT_PREFIX)))
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # Client IDs are in our URLs: never send them to another site.
        headers.setdefault("Referrer-Policy", "same-origin")
        if _is_https():
            headers.setdefault("Strict-Transport-Security", f"max-age={config.HSTS_SECONDS}; includeSubDomains")
        if not request.path.startswith(("/assets/", "/_dash-component-suites/")):
            headers.setdefault("Cache-Control", "no-store")
        return response
