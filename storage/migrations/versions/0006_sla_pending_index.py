"""partial index on SLA reminders still to send

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The sweep's WHERE clause, rendered the same way so the planners use the partial index.
_PENDING = sa.and_(sa.column("sent_at").is_(None), sa.column("cancelled").is_(False))


def upgrade() -> None:
    with op.batch_alter_table("sla_reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_sla_reminders_due")
        batch_op.create_index(
            "ix_sla_reminders_pending",
            ["due_at"],
            unique=False,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        )


def downgrade() -> None:
    with op.batch_alter_table("sla_reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_sla_reminders_pending")
        batch_op.create_index("ix_sla_reminders_due", ["sent_at", "due_at"], unique=False)
