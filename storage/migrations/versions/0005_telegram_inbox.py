"""telegram inbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telegram_inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_telegram_inbox")),
    )
    with op.batch_alter_table("telegram_inbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_telegram_inbox_pending", ["processed_at", "update_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("telegram_inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_telegram_inbox_pending")

    op.drop_table("telegram_inbox")
