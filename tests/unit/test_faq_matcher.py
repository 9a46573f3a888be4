"""Matcher behaviour on a small hand-written KB: ranking, roles, abstention, live entries."""

from __future__ import annotations

import time

import pytest

from faq.matcher import ANSWER_THRESHOLD, MARGIN, FaqMatcher, should_answer
from tests.support.kb_entries import kb_entry

KB = [
    kb_entry(
        "sandi-penyedia",
        "Bagaimana jika penyedia lupa password akun SPSE?",
        ["Rekanan tidak ingat kata sandi, apa yang harus dilakukan?"],
        ["lupa password", "kata sandi", "penyedia"],
    ),
    kb_entry(
        "sandi-pokja",
        "Bagaimana jika anggota Pokja atau PPK lupa password SPSE?",
        ["PPK lupa kata sandi akun instansi"],
        ["lupa password", "pokja", "ppk"],
    ),
    kb_entry(
        "jam-kantor",
        "Kapan jam layanan kantor LPSE?",
        ["Jam berapa kantor LPSE buka?", "Apakah kantor buka hari Sabtu?"],
        ["jam layanan", "jam buka", "libur"],
    ),
    kb_entry(
        "ukuran-berkas",
        "Berapa ukuran maksimal file yang bisa diunggah?",
        ["Batas ukuran upload dokumen penawaran berapa MB?"],
        ["ukuran file", "maksimal", "mb"],
    ),
    kb_entry(
        "enkripsi",
        "Bagaimana cara mengenkripsi dokumen penawaran?",
        ["Aplikasi enkripsi penawaran diunduh di mana?"],
        ["enkripsi", "aplikasi enkripsi", "unduh"],
    ),
]


@pytest.fixture(scope="module")
def matcher() -> FaqMatcher:
    return FaqMatcher(KB)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pagi min, sy rekanan lupa pw akun spse gmn ya", "sandi-penyedia"),
        ("I forgot the password of my supplier account", "sandi-penyedia"),
        ("kantor lpse buka jam brp?", "jam-kantor"),
        ("What are the office opening hours?", "jam-kantor"),
        ("max uplod file brp mb?", "ukuran-berkas"),
    ],
)
def test_informal_english_and_typo_queries_are_answered(
    matcher: FaqMatcher, text: str, expected: str
) -> None:
    result = matcher.match(text)
    assert result.answer is not None and result.answer.id == expected


def test_role_words_decide_between_sibling_entries(matcher: FaqMatcher) -> None:
    result = matcher.match("sy ppk lupa kata sandi spse")
    assert result.answer is not None and result.answer.id == "sandi-pokja"
    assert result.matches[0].entry.id == "sandi-pokja"


@pytest.mark.parametrize(
    "text",
    ["Resep soto ayam yang enak apa?", "Selamat siang admin", "12345", "", "   ", "👍"],
)
def test_out_of_scope_gets_no_answer(matcher: FaqMatcher, text: str) -> None:
    assert matcher.match(text).answer is None


def test_empty_text_lists_nothing(matcher: FaqMatcher) -> None:
    assert matcher.match("").matches == []


def test_a_message_sharing_only_generic_words_is_offered_topics_not_answered() -> None:
    """Every leader at a zero hand score still reaches the ranking (the bot offers them),
    and the answer rule of either scorer keeps them unanswered."""
    for matcher in (FaqMatcher(KB, rerank=False), FaqMatcher(KB)):
        result = matcher.match("bagaimana cara di aplikasi spse")
        assert result.matches and result.answer is None


def test_near_tie_abstains_but_lists_the_candidates() -> None:
    twins = [
        *KB,
        kb_entry("kartu-a", "Bagaimana cara mencetak kartu peserta?", [], ["cetak kartu"]),
        kb_entry("kartu-b", "Bagaimana cara mencetak kartu peserta?", [], ["cetak kartu"]),
    ]
    result = FaqMatcher(twins).match("cara cetak kartu peserta")
    assert result.answer is None
    assert {scored.entry.id for scored in result.matches[:2]} == {"kartu-a", "kartu-b"}
    assert result.matches[0].score >= ANSWER_THRESHOLD


def test_scores_are_ranked_and_bounded(matcher: FaqMatcher) -> None:
    result = matcher.match("lupa password", top=3)
    scores = [scored.score for scored in result.matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 < score <= 1.0 for score in scores)
    assert len(matcher.match("lupa password", top=1).matches) == 1


def test_answer_rule_needs_strength_and_a_lead() -> None:
    assert should_answer([ANSWER_THRESHOLD + 0.2, 0.0])
    assert not should_answer([ANSWER_THRESHOLD - 0.01])
    assert not should_answer([0.9, 0.9 - MARGIN / 2])
    assert not should_answer([])


def test_entries_added_at_runtime_are_matchable_at_once() -> None:
    matcher = FaqMatcher(KB)
    question = "Bagaimana cara mencetak bukti pendaftaran penyedia?"
    matcher.add_entries([kb_entry("cetak-bukti", question, [], ["cetak bukti"])])
    result = matcher.match("gmn cara cetak bukti pendaftaran?")
    assert result.answer is not None and result.answer.id == "cetak-bukti"
    assert len(matcher.entries) == len(KB) + 1


def test_adding_an_entry_with_a_known_id_replaces_it() -> None:
    matcher = FaqMatcher(KB)
    edited = kb_entry("jam-kantor", "Kapan kantor LPSE tutup?", [], ["jam tutup"])
    matcher.add_entries([edited])
    assert len(matcher.entries) == len(KB)
    assert [entry for entry in matcher.entries if entry.id == "jam-kantor"] == [edited]


def test_rebuild_stays_cheap_at_500_entries() -> None:
    many = [
        kb_entry(f"topik-{n}", f"Pertanyaan nomor {n} tentang layanan", [], [f"kata{n}"])
        for n in range(499)
    ]
    matcher = FaqMatcher(many)
    started = time.perf_counter()
    matcher.add_entries([kb_entry("baru", "Pertanyaan baru tentang jadwal", [], ["jadwal"])])
    assert time.perf_counter() - started < 0.5
