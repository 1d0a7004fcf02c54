"""Audit trail a hospital would accept: client address and user agent on every event, and
events chained by SHA-256 so that editing or deleting one is detectable.

Existing events are chained in id order during the upgrade (their address is unknown).

Revision ID: 0006_audit_chain
Revises: 0005_diary_alerts
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_audit_chain"
down_revision = "0005_diary_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("client_address", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("user_agent", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=False, server_default=""))
    from plexnav.store.auditchain import event_hash

    connection = op.get_bind()
    events = sa.table(
        "audit_events",
        sa.column("id"),
        sa.column("at"),
        sa.column("actor_id"),
        sa.column("actor_name"),
        sa.column("action"),
        sa.column("object_type"),
        sa.column("object_id"),
        sa.column("subject_id"),
        sa.column("detail"),
        sa.column("client_address"),
        sa.column("user_agent"),
        sa.column("prev_hash"),
        sa.column("hash"),
    )
    prev = ""
    for row in connection.execute(sa.select(events).order_by(events.c.id)).mappings():
        digest = event_hash(prev, dict(row))
        connection.execute(events.update().where(events.c.id == row["id"]).values(prev_hash=prev, hash=digest))
        prev = digest


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        for name in ("hash", "prev_hash", "user_agent", "client_address"):
            batch.drop_column(name)
