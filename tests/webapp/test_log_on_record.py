"""A score is on record before it is shown, health tells the database's state, and the CSV
export holds every row (issue 19, item 5), through the real app and a real SQLite file."""
from __future__ import annotations

import csv
import io


from webapp.db import audit_log


def _read_only(monkeypatch, url: str) -> None:
    """The same database file, opened read-only (as after a disk or permission problem)."""
    monkeypatch.setenv("SCORING_DATABASE_URL", f"sqlite:///file:{url[len('sqlite:///'):]}?mode=ro&uri=true")


def test_no_score_is_shown_when_its_row_cannot_be_written(app_client, app_database, client_id,
                                                           monkeypatch):
    assert app_client.get(f"/api/clients/{client_id}").status_code == 200
    assert app_client.get("/api/health").get_json()["database"] == "ok"
    before = len(audit_log.decisions(url=app_database, limit=10**6))
    _read_only(monkeypatch, app_database)
    answer = app_client.get(f"/api/clients/{client_id}")
    assert answer.status_code == 503 and "Score unavailable" in answer.get_json()["error"]
    assert "probability" not in answer.get_json()
    letter = app_client.get(f"/clients/{client_id}/letter.pdf")
    assert letter.status_code == 503
    health = app_client.get("/api/health")
    assert health.status_code == 503 and health.get_json()["database"] == "unavailable"
    monkeypatch.setenv("SCORING_DATABASE_URL", app_database)
    assert len(audit_log.decisions(url=app_database, limit=10**6)) == before


def test_the_client_screen_says_the_score_is_unavailable(app_client, app_database, client_id,
                                                         monkeypatch):
    from tests.rendered import rendered_text
    from webapp.pages import client

    _read_only(monkeypatch, app_database)
    import app as app_module

    with app_module.server.test_request_context(f"/client/{client_id}"):
        page = rendered_text(client.layout(str(client_id), "fr"))
    assert "Score indisponible" in page and "Probabilité de défaut" not in page


def test_health_reports_a_database_that_cannot_be_reached(app_client, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the database folder should be")
    monkeypatch.setenv("SCORING_DATABASE_URL", f"sqlite:///{blocked}/app.db")
    health = app_client.get("/api/health")
    assert health.status_code == 503 and health.get_json()["database"] == "unavailable"


def test_the_csv_export_is_never_cut(app_client, app_database):
    rows = audit_log.MAX_ROWS + 250
    for number in range(rows):
        audit_log.append({"at": audit_log.datetime.now(audit_log.timezone.utc), "kind": "decision",
                          "screen": "api", "actor": f"advisor{number % 7}", "actor_type": "user",
                          "final_decision": "granted", "client_id": 100002}, app_database)
    answer = app_client.get("/api/audit/decisions.csv")
    assert answer.status_code == 200 and answer.is_streamed
    lines = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert lines[0][:3] == ["id", "at", "actor"] and len(lines) == rows + 1
    far = app_client.get("/api/audit/decisions.csv?end=9999-12-31&start=0001-01-01")
    assert far.status_code == 200 and len(far.get_data(as_text=True).splitlines()) == rows + 1
