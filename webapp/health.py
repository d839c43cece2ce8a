"""What `/api/health` answers: the artifact set served and the database, in one report.

The app can serve only when both work: a score is shown only once its log row is written
(`webapp.db.audit_log.record_score`), so a database that cannot be written is as fatal as no
artifact set. Status "ok" (200), "degraded" (200: a newer or re-checked set was refused and
an older good one is served; `refused` names the file) or "unavailable" (503).
"""
from __future__ import annotations

from typing import Any

from model.artifacts import ArtifactError
from webapp import db


def health_report() -> tuple[dict[str, Any], int]:
    """(body, HTTP status) of the health check."""
    from webapp.serving import get_state, serving_problem

    database = db.status()
    try:
        state = get_state()
    except ArtifactError as error:
        return {"status": "unavailable", "database": database, "error": str(error),
                "file": error.file, "problem": error.problem}, 503
    body: dict[str, Any] = {
        "status": "ok",
        "database": database,
        "build_id": state.build_id,
        "clients": int(len(state.clients)),
        "features": len(state.feature_names),
        "model": state.model.kind,
        "threshold": float(state.model.threshold_),
        "built_at": state.manifest.get("created_at"),
    }
    problem = serving_problem()
    if problem is not None:  # a set was refused: still serving the last good one
        body.update(status="degraded", refused={"error": str(problem), "file": problem.file,
                                                "problem": problem.problem})
    if database != "ok":
        body.update(status="unavailable", error="the decision log cannot be written: no score "
                                                "can be shown")
        return body, 503
    return body, 200
