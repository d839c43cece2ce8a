"""Log entries are shown to their author and to managers only; a review request is closed only
by a manager, on the same client, once (issue 19, item 2). Real services, real SQLite log."""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from webapp.db import audit_log
from webapp.services import decisions
from webapp.auth.principal import Principal

ANA = Principal("ana", "advisor", "user")
BOB = Principal("bob", "advisor", "user")
MARIE = Principal("marie", "manager", "user")
REASON = "the customer disputes the refusal in writing"


@contextmanager
def acting_as(principal: Principal, path: str = "/"):
    """A request of `principal` (what the guard puts in `flask.g`)."""
    import app as app_module
    from flask import g

    with app_module.server.test_request_context(path):
        g.principal = principal
        yield


@pytest.fixture
def two_clients(artifacts_dir, app_database) -> tuple[int, int]:
    from webapp.serving import get_state

    index = get_state().clients.index
    return int(index[0]), int(index[1])


def _decide(client_id: int, **extra):
    return decisions.record_client_decision(client_id, "referred", REASON, "other", lang="en", **extra)


@pytest.fixture
def review_request(two_clients) -> int:
    with acting_as(ANA):
        recorded, errors = _decide(two_clients[0], review_requested=True)
    assert errors == {}
    return recorded.entry_id


@pytest.mark.parametrize("refers_to, who, message", [
    ("other client", MARIE, "another client"),
    (123456, MARIE, "not a review request"),
    (True, MARIE, "positive integer"),
    (2**63, MARIE, "positive integer"),
    (-1, MARIE, "positive integer"),
    ("12", MARIE, "positive integer"),
    ("own", ANA, "only a manager"),
    ("own", BOB, "only a manager"),
])
def test_refers_to_must_be_an_open_review_of_the_client_closed_by_a_manager(
        two_clients, review_request, refers_to, who, message):
    client_id = two_clients[1] if refers_to == "other client" else two_clients[0]
    target = review_request if refers_to in ("other client", "own") else refers_to
    with acting_as(who):
        recorded, errors = _decide(client_id, refers_to=target)
    assert recorded is None and message in errors["refers_to"]
    assert review_request in set(audit_log.review_queue()["id"])  # still waiting for a manager


def test_a_manager_closes_a_review_once(two_clients, review_request):
    with acting_as(MARIE):
        recorded, errors = _decide(two_clients[0], refers_to=review_request)
        assert errors == {} and recorded is not None
        assert review_request not in set(audit_log.review_queue()["id"])
        again, errors = _decide(two_clients[0], refers_to=review_request)
    assert again is None and "already reviewed" in errors["refers_to"]


def test_a_decision_entry_is_not_a_review_request(two_clients):
    with acting_as(ANA):
        plain, _ = _decide(two_clients[0])
    with acting_as(MARIE):
        recorded, errors = _decide(two_clients[0], refers_to=plain.entry_id)
    assert recorded is None and "not a review request" in errors["refers_to"]


# --- who may read an entry ---------------------------------------------------------------------------

@pytest.fixture
def anas_entry(two_clients) -> int:
    """The score row written when the advisor ana opened a client's file."""
    from sqlalchemy import select

    from webapp import db
    from webapp.db.models import LogEntry
    from webapp.services import clients

    with acting_as(ANA):
        clients.client_result(two_clients[0], 5, "en")
    with db.session() as session:
        return session.scalar(select(LogEntry.id).where(LogEntry.actor == "ana", LogEntry.kind == "score")
                              .order_by(LogEntry.id.desc()))


@pytest.mark.parametrize("reader, visible", [(ANA, True), (MARIE, True), (BOB, False),
                                             (Principal("crm", "advisor", "api_key"), False),
                                             (Principal("ana", "advisor", "api_key"), False),
                                             (Principal("x", None, "azure"), False)])
def test_an_entry_is_shown_to_its_author_and_to_managers(anas_entry, two_clients, reader, visible):
    from tests.rendered import rendered_text
    from webapp.pages import client, new_applicant

    with acting_as(reader, f"/client/{two_clients[0]}?entry={anas_entry}"):
        assert (audit_log.entry(anas_entry) is not None) == visible
        page = rendered_text(client.layout(str(two_clients[0]), "en", entry=str(anas_entry)))
        logged = new_applicant.logged_inputs(str(anas_entry))
    assert ("Log entry no. %d: score shown" % anas_entry in page) == visible
    assert ("was not found for this client" in page) == (not visible)
    assert logged == {} or visible
