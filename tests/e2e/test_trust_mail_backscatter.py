"""Issue 16, findings 10 and 12, over real SMTP against the running bot.

10: a forged ``From:`` makes the office's address mail a victim; acknowledgements are limited
per client IP, per domain and in total, and never echo a display name or a linked subject.
12: the reference token's HMAC key is a random secret stored once in the database, so a token
computed from the public address is refused.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from handlers.email import acknowledgements, reference
from storage.models import HelpdeskSecretRow
from tests.e2e.conftest import STAFF_CHAT
from tests.support.mail_bot import HELPDESK, MailBot, mail

MX_RECEIVED = (
    "from attacker.example (attacker.example [198.51.100.7]) by mx.lpse.oganilirkab.go.id "
    "with ESMTP id 4F2x; Sun, 6 Dec 2026 10:00:00 +0700"
)


def acks(bot: MailBot) -> list[str]:
    return [str(m["To"]) for m in bot.sink.messages]


async def test_an_acknowledgement_never_echoes_the_display_name_or_a_linked_subject(
    mail_bot: MailBot,
) -> None:
    forged = mail("Klaim hadiah Anda di http://evil.example/hadiah", "zzqx wvvq plorkh")
    del forged["From"]
    forged["From"] = '"Pemenang undian, klaim di evil.example" <korban@korban.example>'
    await mail_bot.send_async(forged, sender="korban@korban.example")
    ack = await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    assert "evil.example" not in ack.as_string()
    assert ack.get_content().startswith("Yth. Bapak/Ibu,")
    assert str(ack["Subject"]) == "Re: Pesan Bapak/Ibu [#1]"


async def test_acknowledgements_per_client_ip_are_limited(mail_bot: MailBot) -> None:
    victims = [f"korban{n}@domain{n}.example" for n in range(acknowledgements.PER_IP + 2)]
    for n, victim in enumerate(victims):
        message = mail(f"Zzqx {n}", f"zzqx wvvq plorkh {n}", sender=victim)
        message["Received"] = MX_RECEIVED
        await mail_bot.send_async(message, sender=victim)
    await mail_bot.settled(len(victims))
    assert len(acks(mail_bot)) == acknowledgements.PER_IP
    # Every mail is still a ticket staff see: only the automatic mail is left out.
    await mail_bot.harness.card(len(victims))


async def test_acknowledgements_per_domain_and_in_total_are_limited(
    mail_bot: MailBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MAIL_ACKS_PER_DOMAIN_PER_HOUR=3, MAIL_ACKS_PER_HOUR=5 on the running bot.
    settings = mail_bot.harness.settings
    monkeypatch.setattr(settings, "mail_acks_per_domain_per_hour", 3)
    monkeypatch.setattr(settings, "mail_acks_per_hour", 5)
    senders = [f"pegawai{n}@korban.go.id" for n in range(5)]
    senders += [f"orang{n}@lain{n}.example" for n in range(4)]
    for n, sender in enumerate(senders):
        await mail_bot.send_async(mail(f"Zzqx {n}", f"zzqx wvvq {n}", sender=sender), sender)
    await mail_bot.settled(len(senders))
    sent = acks(mail_bot)
    assert sum(to.endswith("@korban.go.id") for to in sent) == 3
    assert len(sent) == 5


async def test_a_token_made_from_the_public_address_does_not_thread(mail_bot: MailBot) -> None:
    await mail_bot.send_async(mail("Zzqx plorkh", "zzqx wvvq plorkh"))
    ack = await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    await mail_bot.harness.card(1)
    genuine = re.search(r"LPSE-1-[0-9a-f]{6}", ack.get_content())
    assert genuine is not None

    async with mail_bot.database() as engine, engine.connect() as connection:
        secret = await connection.scalar(select(HelpdeskSecretRow.value))
    assert secret is not None and re.fullmatch(r"[0-9a-f]{64}", secret)
    assert genuine.group(0) == reference.reference_token(1, secret)

    public = reference.reference_token(1, f"lpse-helpdesk:{HELPDESK}")  # 0062f66's key
    assert public != genuine.group(0)
    await mail_bot.send_async(mail("Zzqx lain", f"susulan palsu\nReferensi: {public}"))
    await mail_bot.harness.card(2)  # not threaded: a new ticket

    await mail_bot.send_async(mail("Zzqx lagi", f"susulan asli\nReferensi: {genuine.group(0)}"))
    note = await mail_bot.harness.said_to(STAFF_CHAT, lambda r: "susulan asli" in r["text"])
    assert "Tiket #1" in note["text"]
