"""Vetted clinicians (verified email, administrator approval), an admin role, and login
attempts kept in the database.

Existing accounts keep every row.  Existing clinicians start as *pending* (not approved,
email not verified): they were never vetted, so an administrator approves them before
shared records reach them again (``plexnav admin approve-clinician``).

Revision ID: 0003_vetting_and_login_attempts
Revises: 0002_diary_entries
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_vetting_and_login_attempts"
down_revision = "0002_diary_entries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("approved_by_id", sa.String(32), nullable=True))
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.create_check_constraint(op.f("ck_users_role"), "role IN ('patient', 'clinician', 'admin')")
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("attempt", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index("ix_login_attempts_key_at", "login_attempts", ["key", "at"])
    op.create_index(op.f("ix_login_attempts_attempt"), "login_attempts", ["attempt"])


def downgrade() -> None:
    op.drop_index(op.f("ix_login_attempts_attempt"), table_name="login_attempts")
    op.drop_index("ix_login_attempts_key_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.execute("DELETE FROM users WHERE role = 'admin'")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.create_check_constraint(op.f("ck_users_role"), "role IN ('patient', 'clinician')")
        batch.drop_column("approved_by_id")
        batch.drop_column("approved_at")
        batch.drop_column("email_verified_at")
