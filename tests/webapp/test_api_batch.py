"""`POST /api/score/batch`: what `/api/score` says of each application, per-row 422s, the
cap, and every score logged in one transaction before the answer."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from webapp import db
from webapp.db import audit_log
from webapp.db.models import LogEntry

APPLICANT = {"income": 150000, "credit": 500000, "annuity": 25000, "age_years": 40,
             "children": 0, "family_members": 2, "contract": "Cash loans", "gender": "F",
             "income_type": "Working", "education": "Higher education",
             "family_status": "Married", "own_car": "N", "own_realty": "Y"}
# A spread of applicants: a loan, a large one on a small income, a small one on a large income.
APPLICANTS = [APPLICANT, {**APPLICANT, "credit": 1_500_000, "annuity": 90000, "income": 60000},
              {**APPLICANT, "income": 400000, "credit": 150000, "annuity": 9000, "age_years": 55}]


@pytest.fixture
def log_to(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("SCORING_DATABASE_URL", url)
    return url


def _scores_logged(url: str) -> list[LogEntry]:
    with db.session(url) as session:
        return list(session.scalars(select(LogEntry).where(LogEntry.kind == "score")
                                    .order_by(LogEntry.id)))


def test_each_application_gets_what_api_score_says_of_it(api, artifacts_dir, log_to):
    answer = api.post("/api/score/batch", json=APPLICANTS)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["count"] == body["scored"] == len(APPLICANTS)
    for index, (row, fields) in enumerate(zip(body["results"], APPLICANTS)):
        single = api.post("/api/score", json=fields).get_json()
        assert row["index"] == index and row["status"] == 200
        for key in ("probability", "threshold", "decision", "model_decision", "policy_rules",
                    "principal_reasons", "reasons", "build_id", "not_used_for_score"):
            assert row[key] == single[key], key
    # three different explanations: the rows were not mixed up (an isotonic calibration may
    # give two applicants the same probability, never the same waterfall)
    assert len({str(row["reasons"]) for row in body["results"]}) == len(APPLICANTS)


def test_invalid_rows_get_their_own_422_naming_index_and_field(api, artifacts_dir, log_to):
    batch = [APPLICANT, {**APPLICANT, "income": -5}, APPLICANT,
             {**APPLICANT, "contract": "Mortgage", "age_years": "old"}]
    body = api.post("/api/score/batch", json=batch).get_json()
    assert [row["status"] for row in body["results"]] == [200, 422, 200, 422]
    assert body["scored"] == 2
    assert body["results"][1]["index"] == 1 and set(body["results"][1]["fields"]) == {"income"}
    assert set(body["results"][3]["fields"]) == {"contract", "age_years"}
    assert len(_scores_logged(log_to)) == 2  # only what was scored is on record


def test_the_cap_and_malformed_bodies(api, artifacts_dir, monkeypatch, log_to):
    from model import config

    assert config.API_BATCH_MAX == 1000
    monkeypatch.setattr(config, "API_BATCH_MAX", 2)
    refused = api.post("/api/score/batch", json=APPLICANTS)
    assert refused.status_code == 413
    assert refused.get_json()["limit"] == 2 and "at most 2" in refused.get_json()["error"]
    assert api.post("/api/score/batch", json=APPLICANTS[:2]).status_code == 200
    assert api.post("/api/score/batch", json=APPLICANT).status_code == 400  # an object, not a list
    not_objects = api.post("/api/score/batch", json=[APPLICANT, 3])
    assert not_objects.status_code == 400 and not_objects.get_json()["indexes"] == [1]
    assert api.post("/api/score/batch", data="[not json").status_code == 400
    assert api.post("/api/score/batch", json=[]).get_json() == {"count": 0, "scored": 0,
                                                               "results": []}
    assert len(_scores_logged(log_to)) == 2


def test_every_score_is_logged_with_its_inputs(api, artifacts_dir, log_to):
    body = api.post("/api/score/batch", json=APPLICANTS).get_json()
    rows = _scores_logged(log_to)
    assert len(rows) == len(APPLICANTS)
    for row, result, fields in zip(rows, body["results"], APPLICANTS):
        assert row.screen == "api" and row.client_id is None
        assert row.probability == pytest.approx(result["probability"])
        assert row.recommendation == result["decision"]
        assert row.inputs["income"] == fields["income"]
        assert [r[0] for r in row.reasons] == [r["concept"] for r in result["principal_reasons"]]


def test_a_log_that_cannot_be_written_returns_no_score(api, artifacts_dir, monkeypatch, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the database folder should be")
    monkeypatch.setenv("SCORING_DATABASE_URL", f"sqlite:///{blocked}/app.db")
    answer = api.post("/api/score/batch", json=APPLICANTS)
    assert answer.status_code == 503 and "results" not in answer.get_json()


def test_the_bulk_append_is_one_transaction(log_to):
    """A batch is on record whole or not at all: one bad row (no actor) writes none."""
    now = audit_log.datetime.now(audit_log.timezone.utc)
    good = {"at": now, "screen": "api", "actor": "system", "actor_type": "system"}
    assert audit_log.append_all([good, good], log_to) == 2
    with pytest.raises(db.DatabaseError):
        audit_log.append_all([good, {**good, "actor": None}, good], log_to)
    with db.session(log_to) as session:
        assert session.scalar(select(func.count()).select_from(LogEntry)) == 2
