"""The one error type the screens and the API turn into a message, and that message.

Its own module (not `webapp.http.errors`, the HTTP error handlers) so that `webapp.serving` can
raise it too without importing the screen services.
"""
from __future__ import annotations

from webapp.i18n import translate


class ServiceError(RuntimeError):
    """A request the screens cannot serve; `key`/`values` give the message to show."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


def error_message(error: ServiceError, lang: str | None) -> str:
    """The interface text of a service error (shell texts hold the shared ones)."""
    from webapp.i18n import SHELL_TEXTS

    if error.key in SHELL_TEXTS["fr"]:
        return translate(SHELL_TEXTS, error.key, lang, **error.values)
    return translate(ERROR_TEXTS, error.key, lang, **error.values)


ERROR_TEXTS: dict[str, dict[str, str]] = {
    "fr": {"explanation_unavailable": "L'explication de ce score n'est pas disponible pour ce modèle.",
           "unknown_feature": "La variable « {feature} » n'est pas disponible.",
           "log_unavailable": ("Score indisponible : le journal des décisions ne peut pas être écrit, "
                               "et aucun score n'est montré sans y être enregistré. Réessayez plus "
                               "tard ou prévenez l'équipe technique.")},
    "en": {"explanation_unavailable": "The explanation of this score is not available for this model.",
           "unknown_feature": "The feature “{feature}” is not available.",
           "log_unavailable": ("Score unavailable: the decision log cannot be written, and no score "
                               "is shown without being recorded there. Try again later or tell the "
                               "technical team.")},
}
