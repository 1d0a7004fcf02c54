"""Diary red flags raise the case's urgency until a clinician acknowledges them.

``diary_entries`` gains ``alert_level`` (the entry raised a new emergency or urgent red
flag), ``acknowledged_at`` and ``acknowledged_by_id``.  Existing entries checked as
emergency or urgent become open alerts: erring towards showing a red flag that a clinician
then acknowledges, never towards hiding one.

Revision ID: 0005_diary_alerts
Revises: 0004_user_sessions
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_diary_alerts"
down_revision = "0004_user_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("diary_entries") as batch:
        batch.add_column(sa.Column("alert_level", sa.String(16), nullable=True))
        batch.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("acknowledged_by_id", sa.String(32), nullable=True))
    op.execute("UPDATE diary_entries SET alert_level = triage_level WHERE triage_level IN ('emergency', 'urgent')")


def downgrade() -> None:
    with op.batch_alter_table("diary_entries") as batch:
        batch.drop_column("acknowledged_by_id")
        batch.drop_column("acknowledged_at")
        batch.drop_column("alert_level")
