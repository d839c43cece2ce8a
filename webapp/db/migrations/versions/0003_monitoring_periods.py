"""Monitoring periods (issue 22): one compact row per period for the Drift tab.

Written by `python -m model monitor` (one row per period, replaced whole when the period is
monitored again), read by `webapp.services.drift`. The full figures stay in the monitor's
`summary.json` and the Evidently workspace; this table holds what the screen draws.
On PostgreSQL the app's role only reads it: the monitor runs with the owner's URL.

Revision ID: 0003
Revises: 0002
"""
import os

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitoring_periods",
        sa.Column("period", sa.String(40), primary_key=True),
        sa.Column("granularity", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("clients", sa.Integer, nullable=False),
        sa.Column("psi_score", sa.Float),
        sa.Column("alerts", sa.JSON, nullable=False),
        sa.Column("rates", sa.JSON, nullable=False),
        sa.Column("maturity", sa.JSON, nullable=False),
        sa.Column("backtest", sa.JSON),
        sa.Column("report_file", sa.String(255)),
        sa.Column("evidently_run", sa.String(64)),
        sa.Column("monitored_at", sa.DateTime(timezone=True), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        role = os.environ.get("SCORING_DATABASE_APP_ROLE", "scoring_app").strip() or "scoring_app"
        if not role.replace("_", "").isalnum() or not role.isascii() or len(role) > 63:
            raise ValueError(f"SCORING_DATABASE_APP_ROLE={role!r}: letters, digits and _ only")
        op.execute(f"GRANT SELECT ON monitoring_periods TO {role}")
        op.execute("REVOKE ALL ON monitoring_periods FROM PUBLIC")


def downgrade() -> None:
    op.drop_table("monitoring_periods")
