"""Storing inbound mail in groups: copies are found by bytes and by Message-ID per sender,
among stored rows and within one group, on each backend."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.mail import IncomingMail, store_mails
from storage.models import InboundMailRow

NOW = datetime(2024, 6, 11, 9, 0, tzinfo=UTC)
HELPDESK = ["helpdesk@lpse.example.go.id"]


def mail(
    raw: bytes, sender: str = "a@cv.example.com", message_id: str | None = None
) -> IncomingMail:
    return IncomingMail(raw, sender, HELPDESK, message_id)


async def store(engine: AsyncEngine, *mails: IncomingMail) -> list[tuple[int, bool]]:
    async with engine.begin() as connection:
        return await store_mails(connection, mails, NOW)


async def rows(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(InboundMailRow)) or 0)


async def test_a_group_of_new_mails_gets_one_row_each_in_order(engine: AsyncEngine) -> None:
    results = await store(engine, mail(b"one", message_id="<1@x>"), mail(b"two"), mail(b"three"))

    assert [fresh for _, fresh in results] == [True, True, True]
    assert len({mail_id for mail_id, _ in results}) == 3
    async with engine.connect() as connection:
        stored = dict(
            (await connection.execute(select(InboundMailRow.id, InboundMailRow.raw))).all()
        )
    assert [stored[mail_id] for mail_id, _ in results] == [b"one", b"two", b"three"]


async def test_copies_within_one_group_point_at_the_first(engine: AsyncEngine) -> None:
    results = await store(
        engine,
        mail(b"original", message_id="<1@x>"),
        mail(b"original", message_id="<1@x>"),  # the same bytes
        mail(b"rebuilt with a new Date", message_id="<1@x>"),  # same Message-ID and sender
        mail(b"someone else", sender="b@cv.example.com", message_id="<1@x>"),
    )

    first = results[0][0]
    assert results[:3] == [(first, True), (first, False), (first, False)]
    assert results[3][1] is True and results[3][0] != first
    assert await rows(engine) == 2


async def test_copies_of_stored_mail_get_the_stored_id(engine: AsyncEngine) -> None:
    [(stored, _)] = await store(engine, mail(b"original", message_id="<1@x>"))
    [(plain, _)] = await store(engine, mail(b"no message id"))

    results = await store(
        engine,
        mail(b"retried with a new Received line", message_id="<1@x>"),
        mail(b"no message id"),
        mail(b"new", message_id="<2@x>"),
    )

    assert results[0] == (stored, False)
    assert results[1] == (plain, False)
    assert results[2][1] is True
    assert await rows(engine) == 3
