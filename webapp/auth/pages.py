"""The few plain HTML pages of sign-in: the form, "access refused" and the admin's list.

Plain Flask pages (no Dash): they must work before any session exists and show no
client data. Texts in French first, English complete, through `webapp.i18n.translate`.
"""
from __future__ import annotations

from html import escape

from webapp.auth.csrf import token_field
from webapp.i18n import normalise_language, translate

TEXTS = {
    "fr": {
        "title": "Connexion",
        "heading": "Connexion à l'outil de scoring",
        "username": "Identifiant",
        "password": "Mot de passe",
        "submit": "Se connecter",
        "invalid": "Identifiant ou mot de passe incorrect.",
        "locked": "Trop d'essais infructueux : compte bloqué pendant {minutes} minutes.",
        "expired": "Le formulaire a expiré ou ne vient pas de ce site : réessayez.",
        "unavailable": "Connexion momentanément impossible (base de données indisponible).",
        "logout_question": "Se déconnecter de l'outil de scoring ?",
        "forbidden_title": "Accès refusé",
        "forbidden": "Votre rôle ({role}) ne permet pas d'ouvrir cette page.",
        "home": "Retour à l'accueil",
        "logout": "Se déconnecter",
        "users": "Comptes",
        "keys": "Clés d'API",
        "name": "Nom",
        "role": "Rôle",
        "active": "Actif",
        "yes": "oui",
        "no": "non",
        "admin_hint": "Gérez les comptes et les clés avec « python -m webapp users|apikeys --help ».",
    },
    "en": {
        "title": "Sign in",
        "heading": "Sign in to the scoring tool",
        "username": "User name",
        "password": "Password",
        "submit": "Sign in",
        "invalid": "Wrong user name or password.",
        "locked": "Too many failed attempts: account locked for {minutes} minutes.",
        "expired": "The form expired or did not come from this site: try again.",
        "unavailable": "Sign-in is unavailable for now (the database cannot be reached).",
        "logout_question": "Sign out of the scoring tool?",
        "forbidden_title": "Access refused",
        "forbidden": "Your role ({role}) may not open this page.",
        "home": "Back to the home page",
        "logout": "Sign out",
        "users": "Accounts",
        "keys": "API keys",
        "name": "Name",
        "role": "Role",
        "active": "Active",
        "yes": "yes",
        "no": "no",
        "admin_hint": "Manage accounts and keys with `python -m webapp users|apikeys --help`.",
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return translate(TEXTS, key, lang, **values)


def _page(title: str, body: str, lang: str) -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)} · Prêt à dépenser</title>'
            '<link rel="stylesheet" href="/assets/bootstrap.min.css">'
            '<link rel="stylesheet" href="/assets/style.css"></head>'
            f'<body><main class="container py-4" style="max-width: 40rem">{body}</main></body></html>')


def login_error(problem: str, lang: str | None, minutes: int) -> str:
    """'Wrong user name or password.' / 'locked for 15 minutes' / 'form expired' /
    'unavailable' in the page language."""
    key = problem if problem in ("locked", "expired", "unavailable") else "invalid"
    return _t(key, normalise_language(lang), minutes=minutes)


def login_page(lang: str | None, error: str = "", next_path: str = "/", username: str = "") -> str:
    lang = normalise_language(lang)
    alert = f'<div class="alert alert-danger" role="alert" id="login-error">{escape(error)}</div>' if error else ""
    body = (
        f'<img src="/assets/logo.svg" alt="Prêt à dépenser" height="44" class="mb-3">'
        f'<h1 class="h3 mb-3">{escape(_t("heading", lang))}</h1>{alert}'
        f'<form method="post" action="/login" id="login-form">{token_field()}'
        f'<input type="hidden" name="next" value="{escape(next_path)}">'
        f'<div class="mb-3"><label class="form-label" for="username">{escape(_t("username", lang))}</label>'
        f'<input class="form-control" id="username" name="username" autocomplete="username" required '
        f'maxlength="80" value="{escape(username)}"></div>'
        f'<div class="mb-3"><label class="form-label" for="password">{escape(_t("password", lang))}</label>'
        f'<input class="form-control" id="password" name="password" type="password" '
        f'autocomplete="current-password" required maxlength="200"></div>'
        f'<button class="btn btn-primary" type="submit" id="login-submit">{escape(_t("submit", lang))}</button>'
        f'</form>')
    return _page(_t("title", lang), body, lang)


def logout_page(lang: str | None) -> str:
    """Sign-out asks first: a GET changes nothing (another site's link cannot sign anyone out);
    the button posts the form with its CSRF token."""
    lang = normalise_language(lang)
    body = (f'<h1 class="h3 mb-3">{escape(_t("logout_question", lang))}</h1>'
            f'<form method="post" action="/logout" id="logout-form">{token_field()}'
            f'<button class="btn btn-primary" type="submit" id="logout-submit">{escape(_t("logout", lang))}</button>'
            f' <a class="btn btn-link" href="/">{escape(_t("home", lang))}</a></form>')
    return _page(_t("logout", lang), body, lang)


def forbidden_page(lang: str | None, role: str | None) -> str:
    lang = normalise_language(lang)
    body = (f'<h1 class="h3 mb-3" id="forbidden-heading">{escape(_t("forbidden_title", lang))}</h1>'
            f'<p>{escape(_t("forbidden", lang, role=role or "—"))}</p>'
            f'<p><a href="/">{escape(_t("home", lang))}</a> · <a href="/logout">{escape(_t("logout", lang))}</a></p>')
    return _page(_t("forbidden_title", lang), body, lang)


def admin_page(lang: str | None, users: list, keys: list) -> str:
    """The admin's overview of accounts and keys (names and roles only, never secrets)."""
    lang = normalise_language(lang)

    def table(caption: str, rows: list, table_id: str) -> str:
        head = "".join(f"<th scope='col'>{escape(_t(k, lang))}</th>" for k in ("name", "role", "active"))
        lines = "".join(f"<tr><td>{escape(r.name)}</td><td>{escape(r.role)}</td>"
                        f"<td>{escape(_t('yes' if r.active else 'no', lang))}</td></tr>" for r in rows)
        return (f"<table class='table' id='{table_id}'><caption>{escape(caption)}</caption>"
                f"<thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>")

    body = (f'<h1 class="h3 mb-3">{escape(_t("users", lang))}</h1>'
            + table(_t("users", lang), users, "admin-users") + table(_t("keys", lang), keys, "admin-keys")
            + f'<p class="text-muted">{escape(_t("admin_hint", lang))}</p>'
            f'<p><a href="/">{escape(_t("home", lang))}</a> · <a href="/logout">{escape(_t("logout", lang))}</a></p>')
    return _page(_t("users", lang), body, lang)
