"""The one error type the screens and the API turn into a message (`webapp.services.error_message`).

Its own module (not `webapp.errors`, the HTTP error handlers) so that `webapp.state` (which services import) can raise it too.
"""
from __future__ import annotations


class ServiceError(RuntimeError):
    """A request the screens cannot serve; `key`/`values` give the message to show."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values
