"""Interface texts: French by default, English on request, never a KeyError in a page."""
from __future__ import annotations

from webapp.i18n import (DEFAULT_LANGUAGE, LANGUAGES, SHELL_TEXTS, normalise_language, page_title,
                         shell, translate)

TEXTS = {"fr": {"hello": "Bonjour {name}", "only_fr": "seulement"}, "en": {"hello": "Hello {name}"}}


def test_french_is_the_default() -> None:
    assert DEFAULT_LANGUAGE == "fr" and LANGUAGES == ("fr", "en")
    assert normalise_language(None) == "fr"
    assert normalise_language("de") == "fr"
    assert normalise_language("EN-gb") == "en"


def test_translate_formats_and_falls_back() -> None:
    assert translate(TEXTS, "hello", "en", name="Ana") == "Hello Ana"
    assert translate(TEXTS, "only_fr", "en") == "seulement"  # French fallback
    assert translate(TEXTS, "absent", "en") == "absent"      # the key, not an exception


def test_shell_texts_exist_in_both_languages() -> None:
    assert set(SHELL_TEXTS["fr"]) == set(SHELL_TEXTS["en"])
    assert shell("granted", "fr") == "Accordé" and shell("refused", "en") == "Refused"


def test_page_title_names_screen_client_and_app() -> None:
    assert page_title("Dossier client", "fr", 100002) == "Client 100002 — Dossier client · Prêt à dépenser"
    assert page_title("Model", "en") == "Model · Prêt à dépenser"
