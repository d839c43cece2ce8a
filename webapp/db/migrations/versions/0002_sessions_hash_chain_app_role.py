"""Session versions, the decision log's hash chain and (PostgreSQL) the app's restricted role.

- `users.session_version`: incremented at sign-out, so every earlier session cookie of that
  user is refused by the server (`webapp.auth.sessions`).
- `decision_log.prev_hash`, `row_hash`: SHA-256 of the previous row and of this row's content
  with `prev_hash` (`webapp.db.chain`); rows written before this revision keep NULL and are
  reported as unchained by `python -m webapp audit verify`, never as valid.
- PostgreSQL: the group role `SCORING_DATABASE_APP_ROLE` (default `scoring_app`), without
  LOGIN, gets SELECT and INSERT on the log (no UPDATE, DELETE, TRUNCATE; not the owner, so it
  cannot alter or drop the triggers) and what sign-in needs on the account tables. The
  operator grants it to the login role the app connects with (docs/deploy.md).

Revision ID: 0002
Revises: 0001
"""
import os

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def app_role() -> str:
    """The group role's name; letters, digits and underscores only (it is put in SQL)."""
    name = os.environ.get("SCORING_DATABASE_APP_ROLE", "scoring_app").strip() or "scoring_app"
    if not name.replace("_", "").isalnum() or not name.isascii() or len(name) > 63:
        raise ValueError(f"SCORING_DATABASE_APP_ROLE={name!r}: letters, digits and _ only")
    return name


def upgrade() -> None:
    op.add_column("users", sa.Column("session_version", sa.Integer, nullable=False, server_default="0"))
    op.add_column("decision_log", sa.Column("prev_hash", sa.String(64)))
    op.add_column("decision_log", sa.Column("row_hash", sa.String(64)))
    if op.get_bind().dialect.name == "postgresql":
        role = app_role()
        op.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN "
                   f"CREATE ROLE {role} NOLOGIN; END IF; END $$")
        op.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        op.execute(f"GRANT SELECT, INSERT ON decision_log TO {role}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON users, api_keys TO {role}")
        op.execute(f"GRANT SELECT ON alembic_version TO {role}")
        op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        op.execute("REVOKE ALL ON decision_log, users, api_keys, alembic_version FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        role = app_role()
        op.execute(f"REVOKE ALL ON decision_log, users, api_keys, alembic_version FROM {role}")
    with op.batch_alter_table("decision_log") as batch:
        batch.drop_column("row_hash")
        batch.drop_column("prev_hash")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
