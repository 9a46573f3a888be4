"""``lpse-helpdesk report``: write the management report of a period as one HTML file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from bot.cli_support import fail, run_async, settings_of
from bot.runtime import build_runtime
from storage.report_queries import ReportPeriod, collect_report

_DATE_FORMAT = "%Y-%m-%d"


@click.command("report")
@click.option(
    "--from",
    "first_day",
    required=True,
    type=click.DateTime(formats=[_DATE_FORMAT]),
    help="First office day of the period (YYYY-MM-DD), included.",
)
@click.option(
    "--to",
    "end_day",
    required=True,
    type=click.DateTime(formats=[_DATE_FORMAT]),
    help="Day after the period (YYYY-MM-DD), NOT included: --from 2026-11-01 --to "
    "2026-12-01 is all of November.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory for report-<from>-<to>.html (created when missing).",
)
@click.pass_context
def report_command(
    context: click.Context, first_day: datetime, end_day: datetime, out_dir: Path
) -> None:
    """Write the SLA, ticket, FAQ and rating report of a period; print the file's path.

    Days are office days in OFFICE_TIMEZONE; the period is [--from, --to).
    """
    # Imported here: matplotlib (bot.reports) takes half a second to import, which every
    # other command of the CLI should not pay.
    from bot.reports import write_report

    settings = settings_of(context)
    start: date = first_day.date()
    end: date = end_day.date()
    if end <= start:
        fail(f"--to {end.isoformat()} must be after --from {start.isoformat()} (it is exclusive)")
    period = ReportPeriod(start, end, ZoneInfo(settings.office_timezone))

    async def produce() -> Path:
        runtime = await build_runtime(settings, load_faq=False)
        try:
            async with runtime.session_factory() as session:
                data = await collect_report(
                    session, period, runtime.catalog, runtime.calendar, runtime.clock()
                )
        finally:
            await runtime.close()
        return write_report(data, out_dir)

    click.echo(str(run_async(produce)))
