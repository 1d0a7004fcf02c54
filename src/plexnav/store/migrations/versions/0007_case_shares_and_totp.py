"""Sharing per case with an optional end, revocation that keeps the record, and optional
two-factor sign-in (TOTP secret, last accepted step, hashed recovery codes).

Existing shares keep their meaning: ``case_id`` NULL is "all my cases", with no end date.
The downgrade keeps only what the old schema can express without widening anyone's access:
shares of single cases, shares with an end date and revoked shares are deleted (not turned
into open-ended shares of every case); two-factor settings are dropped.

Revision ID: 0007_case_shares_and_totp
Revises: 0006_audit_chain
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_case_shares_and_totp"
down_revision = "0006_audit_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shares") as batch:
        batch.drop_constraint("uq_shares_pair", type_="unique")
        batch.add_column(sa.Column("case_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(op.f("fk_shares_case_id_cases"), "cases", ["case_id"], ["id"], ondelete="CASCADE")
        batch.create_index(op.f("ix_shares_case_id"), ["case_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(64), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_recovery_codes_user_id"), table_name="recovery_codes")
    op.drop_table("recovery_codes")
    # a plain DROP COLUMN (SQLite 3.35+), not a batch rebuild: rebuilding ``users`` drops the
    # table, which with foreign keys on would cascade into every table that references it
    for name in ("totp_last_step", "totp_enabled_at", "totp_secret"):
        op.execute(f"ALTER TABLE users DROP COLUMN {name}")
    op.execute("DELETE FROM shares WHERE case_id IS NOT NULL OR expires_at IS NOT NULL OR revoked_at IS NOT NULL")
    # one open-ended share of all cases per pair is what the old unique constraint allows
    op.execute("DELETE FROM shares WHERE id NOT IN (SELECT MIN(id) FROM shares GROUP BY patient_id, clinician_id)")
    with op.batch_alter_table("shares") as batch:
        batch.drop_index(op.f("ix_shares_case_id"))
        batch.drop_constraint(op.f("fk_shares_case_id_cases"), type_="foreignkey")
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
        batch.drop_column("case_id")
        batch.create_unique_constraint("uq_shares_pair", ["patient_id", "clinician_id"])
