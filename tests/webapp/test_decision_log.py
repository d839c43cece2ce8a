"""The decision log in a real database: SQLite (WAL) and a real PostgreSQL server.

Migrations, append-only rows, one row per score shown and per decision, the override
rule (422 without a reason), the review queue and the CSV export, and what the
advisor sees when the database is down.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from webapp import db
from webapp.db import audit_log
from webapp.services import decisions
from webapp.db.models import LogEntry


@pytest.fixture(scope="session")
def postgres_url():
    from tests.postgres_server import running_server

    with running_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh database of each kind; PostgreSQL gets a fresh schema-less database per test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/app.db"
        return
    from tests.postgres_server import fresh_database

    yield fresh_database(request.getfixturevalue("postgres_url"), request.node.nodeid)


@pytest.fixture
def log_to(database_url, monkeypatch):
    """Point the app's decision log (SCORING_DATABASE_URL) at the test database."""
    monkeypatch.setenv("SCORING_DATABASE_URL", database_url)
    return database_url


def _rows(url: str, kind: str | None = None) -> list[LogEntry]:
    with db.session(url) as session:
        query = select(LogEntry).order_by(LogEntry.id)
        if kind:
            query = query.where(LogEntry.kind == kind)
        return list(session.scalars(query))


def test_migrations_create_the_tables_and_sqlite_uses_wal(database_url):
    engine = db.engine(database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
        assert connection.execute(text("SELECT count(*) FROM monitoring_periods")).scalar() == 0
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_log_rows_cannot_be_updated_or_deleted(database_url):
    entry = audit_log.append({"at": audit_log.datetime.now(audit_log.timezone.utc), "screen": "test",
                              "actor": "x", "actor_type": "user"}, database_url)
    for statement in (f"UPDATE decision_log SET actor = 'y' WHERE id = {entry}",
                      f"DELETE FROM decision_log WHERE id = {entry}"):
        with pytest.raises(Exception, match="append-only"):
            with db.engine(database_url).begin() as connection:
                connection.execute(text(statement))
    assert [r.actor for r in _rows(database_url)] == ["x"]


def test_every_score_shown_writes_one_row(artifacts_dir, log_to):
    from webapp.services import clients
    from webapp.serving import get_state

    state = get_state()
    client_id = int(state.clients.index[0])
    result = clients.client_result(client_id, 5, "en")
    clients.client_score(client_id)
    fields = clients.whatif_original(client_id)
    clients.whatif_result(client_id, {**fields, "income": 123456.0}, 5, "en")
    rows = _rows(log_to, "score")
    assert len(rows) == 3
    first = rows[0]
    assert first.client_id == client_id and first.actor == "system" and first.kind == "score"
    assert first.probability == pytest.approx(result.score.probability)
    assert first.threshold == pytest.approx(float(state.model.threshold_))
    assert first.recommendation == ("refused" if result.score.refused else "granted")
    # the principal reasons told: concept, driving feature, change
    assert [tuple(r) for r in first.reasons] == [
        (r.concept, r.feature, pytest.approx(r.probability_change, abs=1e-6))
        for r in result.principal_reasons]
    assert first.model_version.startswith(str(state.model.kind) + "@")
    assert first.model_version.endswith(state.manifest["files"]["model.joblib"][:12])
    assert first.policy_rules == [] and first.inputs is None
    assert rows[2].inputs["income"] == 123456.0 and rows[2].input_fingerprint


def test_override_needs_a_reason_and_a_category(artifacts_dir, log_to):
    from webapp.serving import get_state

    client_id = int(get_state().clients.index[0])
    recommendation = _rows_for_recommendation(client_id)
    other = "granted" if recommendation == "refused" else "refused"
    recorded, errors = decisions.record_client_decision(client_id, other, "too short", None, lang="en")
    assert recorded is None and set(errors) == {"reason", "category"}
    recorded, errors = decisions.record_client_decision(
        client_id, other, "the customer brought proof of a second income", "additional_income", lang="en")
    assert errors == {} and recorded.override
    same, _ = decisions.record_client_decision(client_id, recommendation, lang="en")
    assert same is not None and not same.override
    rows = _rows(log_to, "decision")
    assert [(r.final_decision, r.override, r.reason_category) for r in rows] == [
        (other, True, "additional_income"), (recommendation, False, None)]


def _rows_for_recommendation(client_id: int) -> str:
    from webapp.services import clients

    return "refused" if clients.client_score(client_id).refused else "granted"


def test_api_decision_201_and_422(artifacts_dir, log_to):
    import app as app_module
    from webapp.serving import get_state

    client = app_module.server.test_client()
    client_id = int(get_state().clients.index[0])
    answer = client.post(f"/api/clients/{client_id}/decision", json={"decision": "referred"})
    assert answer.status_code == 422 and set(answer.get_json()["fields"]) == {"reason", "category"}
    answer = client.post(f"/api/clients/{client_id}/decision", json={
        "decision": "referred", "reason": "income documents look inconsistent", "category": "data_error",
        "review_requested": True})
    assert answer.status_code == 201 and answer.get_json()["override"] is True
    assert client.post(f"/api/clients/{client_id}/decision", json={"decision": "maybe"}).status_code == 422
    assert client.post("/api/clients/1/decision", json={"decision": "granted"}).status_code == 404
    entry_id = answer.get_json()["entry_id"]
    queue = audit_log.review_queue(log_to)
    assert queue["id"].tolist() == [entry_id]
    # A later decision answering the request takes it out of the queue.
    answer = client.post(f"/api/clients/{client_id}/decision", json={
        "decision": "refused", "reason": "reviewed by a manager with the customer", "category": "other",
        "refers_to": entry_id})
    assert answer.status_code == 201 and audit_log.review_queue(log_to).empty


def test_override_rates_and_csv_export(log_to):
    now = audit_log.datetime.now(audit_log.timezone.utc)
    for actor, override, reason in (("ann", True, "=HYPERLINK(evil)"), ("ann", False, None), ("bob", False, None)):
        audit_log.append({"at": now, "kind": "decision", "screen": "client", "actor": actor, "actor_type": "user",
                          "client_id": 100002, "recommendation": "refused",
                          "final_decision": "granted" if override else "refused", "override": override,
                          "override_reason": reason})
    frame = audit_log.decisions()
    overall, per = audit_log.override_rates(frame)
    assert overall == pytest.approx(1 / 3)
    assert per.set_index("actor")["rate"].to_dict() == {"ann": 0.5, "bob": 0.0}
    only = audit_log.decisions(audit_log.filters_from({"overrides": "1", "actor": "ann"}))
    assert len(only) == 1
    csv_text = audit_log.to_csv(only)
    assert csv_text.splitlines()[0].startswith("id,at,actor") and "'=HYPERLINK(evil)" in csv_text


def test_database_outage_tells_the_advisor_the_decision_was_not_saved(artifacts_dir, monkeypatch, tmp_path):
    from webapp.ui import decision_form
    from webapp.serving import get_state

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the database folder should be")
    monkeypatch.setenv("SCORING_DATABASE_URL", f"sqlite:///{blocked}/app.db")
    client_id = int(get_state().clients.index[0])
    alert = decision_form.record(1, "referred", "please check this file again", "other", False,
                                 {"client_id": client_id}, [], [], "fr")
    assert alert.id == "decision-not-saved" and "PAS été enregistrée" in alert.children
    # ... and no score is shown either: it could not be put on record (issue 19).
    from webapp.services import clients
    from webapp.service_errors import ServiceError

    with pytest.raises(ServiceError, match="log_unavailable"):
        clients.client_score(client_id)


APPLICANT = {"income": 150000, "credit": 500000, "annuity": 25000, "age_years": 40,
             "children": 0, "family_members": 2, "contract": "Cash loans", "gender": "F",
             "income_type": "Working", "education": "Higher education",
             "family_status": "Married", "own_car": "N", "own_realty": "Y"}


def test_new_applicant_decision_keeps_inputs_and_reopens_them(artifacts_dir, log_to):
    import app  # noqa: F401  (Dash executes the page files once the app exists)
    from webapp import ids
    from webapp.ui import decision_form
    from webapp.services import clients
    from webapp.ui.fields import parse_number
    from webapp.pages import new_applicant

    result, _ = clients.new_applicant_result(APPLICANT, 5, "fr")
    field_ids = [{"type": ids.NEW_FIELD, "field": name} for name in APPLICANT]
    alert = decision_form.record(1, "referred", "revenus à vérifier avec un responsable", "other", True,
                                 {"new": True}, list(APPLICANT.values()), field_ids, "fr")
    assert alert.id == "decision-saved"
    score_row, decision_row = _rows(log_to)
    assert score_row.kind == "score" and decision_row.kind == "decision"
    assert decision_row.client_id is None and decision_row.inputs["income"] == 150000
    assert decision_row.input_fingerprint == score_row.input_fingerprint == audit_log.fingerprint(
        decision_row.inputs)
    assert decision_row.probability == pytest.approx(result.score.probability)
    assert decision_row.review_status == "requested" and decision_row.override

    page = new_applicant.layout("fr", entry=str(decision_row.id))
    found = {}

    def walk(component):
        if isinstance(getattr(component, "id", None), dict) and component.id.get("type") == ids.NEW_FIELD:
            found[component.id["field"]] = component.value
        children = getattr(component, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if child is not None and hasattr(child, "to_plotly_json"):
                walk(child)
    walk(page)
    # the amount is written back as the advisor types it ("150 000"), the same number
    assert parse_number(found["income"], "fr") == 150000 and found["contract"] == "Cash loans"


def test_the_client_file_logs_the_lending_rules_and_the_final_recommendation(artifacts_dir, log_to):
    """The client file's score row names the rules that fired and recommends the outcome after
    them (a rule may refuse what the model grants), not the model's decision alone."""
    from model.scoring.policy import fired_mask
    from webapp.services import clients
    from webapp.serving import get_state

    state = get_state()
    fired = fired_mask(state.applications.loc[state.clients.index], state.policy_rules)
    client_id = int(state.clients.index[fired.any(axis=1).to_numpy()][0])
    file = clients.client_file(client_id, "fr")
    score, decision = file.score, file.decision
    expected_rules = [column for column in fired.columns if fired.loc[client_id, column]]
    row = _rows(log_to, "score")[-1]
    assert row.client_id == client_id and decision.rules
    assert row.policy_rules == [rule.id for rule in decision.rules] == expected_rules
    assert row.recommendation == decision.outcome != "granted"
