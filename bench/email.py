"""E-mail intake benchmark: the whole bot against a bare aiosmtpd server, over real SMTP.

Run it as a module, from the repository root::

    python -m bench.email            # 8 clients, 2,000 messages -> bench/results/email.json
    python -m bench.email --quick    # smoke run, 200 messages
    python -m bench.email --clients 16 --messages 5000 --database-url postgresql+asyncpg://...

``python bench/email.py`` does not work and is refused: running the file puts ``bench/`` first
on ``sys.path``, where this file would shadow the standard library's ``email`` package that
aiosmtpd, aiosmtplib and the bot import.

What is measured
    Messages per second accepted over SMTP on loopback by ``--clients`` concurrent aiosmtplib
    clients (each one connection sending its share of the messages one transaction after the
    other), against

    * the whole bot (``bot.app.run`` with a ``Settings`` built here): the SMTP intake stores the
      raw mail and commits before it answers 250, the mail processor turns each stored mail
      into a ticket message (new ticket or follow-up), and the outbox sends the
      acknowledgements through an aiosmtpd relay sink; the staff group on Telegram is off
      unless ``--telegram`` (then on the local Bot API stand-in of the e2e tests, its flood
      limits lifted so that cards do not throttle the run); and
    * a bare aiosmtpd server whose ``handle_DATA`` only returns "250 OK" (same ``SMTP``
      parameters as the intake: size limit, SMTPUTF8, no decoding), receiving the very same
      bytes from the same clients.

    The bare server is measured ``--bare-runs`` times (default 3: once while the bot idles
    before its measured run, then after it has stopped); its runs take a second or two, so
    a busy host shows in them more than in the bot's long run, and the ratios use the median.
    The load average before and after is printed and kept in the JSON.

    Both servers run on this process's event loop (as the bot does in production); the clients
    run in a separate process (``--client-processes``), so that their CPU is not charged to the
    server. The CPU time of both sides is reported: a client process near 100 % means the bare
    figure is a lower bound (and the bot/bare ratio an upper bound).

    Reported per server: (a) acceptance rate, 250 replies per second from the first connection
    to the last 250 (SMTP side); (b) end-to-end rate, accepted mails per second until every one
    of them is processed into a ticket, found by polling the database every 50 ms (rows of
    ``inbound_mail`` no longer pending and the count of inbound ``ticket_messages``). For the
    bare server (b) equals (a): there is nothing after the 250. Also the time until the relay
    sink had every acknowledgement, the latency of each SMTP transaction (MAIL, RCPT, DATA;
    p50/p99) and the bot/bare ratios (target for acceptance: >= 0.3). Next to the
    acknowledgements' rate: the connections the bot opened to the relay during the measured
    run, the most open at once (SMTP_RELAY_MAX_CONNECTIONS caps it), and mails per connection,
    counted by the relay sink itself.

Messages
    Realistic mail from providers: short Indonesian questions about a specific package or
    case that the FAQ does not answer (every text is checked with the FAQ matcher before the
    run), about 15 % long mails (a story of several paragraphs), about 2 % with a 100 KB PDF,
    each from a distinct sender with a distinct Message-ID, a closing and a signature. About
    20 % are replies to the bot's acknowledgement of an earlier mail: ``In-Reply-To`` the ack's
    Message-ID, ``References`` both, "Re: ... [#N]" and the ack quoted under "Pada ... menulis:",
    sent by the original sender. Their originals ("seeds", one per reply, also distinct
    senders) are sent and acknowledged before the measured run, so the measured clients never
    wait for the bot; the bare server gets the same bytes.

Zero loss
    After the bot's run every message that got 250 must be exactly one ``inbound_mail`` row
    (by Message-ID), processed, and exactly one inbound ticket message (found by a reference
    number unique to the mail in its text); follow-ups must be in their seed's ticket, new
    mails in new, distinct tickets, and each new mail must get exactly one acknowledgement at
    the relay. Anything else is printed and the command exits with status 1 (after writing
    the JSON). A mail that gets no 250 (e.g. 451 when the database is busy) is counted in the
    "refused" column and must not have been stored; it is not loss, since the sender keeps
    it and retries (refused seeds are sent again, up to 5 times). Acknowledgements are counted
    ``--settle`` seconds (default 1) after the last expected one arrived; a duplicate from an
    outbox row sent but not marked sent shows only when its 2-minute lease has run out, so
    ``--settle 150`` looks for those.

Run time on a 2-CPU VM: about 15 s with ``--quick``, 2 to 6 minutes with the defaults.

The database is SQLite in a temporary directory unless ``--database-url`` names another one
(e.g. an empty PostgreSQL database: ``postgresql+asyncpg://user@host/db``; rows from earlier runs
are left alone, only this run's are counted). Logging is quiet (root logger at WARNING). The
table goes to stdout and the JSON, with the machine (platform, CPU count, Python) and a UTC
timestamp, to ``bench/results/email.json`` (``--output``).
"""

from __future__ import annotations

import sys

if not __package__:  # pragma: no cover - see the docstring
    sys.exit("run this benchmark as `python -m bench.email` (bench/email.py shadows `email`)")

import argparse
import asyncio
import contextlib
import json
import logging
import multiprocessing
import os
import random
import re
import resource
import secrets
import socket
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

import aiosmtpd
import aiosmtplib
import sqlalchemy
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.machine import machine_info
from bot import app
from bot.settings import Settings
from bot.tables import render_table
from faq.kb import DEFAULT_KB_PATH, load_kb
from faq.matcher import FaqMatcher
from faq.split import strip_quotes_and_signature
from handlers.email.server import SESSION_TIMEOUT_SECONDS, SIZE_OVERHEAD
from handlers.telegram import application as telegram_application
from storage.database import create_engine
from storage.models import InboundMailRow, MessageRow, OutboxRow, TicketRow
from tests.support.bot_api import BotApiStandIn

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "email.json"
HELPDESK = "helpdesk@lpse.oganilirkab.go.id"
HELPDESK_DOMAIN = HELPDESK.rpartition("@")[2]
STAFF_CHAT = -1001234567890
ROSTER = """
staff:
  - {telegram_id: 111, name: Rina, roles: [helpdesk]}
  - {telegram_id: 222, name: Andi, roles: [sekretaris, kepala]}
  - {telegram_id: 333, name: Dedi, roles: [admin_agency, verifikator]}
  - {telegram_id: 444, name: Sari, roles: [staf]}
"""
SEED = 20240611
MAX_ATTACHMENT_MB = 10
REPLY_SHARE = 0.2
LONG_SHARE = 0.15
PDF_EVERY = 50  # one mail in 50 carries a PDF
PDF_BYTES = 100 * 1024
POLL_SECONDS = 0.05
#: Give up waiting for processing / acknowledgements after this long (plus per message).
WAIT_BASE_SECONDS = 120.0
WAIT_PER_MESSAGE_SECONDS = 0.25
ACCEPTANCE_TARGET = 0.3
#: Seeds refused (e.g. 451 while the database is busy) are sent again, up to this often.
SEED_ATTEMPTS = 5

log = logging.getLogger("bench.email")

# --------------------------------------------------------------------------------------------
# messages
# --------------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Budi", "Siti", "Agus", "Dewi", "Hendra", "Rina", "Joko", "Ani", "Rudi", "Lestari", "Wahyu",
    "Fitri", "Bambang", "Yuni", "Eko", "Sri", "Dedi", "Nur", "Arif", "Maya", "Taufik", "Indah",
    "Fajar", "Ratna", "Iwan", "Sari", "Hadi", "Wulan", "Yusuf", "Mega",
)
LAST_NAMES = (
    "Santoso", "Rahmawati", "Saputra", "Lestari", "Wijaya", "Hidayat", "Kurniawan", "Pratama",
    "Susanti", "Nugroho", "Permana", "Harahap", "Siregar", "Pohan", "Syahputra", "Utami",
)
COMPANIES = (
    ("CV Maju Jaya", "cvmajujaya"), ("PT Sriwijaya Konstruksi", "sriwijayakonstruksi"),
    ("CV Ogan Mandiri", "oganmandiri"), ("PT Musi Karya Utama", "musikarya"),
    ("CV Indralaya Teknik", "indralayateknik"), ("CV Tanjung Raja Abadi", "tjrajaabadi"),
    ("PT Bumi Sumsel Perkasa", "bumisumsel"), ("CV Karya Bersama", "karyabersama"),
    ("CV Rambang Sejahtera", "rambangsejahtera"), ("PT Palembang Cipta Graha", "pcgraha"),
)
PACKAGES = (
    "Rehabilitasi Jalan Desa Tanjung Pinang", "Pembangunan Drainase Pasar Indralaya",
    "Pengadaan Meja Kursi SD Negeri 12", "Renovasi Puskesmas Pemulutan",
    "Pembangunan Jembatan Gantung Desa Sakatiga", "Pengadaan Laptop Dinas Pendidikan",
    "Peningkatan Jalan Lingkar Kantor Bupati", "Belanja Modal Gedung Balai Desa Meranjat",
    "Pengawasan Irigasi Rambutan", "Konsultan Perencanaan Kantor Camat Payaraman",
)
DINAS = (
    "Dinas PUPR", "Dinas Pendidikan", "Dinas Kesehatan", "Dinas Perhubungan", "BPBD",
    "Dinas Pertanian", "Sekretariat Daerah",
)
SUBJECTS = (
    "Pertanyaan paket {kode}", "Mohon penjelasan terkait {paket}", "Kendala paket {kode}",
    "Konfirmasi {paket}", "Permohonan informasi", "Tanya soal kontrak {kode}",
    "Mohon arahan, paket {kode}", "Klarifikasi {paket}",
)
#: Case questions on which the shipped FAQ abstains (each mail is checked again when it is
#: made). Other realistic ones that the matcher answered with an unrelated entry were dropped.
QUESTIONS = (
    "Apakah ruang rapat LPSE bisa dipinjam {dinas} pada {tanggal} untuk sosialisasi rencana "
    "umum pengadaan kepada kepala desa?",
    "Bapak/Ibu, apakah surat keterangan fiskal dari KPP Pratama Palembang Ilir Barat yang "
    "terbit {tanggal} masih dapat dipakai untuk kontrak paket {kode}?",
    "Mohon informasi apakah jaminan pelaksanaan paket {kode} boleh berupa surety bond dari "
    "perusahaan asuransi, atau harus bank garansi?",
    "Uang muka paket {kode} sebesar 20 persen belum cair padahal SPMK terbit {tanggal}. Ke "
    "bagian mana di {dinas} kami harus menanyakan?",
    "Kami kehilangan berkas asli kontrak paket {kode} ({paket}) karena kebakaran gudang. "
    "Bagaimana mendapatkan salinan yang dilegalisir?",
    "Apakah asuransi tenaga kerja BPJS Ketenagakerjaan untuk pekerja harian paket {kode} "
    "wajib dilampirkan saat penagihan termin pertama?",
    "Harga aspal naik cukup tinggi sejak {tanggal}. Apakah kontrak harga satuan paket {kode} "
    "bisa disesuaikan dengan eskalasi harga?",
    "Direksi lapangan dari {dinas} meminta pekerjaan tambah di luar gambar kontrak. Apakah "
    "kami boleh mengerjakan sebelum ada addendum tertulis?",
    "Material pasir dari supplier kami di Tanjung Raja tidak sesuai spesifikasi. Apakah kami "
    "boleh mengganti supplier di tengah pekerjaan {paket}?",
    "Serah terima pertama (PHO) paket {kode} dijadwalkan {tanggal}. Dokumen apa saja yang "
    "perlu kami siapkan untuk panitia penerima hasil pekerjaan?",
    "Masa pemeliharaan paket {kode} tinggal dua bulan, tetapi ada retak kecil di dinding. "
    "Apakah retensi lima persen bisa ditahan karena hal itu?",
    "Kami mendapat teguran tertulis pertama dari PPK {dinas} karena progres terlambat. Berapa "
    "kali teguran sebelum kontrak bisa diputus?",
    "Dalam rapat persiapan pelaksanaan kontrak paket {kode}, PPK meminta jadwal kurva S "
    "direvisi. Format kurva S seperti apa yang biasa dipakai {dinas}?",
)
STORY = (
    "Perusahaan kami sudah beberapa tahun mengikuti pengadaan di Kabupaten Ogan Ilir dan "
    "selama ini tidak pernah ada masalah.",
    "Pada {tanggal} kami menerima surat dari {dinas} yang isinya meminta kami melengkapi "
    "beberapa berkas, dan semua berkas itu sudah kami antar langsung ke kantor.",
    "Di lapangan, pekerjaan {paket} sudah mencapai kurang lebih enam puluh persen, sesuai "
    "laporan mingguan yang kami kirim kepada konsultan pengawas.",
    "Direktur kami sedang dinas ke luar kota sehingga semua urusan administrasi sementara "
    "ditangani oleh bagian keuangan.",
    "Kami juga sudah mencoba bertanya kepada staf di kantor camat, tetapi mereka menyarankan "
    "agar kami menanyakan langsung kepada pihak yang berwenang.",
    "Sebagai informasi tambahan, cuaca di lokasi beberapa minggu terakhir sering hujan deras "
    "sehingga material sulit masuk karena jalan desa berlumpur.",
    "Tim kami terdiri dari dua belas orang pekerja lokal dan satu pelaksana lapangan yang "
    "sudah bersertifikat keahlian.",
    "Kami tidak ingin ada kesalahan administrasi yang nanti menjadi temuan pemeriksa, karena "
    "itu kami bertanya lebih dulu sebelum melangkah.",
)
FOLLOW_UPS = (
    "Menambahkan keterangan: kontrak paket {kode} ditandatangani pada {tanggal}.",
    "Berikut kami tambahkan bahwa PPK yang menangani adalah dari {dinas}.",
    "Mohon maaf, kode paket yang benar adalah {kode}.",
    "Sebagai tambahan, surat dari {dinas} kami terima pada {tanggal}.",
    "Kami susulkan informasi bahwa nomor kontrak tercantum pada lampiran surat sebelumnya.",
)
GREETINGS = ("Yth. Helpdesk LPSE Ogan Ilir,", "Selamat pagi Bapak/Ibu,", "Assalamualaikum,",
             "Dengan hormat,", "Selamat siang,")
CLOSINGS = ("Salam,", "Hormat kami,", "Terima kasih,", "Wassalam,")


@dataclass(frozen=True)
class Outgoing:
    """One mail of the run: who sends it, its bytes and what it should become."""

    index: int
    kind: str  # "new", "reply" or "seed"
    sender: str
    message_id: str
    reference: str
    data: bytes
    long: bool = False
    pdf: bool = False
    #: For a reply: the index of its seed (whose ticket it must join).
    seed_index: int | None = None


@dataclass(frozen=True)
class Person:
    name: str
    address: str
    company: str


@dataclass
class Ack:
    """An acknowledgement the relay sink received for one mail."""

    message_id: str
    subject: str
    text: str


@dataclass
class Acks:
    """Every mail the relay got in reply to one Message-ID: the first, and when they came."""

    first: Ack
    arrivals: list[float]


class MessageFactory:
    """Deterministic, realistic mails that the FAQ does not answer."""

    def __init__(self, run_tag: str, matcher: FaqMatcher) -> None:
        self.run_tag = run_tag
        self.rng = random.Random(SEED)
        self.matcher = matcher
        self.rejected_by_faq = 0

    def person(self, index: int) -> Person:
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)]
        company, slug = COMPANIES[index % len(COMPANIES)]
        return Person(f"{first} {last}", f"{first.lower()}.{index}@{slug}.co.id", company)

    def reference(self, index: int) -> str:
        """A number unique to the mail (and the run), kept in the ticket message's text."""
        return f"027/{self.run_tag}/{index:06d}"

    def message_id(self, index: int, person: Person) -> str:
        domain = person.address.rpartition("@")[2]
        return f"<{self.run_tag}.{index}.{secrets.token_hex(6)}@{domain}>"

    def _values(self) -> dict[str, str]:
        day = datetime(2024, 1, 8, tzinfo=UTC) + timedelta(days=self.rng.randrange(300))
        return {
            "kode": str(self.rng.randrange(10_000_000, 99_999_999)),
            "paket": self.rng.choice(PACKAGES),
            "dinas": self.rng.choice(DINAS),
            "tanggal": day.strftime("%d-%m-%Y"),
        }

    def _question(self, index: int, long: bool) -> tuple[str, dict[str, str]]:
        """The question (and its story), with the mail's reference number."""
        values = self._values()
        question = self.rng.choice(QUESTIONS).format(**values)
        line = f"Nomor surat kami {self.reference(index)}."
        if not long:
            return f"{question}\n{line}", values
        story = [s.format(**values) for s in self.rng.sample(STORY, k=5)]
        extra = [s.format(**values) for s in self.rng.sample(STORY, k=6)]
        paragraphs = [" ".join(story[:2]), " ".join(extra), " ".join(reversed(extra)),
                      " ".join(story[2:]), question, line]
        return "\n\n".join(paragraphs), values

    def _message(
        self,
        person: Person,
        subject: str,
        body: str,
        message_id: str,
        *,
        in_reply_to: str | None = None,
        references: Sequence[str] = (),
        pdf: bytes | None = None,
        pdf_name: str = "",
    ) -> bytes:
        message = EmailMessage()
        message["From"] = formataddr((person.name, person.address))
        message["To"] = HELPDESK
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = message_id
        if in_reply_to:
            message["In-Reply-To"] = in_reply_to
            message["References"] = " ".join(references)
        message["X-Mailer"] = "Microsoft Outlook 16.0"
        message.set_content(body)
        if pdf is not None:
            message.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
        return message.as_bytes(policy=policy.SMTP)

    def _pdf(self) -> bytes:
        return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + self.rng.randbytes(PDF_BYTES - 24) + b"\n%%EOF\n"

    def new(self, index: int, kind: str = "new") -> Outgoing:
        """A first mail; re-drawn until the FAQ matcher abstains on what the processor reads
        (the body without its signature: ``ParsedMail.text``)."""
        person = self.person(index)
        long = self.rng.random() < LONG_SHARE
        for _ in range(50):
            text, values = self._question(index, long)
            phone = f"0812-{self.rng.randrange(1000, 9999)}-{self.rng.randrange(1000, 9999)}"
            signature = f"{self.rng.choice(CLOSINGS)}\n{person.name}\n{person.company}\n" \
                        f"Telp. {phone}"
            body = f"{self.rng.choice(GREETINGS)}\n\n{text}\n\n{signature}\n"
            read = strip_quotes_and_signature(body) or body
            if self.reference(index) in read and self.matcher.match(read).answer is None:
                break
            self.rejected_by_faq += 1
        else:
            raise RuntimeError("the FAQ answers every generated question: adjust QUESTIONS")
        subject = self.rng.choice(SUBJECTS).format(**values)
        message_id = self.message_id(index, person)
        pdf = self._pdf() if index % PDF_EVERY == PDF_EVERY // 2 else None
        data = self._message(
            person, subject, body, message_id, pdf=pdf, pdf_name=f"surat-{index}.pdf"
        )
        return Outgoing(index, kind, person.address, message_id, self.reference(index), data,
                        long=long, pdf=pdf is not None)

    def reply(self, index: int, seed: Outgoing, ack: Ack) -> Outgoing:
        """The seed's sender answers the acknowledgement, quoting it."""
        person = self.person(seed.index)
        values = self._values()
        text = f"{self.rng.choice(FOLLOW_UPS).format(**values)}\nNomor surat kami " \
               f"{self.reference(index)}."
        quoted = "\n".join(f"> {line}" if line else ">" for line in ack.text.splitlines())
        when = format_datetime(datetime.now(UTC))
        body = (
            f"{text}\n\nSalam,\n{person.name}\n\n"
            f"Pada {when}, Helpdesk LPSE <{HELPDESK}> menulis:\n{quoted}\n"
        )
        subject = ack.subject if ack.subject.lower().startswith("re:") else f"Re: {ack.subject}"
        message_id = self.message_id(index, person)
        pdf = self._pdf() if index % PDF_EVERY == PDF_EVERY // 2 else None
        data = self._message(
            person,
            subject,
            body,
            message_id,
            in_reply_to=ack.message_id,
            references=(seed.message_id, ack.message_id),
            pdf=pdf,
            pdf_name=f"lampiran-{index}.pdf",
        )
        return Outgoing(index, "reply", person.address, message_id, self.reference(index), data,
                        pdf=pdf is not None, seed_index=seed.index)


# --------------------------------------------------------------------------------------------
# clients (in another process)
# --------------------------------------------------------------------------------------------

#: (index, envelope sender, bytes) of one transaction.
Send = tuple[int, str, bytes]


@dataclass
class Transaction:
    index: int
    code: int  # 250, the SMTP error code, or -1 for a broken connection
    started: float  # time.monotonic(), comparable across processes on one host
    ended: float


@dataclass
class ClientRun:
    transactions: list[Transaction] = field(default_factory=list)
    cpu_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def warm_up(seconds: float) -> int:
    """Runs in a client process: makes the pool start it before anything is timed."""
    time.sleep(seconds)
    return os.getpid()


#: What a client process hands back (plain tuples: its classes live in another ``__main__``).
Outcome = tuple[list[tuple[int, int, float, float]], float, list[str]]


def drive_clients(
    host: str, port: int, lanes: list[list[Send]], connection_per_message: bool
) -> Outcome:
    """Runs in a client process: one aiosmtplib client per lane, all concurrently."""
    started = _cpu_seconds()
    run = asyncio.run(_drive(host, port, lanes, connection_per_message))
    return (
        [(t.index, t.code, t.started, t.ended) for t in run.transactions],
        _cpu_seconds() - started,
        run.errors,
    )


async def _drive(
    host: str, port: int, lanes: list[list[Send]], connection_per_message: bool
) -> ClientRun:
    run = ClientRun()
    await asyncio.gather(*(_lane(host, port, lane, connection_per_message, run) for lane in lanes))
    return run


async def _lane(
    host: str, port: int, lane: list[Send], connection_per_message: bool, run: ClientRun
) -> None:
    client: aiosmtplib.SMTP | None = None
    try:
        for index, sender, data in lane:
            started = time.monotonic()
            if client is None:
                client = aiosmtplib.SMTP(hostname=host, port=port, timeout=120, start_tls=False)
                await client.connect()
                started = time.monotonic()  # the transaction, not the connection set-up
            code = 250
            try:
                await client.sendmail(sender, [HELPDESK], data)
            except aiosmtplib.SMTPRecipientsRefused as error:
                code = error.recipients[0].code
            except aiosmtplib.SMTPResponseException as error:
                code = error.code
            except (aiosmtplib.SMTPException, OSError) as error:
                code = -1
                run.errors.append(f"#{index}: {error!r}")
            ended = time.monotonic()
            run.transactions.append(Transaction(index, code, started, ended))
            if code == -1 or connection_per_message:
                with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                    if code != -1:
                        await client.quit()
                client.close()
                client = None
    finally:
        if client is not None:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.quit()
            client.close()


def split_lanes(messages: Sequence[Outgoing], clients: int) -> list[list[Send]]:
    """Deal the messages round-robin to ``clients`` lanes (each lane keeps their order)."""
    lanes: list[list[Send]] = [[] for _ in range(clients)]
    for position, message in enumerate(messages):
        lanes[position % clients].append((message.index, message.sender, message.data))
    return [lane for lane in lanes if lane]


async def send_all(
    pool: ProcessPoolExecutor,
    processes: int,
    port: int,
    lanes: list[list[Send]],
    connection_per_message: bool,
) -> ClientRun:
    """All lanes through the client processes; their results merged."""
    loop = asyncio.get_running_loop()
    shares = [lanes[start::processes] for start in range(processes)]
    runs = await asyncio.gather(
        *(
            loop.run_in_executor(
                pool, drive_clients, "127.0.0.1", port, share, connection_per_message
            )
            for share in shares
            if share
        )
    )
    merged = ClientRun()
    for transactions, cpu_seconds, errors in runs:
        merged.transactions += [Transaction(*values) for values in transactions]
        merged.cpu_seconds += cpu_seconds
        merged.errors += errors
    merged.transactions.sort(key=lambda t: t.index)
    return merged


# --------------------------------------------------------------------------------------------
# servers
# --------------------------------------------------------------------------------------------


class BareHandler:
    """The baseline: aiosmtpd with a handler that accepts and forgets."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return "250 OK"


class RelaySink:
    """The office relay: keeps each mail's bytes and arrival time; parses them when asked.

    It also counts the bot's connections (measured here, at the relay, whatever the bot's
    code): opened, open now and the most open at once (hosted relays allow only a few)."""

    def __init__(self) -> None:
        self.connections_opened = 0
        self.connections_open = 0
        self.connections_peak = 0
        self.received: list[tuple[float, bytes]] = []
        #: The connection (its aiosmtpd session) each received mail came over.
        self.received_over: list[int] = []
        self._parsed: list[tuple[float, str, Ack]] = []
        self._parser = BytesParser(policy=policy.default)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append((time.monotonic(), envelope.original_content or b""))
        self.received_over.append(id(session))
        return "250 OK"

    def connection_made(self) -> None:
        self.connections_opened += 1
        self.connections_open += 1
        self.connections_peak = max(self.connections_peak, self.connections_open)

    def connection_lost(self) -> None:
        self.connections_open -= 1

    def acks(self, start: int = 0) -> dict[str, Acks]:
        """In-Reply-To -> the mails that answered it, from the ``start``-th mail received on."""
        for arrived, raw in self.received[len(self._parsed) :]:
            mail = self._parser.parsebytes(raw)
            parent = "".join(str(mail.get("In-Reply-To", "")).split())
            body = mail.get_body(("plain",))
            text = body.get_content() if isinstance(body, EmailMessage) else ""
            ack = Ack("".join(str(mail["Message-ID"]).split()), str(mail["Subject"]), text)
            self._parsed.append((arrived, parent, ack))
        found: dict[str, Acks] = {}
        for arrived, parent, ack in self._parsed[start:]:
            if parent:
                found.setdefault(parent, Acks(ack, [])).arrivals.append(arrived)
        return found


def size_limit() -> int:
    """The intake's DATA limit (``IntakeServer.size_limit``), for the bare server too."""
    return int(MAX_ATTACHMENT_MB * 1024 * 1024 * SIZE_OVERHEAD) + 1024 * 1024


class CountingSMTP(SMTP):
    """aiosmtpd's server telling a ``RelaySink`` of each connection opened and closed."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.event_handler.connection_made()
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        self.event_handler.connection_lost()
        super().connection_lost(error)


@contextlib.asynccontextmanager
async def smtp_server(handler: object, port: int = 0) -> AsyncIterator[int]:
    """An aiosmtpd server on this loop, built like the bot's intake; yields its port."""
    loop = asyncio.get_running_loop()
    server_class = CountingSMTP if isinstance(handler, RelaySink) else SMTP
    server = await loop.create_server(
        lambda: server_class(
            handler,
            hostname=HELPDESK_DOMAIN,
            data_size_limit=size_limit(),
            enable_SMTPUTF8=True,
            decode_data=False,
            timeout=SESSION_TIMEOUT_SECONDS,
        ),
        host="127.0.0.1",
        port=port,
    )
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        await server.wait_closed()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_listening(port: int, task: asyncio.Task[None], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if task.done():
            task.result()
            raise RuntimeError("the bot stopped during start-up")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return
    raise RuntimeError(f"the bot's SMTP intake did not listen on {port}")


@dataclass
class RunningBot:
    settings: Settings
    sink: RelaySink
    engine: AsyncEngine
    task: asyncio.Task[None]
    stop: asyncio.Event


@contextlib.asynccontextmanager
async def running_bot(
    workdir: Path, database_url: str | None, telegram: bool
) -> AsyncIterator[RunningBot]:
    """The whole bot (``bot.app.run``) with SMTP intake, a relay sink and maybe Telegram."""
    sink = RelaySink()
    api: BotApiStandIn | None = None
    async with contextlib.AsyncExitStack() as stack:
        relay_port = await stack.enter_async_context(smtp_server(sink))
        staff_file = workdir / "staff.yaml"
        staff_file.write_text(ROSTER, encoding="utf-8")
        values: dict[str, Any] = {
            "database_url": database_url or f"sqlite+aiosqlite:///{workdir / 'helpdesk.db'}",
            "staff_file": staff_file,
            "attachments_dir": workdir / "attachments",
            "office_hours": "24/7",
            "helpdesk_email": HELPDESK,
            "smtp_listen_host": "127.0.0.1",
            "smtp_listen_port": free_port(),
            "smtp_relay_host": "127.0.0.1",
            "smtp_relay_port": relay_port,
            "smtp_relay_starttls": False,
            "max_attachment_mb": MAX_ATTACHMENT_MB,
            # A burst of thousands of distinct senders: lift the backscatter budgets, which
            # would otherwise (correctly) stop acknowledging after 120 an hour.
            "mail_acks_per_hour": 100_000,
            "mail_acks_per_domain_per_hour": 100_000,
        }
        if telegram:
            api = BotApiStandIn()
            await api.start()
            stack.push_async_callback(api.stop)
            api.add_group(STAFF_CHAT, "Staf LPSE Ogan Ilir")
            values |= {
                "telegram_bot_token": api.token,
                "telegram_api_base_url": api.base_url,
                "telegram_file_base_url": api.file_base_url,
                "telegram_staff_chat_id": STAFF_CHAT,
            }
            # Lift Telegram's flood limits (a staff group gets 20 messages a minute): the
            # cards would otherwise be the bottleneck. 0 turns a PTB limiter off.
            telegram_application.OVERALL_MESSAGES_PER_SECOND = 0
        settings = Settings(_env_file=None, **values)
        if telegram:
            settings = settings.model_copy(update={"telegram_group_msgs_per_min": 0})
        stop = asyncio.Event()
        task = asyncio.create_task(app.run(settings, stop), name="bot")
        engine = create_engine(settings.database_url)
        try:
            await wait_listening(settings.smtp_listen_port, task)
            yield RunningBot(settings, sink, engine, task, stop)
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=60)
            await engine.dispose()


# --------------------------------------------------------------------------------------------
# the database side
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marks:
    """Highest ids before the measured run: only rows above them belong to it."""

    inbound: int
    message: int
    ticket: int


async def marks(engine: AsyncEngine) -> Marks:
    async with engine.connect() as connection:
        values = []
        for column in (InboundMailRow.id, MessageRow.id, TicketRow.id):
            values.append(int(await connection.scalar(select(func.max(column))) or 0))
    return Marks(*values)


async def progress(engine: AsyncEngine, since: Marks) -> tuple[int, int]:
    """(mails of the run no longer pending, inbound ticket messages of the run)."""
    async with engine.connect() as connection:
        done = await connection.scalar(
            select(func.count())
            .select_from(InboundMailRow)
            .where(InboundMailRow.id > since.inbound, InboundMailRow.status != "pending")
        )
        messages = await connection.scalar(
            select(func.count())
            .select_from(MessageRow)
            .where(MessageRow.id > since.message, MessageRow.direction == "in")
        )
    return int(done or 0), int(messages or 0)


async def idle(engine: AsyncEngine) -> bool:
    """No mail pending, nothing in the outbox."""
    async with engine.connect() as connection:
        pending = await connection.scalar(
            select(func.count())
            .select_from(InboundMailRow)
            .where(InboundMailRow.status == "pending")
        )
        queued = await connection.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")
        )
    return not pending and not queued


async def wait_until(
    check: Callable[[], Awaitable[bool]], timeout: float, what: str
) -> float:
    """Poll ``check`` every POLL_SECONDS; returns the monotonic time it first held."""
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)


# --------------------------------------------------------------------------------------------
# measuring
# --------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], percent: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


@dataclass
class ServerResult:
    server: str
    sent: int
    accepted: int
    refused: int
    broken: int
    acceptance_seconds: float
    acceptance_per_second: float
    end_to_end_seconds: float
    end_to_end_per_second: float
    latency_p50_ms: float
    latency_p99_ms: float
    latency_max_ms: float
    server_cpu_percent: float
    client_cpu_percent: float
    processed_at_acceptance_end: int | None = None
    acks_seconds: float | None = None
    acks_per_second: float | None = None


def summarise(
    server: str,
    run: ClientRun,
    server_cpu: float,
    processes: int,
    end_to_end: float | None = None,
) -> ServerResult:
    accepted = [t for t in run.transactions if t.code == 250]
    first = min(t.started for t in run.transactions)
    last = max(t.ended for t in accepted) if accepted else first
    window = last - first
    e2e_window = (end_to_end - first) if end_to_end is not None else float("nan")
    latencies = [(t.ended - t.started) * 1000 for t in accepted]
    return ServerResult(
        server=server,
        sent=len(run.transactions),
        accepted=len(accepted),
        refused=sum(1 for t in run.transactions if t.code not in (250, -1)),
        broken=sum(1 for t in run.transactions if t.code == -1),
        acceptance_seconds=round(window, 3),
        acceptance_per_second=round(len(accepted) / window, 1) if window else 0.0,
        end_to_end_seconds=round(e2e_window, 3),
        end_to_end_per_second=round(len(accepted) / e2e_window, 1),
        latency_p50_ms=round(percentile(latencies, 50), 2),
        latency_p99_ms=round(percentile(latencies, 99), 2),
        latency_max_ms=round(max(latencies, default=float("nan")), 2),
        server_cpu_percent=round(100 * server_cpu / window, 1) if window else 0.0,
        client_cpu_percent=round(100 * run.cpu_seconds / (window * processes), 1)
        if window
        else 0.0,
    )


@dataclass
class Check:
    name: str
    expected: int
    actual: int

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


async def verify(
    engine: AsyncEngine,
    since: Marks,
    messages: Sequence[Outgoing],
    accepted: set[int],
    seed_tickets: dict[int, int],
    acks: dict[str, Acks],
    reference_pattern: re.Pattern[str],
) -> list[Check]:
    """Zero loss: each 250 is one inbound_mail row, processed, and one ticket message."""
    async with engine.connect() as connection:
        inbound = (
            await connection.execute(
                select(InboundMailRow.message_id, InboundMailRow.status, InboundMailRow.ticket_id)
                .where(InboundMailRow.id > since.inbound)
            )
        ).all()
        ticket_messages = (
            await connection.execute(
                select(MessageRow.ticket_id, MessageRow.text).where(
                    MessageRow.id > since.message, MessageRow.direction == "in"
                )
            )
        ).all()
        new_tickets = int(
            await connection.scalar(
                select(func.count()).select_from(TicketRow).where(TicketRow.id > since.ticket)
            )
            or 0
        )
        faq_answered = int(
            await connection.scalar(
                select(func.count())
                .select_from(TicketRow)
                .where(TicketRow.id > since.ticket, TicketRow.awaiting_faq_feedback.is_(True))
            )
            or 0
        )
    rows_by_id = Counter(str(row.message_id) for row in inbound)
    processed = {str(row.message_id) for row in inbound if row.status == "processed"}
    by_reference: dict[str, list[int]] = {}
    for row in ticket_messages:
        for found in set(reference_pattern.findall(str(row.text))):
            by_reference.setdefault(found, []).append(int(row.ticket_id))
    ok_mails = [m for m in messages if m.index in accepted]
    news = [m for m in ok_mails if m.kind == "new"]
    replies = [m for m in ok_mails if m.kind == "reply"]
    not_accepted = [m for m in messages if m.index not in accepted]
    new_ticket_ids = [by_reference.get(m.reference, [0])[0] for m in news]

    def tickets_of(mail: Outgoing) -> list[int]:
        return by_reference.get(mail.reference, [])

    return [
        Check("250s with exactly one inbound_mail row", len(ok_mails),
              sum(1 for m in ok_mails if rows_by_id[m.message_id] == 1)),
        Check("250s whose row is processed", len(ok_mails),
              sum(1 for m in ok_mails if m.message_id in processed)),
        Check("250s with exactly one ticket message", len(ok_mails),
              sum(1 for m in ok_mails if len(tickets_of(m)) == 1)),
        Check("inbound_mail rows of the run", len(ok_mails), len(inbound)),
        Check("inbound ticket messages of the run", len(ok_mails), len(ticket_messages)),
        Check("refused mails stored anyway", 0,
              sum(1 for m in not_accepted if rows_by_id[m.message_id])),
        Check("follow-ups in their seed's ticket", len(replies),
              sum(1 for m in replies
                  if m.seed_index is not None
                  and tickets_of(m) == [seed_tickets.get(m.seed_index, -1)])),
        Check("new mails in new tickets", len(news),
              sum(1 for ticket in new_ticket_ids if ticket > since.ticket)),
        Check("distinct new tickets", len(news), len(set(new_ticket_ids) - {0})),
        Check("tickets opened in the run", len(news), new_tickets),
        Check("... answered by the FAQ (workload check)", 0, faq_answered),
        Check("new mails acknowledged", len(news), sum(1 for m in news if m.message_id in acks)),
        Check("duplicate acknowledgements", 0,
              sum(len(acks[m.message_id].arrivals) - 1 for m in news if m.message_id in acks)),
    ]


async def poll_progress(
    engine: AsyncEngine, since: Marks, target: list[int], samples: list[tuple[float, int, int]]
) -> float:
    """Poll until ``target[0]`` (set once the clients are done) mails are processed."""
    while True:
        done, count = await progress(engine, since)
        now = time.monotonic()
        samples.append((now, done, count))
        if target and done >= target[0] and count >= target[0]:
            return now
        await asyncio.sleep(POLL_SECONDS)


async def measure_bot(
    args: argparse.Namespace,
    pool: ProcessPoolExecutor,
    workdir: Path,
    factory: MessageFactory,
    total: int,
    bare_runs: list[ServerResult],
) -> tuple[ServerResult, list[Outgoing], list[Check], dict[str, Any]]:
    """Seeds, then the measured run; the first bare run goes in between (bot idle)."""
    replies = round(total * REPLY_SHARE)
    async with running_bot(workdir, args.database_url, args.telegram) as bot:
        # Seeds: the originals the replies answer, acknowledged before the measured run.
        seeds = [factory.new(total + number, kind="seed") for number in range(replies)]
        seed_started = time.monotonic()
        waiting = list(seeds)
        for attempt in range(SEED_ATTEMPTS):
            if not waiting:
                break
            if attempt:  # as a mail server would: later, the refused ones again
                await asyncio.sleep(2.0)
            seeding = await send_all(
                pool, args.client_processes, bot.settings.smtp_listen_port,
                split_lanes(waiting, args.clients), False,
            )
            refused = {t.index for t in seeding.transactions if t.code != 250}
            waiting = [seed for seed in waiting if seed.index in refused]
        if waiting:
            raise RuntimeError(f"{len(waiting)} seed mails refused {SEED_ATTEMPTS} times")
        seed_ids = {seed.message_id for seed in seeds}
        timeout = WAIT_BASE_SECONDS + WAIT_PER_MESSAGE_SECONDS * (len(seeds) + total)

        async def seeds_acknowledged() -> bool:
            return seed_ids <= set(bot.sink.acks())

        await wait_until(seeds_acknowledged, timeout, "the seeds' acknowledgements")
        await wait_until(lambda: idle(bot.engine), timeout, "an idle bot after seeding")
        seed_seconds = time.monotonic() - seed_started
        seed_acks = bot.sink.acks()
        async with bot.engine.connect() as connection:
            seed_rows = (
                await connection.execute(
                    select(InboundMailRow.message_id, InboundMailRow.ticket_id).where(
                        InboundMailRow.message_id.in_(seed_ids)
                    )
                )
            ).all()
        ticket_of = {str(row.message_id): int(row.ticket_id or 0) for row in seed_rows}
        seed_tickets = {seed.index: ticket_of.get(seed.message_id, 0) for seed in seeds}

        # The measured mails: new ones and, spread among them, replies to the seeds' acks.
        rng = random.Random(SEED + 1)
        reply_slots = set(rng.sample(range(total), replies))
        messages: list[Outgoing] = []
        seed_queue = list(seeds)
        for index in range(total):
            if index in reply_slots:
                seed = seed_queue.pop()
                messages.append(factory.reply(index, seed, seed_acks[seed.message_id].first))
            else:
                messages.append(factory.new(index))
        lanes = split_lanes(messages, args.clients)
        # The first bare run, while the bot idles (its pollers wake every second or two).
        bare_runs.append(await measure_bare(args, pool, messages))

        since = await marks(bot.engine)
        sink_mark = len(bot.sink.received)
        opened_mark = bot.sink.connections_opened
        bot.sink.connections_peak = bot.sink.connections_open
        target: list[int] = []
        samples: list[tuple[float, int, int]] = []
        poller = asyncio.create_task(poll_progress(bot.engine, since, target, samples))
        cpu_before = _cpu_seconds()
        run = await send_all(
            pool, args.client_processes, bot.settings.smtp_listen_port, lanes,
            args.connection_per_message,
        )
        cpu_accept = _cpu_seconds() - cpu_before
        accepted = {t.index for t in run.transactions if t.code == 250}
        processed_at_end = samples[-1][1] if samples else 0
        target.append(len(accepted))
        try:
            finished = await asyncio.wait_for(poller, timeout=timeout)
        except TimeoutError:
            finished = None
            log.error("not every accepted mail was processed within %.0f s", timeout)
        news = {m.message_id for m in messages if m.kind == "new" and m.index in accepted}

        async def acknowledged() -> bool:
            return news <= set(bot.sink.acks(sink_mark))

        try:
            acked_at: float | None = await wait_until(acknowledged, timeout, "acknowledgements")
        except TimeoutError as error:
            log.error("%s", error)
            acked_at = None
        relay_mails = len(bot.sink.received) - sink_mark
        # Used: that carried a mail of the run (some may have been opened while seeding).
        relay_connections = len(set(bot.sink.received_over[sink_mark:]))
        relay = {
            "limit": getattr(bot.settings, "smtp_relay_max_connections", None),
            "mails": relay_mails,
            "connections_used": relay_connections,
            "connections_opened": bot.sink.connections_opened - opened_mark,
            "peak_concurrent": bot.sink.connections_peak,
            "mails_per_connection": round(relay_mails / relay_connections, 1)
            if relay_connections
            else None,
        }
        # Give a duplicate a moment to show up before counting (--settle).
        await asyncio.sleep(args.settle)
        acks = bot.sink.acks(sink_mark)
        reference_pattern = re.compile(rf"027/{re.escape(factory.run_tag)}/\d{{6}}")
        checks = await verify(
            bot.engine, since, messages, accepted, seed_tickets, acks, reference_pattern
        )
        backend = make_url(bot.settings.database_url).get_backend_name()
        # Let the outbox finish (staff cards with --telegram) before the bot stops.
        with contextlib.suppress(TimeoutError):
            await wait_until(lambda: idle(bot.engine), 60, "an empty outbox")

    result = summarise("helpdesk bot", run, cpu_accept, args.client_processes, finished)
    result.processed_at_acceptance_end = processed_at_end
    first = min(t.started for t in run.transactions)
    if acked_at is not None and news:
        result.acks_seconds = round(acked_at - first, 3)
        result.acks_per_second = round(len(news) / (acked_at - first), 1)
    extra = {
        "database": backend,
        "seeds": len(seeds),
        "seeding_seconds": round(seed_seconds, 2),
        "seed_ack_count": sum(1 for s in seeds if s.message_id in seed_acks),
        "client_errors": run.errors[:20],
        "new_accepted": len(news),
        "relay": relay,
        # How long after the first acknowledgement each duplicate came.
        "duplicate_ack_delays_s": sorted(
            round(arrived - record.arrivals[0], 1)
            for mail_id, record in acks.items()
            if mail_id in news
            for arrived in record.arrivals[1:]
        ),
    }
    return result, messages, checks, extra


async def measure_bare(
    args: argparse.Namespace, pool: ProcessPoolExecutor, messages: Sequence[Outgoing]
) -> ServerResult:
    async with smtp_server(BareHandler()) as port:
        cpu_before = _cpu_seconds()
        run = await send_all(
            pool, args.client_processes, port, split_lanes(messages, args.clients),
            args.connection_per_message,
        )
        cpu = _cpu_seconds() - cpu_before
    return summarise("bare aiosmtpd", run, cpu, args.client_processes)


def machine() -> dict[str, object]:
    return machine_info(
        aiosmtpd=aiosmtpd.__version__,
        aiosmtplib=aiosmtplib.__version__,
        sqlalchemy=sqlalchemy.__version__,
    )


def ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 3) if denominator else float("nan")


def tables(
    results: Sequence[ServerResult], ratios: dict[str, float], checks: Sequence[Check]
) -> str:
    parts = [
        render_table(
            ("server", "sent", "250", "refused", "broken", "accept/s", "e2e/s", "e2e s",
             "p50 ms", "p99 ms", "max ms", "server CPU", "client CPU"),
            [
                (r.server, r.sent, r.accepted, r.refused, r.broken, r.acceptance_per_second,
                 r.end_to_end_per_second, r.end_to_end_seconds, r.latency_p50_ms,
                 r.latency_p99_ms, r.latency_max_ms, f"{r.server_cpu_percent}%",
                 f"{r.client_cpu_percent}%")
                for r in results
            ],
        ),
        "",
        render_table(
            ("bot / bare", "value", "target"),
            [
                ("acceptance rate", ratios["acceptance"],
                 f">= {ACCEPTANCE_TARGET} " + ("met" if ratios["acceptance"] >= ACCEPTANCE_TARGET
                                              else "NOT met")),
                ("end-to-end rate", ratios["end_to_end"], "-"),
                ("latency p50", ratios["latency_p50"], "-"),
                ("latency p99", ratios["latency_p99"], "-"),
            ],
        ),
        "",
        render_table(
            ("zero loss", "expected", "actual", "ok"),
            [(c.name, c.expected, c.actual, "ok" if c.ok else "FAIL") for c in checks],
        ),
    ]
    return "\n".join(parts)


async def run_all(args: argparse.Namespace) -> tuple[dict[str, Any], bool]:
    total = args.messages
    load_before = os.getloadavg()
    matcher = FaqMatcher(load_kb(DEFAULT_KB_PATH))
    factory = MessageFactory(secrets.token_hex(3).upper(), matcher)
    context = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(prefix="bench-email-") as tmp,
        ProcessPoolExecutor(args.client_processes, mp_context=context) as pool,
    ):
        loop = asyncio.get_running_loop()
        await asyncio.gather(
            *(loop.run_in_executor(pool, warm_up, 0.5) for _ in range(args.client_processes))
        )
        bare_runs: list[ServerResult] = []
        bot, messages, checks, extra = await measure_bot(
            args, pool, Path(tmp), factory, total, bare_runs
        )
        while len(bare_runs) < args.bare_runs:
            bare_runs.append(await measure_bare(args, pool, messages))
    for run in bare_runs:
        run.end_to_end_seconds = run.acceptance_seconds
        run.end_to_end_per_second = run.acceptance_per_second
    # The bare runs are short (a second or two), so a busy host shows in them more than in
    # the bot's long run: the ratios use the median bare run.
    bare = sorted(bare_runs, key=lambda r: r.acceptance_per_second)[len(bare_runs) // 2]
    load_after = os.getloadavg()
    ratios = {
        "acceptance": ratio(bot.acceptance_per_second, bare.acceptance_per_second),
        "end_to_end": ratio(bot.end_to_end_per_second, bare.end_to_end_per_second),
        "latency_p50": ratio(bot.latency_p50_ms, bare.latency_p50_ms),
        "latency_p99": ratio(bot.latency_p99_ms, bare.latency_p99_ms),
    }
    print(tables([bare, bot], ratios, checks))
    print(
        f"\nbare runs (accept/s): {', '.join(str(r.acceptance_per_second) for r in bare_runs)}"
        f" (median used); load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f}"
        f" on {os.cpu_count()} CPUs"
    )
    if extra["duplicate_ack_delays_s"]:
        print(f"duplicate acknowledgements came {extra['duplicate_ack_delays_s']} s after the"
              " first one")
    refused = bot.refused + bot.broken
    if refused:
        print(f"{refused} mails got no 250 from the bot (the sender keeps such mail and retries:"
              " not loss, but no 250 either)")
    if bot.acks_per_second is not None:
        print(
            f"\nacknowledgements at the relay: {bot.acks_per_second}/s "
            f"(all {extra['new_accepted']} within {bot.acks_seconds} s of "
            f"the first connection); processed when the last 250 went out: "
            f"{bot.processed_at_acceptance_end}/{bot.accepted}"
        )
    relay = extra["relay"]
    print(
        f"relay connections: {relay['connections_used']} used for {relay['mails']} mails"
        f" ({relay['mails_per_connection']} mails per connection;"
        f" {relay['connections_opened']} opened during the run), at most"
        f" {relay['peak_concurrent']} at once (SMTP_RELAY_MAX_CONNECTIONS {relay['limit']})"
    )
    report: dict[str, Any] = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "config": {
            "clients": args.clients,
            "messages": total,
            "client_processes": args.client_processes,
            "connection_per_message": args.connection_per_message,
            "telegram": args.telegram,
            "database": extra["database"],
            "replies": sum(1 for m in messages if m.kind == "reply"),
            "long": sum(1 for m in messages if m.long),
            "with_pdf": sum(1 for m in messages if m.pdf),
            "bytes": sum(len(m.data) for m in messages),
            "seeds": extra["seeds"],
            "seeding_seconds": extra["seeding_seconds"],
            "faq_redraws": factory.rejected_by_faq,
        },
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "results": [asdict(bare), asdict(bot)],
        "bare_runs": [asdict(r) for r in bare_runs],
        "ratios_bot_over_bare": ratios,
        "acceptance_target": ACCEPTANCE_TARGET,
        "acceptance_target_met": ratios["acceptance"] >= ACCEPTANCE_TARGET,
        "zero_loss": [{**asdict(c), "ok": c.ok} for c in checks],
        "zero_loss_ok": all(c.ok for c in checks),
        "client_errors": extra["client_errors"],
        "duplicate_ack_delays_s": extra["duplicate_ack_delays_s"],
        "relay_connections": extra["relay"],
    }
    return report, all(c.ok for c in checks)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark, print the tables, write the JSON."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent SMTP clients")
    parser.add_argument("--messages", type=int, default=2000, help="measured messages in all")
    parser.add_argument("--quick", action="store_true", help="smoke run: 200 messages")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite in a temp dir)")
    parser.add_argument("--telegram", action="store_true",
                        help="staff group on the Bot API stand-in too (flood limits lifted)")
    parser.add_argument("--client-processes", type=int, default=1,
                        help="processes the clients are spread over")
    parser.add_argument("--connection-per-message", action="store_true",
                        help="a new SMTP connection for every message")
    parser.add_argument("--bare-runs", type=int, default=3,
                        help="bare server runs (one before the bot's run, the rest after)")
    parser.add_argument("--settle", type=float, default=1.0,
                        help="seconds to wait before counting acknowledgements (a duplicate "
                             "from an expired outbox lease shows after its 2 minutes)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON file to write")
    args = parser.parse_args(argv)
    if args.quick:
        args.messages = 200
    if args.clients < 1 or args.messages < 10 or args.client_processes < 1 or args.bare_runs < 1:
        parser.error("need at least 1 client, client process and bare run, and 10 messages")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(logging.WARNING)
    report, ok = asyncio.run(run_all(args))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    shown = args.output.relative_to(REPO) if args.output.is_relative_to(REPO) else args.output
    print(f"written {shown}")
    if not ok:
        print("ZERO LOSS FAILED: see the table above", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
