"""The one place for sign-in, roles, access rules, decision reasons and the decision log.

Everything that an operator may want to change without touching code is read from the
environment here (at call time, so tests and `python -m webapp` can set it first).
"""
from __future__ import annotations

import os
from pathlib import Path

from model.config import PROJECT_ROOT

# --- modes and environment ----------------------------------------------------------------------
AUTH_MODES = ("local", "azure", "off")
DEFAULT_AUTH_MODE = "local"


def auth_mode() -> str:
    """`SCORING_AUTH`: local (default) | azure | off; anything else is refused at start."""
    return os.environ.get("SCORING_AUTH", DEFAULT_AUTH_MODE).strip().lower()


def is_production() -> bool:
    return os.environ.get("SCORING_ENV", "").strip().lower() == "production"


def is_development() -> bool:
    """`SCORING_ENV=development`, asked for explicitly (the Dockerfile and `startup.sh` default
    to production; a bare `python app.py` on a laptop sets neither and is the demo)."""
    return os.environ.get("SCORING_ENV", "").strip().lower() == "development"


def database_url() -> str:
    """`SCORING_DATABASE_URL`, else a SQLite file in `data/` (outside the artifact set)."""
    url = os.environ.get("SCORING_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{DEFAULT_DATABASE_PATH}"


DEFAULT_DATABASE_PATH = Path(os.environ.get("SCORING_DATA_FOLDER", PROJECT_ROOT / "data")) / "app.db"

# --- roles ----------------------------------------------------------------------------------------
ROLES = ("advisor", "manager", "admin")
API_KEY_ROLES = ("advisor", "manager")
# What each role may open ("areas"; every path below belongs to one area).
ROLE_AREAS: dict[str, frozenset[str]] = {
    "advisor": frozenset({"advisor"}),
    "manager": frozenset({"advisor", "manager"}),
    "admin": frozenset({"advisor", "manager", "admin"}),
}

# Paths anyone may request, signed in or not: they reveal no client data.
PUBLIC_PATHS = frozenset({"/login", "/logout", "/api/health", "/_favicon.ico", "/favicon.ico"})
# Static files of the shell (style, logo); any other file under /assets/ needs a session.
PUBLIC_ASSETS = frozenset({"style.css", "bootstrap.min.css", "logo.svg"})
# The Dash front-end code itself (library bundles, no data).
PUBLIC_PREFIXES = ("/_dash-component-suites/",)

# (path prefix or exact path, area), first match wins; everything else is "advisor".
AREA_RULES: tuple[tuple[str, str], ...] = (
    ("/model", "manager"),
    ("/drift", "manager"),
    ("/fairness", "manager"),
    ("/audit", "manager"),
    ("/reports/", "manager"),
    ("/api/audit/", "manager"),
    ("/admin", "admin"),
)

# Dash callbacks of the managers' screens, by the prefix of their output component ids:
# a crafted callback request cannot fetch the audit table or drift data without the role.
CALLBACK_ID_AREAS: tuple[tuple[str, str], ...] = (
    ("audit-", "manager"),
    ("drift-", "manager"),
    ("model-", "manager"),
    ("fairness-", "manager"),
)

# --- local sign-in ---------------------------------------------------------------------------------
MAX_FAILED_ATTEMPTS = 5          # then the account is locked for LOCKOUT_MINUTES
LOCKOUT_MINUTES = 15
SESSION_HOURS = 8                # a working day; the cookie expires after that
MIN_PASSWORD_LENGTH = 10
DEMO_ACCOUNTS = (("conseiller", "advisor"), ("responsable", "manager"), ("admin", "admin"))


def secret_key() -> str | None:
    return os.environ.get("SCORING_SECRET_KEY") or None


# --- Azure App Service Authentication (Microsoft Entra ID) -------------------------------------------
# App roles of the Entra app registration -> our roles. Override with
# SCORING_AZURE_ROLES="Scoring.Advisor=advisor,Scoring.Manager=manager,Scoring.Admin=admin".
DEFAULT_AZURE_ROLE_MAP = {"Scoring.Advisor": "advisor", "Scoring.Manager": "manager",
                          "Scoring.Admin": "admin"}


def azure_role_map() -> dict[str, str]:
    raw = os.environ.get("SCORING_AZURE_ROLES", "").strip()
    if not raw:
        return dict(DEFAULT_AZURE_ROLE_MAP)
    pairs = (item.split("=", 1) for item in raw.split(",") if "=" in item)
    return {claim.strip(): role.strip() for claim, role in pairs if role.strip() in ROLES}


# --- decisions --------------------------------------------------------------------------------------
DECISIONS = ("granted", "refused", "referred")   # "referred" = referred to a manager
MIN_REASON_WORDS = 3
MAX_REASON_LENGTH = 2000
# Reason categories offered when the advisor's decision differs from the recommendation.
REASON_CATEGORIES = ("additional_income", "guarantee", "known_history", "data_error",
                     "exceptional_situation", "policy_exception", "other")

# --- hardening ----------------------------------------------------------------------------------------
HSTS_SECONDS = 31536000

# --- decision log ---------------------------------------------------------------------------------------
LOG_RETENTION_YEARS = 5          # documented retention (docs/security.md); no purge through the app


def secure_cookies() -> bool:
    """`SCORING_SECURE_COOKIES=1` marks cookies Secure outside production too (HTTPS staging)."""
    return os.environ.get("SCORING_SECURE_COOKIES", "").strip() in ("1", "true", "yes")
