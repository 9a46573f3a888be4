"""A mail's several questions and the FAQ's answers (issue #18): the reply and its texts."""

from __future__ import annotations

from bot import faq_ack, texts
from bot.core.faq_reply import AnsweredQuestion, FaqReply
from faq.kb import DEFAULT_KB_PATH, load_kb

ENTRIES = {entry.id: entry for entry in load_kb(DEFAULT_KB_PATH)}


def test_no_answer_at_all_leaves_the_mail_to_staff() -> None:
    assert FaqReply.from_matches([("Kapan gaji dibayar?", None)]) is None
    assert FaqReply.from_matches([]) is None


def test_an_entry_answering_two_questions_is_sent_once_with_the_first() -> None:
    reply = FaqReply.from_matches(
        [("Browser apa?", "browser-untuk-spse"), ("Chrome boleh?", "browser-untuk-spse")]
    )
    assert reply is not None
    assert reply.answered == (AnsweredQuestion("Browser apa?", "browser-untuk-spse"),)
    assert reply.complete and reply.is_single_answer


def test_partial_reply_keeps_the_order_and_the_questions_left() -> None:
    reply = FaqReply.from_matches(
        [("A?", "jam-kerja-kantor"), ("B?", None), ("C?", "browser-untuk-spse")]
    )
    assert reply is not None
    assert reply.entry_ids == ("jam-kerja-kantor", "browser-untuk-spse")
    assert reply.unanswered == ("B?",)
    assert not reply.complete and not reply.is_single_answer


def test_quote_drops_the_greeting_and_keeps_the_end_of_a_long_question() -> None:
    assert faq_ack.quote("Yth. Bapak/Ibu,\n  Berapa batas ukuran file?") == (
        "Berapa batas ukuran file?"
    )
    story = "Kami sudah mencoba mengunggah dokumen penawaran berkali-kali. " * 5
    quoted = faq_ack.quote(story + "Kenapa selalu gagal?")
    assert quoted.startswith("…") and quoted.endswith("Kenapa selalu gagal?")
    assert len(quoted) <= faq_ack.QUOTE_CHARS


def test_partial_acknowledgement_names_the_question_for_staff() -> None:
    reply = FaqReply(
        (AnsweredQuestion("Browser apa yang dipakai?", "browser-untuk-spse"),),
        ("Kapan gaji ke-13 dibayar?",),
    )
    text = faq_ack.acknowledgement(reply, ENTRIES.get, number=7, target="55 menit", hours="72")
    assert "Tiket #7" in text
    assert ENTRIES["browser-untuk-spse"].answer in text
    assert '- "Kapan gaji ke-13 dibayar?"' in text
    assert "55 menit" in text and "tidak membantu" not in text


def test_card_notice_lists_every_entry_sent() -> None:
    notice = faq_ack.card_notice(("jam-kerja-kantor", "hilang"), ENTRIES.get)
    assert notice is not None and notice.startswith(texts.CARD_FAQ_SENT)
    assert "- jam-kerja-kantor: Pada hari dan jam berapa" in notice
    assert "- hilang: -" in notice
    assert faq_ack.card_notice((), ENTRIES.get) is None


def test_card_notice_names_the_questions_staff_still_owe_under_the_entries_sent() -> None:
    story = "Kami sudah mencoba mengunggah dokumen penawaran berkali-kali. " * 5
    notice = faq_ack.card_notice(
        ("jam-kerja-kantor",),
        ENTRIES.get,
        ("Yth. Bapak/Ibu, kapan gaji ke-13 dibayar?", story + "Kenapa selalu gagal?"),
    )
    assert notice is not None
    lines = notice.split("\n")
    assert lines[0] == texts.CARD_FAQ_SENT and lines[1].startswith("- jam-kerja-kantor:")
    assert lines[2] == texts.CARD_FAQ_UNANSWERED
    assert lines[3] == '- "kapan gaji ke-13 dibayar?"'  # the greeting is not the question
    assert lines[4].startswith('- "…') and lines[4].endswith('Kenapa selalu gagal?"')
    assert len(lines[4]) <= faq_ack.CARD_QUOTE_CHARS + len('- ""')
    assert len(lines) == 5


def test_card_notice_lists_a_few_owed_questions_and_counts_the_rest() -> None:
    owed = tuple(f"Pertanyaan nomor {n} tentang hal lain?" for n in range(1, 9))
    notice = faq_ack.card_notice(("jam-kerja-kantor",), ENTRIES.get, owed)
    assert notice is not None
    shown = owed[: faq_ack.CARD_UNANSWERED_SHOWN]
    assert all(f'- "{question}"' in notice for question in shown)
    assert owed[faq_ack.CARD_UNANSWERED_SHOWN] not in notice
    more = len(owed) - faq_ack.CARD_UNANSWERED_SHOWN
    assert notice.endswith(texts.CARD_FAQ_UNANSWERED_MORE.format(count=more))


def test_card_notice_without_owed_questions_is_as_before() -> None:
    notice = faq_ack.card_notice(("jam-kerja-kantor",), ENTRIES.get, ())
    assert notice is not None and texts.CARD_FAQ_UNANSWERED not in notice
