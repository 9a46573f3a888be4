"""procedures: ticket decision/outcome/agenda/documents, office counters, outages

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agenda", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("documents", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("decision", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("register_number", sa.String(length=40), nullable=True))
        for flag in ("awaiting_visit", "lkpp_mailed", "outage_paused"):
            batch_op.add_column(
                sa.Column(flag, sa.Boolean(), nullable=False, server_default=sa.false())
            )
    op.create_table(
        "office_counters",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", "year", name=op.f("pk_office_counters")),
    )
    op.create_table(
        "outages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outages")),
    )


def downgrade() -> None:
    op.drop_table("outages")
    op.drop_table("office_counters")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for name in (
            "outage_paused",
            "lkpp_mailed",
            "awaiting_visit",
            "register_number",
            "outcome",
            "decision",
            "documents",
            "details",
            "agenda",
        ):
            batch_op.drop_column(name)
