"""faq entry ids: every FAQ entry a ticket's acknowledgement sent (several questions per mail)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_tickets = sa.table(
    "tickets",
    sa.column("id", sa.Integer()),
    sa.column("faq_entry_id", sa.String(length=120)),
    sa.column("faq_entry_ids", sa.JSON()),
)


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("faq_entry_ids", sa.JSON(), nullable=False, server_default="[]")
        )
    # A ticket answered before this revision sent exactly its one entry. Written with bound
    # JSON values, the same on SQLite and PostgreSQL.
    connection = op.get_bind()
    answered = connection.execute(
        sa.select(_tickets.c.id, _tickets.c.faq_entry_id).where(
            _tickets.c.faq_entry_id.is_not(None)
        )
    ).all()
    if answered:
        connection.execute(
            _tickets.update()
            .where(_tickets.c.id == sa.bindparam("ticket_id"))
            .values(faq_entry_ids=sa.bindparam("ids", type_=sa.JSON())),
            [{"ticket_id": row.id, "ids": [row.faq_entry_id]} for row in answered],
        )


def downgrade() -> None:
    # A plain ALTER TABLE (SQLite 3.35+ drops a column in place): a batch copy of "tickets"
    # would drop the table that messages and events point at, which foreign keys refuse.
    op.drop_column("tickets", "faq_entry_ids")
