"""outbox: index of each chat's pending rows; shared outbox state (claim lock, backlog warning)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The claim's WHERE clause, rendered the same way so the planners use the partial index.
_PENDING = sa.column("status") == "pending"


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_pending_lane",
            ["channel", "destination", "id"],
            unique=False,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        )
    state = op.create_table(
        "outbox_state",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_outbox_state")),
    )
    op.bulk_insert(state, [{"name": "claims", "at": None}, {"name": "backlog_warning", "at": None}])


def downgrade() -> None:
    op.drop_table("outbox_state")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending_lane")
