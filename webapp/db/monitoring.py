"""The monitoring table (`monitoring_periods`): written by `python -m model monitor`, read by
the Drift tab. A period monitored again replaces its row in the same transaction."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, insert, select

from webapp import db
from webapp.db.models import MonitoringPeriod

RATE_KEYS = ("predicted_rate", "approval_rate", "final_approval_rate", "override_rate",
             "share_without_history")


def period_row(entry: dict[str, Any], granularity: str) -> dict[str, Any]:
    """The compact row of one summary entry (`model.monitoring.periods.period_entry`)."""
    return {"period": entry["period"], "granularity": granularity, "status": entry["status"],
            "clients": entry["clients"], "psi_score": entry["psi"]["score"],
            "alerts": entry["alerts"],
            "rates": {k: entry.get(k) for k in RATE_KEYS} | {"psi_inputs": entry["psi"]["inputs"]},
            "maturity": entry["maturity"], "backtest": entry["backtest"],
            "report_file": entry.get("report_file"), "evidently_run": entry.get("evidently_run"),
            "monitored_at": datetime.now(timezone.utc)}


def replace_periods(entries: list[dict[str, Any]], granularity: str,
                    url: str | None = None) -> int:
    """Write the periods' rows, replacing those already stored; returns how many."""
    rows = [period_row(e, granularity) for e in entries]
    with db.connection(url) as connection:
        connection.execute(delete(MonitoringPeriod)
                           .where(MonitoringPeriod.period.in_([r["period"] for r in rows])))
        if rows:
            connection.execute(insert(MonitoringPeriod), rows)
    return len(rows)


def stored_periods(url: str | None = None) -> list[dict[str, Any]]:
    """Every stored period, oldest first, as plain dicts."""
    with db.connection(url) as connection:
        result = connection.execute(select(MonitoringPeriod.__table__).order_by(MonitoringPeriod.period))
        return [dict(row._mapping) for row in result]
