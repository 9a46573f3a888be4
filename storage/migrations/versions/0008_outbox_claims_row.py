"""outbox_state: drop the "claims" row (outbox claims take the same advisory lock as the rest)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM outbox_state WHERE name = 'claims'")


def downgrade() -> None:
    op.execute("INSERT INTO outbox_state (name, at) VALUES ('claims', NULL)")
