"""Tables of the app's own database: accounts, API keys and the append-only decision log.

The schema is created and changed only by the Alembic migrations beside this module
(`webapp/db/migrations`); these classes mirror it for queries.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    """A local account (mode `local`); passwords only as Werkzeug scrypt hashes."""
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    session_version: Mapped[int] = mapped_column(Integer, default=0)   # +1 at sign-out
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """A key for another system: only its hash and an 8-character prefix (to find it) are kept."""
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(255))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LogEntry(Base):
    """One score shown/returned or one recorded decision (EU AI Act Art. 12 record-keeping).

    Append-only: the app never updates or deletes a row (database triggers refuse it);
    a correction or a review request is a new row pointing at the earlier one (`refers_to`).
    """
    __tablename__ = "decision_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)      # score | decision
    screen: Mapped[str] = mapped_column(String(20))                # client, why, whatif, new, api...
    actor: Mapped[str] = mapped_column(String(80), index=True)     # user name or API key name
    actor_type: Mapped[str] = mapped_column(String(20))            # user | api_key | anonymous
    role: Mapped[str | None] = mapped_column(String(20), nullable=True)
    client_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    input_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    inputs: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    artifact_set_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    model_version: Mapped[str | None] = mapped_column(String(120), nullable=True)
    probability: Mapped[float | None] = mapped_column(Float, nullable=True)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    policy_rules: Mapped[list | None] = mapped_column(JSON, nullable=True)
    reasons: Mapped[list | None] = mapped_column(JSON, nullable=True)
    recommendation: Mapped[str | None] = mapped_column(String(20), nullable=True)
    final_decision: Mapped[str | None] = mapped_column(String(20), nullable=True)
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    reason_category: Mapped[str | None] = mapped_column(String(40), nullable=True)
    override_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    review_status: Mapped[str] = mapped_column(String(20), default="none")  # none|requested|reviewed
    refers_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)   # webapp.db.chain
    row_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class MonitoringPeriod(Base):
    """One monitored period (migration 0003): what the Drift tab's trend draws.

    Replaced whole when `python -m model monitor` runs the period again.
    """
    __tablename__ = "monitoring_periods"

    period: Mapped[str] = mapped_column(String(40), primary_key=True)
    granularity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))                 # stable | watch | drift
    clients: Mapped[int] = mapped_column(Integer)
    psi_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    alerts: Mapped[list] = mapped_column(JSON)                      # [{input, metric, value, band}]
    rates: Mapped[dict] = mapped_column(JSON)                       # approval, override, no history...
    maturity: Mapped[dict] = mapped_column(JSON)
    backtest: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    report_file: Mapped[str | None] = mapped_column(String(255), nullable=True)
    evidently_run: Mapped[str | None] = mapped_column(String(64), nullable=True)
    monitored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
