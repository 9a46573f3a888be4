"""Issue 16, findings 5 and 6, and the property: no input sequence makes a password value reach
the staff chat, a mail or the database. Driven over real SMTP and the Bot API stand-in."""

from __future__ import annotations

import random
from email.message import EmailMessage

from sqlalchemy import select

from handlers.email.parse import parse_mail
from storage.models import Base, InboundMailRow
from tests.support.mail_bot import REQUESTER as REQ
from tests.support.mail_bot import MailBot, mail
from tests.support.mail_samples import pdf_bytes

#: Phrasings that carry a password; ``{v}`` is the value (DESIGN: words between count).
PHRASINGS = (
    "password saya {v}",
    "password untuk login: {v}",
    "kata sandinya tadi {v}",
    "pw nya sdh saya ganti jd {v}",
    "password\u200b: {v}",
    "Sandi akun SPSE = {v}",
    "PIN: {v}",
    "kode OTP {d}",
    "pass\u200bword baru {v}",
    "ｐａｓｓｗｏｒｄ ｓａｙａ {v}",
)
#: Where in a mail the phrase goes.
MAIL_PLACES = ("subject", "body", "quote", "html", "html half", "display name", "file name")


def secret(rng: random.Random) -> str:
    letters = "".join(rng.choice("bcdfghjkmnpqrstvwxz") for _ in range(4))
    return f"{letters.capitalize()}{rng.randint(10, 99)}#{rng.randint(100, 999)}"


def mail_carrying(phrase: str, place: str, sender: str, n: int) -> EmailMessage:
    subject, body = f"Zzqx kasus {n}", f"zzqx wvvq plorkh {n}"
    if place == "subject":
        subject = f"Re: {phrase}"
    elif place == "body":
        body = f"Selamat pagi,\n{phrase}\nterima kasih"
    elif place == "quote":
        body = f"terima kasih {n}\n\nPada Senin, Budi menulis:\n> {phrase}\n> salam"
    message = mail(subject, body, sender=sender, message_id=f"<p{n}@cvmaju.co.id>")
    if place == "html":
        message.set_content(f"<html><body><p>halo {n}</p><p>{phrase}</p></body></html>", "html")
    elif place == "html half":  # plain text that says nothing; the HTML half carries it
        message.add_alternative(f"<p>halo {n}</p><p>{phrase}</p>", subtype="html")
    elif place == "display name":
        del message["From"]
        message["From"] = f'"{phrase}" <{sender}>'
    elif place == "file name":
        message.add_attachment(
            pdf_bytes(128, seed=n),
            maintype="application",
            subtype="pdf",
            filename=f"{phrase}.pdf",
        )
    return message


async def database_text(bot: MailBot) -> str:
    """Every row of every table as text; stored raw mail parsed, as a reader would."""
    parts: list[str] = []
    async with bot.database() as engine, engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in await connection.execute(select(table)):
                parts.append(repr(tuple(row)))
        for (raw,) in await connection.execute(select(InboundMailRow.raw)):
            parsed = parse_mail(raw)
            parts += [parsed.subject, parsed.body, parsed.from_name or "", *parsed.unshown]
            parts += [a.filename for a in parsed.attachments]
    return "\n".join(parts)


def leaks(values: list[str], bot: MailBot, database: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    staff = [repr(r) for r in bot.harness.api.sent]
    mails = [m.as_string() for m in bot.sink.messages]
    for value in values:
        found += [("telegram", value) for text in staff if value in text]
        found += [("mail", value) for text in mails if value in text]
        if value in database:
            found.append(("database", value))
    return found


async def test_a_password_in_the_subject_reaches_neither_card_nor_database_nor_ack(
    mail_bot: MailBot,
) -> None:
    await mail_bot.send_async(mail("password saya Rahasia123", "tolong reset akun zzqx wvvq"))
    ack = await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    assert "Rahasia123" not in str(ack["Subject"]) and "Rahasia123" not in ack.as_string()
    await mail_bot.settled(1)
    assert leaks(["Rahasia123"], mail_bot, await database_text(mail_bot)) == []


async def test_a_password_in_the_quoted_part_is_held_back_and_the_raw_mail_scrubbed(
    mail_bot: MailBot,
) -> None:
    body = "zzqx wvvq plorkh\n\nPada Senin, Budi menulis:\n> pw nya sdh saya ganti jd Kucing#88"
    await mail_bot.send_async(mail("Zzqx plorkh", body))
    await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    await mail_bot.settled(1)
    assert leaks(["Kucing#88"], mail_bot, await database_text(mail_bot)) == []


async def test_a_password_only_in_the_html_half_is_held_back_and_the_raw_mail_scrubbed(
    mail_bot: MailBot,
) -> None:
    """The plain half says nothing (a client's stub); the HTML half carries the password."""
    await mail_bot.send_async(mail_carrying("password saya Harimau#21", "html half", REQ, 0))
    await mail_bot.sink.wait_for(lambda m: "[#1]" in str(m["Subject"]))
    await mail_bot.settled(1)
    assert leaks(["Harimau#21"], mail_bot, await database_text(mail_bot)) == []


async def test_property_no_input_sequence_leaks_a_password(mail_bot: MailBot) -> None:
    """Seeded random sequences of mails (new and replies) and Telegram texts and captions,
    each carrying a password somewhere; nothing of any value may come out anywhere."""
    rng = random.Random(16)
    api = mail_bot.harness.api
    requester = mail_bot.harness.requester
    values: list[str] = []
    sent_mails = 0
    acks: list[str] = []
    for n in range(24):
        value, digits = secret(rng), str(rng.randint(100000, 999999))
        phrase = rng.choice(PHRASINGS).format(v=value, d=digits)
        values.append(digits if digits in phrase else value)
        channel = rng.choice(("mail", "mail", "telegram text", "telegram caption"))
        if channel == "mail":
            sender = rng.choice(("budi@cvmaju.co.id", "sari@cvmaju.co.id", "x@lain.id"))
            message = mail_carrying(phrase, rng.choice(MAIL_PLACES), sender, n)
            if acks and rng.random() < 0.5:  # a reply into an existing thread
                message["In-Reply-To"] = rng.choice(acks)
            await mail_bot.send_async(message, sender=sender)
            sent_mails += 1
        elif channel == "telegram text":
            api.send_text(requester, requester.id, phrase)
        else:
            api.send_document(
                requester,
                requester.id,
                pdf_bytes(96, seed=n),
                "bukti.pdf",
                "application/pdf",
                caption=phrase,
            )
        acks = [str(m["Message-ID"]) for m in mail_bot.sink.messages]
    await mail_bot.settled(sent_mails)
    found = leaks(values, mail_bot, await database_text(mail_bot))
    assert found == [], f"password values leaked (seed 16): {found}"
