"""email intake and SLA clocks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auto_mail_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auto_mail_log")),
    )
    with op.batch_alter_table("auto_mail_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_auto_mail_log_recipient_sent", ["recipient", "sent_at"], unique=False
        )

    op.create_table(
        "digests",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_digests")),
    )
    op.create_table(
        "inbound_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("mail_from", sa.String(length=320), nullable=False),
        sa.Column("rcpt_tos", sa.JSON(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_inbound_mail_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_mail")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_inbound_mail_content_hash")),
    )
    with op.batch_alter_table("inbound_mail", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_mail_due", ["status", "received_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inbound_mail_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "mail_messages",
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_mail_messages_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_mail_messages")),
    )
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_messages_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "sla_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_sla_reminders_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_reminders")),
        sa.UniqueConstraint("ticket_id", "step", "kind", "cycle", name="uq_sla_reminders_once"),
    )
    with op.batch_alter_table("sla_reminders", schema=None) as batch_op:
        batch_op.create_index("ix_sla_reminders_due", ["sent_at", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sla_reminders_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "ticket_participants",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_participants_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("ticket_id", "email", name=op.f("pk_ticket_participants")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("step_worked_minutes", sa.Float(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("step_running_since", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("step_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("step_cycle", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("breached", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "awaiting_faq_feedback", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("awaiting_faq_feedback")
        batch_op.drop_column("breached")
        batch_op.drop_column("step_cycle")
        batch_op.drop_column("step_due_at")
        batch_op.drop_column("step_running_since")
        batch_op.drop_column("step_worked_minutes")

    op.drop_table("ticket_participants")
    with op.batch_alter_table("sla_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sla_reminders_ticket_id"))
        batch_op.drop_index("ix_sla_reminders_due")

    op.drop_table("sla_reminders")
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_messages_ticket_id"))

    op.drop_table("mail_messages")
    with op.batch_alter_table("inbound_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_mail_message_id"))
        batch_op.drop_index("ix_inbound_mail_due")

    op.drop_table("inbound_mail")
    op.drop_table("digests")
    with op.batch_alter_table("auto_mail_log", schema=None) as batch_op:
        batch_op.drop_index("ix_auto_mail_log_recipient_sent")

    op.drop_table("auto_mail_log")
