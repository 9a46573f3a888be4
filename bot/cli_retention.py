"""``lpse-helpdesk retention``: purge personal data of tickets closed more than N days ago.

The work is done by ``storage.retention.purge``; this command computes the cutoff, runs it
against the configured database and ATTACHMENTS_DIR and prints what it did as a table.
"""

from __future__ import annotations

from datetime import timedelta

import click

from bot.cli_support import configure_logging, run_async, settings_of
from bot.core.tickets import REOPEN_WINDOW
from bot.runtime import build_runtime
from bot.tables import render_table
from storage.retention import PurgeReport, purge


@click.command("retention")
@click.option(
    "--days",
    required=True,
    type=click.IntRange(min=1),
    help="Purge tickets closed more than this many days ago (at least 1).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Change nothing; report what would be purged.",
)
@click.option(
    "--batch",
    default=500,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Tickets (or rows) per transaction.",
)
@click.option(
    "--no-vacuum",
    is_flag=True,
    help="SQLite: skip the final VACUUM (purged text then stays in free pages until reused).",
)
@click.pass_context
def retention_command(
    context: click.Context, days: int, dry_run: bool, batch: int, no_vacuum: bool
) -> None:
    """Purge attachments and personal data of tickets closed more than --days days ago.

    Ticket rows, the kinds and times of the audit trail, SLA reminders, ratings and outbox
    rows stay (without their text), so reports keep their figures. Requesters without a
    ticket younger than that lose their name, instansi, phone, Telegram id and e-mail.
    Messages queued without a ticket (form summaries) lose their text, old files nothing
    refers to (uploads of abandoned forms) are deleted, and on SQLite a final VACUUM removes
    the purged text from the file's free pages (bot writes wait meanwhile: run it at a quiet
    hour). On PostgreSQL run VACUUM FULL afterwards for the same effect.
    Safe to interrupt and to run again; back up the database and ATTACHMENTS_DIR first.
    """
    settings = settings_of(context)
    configure_logging()
    if days < REOPEN_WINDOW.days:
        # A requester may still reopen such a ticket; its new messages are purged next time.
        click.echo(
            f"warning: tickets closed less than {REOPEN_WINDOW.days} days ago can still be "
            "reopened by their requester",
            err=True,
        )

    async def execute() -> PurgeReport:
        runtime = await build_runtime(settings, load_faq=False)
        try:
            return await purge(
                runtime.session_factory,
                runtime.attachments,
                closed_before=runtime.clock() - timedelta(days=days),
                dry_run=dry_run,
                batch=batch,
                compact=not no_vacuum,
            )
        finally:
            await runtime.close()

    report = run_async(execute)
    cutoff = report.closed_before.strftime("%Y-%m-%d %H:%M UTC")
    if dry_run:
        click.echo(f"dry run, nothing changed: tickets closed before {cutoff}")
    else:
        click.echo(f"purged: tickets closed before {cutoff}")
    click.echo(render_table(["what", "count"], [[what, count] for what, count in report.rows()]))
