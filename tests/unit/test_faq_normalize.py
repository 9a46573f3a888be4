"""Normalisation of informal Indonesian and English into canonical FAQ terms."""

from __future__ import annotations

import pytest

from faq.normalize import analyze, fold, stem, terms_of


def test_fold_lowercases_and_strips_accents_and_fullwidth() -> None:
    assert fold("Verifikasí ＳＰＳＥ") == "verifikasi spse"


def test_greetings_politeness_and_chat_particles_are_dropped() -> None:
    assert terms_of("Selamat pagi pak, mohon bantuannya ya, terima kasih") == []
    assert terms_of("halooo min 🙏") == []


@pytest.mark.parametrize(
    ("informal", "standard"),
    [
        ("sy lupa pw", "saya lupa password"),
        ("gmn cara daftar", "bagaimana cara daftar"),
        ("udh verif tp blm bs login", "sudah verifikasi tapi belum bisa login"),
        ("knp akun sy kekunci", "kenapa akun saya terkunci"),
        ("tlg dibantu utk upload dok", "tolong dibantu untuk upload dokumen"),
    ],
)
def test_chat_abbreviations_expand_to_the_same_terms(informal: str, standard: str) -> None:
    assert terms_of(informal) == terms_of(standard)


def test_repeated_letters_and_reduplication_collapse() -> None:
    assert terms_of("passwordddd") == terms_of("password")
    assert terms_of("langkah-langkah") == terms_of("langkah2") == terms_of("langkah")
    assert terms_of("e-mail") == terms_of("email")


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("kata sandi", "password"),
        ("username", "userid"),
        ("nama pengguna", "userid"),
        ("rekanan", "penyedia"),
        ("vendor", "penyedia"),
        ("ULP", "pokja"),
        ("lelang", "tender"),
        ("surel", "email"),
        ("pejabat pembuat komitmen", "ppk"),
    ],
)
def test_domain_synonyms_meet_one_term(variant: str, canonical: str) -> None:
    assert terms_of(variant) == [canonical]


@pytest.mark.parametrize(
    ("english", "indonesian"),
    [
        ("forgot password", "lupa kata sandi"),
        ("register supplier", "registrasi penyedia"),
        ("upload bid documents", "unggah dokumen penawaran"),
        ("account blocked", "akun diblokir"),
        ("how long", "berapa lama"),
    ],
)
def test_english_domain_words_map_to_indonesian_terms(english: str, indonesian: str) -> None:
    assert sorted(terms_of(english)) == sorted(terms_of(indonesian))


@pytest.mark.parametrize(
    ("word", "root"),
    [
        ("pendaftaran", "daftar"),
        ("penawaran", "tawar"),
        ("mengirim", "kirim"),
        ("pengumuman", "umum"),
        ("dikembalikan", "kembali"),
        ("memakai", "pakai"),
        ("verifikasinya", "verifikasi"),
    ],
)
def test_light_stemming_reduces_affixed_forms(word: str, root: str) -> None:
    assert stem(word) == root


def test_loanwords_ending_in_si_keep_their_ending() -> None:
    assert stem("registrasi") == "registrasi"
    assert stem("aplikasi") == "aplikasi"


def test_company_names_become_a_neutral_provider_word() -> None:
    assert terms_of("Kami dari CV Maju Terus Jaya") == ["perusahaan"]


def test_another_regions_office_is_marked() -> None:
    assert "lpselain" in terms_of("akun dari LPSE Kota Prabumulih")
    assert "lpselain" not in terms_of("akun di LPSE Ogan Ilir")


def test_mid_sentence_capitalised_unknown_words_are_flagged_as_names() -> None:
    names = {term.surface for term in analyze("Kantor kami di Kayuagung sudah pindah") if term.name}
    assert names == {"kayuagung"}


def test_urls_emails_and_numbers_are_ignored() -> None:
    assert terms_of("lihat https://contoh.go.id/a?b=1 atau tulis ke a.b@contoh.id 12345") == [
        "lihat",
        "tulis",
    ]


def test_a_version_number_is_a_word() -> None:
    assert "versi" in terms_of("Apakah Katalog V5 masih bisa digunakan?")
    assert "versi" in terms_of("SPSE v4.3 error")


def test_palembang_chat_reads_as_indonesian() -> None:
    assert terms_of("lamo dak verifikasinyo?") == terms_of("lama tidak verifikasinya?")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # a schedule that shifts, in several wordings
        ("Jadwal pembukaan penawaran bergeser lagi ya pak?", {"jadwal", "undur"}),
        ("kalau jadwalnya dimundurkan siapa yg umumkan", {"jadwal", "undur", "umum"}),
        # synonyms and affixed forms the stemmer alone gets wrong
        ("kirim pindaian akta lewat bot boleh?", {"kirim", "scan", "akta"}),
        ("nama pengguna saya terkunci", {"userid", "blokir"}),
        ("Nama saya salah, bagaimana memperbaikinya?", {"salah", "ubah"}),
        ("mau melampirkan tangkapan layar", {"lampiran", "screenshot"}),
        # English procurement and helpdesk words
        ("my supplier account was suspended, how to unlock it", {"penyedia", "akun", "blokir"}),
        ("is the e-catalogue run by LKPP", {"ekatalog", "lkpp"}),
        ("upload keeps timing out", {"unggah", "koneksi"}),
        ("who is appointed to the working group", {"tunjuk", "pokja"}),
        ("objection to the bid result", {"sanggah", "tawar", "hasil"}),
        # an official or staff member leaving
        ("PPK kami resign, akunnya bagaimana", {"ppk", "keluar", "akun"}),
        ("staf pemegang akun sudah mengundurkan diri", {"staf", "akun", "keluar"}),
        ("pokja lama sudah pensiun", {"pokja", "lama", "pensiun"}),
        # informal verbs and regional chat
        ("sy telat kirim penawaran, kelewatan 5 menit", {"terlambat", "kirim", "tawar"}),
        ("piye carane ganti email?", {"cara", "ubah", "email"}),
        ("ngapo akun aku dak pacak login", {"akun", "gagal", "login"}),
        ("gimana cara ngecilin file penawaran", {"kecil", "file", "tawar"}),
        ("apakah harus tanda tangan fakta integritas", {"tandatangan", "pakta"}),
        ("jam istirahat kantor lpse jam berapa", {"jamlayanan", "kantor", "lpse"}),
    ],
)
def test_broad_vocabulary_reaches_canonical_terms(message: str, expected: set[str]) -> None:
    assert expected <= set(terms_of(message))


@pytest.mark.parametrize(
    ("message", "unwanted"),
    [
        ("staf kami mengundurkan diri", "undur"),  # resigning is not a postponed schedule
        ("direktur kami meninggal dunia", "tinggal"),  # dying is not a document left behind
        ("Caps Lock sudah dimatikan", "blokir"),  # the key, not a blocked account
        ("kuasa pengguna anggaran", "suratkuasa"),  # a budget role, not a power of attorney
        ("aplikasi SPAM Kodok error", "spam"),  # the encryption tool, not the spam folder
    ],
)
def test_phrases_keep_a_word_from_its_other_meaning(message: str, unwanted: str) -> None:
    assert unwanted not in terms_of(message)
