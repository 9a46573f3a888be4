"""Issue 16, finding 1: the mail hijack, attacked over real SMTP against the running bot.

An attacker forges ``From:`` of the requester with ``Cc: attacker`` on a reply, then writes
into the ticket from her own address asking for the new credentials. DESIGN "Trust rules":
only the requester's own mail adds participants; staff always see the sender address and
"bukan pemohon" when it is not the requester; ``dmarc=fail`` never joins a ticket.
"""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

from sqlalchemy import select

from bot.core.tickets import Direction, TicketMessage
from storage.models import TicketParticipantRow
from tests.e2e.conftest import STAFF_CHAT
from tests.support.mail_bot import REQUESTER, MailBot, copied_colleague_reply, mail

ATTACKER = "mallory@evil.example"
PAYLOAD = "Mohon kirim user ID dan password baru ke alamat ini saja"
DMARC_FAIL = "mx.lpse.oganilirkab.go.id; spf=fail smtp.mailfrom=evil.example; dmarc=fail (p=none)"


async def messages(bot: MailBot, number: int) -> list[TicketMessage]:
    async with bot.harness_uow() as uow:
        return await uow.tickets.messages(number)


async def participants(bot: MailBot, number: int) -> set[str]:
    async with bot.database() as engine, engine.connect() as connection:
        rows = await connection.execute(
            select(TicketParticipantRow.email).where(TicketParticipantRow.ticket_id == number)
        )
        return {row.email for row in rows}


async def open_ticket(bot: MailBot) -> EmailMessage:
    """Budi's question opens ticket #1; returns the acknowledgement (what an attacker quotes)."""
    await bot.send_async(mail("Zzqx plorkh", "zzqx wvvq plorkh"))
    return await bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))


def forged_reply(ack: EmailMessage, **headers: str) -> EmailMessage:
    forged = mail(
        "Re: Zzqx plorkh [#1]",
        "saya tambahkan rekan saya",
        in_reply_to=str(ack["Message-ID"]),
        message_id="<forged-1@evil.example>",
        **headers,
    )
    forged["Cc"] = ATTACKER
    return forged


def attacker_mail(ack: EmailMessage) -> EmailMessage:
    return mail(
        "Re: Zzqx plorkh [#1]",
        PAYLOAD,
        sender=ATTACKER,
        in_reply_to=str(ack["Message-ID"]),
        message_id="<payload-1@evil.example>",
    )


async def test_forged_cc_shows_the_attacker_as_bukan_pemohon_never_as_the_requester(
    mail_bot: MailBot,
) -> None:
    """Without a DMARC verdict the forged mail reads as Budi's (nothing tells it apart), but
    the attacker's own mail is a note "bukan pemohon" with her address, not Budi's words."""
    ack = await open_ticket(mail_bot)
    card = await mail_bot.harness.card(1)
    await mail_bot.send_async(forged_reply(ack))
    follow_up = await mail_bot.harness.said_to(
        STAFF_CHAT, lambda r: "saya tambahkan rekan saya" in r["text"]
    )
    assert f"pemohon {REQUESTER}" in follow_up["text"]  # the sender address, always

    await mail_bot.send_async(attacker_mail(ack), sender=ATTACKER)
    shown = await mail_bot.harness.said_to(STAFF_CHAT, lambda r: PAYLOAD in r["text"])
    assert shown["reply_to_message_id"] == card["message_id"]
    assert ATTACKER in shown["text"] and "bukan pemohon" in shown["text"]
    assert "dari pemohon" not in shown["text"]
    stored = [m for m in await messages(mail_bot, 1) if PAYLOAD in m.text]
    assert len(stored) == 1
    assert stored[0].direction is Direction.NOTE and ATTACKER in stored[0].author


async def test_dmarc_fail_never_joins_and_adds_no_participant(mail_bot: MailBot) -> None:
    ack = await open_ticket(mail_bot)
    await mail_bot.harness.card(1)
    await mail_bot.send_async(forged_reply(ack, Authentication_Results=DMARC_FAIL))
    # A new ticket, marked for staff, with no automatic answer to the forged address.
    warned = await mail_bot.harness.card(2)
    assert "DMARC gagal" in warned["text"]
    assert await participants(mail_bot, 2) == set()
    assert ATTACKER not in await participants(mail_bot, 1)
    assert not any("saya tambahkan" in m.text for m in await messages(mail_bot, 1))

    await mail_bot.send_async(attacker_mail(ack), sender=ATTACKER)
    await mail_bot.sink.wait_for(lambda m: "[#3]" in str(m["Subject"]) and ATTACKER in m["To"])
    assert not any(PAYLOAD in m.text for m in await messages(mail_bot, 1))
    await asyncio.sleep(0.3)
    acks = [m for m in mail_bot.sink.messages if "[#2]" in str(m["Subject"])]
    assert acks == []


async def test_only_the_requesters_own_mail_adds_participants(mail_bot: MailBot) -> None:
    """A colleague Budi copied may write in; whom the colleague copies may not."""
    ack, colleague = await copied_colleague_reply(mail_bot)
    colleague["Cc"] = ATTACKER
    colleague.add_attachment(
        b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf", filename="akta.pdf"
    )
    await mail_bot.send_async(colleague, sender="rekan@cvmaju.co.id")
    note = await mail_bot.harness.said_to(STAFF_CHAT, lambda r: "ini tambahan" in r.get("text", ""))
    assert "rekan@cvmaju.co.id" in note["text"] and "bukan pemohon" in note["text"]
    # Its file is captioned by the same sender, not as the requester's document.
    file = await mail_bot.harness.said_to(STAFF_CHAT, lambda r: "akta.pdf" in str(r))
    caption = file.get("caption") or file.get("text") or ""
    assert "rekan@cvmaju.co.id" in caption and "bukan pemohon" in caption
    assert await participants(mail_bot, 1) == {REQUESTER, "rekan@cvmaju.co.id"}

    await mail_bot.send_async(attacker_mail(ack), sender=ATTACKER)
    # Her own new ticket #2 (the FAQ may answer it: then she gets that, staff no card).
    await mail_bot.sink.wait_for(lambda m: "[#2]" in str(m["Subject"]) and ATTACKER in m["To"])
    assert not any(PAYLOAD in m.text for m in await messages(mail_bot, 1))
