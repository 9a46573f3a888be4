"""Telegram HTML for cards and messages; every piece of user text is escaped here."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

from bot import texts
from bot.core.checklist import NeedLine
from bot.core.outbound import Outbound, OutboundKind
from bot.core.sop import ChecklistItem
from bot.core.tickets import AttachmentRef, Ticket
from handlers.telegram import callbacks

#: Telegram's limit for one message (characters after entity parsing).
MESSAGE_LIMIT = 4096
#: How much of the question a card shows.
CARD_QUESTION_CHARS = 200

Keyboard = list[list[dict[str, str]]]

_CARD_TITLE = re.compile(
    re.escape(texts.CARD_TITLE).replace(re.escape("{number}"), r"([0-9]+)") + r"[ \t]*"
)


def escape(text: str) -> str:
    """Text safe inside Telegram HTML."""
    return html.escape(text, quote=False)


def button(label: str, data: str) -> dict[str, str]:
    return {"text": label, "data": data}


def card_number(text: str) -> int | None:
    """The ticket of a card, by its text as Telegram shows it: the first line is exactly
    ``Tiket #N`` (no other bot message starts so); None for any other text."""
    found = _CARD_TITLE.fullmatch(text.split("\n", 1)[0])
    return int(found.group(1)) if found else None


def card(
    ticket: Ticket,
    *,
    requester_name: str,
    assignee_name: str | None,
    files: Sequence[AttachmentRef],
    due_at: datetime | None,
    overall_due_at: datetime | None,
    zone: tzinfo,
    needs: Sequence[NeedLine] = (),
    documents: Sequence[tuple[ChecklistItem, bool]] = (),
    notices: Sequence[str] = (),
) -> str:
    """The staff group's card; its first line is ``Tiket #N``. Only Indonesian catalog text
    (``uraian``, ``kelengkapan``) is shown, never the English ``action``."""
    sop = ticket.sop
    step = sop.step(ticket.step)
    lines = [
        f"<b>{escape(texts.CARD_TITLE.format(number=ticket.number))}</b>",
        escape(texts.CARD_SOP.format(sop_id=sop.id, sop_title=sop.title)),
    ]
    if ticket.agenda:
        lines.append(escape(texts.CARD_AGENDA.format(agenda=ticket.agenda)))
    lines += [
        escape(
            texts.CARD_STEP_OF.format(
                step=step.n,
                total=len(sop.steps),
                uraian=step.uraian or "-",
                role=ticket.step_role,
            )
        ),
        escape(texts.CARD_STATUS.format(status=texts.STATUS_NAMES[ticket.status.value])),
        escape(texts.CARD_REQUESTER.format(name=requester_name, channel=ticket.channel.value)),
    ]
    if assignee_name:
        lines.append(escape(texts.CARD_ASSIGNEE.format(name=assignee_name)))
    question = ticket.subject
    if len(question) > CARD_QUESTION_CHARS:
        question = question[: CARD_QUESTION_CHARS - 1] + "…"
    lines.append(escape(texts.CARD_QUESTION.format(text=question)))
    if code := ticket.details.get("kode_tender"):
        lines.append(escape(texts.CARD_TENDER.format(code=code)))
    if needs and ticket.is_open:
        lines.append(escape(texts.CARD_NEEDS))
        lines += [escape(_need_line(need)) for need in needs]
    if documents:
        present = sum(1 for _, there in documents if there)
        lines.append(escape(texts.CARD_CHECKLIST.format(present=present, total=len(documents))))
        lines += [
            escape(
                (texts.CARD_NEED_PRESENT if there else texts.CARD_NEED_MISSING).format(
                    item=item.nama
                )
            )
            for item, there in documents
        ]
    if files:
        names = ", ".join(file.filename for file in files)
        lines.append(escape(texts.CARD_FILES.format(files=names)))
    if ticket.register_number:
        lines.append(escape(texts.CARD_REGISTER.format(register=ticket.register_number)))
    if ticket.decision is not None:
        lines.append(escape(texts.CARD_DECISION.format(decision=ticket.decision.value)))
    if ticket.outcome and not ticket.is_open:
        lines.append(escape(texts.CARD_OUTCOME.format(outcome=ticket.outcome)))
    if ticket.awaiting_visit and ticket.is_open:
        lines.append(escape(texts.CARD_WAITING_VISIT))
    if ticket.outage_paused and ticket.is_open:
        lines.append(escape(texts.CARD_OUTAGE))
    lines += [escape(notice) for notice in notices]
    if due_at is not None and ticket.is_open:
        due = due_at.astimezone(zone).strftime("%d-%m-%Y %H:%M")
        lines.append(escape(texts.CARD_DUE.format(due=due)))
    if overall_due_at is not None and ticket.is_open:
        overall = overall_due_at.astimezone(zone).strftime("%d-%m-%Y %H:%M")
        lines.append(escape(texts.CARD_OVERALL_DUE.format(due=overall)))
    if ticket.breached and ticket.is_open:
        lines.append(f"<b>{escape(texts.CARD_BREACHED)}</b>")
    if ticket.rating is not None:
        lines.append(escape(texts.CARD_RATING.format(rating=ticket.rating)))
    return "\n".join(lines)


def _need_line(need: NeedLine) -> str:
    if need.present is None:
        return texts.CARD_NEED_INFO.format(item=need.label)
    template = texts.CARD_NEED_PRESENT if need.present else texts.CARD_NEED_MISSING
    return template.format(item=need.label)


def card_keyboard(ticket: Ticket) -> Keyboard:
    """Action buttons under a card; a closed ticket keeps only publishing to the FAQ.

    The second row is what the step allows: ``Pemohon hadir`` while SOP-01 waits for the
    provider, ``Setujui`` / ``Tolak`` on an approval step, ``Berhasil`` / ``Gagal`` at LKPP's
    result, else ``Langkah berikutnya`` / ``Selesai``.
    """
    number = ticket.number or 0
    if not ticket.is_open:
        return [[button(texts.BUTTON_PUBLISH, callbacks.staff("pub", number))]]
    if ticket.awaiting_visit:
        step_row = [
            button(texts.BUTTON_VISIT, callbacks.staff("visit", number)),
            button(texts.BUTTON_CLOSE, callbacks.staff("close", number)),
        ]
    elif ticket.awaits_decision:
        step_row = [
            button(texts.BUTTON_APPROVE, callbacks.staff("approve", number)),
            button(texts.BUTTON_REJECT, callbacks.staff("reject", number)),
        ]
    elif ticket.awaits_lkpp_result:
        step_row = [
            button(texts.BUTTON_LKPP_SUCCESS, callbacks.staff("lkppok", number)),
            button(texts.BUTTON_LKPP_FAILURE, callbacks.staff("lkppfail", number)),
        ]
    else:
        step_row = [
            button(texts.BUTTON_NEXT_STEP, callbacks.staff("next", number)),
            button(texts.BUTTON_CLOSE, callbacks.staff("close", number)),
        ]
    return [
        [
            button(texts.BUTTON_TAKE, callbacks.staff("take", number)),
            button(texts.BUTTON_FORWARD, callbacks.staff("fwd", number)),
            button(texts.BUTTON_REQUEST_DATA, callbacks.staff("data", number)),
        ],
        step_row,
        [
            button(texts.BUTTON_CHANGE_SOP, callbacks.staff("sops", number)),
            button(texts.BUTTON_PUBLISH, callbacks.staff("pub", number)),
        ],
    ]


def forward_keyboard(number: int, roles: Sequence[str]) -> Keyboard:
    """Role choices for forwarding, two per row, then back."""
    return _choices(number, [button(role, callbacks.staff("to", number, role)) for role in roles])


def sop_keyboard(number: int, sop_ids: Sequence[str]) -> Keyboard:
    """Procedures a ticket can move to, two per row, then back."""
    choices = [button(sop_id, callbacks.staff("tosop", number, sop_id)) for sop_id in sop_ids]
    return _choices(number, choices)


def data_request_keyboard(number: int, items: Sequence[str], ticked: Sequence[bool]) -> Keyboard:
    """\"Minta data\": one toggle per missing item, then send and back."""
    rows = [
        [
            button(
                (texts.BUTTON_TICKED if on else texts.BUTTON_UNTICKED).format(item=item)[:60],
                callbacks.staff("tick", number, str(index)),
            )
        ]
        for index, (item, on) in enumerate(zip(items, ticked, strict=True))
    ]
    rows.append(
        [
            button(texts.BUTTON_SEND_REQUEST, callbacks.staff("ask", number)),
            button(texts.BUTTON_CANCEL_REQUEST, callbacks.staff("noask", number)),
        ]
    )
    return rows


def _choices(number: int, buttons: list[dict[str, str]]) -> Keyboard:
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    rows.append([button(texts.BUTTON_BACK, callbacks.staff("back", number))])
    return rows


def plain(template: str, **values: Any) -> str:
    """A text template with user values, all escaped for HTML."""
    return escape(template.format(**values))


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split at line breaks (or hard, outside an entity) into parts of at most ``limit``.

    Lengths are UTF-16 code units, as Telegram counts them (an emoji is two), measured on the
    HTML source, which is never shorter than the text Telegram shows. Our templates keep tags
    on short header lines, so a long line is escaped user text and can be cut anywhere except
    inside an ``&...;`` entity.
    """
    if utf16_length(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate_text = f"{current}\n{line}" if current else line
        if utf16_length(candidate_text) <= limit:
            current = candidate_text
            continue
        if current:
            parts.append(current)
        while utf16_length(line) > limit:
            cut = _fitting_prefix(line, limit)
            ampersand = line.rfind("&", max(0, cut - 8), cut)
            if ampersand > 0 and ";" not in line[ampersand:cut]:
                cut = ampersand
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current:
        parts.append(current)
    return [part for part in parts if part.strip()]  # Telegram refuses an empty message


def split_long_texts(messages: list[Outbound]) -> list[Outbound]:
    """Each Telegram text longer than one message as one message per part, in order, the
    buttons under the last. Queued apart, a part that failed is retried alone: the parts
    already delivered are not sent again."""
    out: list[Outbound] = []
    for message in messages:
        if message.channel != "telegram" or message.kind is not OutboundKind.TEXT:
            out.append(message)
            continue
        parts = split_html(message.payload["text"])
        if len(parts) <= 1:
            out.append(message)
            continue
        common = {key: value for key, value in message.payload.items() if key != "buttons"}
        for index, part in enumerate(parts):
            payload = {**common, "text": part}
            if index == len(parts) - 1 and "buttons" in message.payload:
                payload["buttons"] = message.payload["buttons"]
            out.append(replace(message, payload=payload))
    return out


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's message limit and offsets."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _fitting_prefix(line: str, limit: int) -> int:
    """The largest ``cut`` with ``line[:cut]`` at most ``limit`` UTF-16 units (at least 1)."""
    cut = min(len(line), limit)
    while cut > 1 and (excess := utf16_length(line[:cut]) - limit) > 0:
        cut -= excess  # each character beyond the BMP counts two units
    return max(cut, 1)


def mention(telegram_id: int, name: str) -> str:
    """A mention that notifies the member even with the group muted."""
    return f'<a href="tg://user?id={telegram_id}">{escape(name)}</a>'
