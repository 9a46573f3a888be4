"""The ``lpse-helpdesk`` command line: run the bot, manage the database, inspect tickets."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import app
from bot.cli_faq import faq_group
from bot.cli_mail import mail_group
from bot.cli_report import report_command
from bot.cli_retention import retention_command
from bot.cli_support import configure_logging, fail, run_async, settings_of
from bot.core.errors import ConfigError
from bot.core.roster import load_roster
from bot.core.sop import load_catalog
from bot.core.tickets import Requester, Ticket, TicketStatus
from bot.runtime import build_runtime
from bot.settings import Settings
from bot.tables import render_table
from bot.ticket_json import ticket_document, ticket_summary
from storage import migrate
from storage.database import create_engine


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read settings from this file instead of ./.env.",
)
@click.version_option(package_name="lpse-helpdesk")
@click.pass_context
def cli(context: click.Context, env_file: Path | None) -> None:
    """Helpdesk bot of LPSE Kabupaten Ogan Ilir: Telegram and e-mail, FAQ, SOP tickets."""
    context.ensure_object(dict)["env_file"] = env_file


@cli.command()
@click.pass_context
def run(context: click.Context) -> None:
    """Start every configured channel, the SLA scheduler and the outbox (Ctrl+C stops)."""
    settings = settings_of(context)
    configure_logging(settings)
    run_async(lambda: app.run(settings))


@cli.group()
def db() -> None:
    """Database schema (Alembic migrations; `run` applies them too)."""


def _migrate(context: click.Context, change: Callable[[AsyncEngine], Awaitable[None]]) -> str:
    """Apply ``change`` to the configured database; the revision it is at afterwards."""
    settings = settings_of(context)

    async def apply() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            await change(engine)
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    return run_async(apply) or "base (empty)"


@db.command("upgrade")
@click.argument("revision", default="head")
@click.pass_context
def db_upgrade(context: click.Context, revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    revision_now = _migrate(context, lambda engine: migrate.upgrade(engine, revision))
    click.echo(f"database at revision {revision_now}")


@db.command("downgrade")
@click.argument("revision")
@click.pass_context
def db_downgrade(context: click.Context, revision: str) -> None:
    """Revert migrations down to REVISION (`base` removes every table)."""
    revision_now = _migrate(context, lambda engine: migrate.downgrade(engine, revision))
    click.echo(f"database at revision {revision_now}")


@db.command("current")
@click.pass_context
def db_current(context: click.Context) -> None:
    """Show the database revision and the newest one this version ships."""

    async def nothing(engine: AsyncEngine) -> None:
        return None

    current = _migrate(context, nothing).replace("base (empty)", "empty")
    click.echo(f"database: {current}; newest: {migrate.head_revision()}")


@cli.group()
def tickets() -> None:
    """Inspect tickets."""


def _local(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.office_timezone)


@tickets.command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([status.value for status in TicketStatus]),
    help="Only tickets in this status (repeatable).",
)
@click.option("--open", "only_open", is_flag=True, help="Only tickets that are not closed.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def tickets_list(
    context: click.Context,
    statuses: tuple[str, ...],
    only_open: bool,
    limit: int,
    as_json: bool,
) -> None:
    """List the newest tickets as a table (or JSON lines)."""
    settings = settings_of(context)
    wanted = {TicketStatus(status) for status in statuses}
    if only_open:
        wanted |= set(TicketStatus) - {TicketStatus.CLOSED}

    async def fetch() -> list[tuple[Ticket, Requester]]:
        runtime = await build_runtime(settings, load_faq=False)
        try:
            async with runtime.unit_of_work() as uow:
                found = await uow.tickets.recent(statuses=wanted or None, limit=limit)
                return [(t, await uow.requesters.get(t.requester_id)) for t in found]
        finally:
            await runtime.close()

    found = run_async(fetch)
    if as_json:
        for ticket, requester in found:
            click.echo(json.dumps(ticket_summary(ticket, requester), ensure_ascii=False))
        return
    if not found:
        click.echo("no tickets")
        return
    zone = _local(settings)
    rows: list[list[object]] = [
        [
            f"#{ticket.number}",
            ticket.opened_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            ticket.sop_id,
            ticket.step,
            ticket.status.value,
            ticket.owner_role,
            ticket.channel.value,
            ticket.subject[:50],
        ]
        for ticket, _ in found
    ]
    headers = ["ticket", "opened", "SOP", "step", "status", "role", "channel", "subject"]
    click.echo(render_table(headers, rows))


@tickets.command("show")
@click.argument("number", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object (DESIGN's contract).")
@click.pass_context
def tickets_show(context: click.Context, number: int, as_json: bool) -> None:
    """Show one ticket: details, conversation and audit trail."""
    settings = settings_of(context)
    zone = _local(settings)

    async def fetch() -> str:
        runtime = await build_runtime(settings, load_faq=False)
        try:
            async with runtime.unit_of_work() as uow:
                ticket = await uow.tickets.get(number)
                messages = await uow.tickets.messages(number)
                events = await uow.tickets.events(number)
                requester = await uow.requesters.get(ticket.requester_id)
        finally:
            await runtime.close()
        if as_json:

            def role_address(role: str) -> str | None:
                destination = runtime.roster.current.destinations.get(role)
                return destination.email if destination is not None else None

            document = ticket_document(ticket, requester, messages, events, role_address)
            return json.dumps(document, ensure_ascii=False)
        sop = ticket.sop
        step = sop.step(ticket.step)
        details: list[list[object]] = [
            ["SOP", f"{sop.id} {sop.title}"],
            ["step", f"{step.n} ({ticket.step_role}): {step.uraian or '-'}"],
            ["status", ticket.status.value],
            ["role", ticket.owner_role],
            ["assignee", ticket.assignee_id or "-"],
            ["channel", ticket.channel.value],
            ["opened", ticket.opened_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")],
            ["subject", ticket.subject],
            ["agenda", ticket.agenda or "-"],
            ["decision", ticket.decision.value if ticket.decision else "-"],
            ["outcome", ticket.outcome or "-"],
        ]
        conversation = [
            [
                message.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                message.direction.value,
                message.author,
                message.text.replace("\n", " ")[:80],
                ", ".join(a.filename for a in message.attachments) or "-",
            ]
            for message in messages
        ]
        trail = [
            [
                event.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                event.kind.value,
                event.actor,
                " ".join(f"{key}={value}" for key, value in event.detail.items()),
            ]
            for event in events
        ]
        return "\n\n".join(
            [
                f"Tiket #{ticket.number}",
                render_table(["field", "value"], details),
                render_table(["time", "dir", "author", "text", "files"], conversation),
                render_table(["time", "event", "actor", "detail"], trail),
            ]
        )

    click.echo(run_async(fetch))


@cli.group()
def roster() -> None:
    """Staff roster (STAFF_FILE)."""


@roster.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def roster_check(context: click.Context, path: Path | None) -> None:
    """Validate the roster file and list its members."""
    target = path or settings_of(context).staff_file
    try:
        loaded = load_roster(target)
    except ConfigError as exc:
        fail(str(exc))
    rows = [[m.telegram_id, m.name, ", ".join(sorted(m.roles))] for m in loaded.members.values()]
    click.echo(render_table(["telegram_id", "name", "roles"], rows))
    for role, destination in loaded.destinations.items():
        click.echo(f"role {role}: {destination.email or '-'}")


@cli.group()
def sop() -> None:
    """SOP catalog (SOP_CATALOG)."""


@sop.command("list")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def sop_list(context: click.Context, path: Path | None) -> None:
    """Validate the catalog and print each SOP's steps, roles and minutes."""
    target = path or settings_of(context).sop_catalog
    try:
        catalog = load_catalog(target)
    except ConfigError as exc:
        fail(str(exc))
    rows = [
        [
            sop.id,
            step.n,
            step.actor,
            "-" if step.minutes is None else f"{step.minutes:g}",
            step.uraian[:60],
        ]
        for sop in catalog.sops.values()
        for step in sop.steps
    ]
    click.echo(render_table(["SOP", "step", "role", "minutes", "uraian"], rows))


cli.add_command(faq_group)
cli.add_command(report_command)
cli.add_command(retention_command)
cli.add_command(mail_group)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="lpse-helpdesk")
