"""The guided request forms, tested as dialogues: what the user sends, what the bot answers.

Each turn of a transcript is (what the user does, a text the bot's reply must contain). The
player acts like the Telegram handler: a refused file gets ``check_file``'s message and the
question again, an accepted one is "stored" and handed to ``add_file``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from bot import forms
from bot import texts as t
from bot.core.sop import load_catalog
from bot.forms import FormState, IncomingFile, Step

MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Say:
    """The user sends a text message."""

    text: str


@dataclass(frozen=True)
class Press:
    """The user presses a button (its value)."""

    value: str


@dataclass(frozen=True)
class Upload:
    """The user sends a file or photo."""

    file: IncomingFile


Turn = Say | Press | Upload


def pdf(name: str = "surat.pdf", size: int = 120_000) -> Upload:
    return Upload(IncomingFile(name, "application/pdf", size))


def photo(size: int = 300_000) -> Upload:
    return Upload(IncomingFile.photo(size))


def png(name: str = "scan.png", size: int = 80_000) -> Upload:
    return Upload(IncomingFile(name, "image/png", size))


def rhs(name: str = "penawaran.rhs", size: int = 2_000_000) -> Upload:
    # Clients send .rhs with whatever content type they guess.
    return Upload(IncomingFile(name, "application/octet-stream", size))


def stored(file: IncomingFile) -> dict[str, object]:
    """What the handler hands to ``add_file`` after storing an upload."""
    return {
        "sha256": f"{abs(hash(file.filename)):064d}"[:64],
        "filename": file.filename,
        "content_type": file.content_type,
        "size": file.size,
    }


def act(state: FormState, turn: Turn) -> Step:
    if isinstance(turn, Say):
        return forms.handle_text(state, turn.text)
    if isinstance(turn, Press):
        return forms.handle_choice(state, turn.value)
    error = forms.check_file(state, turn.file, MAX_BYTES)
    if error is not None:
        return forms.current_step(state, error)
    return forms.add_file(state, stored(turn.file))


def reply(step: Step) -> str:
    parts = [step.error or "", step.prompt.text if step.prompt else "", "[selesai]" * step.finished]
    return "\n".join(part for part in parts if part)


def play(state: FormState, transcript: list[tuple[Turn, str]]) -> Step:
    """Run the dialogue; a refusal must re-ask the same question."""
    step = forms.current_step(state)
    for turn, expected in transcript:
        before = (state.field_index, state.confirming)
        step = act(state, turn)
        assert expected in reply(step), f"after {turn}: {expected!r} not in {reply(step)!r}"
        if step.error is not None:
            assert (state.field_index, state.confirming) == before, f"{turn} moved on"
    return step


# --- complete runs --------------------------------------------------------------------------


PROVIDER_ANSWERS = [
    Say("CV Maju Jaya"),
    Say("01.234.567.8-901.000"),
    Say("Budi Santoso"),
    Say("Budi@MajuJaya.co.id"),
    Say("+62 812-3456-7890"),
]


def test_sop01_asks_each_checklist_document_and_sends_with_items_missing() -> None:
    checklist = load_catalog().get("SOP-01").checklist
    assert len(checklist) == 12
    state, step = forms.start("sop01")
    assert step.prompt is not None and step.prompt.text.startswith(t.SOP01_INTRO.format(total=12))
    play(
        state,
        [
            (Say("CV Maju Jaya"), t.SOP01_NPWP_PROMPT),
            (Say("01.234.567.8-901.000"), t.SOP01_CONTACT_PROMPT),
            (Say("Budi Santoso"), t.EMAIL_PROMPT),
            (Say("Budi@MajuJaya.co.id"), t.PHONE_PROMPT),
            (Say("+62 812-3456-7890"), f"Dokumen 1 dari 12: {checklist[0].nama}"),
            (pdf("formulir.pdf"), "Berkas diterima: formulir.pdf."),
            (photo(), t.MORE_ITEM_FILES.format(count=2, item=checklist[0].nama)),
            (Say("sudah itu saja"), t.ERROR_FILES_EXPECTED.format(expected=t.DOCUMENT_HINT)),
            (Press("selesai"), f"Dokumen 2 dari 12: {checklist[1].nama}"),
            (Press("lewati"), f"Dokumen 3 dari 12: {checklist[2].nama}"),
        ],
    )
    for item in checklist[3:]:
        play(state, [(Say("lewati"), item.nama)])
    last = play(
        state,
        [
            (png("izin.png"), "Berkas diterima: izin.png."),
            (Press("selesai"), t.CONFIRM_ITEMS_MISSING.format(count=10)),
            (Press("kirim"), "[selesai]"),
        ],
    )
    assert last.finished
    request = forms.ticket_request(state)
    assert request.sop_id == "SOP-01"
    assert request.subject == "Pra-verifikasi penyedia: CV Maju Jaya"
    assert (request.name, request.email, request.phone, request.instansi) == (
        "Budi Santoso",
        "budi@majujaya.co.id",
        "081234567890",
        "CV Maju Jaya",
    )
    assert "NPWP: 012345678901000" in request.text
    assert [ref.filename for ref in request.attachments] == ["formulir.pdf", "foto.jpg", "izin.png"]
    assert request.documents[checklist[0].id] == 2
    assert request.documents[checklist[1].id] == 0
    assert request.documents[checklist[11].id] == 1
    assert request.details["npwp"] == "012345678901000"
    assert f"✅ {checklist[0].nama}: formulir.pdf, foto.jpg" in request.text
    assert f"⬜ {checklist[1].nama}: belum ada" in request.text


def test_sop01_shows_selesai_only_after_an_upload_and_lewati_before() -> None:
    state = at_field("sop01", PROVIDER_ANSWERS)
    step = forms.current_step(state)
    assert step.expects_file and step.prompt is not None
    assert step.prompt.buttons == ((t.BUTTON_SKIP, "lewati"),)
    step = play(state, [(pdf(), "Sudah 1 berkas")])
    assert step.prompt is not None and step.prompt.buttons == ((t.BUTTON_DONE, "selesai"),)


def test_the_checklist_comes_from_the_catalog_one_list_everywhere() -> None:
    catalog = load_catalog()
    form = forms.get_form("sop01")
    labels = [item.label for item in form.fields if item.kind is forms.FieldKind.CHECKLIST_FILES]
    assert labels == [item.nama for item in catalog.get("SOP-01").checklist]


@pytest.mark.parametrize(
    ("role_button", "sop_id", "role_label"),
    [("ulp", "SOP-03", "ULP / Pokja"), ("ppk", "SOP-04", "PPK")],
)
def test_sop03_04_new_user_id_sop_follows_the_role(
    role_button: str, sop_id: str, role_label: str
) -> None:
    state, step = forms.start("sop03_04")
    assert step.prompt is not None
    assert step.prompt.buttons == ((t.ROLE_ULP, "ulp"), (t.ROLE_PPK, "ppk"))
    last = play(
        state,
        [
            (Press(role_button), t.SOP03_04_NAME_PROMPT),
            (Say("Siti Aminah, S.T."), t.SOP03_04_NIP_PROMPT),
            (Say("19800101 200501 2 001"), t.INSTANSI_PROMPT),
            (Say("Dinas Pekerjaan Umum Kabupaten Ogan Ilir"), t.SOP03_04_JABATAN_PROMPT),
            (Say("Anggota Pokja Pemilihan"), t.SOP03_04_EMAIL_PROMPT),
            (Say("siti.aminah@oganilirkab.go.id"), t.PHONE_PROMPT),
            (Say("0711 580123"), t.REQUEST_LETTER_PROMPT),
            (pdf("surat-permohonan.pdf"), t.DECREE_PROMPT),
            (photo(), t.SOP03_04_PERSONNEL_PROMPT),
            (png("data-personel.png"), t.CONFIRM_QUESTION),
        ],
    )
    assert f"Peran: {role_label}" in reply(last)
    assert f"({sop_id})" in reply(last)
    assert play(state, [(Press("kirim"), "[selesai]")]).finished
    request = forms.ticket_request(state)
    assert request.sop_id == sop_id
    assert request.subject == f"Permohonan user ID {role_label}: Siti Aminah, S.T."
    assert request.instansi == "Dinas Pekerjaan Umum Kabupaten Ogan Ilir"
    assert request.phone == "0711580123"
    assert "NIP: 198001012005012001" in request.text
    assert [(ref.filename, ref.content_type) for ref in request.attachments] == [
        ("surat-permohonan.pdf", "application/pdf"),
        ("foto.jpg", "image/jpeg"),
        ("data-personel.png", "image/png"),
    ]


def test_sop05_forgotten_password_never_takes_a_password() -> None:
    state, step = forms.start("sop05")
    assert step.prompt is not None and "tidak pernah meminta password" in step.prompt.text
    play(
        state,
        [
            (Say("PPK"), t.SOP05_FORGOTTEN_PROMPT),  # typed instead of pressed
            (Press("password"), t.SOP05_NAME_PROMPT),
            (Say("password saya Rahasia123"), t.ERROR_PASSWORD),
            (Say("kata sandi: budi"), t.ERROR_PASSWORD),
            (Say("Ahmad Fauzi"), t.NIP_PROMPT),
            (Say("198505152010011003"), t.INSTANSI_PROMPT),
            (Say("Dinas Kesehatan"), t.SOP05_EMAIL_PROMPT),
            (Say("ahmad@oganilirkab.go.id"), t.PHONE_PROMPT),
            (Say("6285267001122"), t.REQUEST_LETTER_PROMPT),
            (pdf("surat.pdf"), t.DECREE_PROMPT),
            (pdf("sk.pdf"), "Yang terlupa: Password"),
            (Press("kirim"), "[selesai]"),
        ],
    )
    assert "Rahasia123" not in json.dumps(state.to_dict())
    request = forms.ticket_request(state)
    assert request.sop_id == "SOP-05"
    assert request.subject == "Lupa Password (PPK): Ahmad Fauzi"
    assert request.phone == "085267001122"
    assert len(request.attachments) == 2


def test_sop06_rhs_document_with_a_description() -> None:
    state, _ = forms.start("sop06")
    play(
        state,
        [
            (Say("Rudi Hartono"), t.SOP06_POKJA_PROMPT),
            (Say("Pokja Pemilihan 2"), t.SOP06_TENDER_CODE_PROMPT),
            (Say("7654321"), t.SOP06_PROVIDER_PROMPT),
            (Say("CV Sinar Abadi"), t.EMAIL_PROMPT),
            (Say("rudi@oganilirkab.go.id"), t.PHONE_PROMPT),
            (Say("081234567890"), t.SOP06_RHS_PROMPT),
            (rhs("Penawaran_CV_Sinar.RHS"), t.SOP06_DESCRIPTION_PROMPT),
            (Say("Muncul pesan password salah\nsaat dekripsi"), "Keterangan: Muncul pesan"),
            (Say("kirim"), "[selesai]"),  # typed instead of pressed
        ],
    )
    request = forms.ticket_request(state)
    assert request.sop_id == "SOP-06"
    assert request.subject == "Dokumen .rhs tidak bisa dibuka: tender 7654321 (CV Sinar Abadi)"
    assert request.instansi == "Pokja Pemilihan 2"
    assert [ref.filename for ref in request.attachments] == ["Penawaran_CV_Sinar.RHS"]
    assert "Keterangan: Muncul pesan password salah\nsaat dekripsi" in request.text


def test_sop06_description_can_be_skipped() -> None:
    state, _ = forms.start("sop06")
    play(
        state,
        [
            (Say("Rudi Hartono"), "Pokja"),
            (Say("Pokja Pemilihan 2"), "Kode tender"),
            (Say("7654321"), "penyedia"),
            (Say("CV Sinar Abadi"), "e-mail"),
            (Say("rudi@oganilirkab.go.id"), "telepon"),
            (Say("081234567890"), ".rhs"),
            (rhs(), t.BUTTON_SKIP),
            (Press("lewati"), "Keterangan: -"),
            (Press("kirim"), "[selesai]"),
        ],
    )
    assert "keterangan" not in state.answers


# --- validation -----------------------------------------------------------------------------


def at_field(form_id: str, answers: list[Turn]) -> FormState:
    """A form advanced through ``answers`` (all valid)."""
    state, _ = forms.start(form_id)
    for turn in answers:
        step = act(state, turn)
        assert step.error is None, step.error
    return state


SOP03_UP_TO_NIP: list[Turn] = [Press("ppk"), Say("Siti Aminah")]
SOP03_UP_TO_DOCUMENTS: list[Turn] = [
    *SOP03_UP_TO_NIP,
    Say("198001012005012001"),
    Say("Dinas Pendidikan"),
    Say("PPK"),
    Say("siti@oganilirkab.go.id"),
    Say("081234567890"),
]
SOP06_UP_TO_RHS: list[Turn] = [
    Say("Rudi Hartono"),
    Say("Pokja Pemilihan 2"),
    Say("7654321"),
    Say("CV Sinar Abadi"),
    Say("rudi@oganilirkab.go.id"),
    Say("081234567890"),
]


def test_text_answers_are_checked_and_asked_again() -> None:
    state = at_field("sop03_04", SOP03_UP_TO_NIP)
    play(
        state,
        [
            (Say("19800101200501200"), t.ERROR_NIP),  # 17 digits
            (Say("1980010120050120011"), t.ERROR_NIP),  # 19 digits
            (Say("19800101 2005O1 2 001"), t.ERROR_NIP),  # letter O
            (Say("19800101 200501 2 001"), t.INSTANSI_PROMPT),
            (Say("DP"), t.ERROR_LENGTH.format(min_len=3, max_len=120)),
            (Say("D" * 121), t.ERROR_LENGTH.format(min_len=3, max_len=120)),
            (Say("Dinas Pendidikan"), t.SOP03_04_JABATAN_PROMPT),
            (Say("   "), t.ERROR_EMPTY),
            (Say("123"), t.ERROR_NO_LETTERS),
            (Say("PPK"), t.SOP03_04_EMAIL_PROMPT),
            (Say("siti@oganilirkab"), t.ERROR_EMAIL),
            (Say("siti at oganilirkab.go.id"), t.ERROR_EMAIL),
            (Say("siti@oganilirkab.go.id"), t.PHONE_PROMPT),
            (Say("12345678"), t.ERROR_PHONE),
            (Say("0812"), t.ERROR_PHONE),
            (Say("+1 202 555 0100"), t.ERROR_PHONE),
            (Say("0812-3456-7890"), t.REQUEST_LETTER_PROMPT),
        ],
    )


def test_tender_code_is_digits_only() -> None:
    state = at_field("sop06", SOP06_UP_TO_RHS[:2])
    play(
        state,
        [
            (Say("TND-76543"), t.ERROR_TENDER_CODE),
            (Say("1234"), t.ERROR_TENDER_CODE),
            (Say("1234567890123"), t.ERROR_TENDER_CODE),
            (Say("７６５４３２１"), t.ERROR_TENDER_CODE),  # full-width digits are not SPSE codes
            (Say(" 7654321 "), t.SOP06_PROVIDER_PROMPT),
        ],
    )
    assert state.answers["kode_tender"] == "7654321"


def test_npwp_needs_15_or_16_digits() -> None:
    state = at_field("sop01", [Say("CV Maju Jaya")])
    play(
        state,
        [
            (Say("01.234.567.8-901.00"), t.ERROR_NPWP),  # 14 digits
            (Say("NPWP-01234567890123"), t.ERROR_NPWP),
            (Say("3201 2345 6789 0001"), t.SOP01_CONTACT_PROMPT),
        ],
    )
    assert state.answers["npwp"] == "3201234567890001"


def test_documents_are_checked_by_extension_content_type_and_size() -> None:
    state = at_field("sop03_04", SOP03_UP_TO_DOCUMENTS)
    play(
        state,
        [
            (Say("ini suratnya"), t.ERROR_FILE_EXPECTED.format(expected=t.DOCUMENT_HINT)),
            (
                Upload(IncomingFile("surat.docx", "application/msword", 1000)),
                t.ERROR_WRONG_DOCUMENT_TYPE,
            ),
            (Upload(IncomingFile("surat", "application/pdf", 1000)), t.ERROR_WRONG_DOCUMENT_TYPE),
            (
                Upload(IncomingFile("surat.pdf", "application/msword", 1000)),
                t.ERROR_CONTENT_MISMATCH.format(filename="surat.pdf", expected=t.DOCUMENT_HINT),
            ),
            (
                Upload(IncomingFile("surat.pdf", "application/pdf", 0)),
                t.ERROR_EMPTY_FILE.format(filename="surat.pdf"),
            ),
            (
                pdf("surat.pdf", MAX_BYTES + 1),
                t.ERROR_FILE_TOO_LARGE.format(filename="surat.pdf", size="10 MB", max_size="10 MB"),
            ),
            (pdf("surat.pdf", MAX_BYTES), t.DECREE_PROMPT),
            (
                Upload(IncomingFile("SK.JPEG", "image/jpeg; charset=binary", 5000)),
                t.SOP03_04_PERSONNEL_PROMPT,
            ),
        ],
    )


def test_rhs_field_wants_the_rhs_file() -> None:
    state = at_field("sop06", SOP06_UP_TO_RHS)
    play(
        state,
        [
            (pdf("penawaran.pdf"), t.ERROR_WRONG_RHS_TYPE),
            (
                Upload(IncomingFile("penawaran.rhs.zip", "application/zip", 1000)),
                t.ERROR_WRONG_RHS_TYPE,
            ),
            (Say("filenya tidak bisa dibuka"), t.ERROR_FILE_EXPECTED.format(expected=t.RHS_HINT)),
            (rhs(size=MAX_BYTES + 1), "terlalu besar"),
            (rhs(), t.SOP06_DESCRIPTION_PROMPT),
        ],
    )


def test_a_file_is_refused_where_text_or_a_choice_is_expected() -> None:
    state, _ = forms.start("sop05")
    play(
        state,
        [
            (pdf(), t.ERROR_TEXT_EXPECTED),
            (Say("Kepala Dinas"), t.ERROR_CHOOSE_BUTTON),
            (Press("ulp"), t.SOP05_FORGOTTEN_PROMPT),
            (Say("user id"), t.SOP05_NAME_PROMPT),
            (photo(), t.ERROR_TEXT_EXPECTED),
        ],
    )
    assert state.answers == {"peran": "ulp", "lupa": "user_id"}
    assert state.files == {}


def test_old_buttons_do_not_change_the_form() -> None:
    state = at_field("sop05", [Press("ulp")])
    play(
        state,
        [
            (Press("ppk"), t.ERROR_STALE_BUTTON),  # the role question is behind us
            (Press("kirim"), t.ERROR_STALE_BUTTON),
            (Press("keduanya"), t.SOP05_NAME_PROMPT),
        ],
    )
    assert state.answers == {"peran": "ulp", "lupa": "keduanya"}


def test_answers_are_plain_text_without_hidden_characters() -> None:
    state = at_field("sop06", [])
    play(
        state,
        [
            (Say("  <b>Rudi</b>\x00 \u202eHartono\n"), t.SOP06_POKJA_PROMPT),
            (Say("Pokja *Pemilihan* 2"), t.SOP06_TENDER_CODE_PROMPT),
        ],
    )
    # Markup stays as typed (the handler escapes it); controls and bidi overrides are gone.
    assert state.answers == {"nama": "<b>Rudi</b> Hartono", "instansi": "Pokja *Pemilihan* 2"}


def test_summary_and_stored_file_names_lose_their_paths() -> None:
    state = at_field("sop06", SOP06_UP_TO_RHS)
    forms.add_file(
        state,
        {"sha256": "f" * 64, "filename": "C:\\Tender\\x.rhs", "content_type": "", "size": 1},
    )
    assert state.files["berkas_rhs"][0]["filename"] == "x.rhs"


def test_batal_typed_into_a_field_cancels_instead_of_answering() -> None:
    state = at_field("sop06", [])
    step = forms.handle_text(state, "/batal")
    assert step.cancelled and step.prompt == forms.Prompt(forms.cancel_text())
    assert state.answers == {}


def test_the_confirmation_takes_only_kirim_or_ulangi() -> None:
    state = at_field("sop06", [*SOP06_UP_TO_RHS, rhs(), Press("lewati")])
    assert state.confirming
    play(
        state,
        [
            (Say("sudah benar"), t.ERROR_CONFIRM_PENDING),
            (rhs(), t.ERROR_CONFIRM_PENDING),
            (Press("lewati"), t.ERROR_STALE_BUTTON),
        ],
    )
    # A second upload that raced past check_file is not recorded.
    step = forms.add_file(state, stored(rhs().file))
    assert step.error == t.ERROR_CONFIRM_PENDING
    assert len(state.files["berkas_rhs"]) == 1


def test_sop01_takes_at_most_the_cap_of_documents() -> None:
    state = at_field("sop01", PROVIDER_ANSWERS)
    for number in range(forms.MAX_FILES_PER_FIELD):
        act(state, pdf(f"dokumen-{number}.pdf"))
    play(
        state,
        [
            (pdf("lagi.pdf"), t.ERROR_TOO_MANY_FILES.format(max_files=forms.MAX_FILES_PER_FIELD)),
            (Press("selesai"), "Dokumen 2 dari 12"),
        ],
    )


# --- restart, persistence -------------------------------------------------------------------


def test_ulangi_starts_the_form_again_from_scratch() -> None:
    state = at_field("sop03_04", [*SOP03_UP_TO_DOCUMENTS, pdf(), pdf(), pdf()])
    assert state.confirming
    step = play(state, [(Press("ulang"), t.RESTARTED)])
    assert step.prompt is not None and step.prompt.buttons[0] == (t.ROLE_ULP, "ulp")
    assert (state.field_index, state.answers, state.files, state.confirming) == (0, {}, {}, False)
    play(state, [(Press("ulp"), t.SOP03_04_NAME_PROMPT), (Say("Rina"), t.SOP03_04_NIP_PROMPT)])
    assert state.answers == {"peran": "ulp", "nama": "Rina"}


def test_typed_ulangi_also_restarts() -> None:
    state = at_field("sop06", [*SOP06_UP_TO_RHS, rhs(), Press("lewati")])
    play(state, [(Say("Ulangi"), t.RESTARTED)])
    assert state.field_index == 0


def restart(state: FormState) -> FormState:
    """The handler stored the state as JSON; the bot restarted and loads it."""
    return FormState.from_dict(json.loads(json.dumps(state.to_dict())))


def test_a_form_survives_a_restart_mid_way() -> None:
    state = at_field("sop03_04", [*SOP03_UP_TO_DOCUMENTS, pdf("surat.pdf")])
    revived = restart(state)
    assert revived == state
    step = forms.current_step(revived)
    assert step.expects_file and step.prompt is not None and t.DECREE_PROMPT in step.prompt.text
    play(
        revived,
        [
            (photo(), t.SOP03_04_PERSONNEL_PROMPT),
            (pdf("personel.pdf"), t.CONFIRM_QUESTION),
            (Press("kirim"), "[selesai]"),
        ],
    )
    request = forms.ticket_request(revived)
    assert request.sop_id == "SOP-04"
    assert [ref.filename for ref in request.attachments] == [
        "surat.pdf",
        "foto.jpg",
        "personel.pdf",
    ]


def test_a_multi_file_upload_survives_a_restart() -> None:
    state = at_field("sop01", [*PROVIDER_ANSWERS, pdf("formulir.pdf")])
    revived = restart(state)
    play(revived, [(photo(), "Sudah 2 berkas"), (Press("selesai"), "Dokumen 2 dari 12")])
    first_item = load_catalog().get("SOP-01").checklist[0].id
    assert [f["filename"] for f in revived.files[first_item]] == ["formulir.pdf", "foto.jpg"]
    assert revived == restart(revived)


@pytest.mark.parametrize(
    "broken",
    [
        {"form_id": "sop99", "field_index": 0, "answers": {}, "files": {}, "confirming": False},
        {"form_id": "sop06", "field_index": 8, "answers": {}, "files": {}, "confirming": False},
        {"form_id": "sop06", "field_index": 3, "answers": {}, "files": {}, "confirming": True},
        {"form_id": "sop06", "field_index": True, "answers": {}, "files": {}, "confirming": False},
        {
            "form_id": "sop06",
            "field_index": 0,
            "answers": {"nama": 1},
            "files": {},
            "confirming": False,
        },
        {
            "form_id": "sop06",
            "field_index": 0,
            "answers": {},
            "files": {"berkas_rhs": [{"sha256": "x"}]},
            "confirming": False,
        },
    ],
)
def test_a_state_that_fits_no_form_is_refused(broken: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FormState.from_dict(broken)


def test_an_unfinished_form_makes_no_ticket() -> None:
    state, _ = forms.start("sop06")
    with pytest.raises(ValueError):
        forms.ticket_request(state)
    with pytest.raises(ValueError):
        forms.start("sop02")


# --- validators in detail -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored_as"),
    [
        ("0812 3456 7890", "081234567890"),
        ("+6281234567890", "081234567890"),
        ("62 812-3456-7890", "081234567890"),
        ("+62 (0)812 3456 7890", "081234567890"),
        ("(0711) 580123", "0711580123"),
    ],
)
def test_phone_numbers_are_stored_in_national_form(typed: str, stored_as: str) -> None:
    assert forms.parse_phone(typed) == stored_as


@pytest.mark.parametrize(
    "typed",
    ["12345678", "0812", "081234567890123456", "08123abc567", "+1 202 555 0100", "00812345678"],
)
def test_bad_phone_numbers(typed: str) -> None:
    with pytest.raises(forms.FieldError):
        forms.parse_phone(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "budi",
        "budi@",
        "@contoh.id",
        "budi@contoh",
        "budi santoso@contoh.id",
        "budi@@contoh.id",
        "budi..s@contoh.id",
        ".budi@contoh.id",
        "a@contoh.id, b@contoh.id",
        "budi@contoh.c",
        "budi@-contoh.id",
        "x" * 65 + "@contoh.id",
    ],
)
def test_bad_email_addresses(typed: str) -> None:
    with pytest.raises(forms.FieldError):
        forms.parse_email(typed)


def test_email_addresses_are_lower_cased() -> None:
    assert forms.parse_email(" Budi.Santoso+lpse@Oganilirkab.GO.ID ") == (
        "budi.santoso+lpse@oganilirkab.go.id"
    )


# --- texts and buttons ----------------------------------------------------------------------


def all_buttons() -> list[tuple[str, str]]:
    buttons = [
        (t.BUTTON_SEND, forms.SEND),
        (t.BUTTON_RESTART, forms.RESTART),
        (t.BUTTON_DONE, forms.DONE),
        (t.BUTTON_SKIP, forms.SKIP),
        *forms.menu_buttons(),
    ]
    for form_id in forms.FORM_IDS:
        for item in forms.get_form(form_id).fields:
            buttons.extend(item.choices)
    return buttons


def test_buttons_fit_telegram() -> None:
    for label, value in all_buttons():
        assert 0 < len(label) <= 30, label
        assert value.isascii() and 0 < len(value) <= 20, value


def test_choice_values_never_collide_with_control_buttons() -> None:
    controls = {forms.SEND, forms.RESTART, forms.DONE, forms.SKIP}
    for form_id in forms.FORM_IDS:
        for item in forms.get_form(form_id).fields:
            assert controls.isdisjoint(value for _, value in item.choices)


def test_user_texts_are_plain_and_polite() -> None:
    texts = [value for name, value in vars(t).items() if name.isupper() and isinstance(value, str)]
    assert all("<" not in text and "*" not in text for text in texts)
    assert t.SOP01_INTRO.count("Bapak/Ibu") == 1
    assert forms.cancel_text() == t.CANCELLED


def test_form_ids_are_the_four_sop_forms() -> None:
    assert forms.FORM_IDS == ("sop01", "sop03_04", "sop05", "sop06")
    assert [form_id for _, form_id in forms.menu_buttons()] == list(forms.FORM_IDS)
