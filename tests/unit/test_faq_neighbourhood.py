"""Issue #18: neighbouring topics, several questions per mail, the held-apart query sets."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.faq_service import LiveFaq
from faq.evaluation import load_queries
from faq.kb import DEFAULT_KB_PATH, load_kb
from faq.matcher import FaqMatcher
from faq.neighbourhood import claims, load_topics
from faq.questions import match_questions, question_units
from faq.remarks import is_closing_remark
from tests.support.kb_entries import kb_entry
from tests.support.shared_eval import EVAL_KB, needs_shared

REPO = Path(__file__).resolve().parents[2]
EVAL_DIR = REPO / "faq" / "eval"


KB = [
    kb_entry(
        "kode-tender", "Apa itu kode tender dan di mana melihat paket?", keywords=["kode", "paket"]
    ),
    kb_entry(
        "lupa-password", "Bagaimana jika penyedia lupa password SPSE?", keywords=["lupa password"]
    ),
    kb_entry(
        "kswp", "Mengapa status KSWP perusahaan tidak valid di SPSE?", keywords=["kswp", "pajak"]
    ),
    kb_entry("ukuran-file", "Berapa ukuran maksimal file penawaran?", keywords=["ukuran", "file"]),
]
# A referral (category "rujukan") naming SiRUP claims that neighbouring topic.
REFERRAL = replace(
    kb_entry(
        "rujukan-sirup",
        "Ke mana bertanya soal SiRUP dan paket RUP?",
        keywords=["sirup", "paket rup"],
    ),
    category="rujukan",
)


def test_a_neighbouring_topic_is_not_answered_by_an_entry_sharing_its_words() -> None:
    matcher = FaqMatcher(KB)
    result = matcher.match("Bagaimana cara revisi paket RUP yang sudah diumumkan di SiRUP?")
    assert result.answer is None


def test_a_referral_entry_that_names_the_neighbouring_topic_answers_it() -> None:
    # The mechanism is the hand score's (a referral is not demoted for its topic). The
    # learned models rank it first; whether a five-entry toy KB clears their answer rule
    # moves with each retraining, so the shipped KB's referrals are checked below instead.
    text = "Bagaimana cara revisi paket RUP yang sudah diumumkan di SiRUP?"
    hand = FaqMatcher([*KB, REFERRAL], rerank=False).match(text)
    assert hand.answer is not None and hand.answer.id == "rujukan-sirup"
    reranked = FaqMatcher([*KB, REFERRAL]).match(text)
    assert reranked.matches[0].entry.id == "rujukan-sirup"


MAIL = """Halo admin,

Ada dua hal. Pertama, status KSWP perusahaan kami tidak valid padahal pajak sudah dilapor,
bagaimana memperbaikinya? Kedua, berapa ukuran maksimal file penawaran yang bisa diunggah?

Salam,
Dedi

On Mon, 3 Mar 2025 at 09:12, Helpdesk <helpdesk@lpse.example> wrote:
> Untuk lupa password silakan gunakan menu Lupa Password.
"""


def test_each_question_of_a_mail_gets_its_own_answer_and_quotes_are_ignored() -> None:
    answers = match_questions(FaqMatcher(KB), MAIL)
    assert [entry.id for entry in answers.answers] == ["kswp", "ukuran-file"]
    assert answers.complete and answers.unanswered == []
    assert all("Lupa Password" not in item.question for item in answers.questions)


def test_question_units_keep_the_story_with_the_question_after_it() -> None:
    units = question_units("Kami CV Maju. Status KSWP kami tidak valid. Apa penyebabnya?")
    assert units == ["Kami CV Maju. Status KSWP kami tidak valid. Apa penyebabnya?"]


def test_an_unanswered_question_is_listed_for_staff() -> None:
    text = "Berapa ukuran maksimal file penawaran? Lalu kapan libur sekolah semester ini?"
    answers = match_questions(FaqMatcher(KB), text)
    assert [entry.id for entry in answers.answers] == ["ukuran-file"]
    assert not answers.complete
    assert answers.unanswered == ["Lalu kapan libur sekolah semester ini?"]


FORWARDED = """Selamat pagi,

Mohon bantuan atas e-mail di bawah ini.

Terima kasih,
Rina

---------- Forwarded message ---------
From: Budi <budi@cvmaju.co.id>
Subject: file penawaran

Berapa ukuran maksimal file penawaran? Lalu kapan libur sekolah semester ini?
"""


def test_a_request_that_points_at_the_mail_below_is_no_question_of_its_own() -> None:
    answers = match_questions(FaqMatcher(KB), FORWARDED)
    assert [entry.id for entry in answers.answers] == ["ukuran-file"]
    assert answers.unanswered == ["Lalu kapan libur sekolah semester ini?"]
    assert all("di bawah" not in item.question for item in answers.questions)


@pytest.mark.parametrize(
    "text",
    [
        "Mohon bantuan atas e-mail di bawah ini.",  # the only unit: kept
        "Apakah surat berikut sudah cukup? Berapa ukuran maksimal file penawaran?",
    ],
)
def test_a_pointer_is_kept_when_it_is_all_there_is_or_asks_itself(text: str) -> None:
    units = question_units(text)
    assert units[0].startswith(text.split("?")[0][:20])


def test_a_single_question_is_matched_whole() -> None:
    answers = match_questions(FaqMatcher(KB), "pw akun penyedia lupa, gmn?")
    assert len(answers.questions) == 1
    assert [entry.id for entry in answers.answers] == ["lupa-password"]


def test_live_faq_offers_the_per_question_api() -> None:
    answers = LiveFaq(KB).match_questions(MAIL)
    assert [entry.id for entry in answers.answers] == ["kswp", "ukuran-file"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bagaimana cara mengumumkan paket RUP di SiRUP?", "rujukan-sirup-rup"),
        ("Bagaimana cara revisi paket RUP yang sudah diumumkan di SiRUP?", "rujukan-sirup-rup"),
        ("Produk kami belum tayang di katalog elektronik, lapor ke mana?", "e-katalog-lkpp"),
        ("Apa perbedaan Bela Pengadaan dengan toko daring?", "rujukan-bela-pengadaan-toko-daring"),
        ("Kenapa verifikasi perusahaan kami ditolak verifikator?", "verifikasi-ditolak"),
    ],
)
def test_the_shipped_kb_refers_neighbouring_topics(text: str, expected: str) -> None:
    answer = FaqMatcher(load_kb(DEFAULT_KB_PATH)).match(text).answer
    assert answer is not None and answer.id == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Kami akan menawar bersama CV lain sebagai KSO, akun siapa yang dipakai untuk "
            "kirim penawaran?",
            "tender-kso",
        ),
        (
            "Our company will bid in a joint operation with a local firm. Whose SPSE account "
            "submits the bid?",
            "tender-kso",
        ),
        (
            "Saya mahasiswa, ingin minta data jumlah paket tender tahun lalu untuk skripsi, "
            "ke mana mengajukannya?",
            "permintaan-data-informasi-publik",
        ),
        (
            "Nilai kinerja perusahaan di SIKaP rendah padahal pekerjaan selesai tepat waktu, "
            "bisa diubah?",
            "sikap-kinerja-penyedia",
        ),
    ],
)
def test_the_shipped_kb_answers_what_staff_were_asked_most_beyond_it(
    text: str, expected: str
) -> None:
    """Round 10's review of false answers: KSO bids, data requests, score objections."""
    answer = FaqMatcher(load_kb(DEFAULT_KB_PATH)).match(text).answer
    assert answer is not None and answer.id == expected


# Every query set of faq/eval, sealed ones included, so that a new round's sets are checked
# without a list to keep (the 24-line catalogue check set is below the size bound).
WRITTEN_SETS = [
    "heldout.jsonl",
    "heldout_blind.jsonl",
    "tune.jsonl",
    *sorted(path.name for path in EVAL_DIR.glob("final*.jsonl")),
]


@needs_shared
@pytest.mark.parametrize("name", WRITTEN_SETS)
def test_evaluation_sets_are_valid_against_the_eval_kb(name: str) -> None:
    known = {entry.id for entry in load_kb(EVAL_KB)}
    queries = load_queries(EVAL_DIR / name, known)
    out_of_scope = sum(not query.expected for query in queries)
    # dev: 0.24; sealed sets lose the lines that repeat a pool question before measurement
    assert len(queries) >= 40 and out_of_scope / len(queries) >= 0.15
    for line in (EVAL_DIR / name).read_text(encoding="utf-8").splitlines():
        source = json.loads(line)["source"]
        assert source.startswith("http") or source == "written"


@pytest.mark.parametrize("name", ["dev", "final10", "final11"])
def test_shipped_kb_sets_are_relabelled_lines_of_the_pool(name: str) -> None:
    """Every line keeps its query and kind, and names entries of the shipped KB."""
    known = {entry.id for entry in load_kb(DEFAULT_KB_PATH)}
    relabelled = load_queries(EVAL_DIR / "shipped-kb" / f"{name}.jsonl", known)
    if name != "dev":
        original = EVAL_DIR / f"{name}.jsonl"
        texts = [json.loads(line)["q"] for line in original.read_text("utf-8").splitlines()]
        assert [query.q for query in relabelled] == texts
    assert len(relabelled) >= 150 and any(not query.expected for query in relabelled)


CATALOGUE = kb_entry(
    "jadi-penyedia-katalog",
    "Bagaimana cara menjadi penyedia e-katalog?",
    keywords=["e-katalog", "katalog elektronik", "daftar", "produk"],
)


@pytest.mark.parametrize(
    "text",
    [
        "Bagaimana cara revisi harga produk yang sudah tayang di katalog elektronik?",
        "Apakah Katalog V5 masih bisa dipakai setelah ada V6?",
        "Pesanan di e-katalog belum dikirim penyedia, bagaimana membatalkannya?",
    ],
)
def test_catalogue_operations_are_not_answered_by_the_entry_on_joining_the_catalogue(
    text: str,
) -> None:
    assert FaqMatcher([*KB, CATALOGUE]).match(text).answer is None


def test_joining_the_catalogue_is_still_answered_next_to_the_catalogue_topic() -> None:
    answer = FaqMatcher([*KB, CATALOGUE]).match("Gimana caranya jadi penyedia di e-katalog?").answer
    assert answer is not None and answer.id == "jadi-penyedia-katalog"


SIKAP = kb_entry(
    "sikap",
    "Apa itu SIKaP dan data kinerja penyedia?",
    keywords=["sikap", "kinerja penyedia", "data kualifikasi"],
)


def test_a_generic_word_of_a_topic_does_not_push_the_entry_naming_the_system_away() -> None:
    """The word "aplikasi" is in the bag of other LKPP applications; it names no topic.

    A property of the hand-weighted score, which the reranker reads (a five-entry KB is
    far from the KBs the reranker learnt on, so its probabilities are not compared here).
    """
    matcher = FaqMatcher([*KB, SIKAP], rerank=False)
    plain = matcher.rank("Apa yang dimaksud dengan SIKaP?")[0]
    named = matcher.rank("Apa yang dimaksud dengan aplikasi SIKaP?")[0]
    assert named.entry.id == plain.entry.id == "sikap"
    assert named.score > 0.8 * plain.score  # was pushed to nothing


@pytest.mark.parametrize(
    ("text", "closing"),
    [
        ("makasih banyak bu, sdh bisa login skrg", True),
        ("oke siap, terima kasih infonya pak", True),
        ("Thanks, it works now", True),
        ("makasih, tp msh blm bisa login", False),
        ("terima kasih, bagaimana cara lupa password?", False),
        ("lupa password penyedia", False),
    ],
)
def test_a_thank_you_that_asks_nothing_gets_no_candidates(text: str, closing: bool) -> None:
    assert is_closing_remark(text) is closing
    assert (FaqMatcher(KB).rank(text) == []) or not closing


def test_every_neighbouring_topic_has_names_and_words() -> None:
    topics = load_topics()
    assert {"sirup", "katalog", "aturan"} <= {topic.id for topic in topics}
    for topic in topics:
        assert topic.names and len(topic.terms) >= 10, topic.id


def test_only_a_referral_entry_claims_a_topic() -> None:
    plain = replace(REFERRAL, category="umum")
    assert claims(load_topics(), [plain]) == {}
    assert claims(load_topics(), [REFERRAL]) == {"rujukan-sirup": frozenset({"sirup"})}


def test_a_claimed_topic_still_demotes_the_other_entries() -> None:
    matcher = FaqMatcher([*KB, REFERRAL])
    ranked = matcher.rank("Bagaimana cara revisi paket RUP yang sudah diumumkan di SiRUP?", top=2)
    assert ranked[0].entry.id == "rujukan-sirup"
    assert all(item.score < ranked[0].score / 2 for item in ranked[1:])


@needs_shared
def test_an_entry_providers_ask_about_does_not_clash_with_a_provider_asking() -> None:
    """The winner entry names Pokja (who announces) in its keywords, not in its question."""
    matcher = FaqMatcher(load_kb(EVAL_KB))
    result = matcher.match(
        "Perusahaan kami penyedia yang kalah, di mana melihat pemenang tender paket jalan?"
    )
    assert result.answer is not None and result.answer.id == "pengumuman-pemenang"
