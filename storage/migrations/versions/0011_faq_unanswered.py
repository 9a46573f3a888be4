"""faq unanswered: the questions of a mail no FAQ entry answered (issue #18, staff card)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Tickets opened before this revision did not keep their questions: an empty list, so
    # their cards show only the entries sent, as before.
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("faq_unanswered", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    # A plain ALTER TABLE (SQLite 3.35+ drops a column in place): a batch copy of "tickets"
    # would drop the table that messages and events point at, which foreign keys refuse.
    op.drop_column("tickets", "faq_unanswered")
