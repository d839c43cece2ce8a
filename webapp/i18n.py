"""French-first interface texts and the lookup every page uses.

Each page keeps its own `TEXTS = {"fr": {...}, "en": {...}}` next to its layout;
this module holds the texts of the shell (header, navigation, picker, errors)
and `translate`, which never raises: a missing key shows the key itself (easy
to spot in the page and in tests) rather than breaking a layout.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
APP_NAME = "Prêt à dépenser"

SHELL_TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "app_title": "Prêt à dépenser — Scoring crédit",
        "subtitle": "Outil d'aide à la décision pour les conseillers",
        "language_label": "Langue",
        "nav_label": "Navigation principale",
        "nav_client": "Dossier client",
        "nav_why": "Pourquoi ce score",
        "nav_compare": "Comparer",
        "nav_whatif": "Simulation",
        "nav_new": "Nouveau demandeur",
        "nav_model": "Modèle",
        "nav_drift": "Dérive des données",
        "nav_audit": "Journal des décisions",
        "signed_in_as": "{name} ({role})",
        "sign_out": "Se déconnecter",
        "role_advisor": "conseiller",
        "role_manager": "responsable",
        "role_admin": "administrateur",
        "role_None": "aucun rôle",
        "picker_label": "Rechercher un client (identifiant)",
        "picker_placeholder": "Tapez un identifiant, ex. 100002",
        "id_input_label": "Ou saisissez l'identifiant exact",
        "id_input_placeholder": "Identifiant client",
        "open": "Ouvrir",
        "unknown_client": "Client {client_id} introuvable : vérifiez l'identifiant.",
        "invalid_client": "« {value} » n'est pas un identifiant client (nombre entier attendu).",
        "no_client": "Choisissez un client avec la recherche ci-dessus pour afficher son dossier.",
        "artifacts_missing": (
            "Les résultats du modèle sont indisponibles ({detail}). "
            "Construisez-les avec « python -m model build »."
        ),
        "not_found_title": "Page introuvable",
        "not_found_text": "Cette adresse ne correspond à aucune page de l'outil.",
        "not_found_home": "Retour à l'accueil",
        "skip_link": "Aller au contenu principal",
        "search_region": "Choix du client",
        "search_results": "Clients dont l'identifiant commence par ces chiffres",
        "search_found": "{count} client(s) trouvé(s) ; Entrée ouvre le premier.",
        "search_more": "{count} autres : tapez plus de chiffres",
        "search_none": "Aucun client ne commence par « {value} ».",
        "nav_unavailable": "(choisissez d'abord un client)",
        "footer": "Les probabilités sont calibrées ; la décision suit le seuil qui minimise le coût métier.",
        "granted": "Accordé",
        "refused": "Refusé",
        "review": "À étudier par un responsable",
    },
    "en": {
        "app_title": "Prêt à dépenser — Credit scoring",
        "subtitle": "Decision support for client advisors",
        "language_label": "Language",
        "nav_label": "Main navigation",
        "nav_client": "Client file",
        "nav_why": "Why this score",
        "nav_compare": "Compare",
        "nav_whatif": "What-if",
        "nav_new": "New applicant",
        "nav_model": "Model",
        "nav_drift": "Data drift",
        "nav_audit": "Decision log",
        "signed_in_as": "{name} ({role})",
        "sign_out": "Sign out",
        "role_advisor": "advisor",
        "role_manager": "manager",
        "role_admin": "administrator",
        "role_None": "no role",
        "picker_label": "Search a client (ID)",
        "picker_placeholder": "Type an ID, e.g. 100002",
        "id_input_label": "Or type the exact ID",
        "id_input_placeholder": "Client ID",
        "open": "Open",
        "unknown_client": "Client {client_id} not found: check the ID.",
        "invalid_client": "“{value}” is not a client ID (a whole number is expected).",
        "no_client": "Pick a client with the search above to show their file.",
        "artifacts_missing": (
            "Model results are unavailable ({detail}). "
            "Build them with `python -m model build`."
        ),
        "not_found_title": "Page not found",
        "not_found_text": "This address is not a page of this tool.",
        "not_found_home": "Back to the home page",
        "skip_link": "Skip to main content",
        "search_region": "Client choice",
        "search_results": "Clients whose ID starts with these digits",
        "search_found": "{count} client(s) found; Enter opens the first.",
        "search_more": "{count} more: type more digits",
        "search_none": "No client ID starts with “{value}”.",
        "nav_unavailable": "(pick a client first)",
        "footer": "Probabilities are calibrated; the decision follows the threshold that minimises the business cost.",
        "granted": "Granted",
        "refused": "Refused",
        "review": "Manager review required",
    },
}


def normalise_language(lang: str | None) -> str:
    """A supported language code; anything else (None, "de", "EN-gb") falls back sensibly."""
    if not lang:
        return DEFAULT_LANGUAGE
    code = str(lang).strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def translate(texts: dict[str, dict[str, str]], key: str, lang: str | None, **values: object) -> str:
    """Text `key` in `lang` (falling back to French, then to the key), formatted with `values`."""
    lang = normalise_language(lang)
    table = texts.get(lang, {})
    text = table.get(key)
    if text is None:
        text = texts.get(DEFAULT_LANGUAGE, {}).get(key)
        if text is None:
            log.warning("missing interface text %r (%s)", key, lang)
            return key
    return text.format(**values) if values else text


def shell(key: str, lang: str | None, **values: object) -> str:
    """A text of the shell (header, navigation, shared errors)."""
    return translate(SHELL_TEXTS, key, lang, **values)


def page_title(screen: str, lang: str | None, client_id: object | None = None) -> str:
    """Browser-tab title: 'Client 100002 — Dossier client · Prêt à dépenser' (WCAG 2.4.2)."""
    if client_id not in (None, ""):
        from webapp.http.validation import display_id

        return f"Client {display_id(client_id)} — {screen} · {APP_NAME}"
    return f"{screen} · {APP_NAME}"


def request_language() -> str:
    """Language of the current HTTP request (cookie `language`), for page-title functions.

    Dash calls a page's `title` function with the path variables only; the
    language switch also writes a `language` cookie so the tab title follows it.
    """
    try:
        import flask

        return normalise_language(flask.request.cookies.get("language"))
    except RuntimeError:  # outside a request (validation layout, tests)
        return DEFAULT_LANGUAGE
