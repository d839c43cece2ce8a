"""Shell helpers: URLs carry the client and the screen; navigation follows the selected client."""
from __future__ import annotations

import dash
import pytest
from dash import html


@pytest.fixture(scope="module")
def layout_module():
    dash.Dash(__name__)  # components need an app for asset URLs; callbacks register globally once
    from webapp import layout

    return layout


def test_client_and_screen_from_the_url(layout_module) -> None:
    assert layout_module.client_from_path("/client/100002/why") == ("100002", "/why")
    assert layout_module.client_from_path("/client/100002/") == ("100002", "")
    assert layout_module.client_from_path("/model") == (None, "")
    assert layout_module.client_from_path(None) == (None, "")
    assert layout_module.client_path(100003, "/what-if") == "/client/100003/what-if"


def test_navigation_links_follow_the_selected_client(layout_module) -> None:
    items = layout_module.nav_items("en", 100002, "/client/100002/why")
    links = {item.children.children: item.children for item in items}
    assert links["Why this score"].href == "/client/100002/why" and links["Why this score"].active
    assert links["Client file"].href == "/client/100002" and not links["Client file"].active
    assert links["Model"].href == "/model"
    no_client = {i.children.id["page"]: i.children for i in layout_module.nav_items("fr", None, "/")}
    # Without a client the client screens are greyed-out text, not links to "/": not focusable.
    simulation = no_client["nav_whatif"]
    assert isinstance(simulation, html.Span) and getattr(simulation, "aria-disabled") == "true"
    assert not hasattr(simulation, "href") and simulation.children[0] == "Simulation"
    assert no_client["nav_model"].href == "/model" and not getattr(no_client["nav_model"], "disabled", False)


@pytest.mark.parametrize("outcome, lang, icon_text, word_text", [
    ("refused", "fr", "✗", "Refusé"), ("granted", "en", "✓", "Granted"),
    ("review", "fr", "⚠", "À étudier par un responsable"), ("review", "en", "⚠", "Manager review required"),
])
def test_decision_badge_has_icon_and_word(outcome, lang, icon_text, word_text) -> None:
    from webapp.ui.components import decision_badge

    badge = decision_badge(outcome, lang, "x")
    icon, word = badge.children
    assert icon.children == icon_text and word.children == word_text
    assert f"decision-{outcome}" in badge.className


def test_facts_are_label_value_pairs() -> None:
    from webapp.ui.components import facts_list
    from webapp.services.clients import Fact

    facts = facts_list([Fact("age", "Âge", "45 ans"), Fact("income", "Revenu annuel", "202 500 €")], "facts")
    tags = [(type(child).__name__, child.children) for child in facts.children]
    assert tags == [("Dt", "Âge"), ("Dd", "45 ans"), ("Dt", "Revenu annuel"), ("Dd", "202 500 €")]
    assert facts.id == "facts"
