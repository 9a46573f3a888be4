"""mail trust: the reference token's secret, the acknowledgement log

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    secrets_table = op.create_table(
        "helpdesk_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_helpdesk_secrets")),
    )
    # Made here, once per database: every instance signs and checks with the same key.
    op.bulk_insert(secrets_table, [{"name": "reference_token", "value": secrets.token_hex(32)}])
    op.create_table(
        "mail_ack_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=330), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_ack_log")),
    )
    with op.batch_alter_table("mail_ack_log", schema=None) as batch_op:
        batch_op.create_index("ix_mail_ack_log_key_sent", ["key", "sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mail_ack_log", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_ack_log_key_sent")
    op.drop_table("mail_ack_log")
    op.drop_table("helpdesk_secrets")
