"""Guided request forms: the fields each SOP request needs, asked one at a time and validated.

Channel-agnostic and pure: a handler feeds in what the user sends (text, button values, files)
and gets a ``Step`` back that says what to send next. ``FormState`` is plain data, mutated in
place by each call and JSON-serialisable, so a half-filled form survives a restart. Every user
text comes from ``bot.texts``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from bot import texts as t
from bot.core.privacy import contains_credential
from bot.core.sop import ChecklistItem, SopCatalog, load_catalog
from bot.core.tickets import VERIFICATION_SOP, AttachmentRef

# Button values (the handler embeds them in Telegram callback_data, so short ASCII).
SEND: Final = "kirim"
RESTART: Final = "ulang"
DONE: Final = "selesai"
SKIP: Final = "lewati"
_CONFIRM_BUTTONS: Final = ((t.BUTTON_SEND, SEND), (t.BUTTON_RESTART, RESTART))
#: The command that leaves a form (the handler deletes the state).
CANCEL_COMMAND: Final = "/batal"

#: Most uploads one multi-file field takes; beyond this a form turns into a file dump.
MAX_FILES_PER_FIELD: Final = 30

#: Content type of a Telegram photo, which arrives without a file name.
PHOTO_CONTENT_TYPE: Final = "image/jpeg"

_JPEG_TYPES: Final = frozenset({"image/jpeg", "image/jpg", "image/pjpeg"})  # clients vary
#: Extension -> accepted content types; ``None`` accepts any (``.rhs`` has no registered type).
_DOCUMENT_TYPES: Final[Mapping[str, frozenset[str] | None]] = {
    ".pdf": frozenset({"application/pdf"}),
    ".jpg": _JPEG_TYPES,
    ".jpeg": _JPEG_TYPES,
    ".png": frozenset({"image/png"}),
}
_RHS_TYPES: Final[Mapping[str, frozenset[str] | None]] = {".rhs": None}

# The design forbids relaying passwords: a password word followed by a value (after ":", "=",
# "adalah", or a token containing a digit, possibly after "saya"/"lama"/"baru") is refused.
# "password salah" (an error message someone quotes) stays allowed.
_EMAIL: Final = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
# Invisible characters (controls, zero-width and bidi overrides, surrogates) could make an
# answer read differently in the staff card than what was typed, or break storage.
_HIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co"})


class FieldError(ValueError):
    """An answer failed validation; the message is polite Indonesian for the user."""


class FieldKind(StrEnum):
    """How a field is answered."""

    TEXT = "text"
    OPTIONAL_TEXT = "optional_text"  # may be skipped with the "Lewati" button
    CHOICE = "choice"
    FILE = "file"  # exactly one document
    FILES = "files"  # one or more documents, ended with "Selesai"
    #: One item of a checklist: files ended with "Selesai", or "Lewati" when not at hand
    #: (SOP-01: a form with items missing may be sent; staff see which).
    CHECKLIST_FILES = "checklist_files"


Parser = Callable[[str], str]


def _no_parse(value: str) -> str:
    return value


@dataclass(frozen=True)
class FormField:
    """One question of a form; ``label`` names the answer in the summary."""

    key: str
    label: str
    prompt: str
    kind: FieldKind
    parse: Parser = _no_parse
    choices: tuple[tuple[str, str], ...] = ()  # (label, value)
    file_types: Mapping[str, frozenset[str] | None] = field(default_factory=dict)
    file_hint: str = ""
    wrong_type_error: str = ""

    @property
    def expects_file(self) -> bool:
        """Whether the field is answered with a document."""
        return self.kind in (FieldKind.FILE, FieldKind.FILES, FieldKind.CHECKLIST_FILES)

    @property
    def takes_several_files(self) -> bool:
        """Whether uploads go on until "Selesai"."""
        return self.kind in (FieldKind.FILES, FieldKind.CHECKLIST_FILES)

    def choice_label(self, value: str) -> str:
        """The button label of a stored choice value."""
        return next((label for label, choice in self.choices if choice == value), value)


@dataclass(frozen=True)
class Form:
    """A guided request: its fields, its SOP and which answers identify the requester."""

    id: str
    title: str
    intro: str
    subject: str  # format template over the display values of the answers
    fields: tuple[FormField, ...]
    sop_id: str
    instansi_key: str
    # (choice field key, value -> SOP id) when a choice decides the SOP (SOP-03 vs SOP-04).
    sop_choice: tuple[str, Mapping[str, str]] | None = None

    def sop_for(self, answers: Mapping[str, str]) -> str:
        """The SOP this request belongs to, given the answers so far."""
        if self.sop_choice is None:
            return self.sop_id
        key, by_value = self.sop_choice
        return by_value.get(answers.get(key, ""), self.sop_id)

    def field_by_key(self, key: str) -> FormField:
        """The field named ``key``."""
        return next(item for item in self.fields if item.key == key)


# --- public data types ------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingFile:
    """What the channel knows about an upload before storing it."""

    filename: str
    content_type: str
    size: int

    @classmethod
    def photo(cls, size: int, filename: str = t.PHOTO_FILENAME) -> IncomingFile:
        """A chat photo: no file name of its own, always JPEG."""
        return cls(filename=filename, content_type=PHOTO_CONTENT_TYPE, size=size)


@dataclass
class FormState:
    """Progress through one form; plain data, persisted by the handler between messages."""

    form_id: str
    field_index: int = 0
    answers: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    confirming: bool = False

    def to_dict(self) -> dict[str, object]:
        """JSON-ready copy of the state."""
        return {
            "form_id": self.form_id,
            "field_index": self.field_index,
            "answers": dict(self.answers),
            "files": {key: [dict(item) for item in items] for key, items in self.files.items()},
            "confirming": self.confirming,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> FormState:
        """The state saved by ``to_dict``; ``ValueError`` when it does not fit a known form."""
        form_id = data.get("form_id")
        index = data.get("field_index")
        answers = data.get("answers")
        files = data.get("files")
        confirming = data.get("confirming")
        if not isinstance(form_id, str) or form_id not in _FORMS:
            raise ValueError(f"unknown form id: {form_id!r}")
        if not isinstance(confirming, bool):
            raise ValueError("confirming must be a boolean")
        total = len(_FORMS[form_id].fields)
        # bool is an int subclass; a stray true must not pass for index 1.
        if not isinstance(index, int) or isinstance(index, bool):
            raise ValueError("field_index must be an integer")
        if (confirming and index != total) or (not confirming and not 0 <= index < total):
            raise ValueError(f"field_index {index} does not fit form {form_id}")
        if not isinstance(answers, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in answers.items()
        ):
            raise ValueError("answers must map strings to strings")
        if not isinstance(files, dict):
            raise ValueError("files must be an object")
        restored: dict[str, list[dict[str, object]]] = {}
        for key, items in files.items():
            if not isinstance(key, str) or not isinstance(items, list):
                raise ValueError("files must map field keys to lists")
            restored[key] = [_stored_dict(_attachment(item)) for item in items]
        return cls(form_id, index, dict(answers), restored, confirming)


@dataclass(frozen=True)
class Prompt:
    """What to send the user: plain Indonesian text and buttons as (label, value)."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Step:
    """What the handler does next."""

    prompt: Prompt | None
    error: str | None = None  # send before the prompt
    expects_file: bool = False
    finished: bool = False  # the user confirmed: open the ticket
    cancelled: bool = False


@dataclass(frozen=True)
class TicketRequest:
    """A confirmed form, ready to become an ``OpenTicket`` command."""

    sop_id: str
    subject: str
    text: str
    name: str | None
    email: str | None
    phone: str | None
    instansi: str | None
    attachments: tuple[AttachmentRef, ...]
    #: The answers by field key (tender code, company, NPWP...), as the ticket keeps them.
    details: Mapping[str, str] = field(default_factory=dict)
    #: Uploads by field or checklist item key: how many files each.
    documents: Mapping[str, int] = field(default_factory=dict)


# --- answer cleaning and validation ---------------------------------------------------------


def _clean(text: str, *, multiline: bool = False) -> str:
    """Text without invisible characters and with tidy whitespace."""
    text = unicodedata.normalize("NFC", text)
    lines = text.splitlines() if multiline else [text]
    tidy = []
    for line in lines:
        visible = "".join(
            " " if char.isspace() else char
            for char in line
            if char.isspace() or unicodedata.category(char) not in _HIDDEN_CATEGORIES
        )
        tidy.append(" ".join(visible.split()))
    joined = "\n".join(tidy).strip()
    # Keep paragraphs but not walls of blank lines.
    return re.sub(r"\n{3,}", "\n\n", joined)


def _free_text(
    min_len: int, max_len: int, *, multiline: bool = False, needs_letter: bool = True
) -> Parser:
    def parse(raw: str) -> str:
        value = _clean(raw, multiline=multiline)
        if not min_len <= len(value) <= max_len:
            raise FieldError(t.ERROR_LENGTH.format(min_len=min_len, max_len=max_len))
        if needs_letter and not any(char.isalpha() for char in value):
            raise FieldError(t.ERROR_NO_LETTERS)
        return value

    return parse


def parse_email(raw: str) -> str:
    """A single e-mail address, lower-cased."""
    value = _clean(raw).lower()
    local, _, _domain = value.partition("@")
    # RFC 5321 4.5.3.1: 64 octets for the local part, 254 for a usable path.
    if len(value) > 254 or len(local) > 64 or not _EMAIL.fullmatch(value):
        raise FieldError(t.ERROR_EMAIL)
    return value


def parse_phone(raw: str) -> str:
    """An Indonesian phone number in national form (``0812...``)."""
    compact = re.sub(r"[\s.()/-]", "", _clean(raw))
    for prefix in ("+62", "62", "0"):
        if compact.startswith(prefix):
            subscriber = compact[len(prefix) :]
            break
    else:
        raise FieldError(t.ERROR_PHONE)
    if prefix != "0":
        # "+62 0812..." is a common way of writing it; the trunk 0 is not part of the number.
        subscriber = subscriber.removeprefix("0")
    national = "0" + subscriber
    if not re.fullmatch(r"0[1-9][0-9]*", national) or not 9 <= len(national) <= 15:
        raise FieldError(t.ERROR_PHONE)
    return national


def parse_nip(raw: str) -> str:
    """A civil-servant number (NIP): exactly 18 digits."""
    compact = re.sub(r"\s", "", _clean(raw))
    # [0-9], not \d or isdigit(): those accept other scripts' digits.
    if not re.fullmatch(r"[0-9]{18}", compact):
        raise FieldError(t.ERROR_NIP)
    return compact


def parse_npwp(raw: str) -> str:
    """A taxpayer number (NPWP): 15 digits (old format) or 16 (NIK-based), digits only."""
    compact = re.sub(r"[\s.-]", "", _clean(raw))
    if not re.fullmatch(r"[0-9]{15}|[0-9]{16}", compact):
        raise FieldError(t.ERROR_NPWP)
    return compact


def parse_tender_code(raw: str) -> str:
    """An SPSE tender code: 5 to 12 digits."""
    compact = re.sub(r"\s", "", _clean(raw))
    if not re.fullmatch(r"[0-9]{5,12}", compact):
        raise FieldError(t.ERROR_TENDER_CODE)
    return compact


# --- form definitions -----------------------------------------------------------------------

_person_name = _free_text(3, 100)
_organisation = _free_text(3, 150)
_instansi = _free_text(3, 120)
_jabatan = _free_text(2, 100)
_description = _free_text(1, 1000, multiline=True, needs_letter=False)

_ROLE_CHOICES: Final = ((t.ROLE_ULP, "ulp"), (t.ROLE_PPK, "ppk"))


def _text(key: str, label: str, prompt: str, parse: Parser) -> FormField:
    return FormField(key=key, label=label, prompt=prompt, kind=FieldKind.TEXT, parse=parse)


def _choice(key: str, label: str, prompt: str, choices: tuple[tuple[str, str], ...]) -> FormField:
    return FormField(key=key, label=label, prompt=prompt, kind=FieldKind.CHOICE, choices=choices)


def _document(key: str, label: str, prompt: str, kind: FieldKind = FieldKind.FILE) -> FormField:
    return FormField(
        key=key,
        label=label,
        prompt=prompt,
        kind=kind,
        file_types=_DOCUMENT_TYPES,
        file_hint=t.DOCUMENT_HINT,
        wrong_type_error=t.ERROR_WRONG_DOCUMENT_TYPE,
    )


def _email(prompt: str, label: str = t.LABEL_EMAIL) -> FormField:
    return _text("email", label, prompt, parse_email)


_PHONE: Final = _text("telepon", t.LABEL_PHONE, t.PHONE_PROMPT, parse_phone)


def sop01_form(checklist: Sequence[ChecklistItem]) -> Form:
    """Pre-verification (SOP-01): the provider's data, then one upload question per item of
    the catalog's checklist, so every file is labelled with the document it is."""
    total = len(checklist)
    uploads = tuple(
        FormField(
            key=item.id,
            label=item.nama,
            prompt=t.SOP01_ITEM_PROMPT.format(index=index, total=total, item=item.nama),
            kind=FieldKind.CHECKLIST_FILES,
            file_types=_DOCUMENT_TYPES,
            file_hint=t.DOCUMENT_HINT,
            wrong_type_error=t.ERROR_WRONG_DOCUMENT_TYPE,
        )
        for index, item in enumerate(checklist, start=1)
    )
    return Form(
        id="sop01",
        title=t.SOP01_TITLE,
        intro=t.SOP01_INTRO.format(total=total),
        subject=t.SOP01_SUBJECT,
        sop_id="SOP-01",
        instansi_key="perusahaan",  # a provider's organisation is its company
        fields=(
            _text("perusahaan", t.SOP01_LABEL_COMPANY, t.SOP01_COMPANY_PROMPT, _organisation),
            _text("npwp", t.SOP01_LABEL_NPWP, t.SOP01_NPWP_PROMPT, parse_npwp),
            _text("nama", t.SOP01_LABEL_CONTACT, t.SOP01_CONTACT_PROMPT, _person_name),
            _email(t.EMAIL_PROMPT),
            _PHONE,
            *uploads,
        ),
    )


def _shipped_checklist() -> tuple[ChecklistItem, ...]:
    """SOP-01's checklist of the shipped catalog, until ``use_catalog`` names another."""
    return load_catalog().get(VERIFICATION_SOP).checklist


_SOP01: Final = sop01_form(_shipped_checklist())

_SOP03_04: Final = Form(
    id="sop03_04",
    title=t.SOP03_04_TITLE,
    intro=t.SOP03_04_INTRO,
    subject=t.SOP03_04_SUBJECT,
    sop_id="SOP-03",
    sop_choice=("peran", {"ulp": "SOP-03", "ppk": "SOP-04"}),
    instansi_key="instansi",
    fields=(
        _choice("peran", t.LABEL_ROLE, t.ROLE_PROMPT, _ROLE_CHOICES),
        _text("nama", t.LABEL_NAME, t.SOP03_04_NAME_PROMPT, _person_name),
        _text("nip", t.LABEL_NIP, t.SOP03_04_NIP_PROMPT, parse_nip),
        _text("instansi", t.LABEL_INSTANSI, t.INSTANSI_PROMPT, _instansi),
        _text("jabatan", t.SOP03_04_LABEL_JABATAN, t.SOP03_04_JABATAN_PROMPT, _jabatan),
        _email(t.SOP03_04_EMAIL_PROMPT, t.SOP03_04_LABEL_ACCOUNT_EMAIL),
        _PHONE,
        _document("surat_permohonan", t.LABEL_REQUEST_LETTER, t.REQUEST_LETTER_PROMPT),
        _document("sk_pengangkatan", t.LABEL_DECREE, t.DECREE_PROMPT),
        _document("data_personel", t.SOP03_04_LABEL_PERSONNEL, t.SOP03_04_PERSONNEL_PROMPT),
    ),
)

_SOP05: Final = Form(
    id="sop05",
    title=t.SOP05_TITLE,
    intro=t.SOP05_INTRO,
    subject=t.SOP05_SUBJECT,
    sop_id="SOP-05",
    instansi_key="instansi",
    fields=(
        _choice("peran", t.LABEL_ROLE, t.ROLE_PROMPT, _ROLE_CHOICES),
        _choice(
            "lupa",
            t.SOP05_LABEL_FORGOTTEN,
            t.SOP05_FORGOTTEN_PROMPT,
            (
                (t.FORGOTTEN_USER_ID, "user_id"),
                (t.FORGOTTEN_PASSWORD, "password"),
                (t.FORGOTTEN_BOTH, "keduanya"),
            ),
        ),
        _text("nama", t.LABEL_NAME, t.SOP05_NAME_PROMPT, _person_name),
        _text("nip", t.LABEL_NIP, t.NIP_PROMPT, parse_nip),
        _text("instansi", t.LABEL_INSTANSI, t.INSTANSI_PROMPT, _instansi),
        _email(t.SOP05_EMAIL_PROMPT, t.SOP05_LABEL_REGISTERED_EMAIL),
        _PHONE,
        _document("surat_permohonan", t.LABEL_REQUEST_LETTER, t.REQUEST_LETTER_PROMPT),
        _document("sk_pengangkatan", t.LABEL_DECREE, t.DECREE_PROMPT),
    ),
)

_SOP06: Final = Form(
    id="sop06",
    title=t.SOP06_TITLE,
    intro=t.SOP06_INTRO,
    subject=t.SOP06_SUBJECT,
    sop_id="SOP-06",
    instansi_key="instansi",
    fields=(
        _text("nama", t.LABEL_NAME, t.SOP06_NAME_PROMPT, _person_name),
        _text("instansi", t.SOP06_LABEL_POKJA, t.SOP06_POKJA_PROMPT, _instansi),
        _text(
            "kode_tender", t.SOP06_LABEL_TENDER_CODE, t.SOP06_TENDER_CODE_PROMPT, parse_tender_code
        ),
        _text("penyedia", t.SOP06_LABEL_PROVIDER, t.SOP06_PROVIDER_PROMPT, _organisation),
        _email(t.EMAIL_PROMPT),
        _PHONE,
        FormField(
            key="berkas_rhs",
            label=t.SOP06_LABEL_RHS,
            prompt=t.SOP06_RHS_PROMPT,
            kind=FieldKind.FILE,
            file_types=_RHS_TYPES,
            file_hint=t.RHS_HINT,
            wrong_type_error=t.ERROR_WRONG_RHS_TYPE,
        ),
        FormField(
            key="keterangan",
            label=t.SOP06_LABEL_DESCRIPTION,
            prompt=t.SOP06_DESCRIPTION_PROMPT,
            kind=FieldKind.OPTIONAL_TEXT,
            parse=_description,
        ),
    ),
)

_FORMS: Final[dict[str, Form]] = {form.id: form for form in (_SOP01, _SOP03_04, _SOP05, _SOP06)}

#: Ids of the forms, in menu order.
FORM_IDS: Final[tuple[str, ...]] = tuple(_FORMS)


def use_catalog(catalog: SopCatalog) -> None:
    """Ask SOP-01's documents from ``catalog``'s checklist: one list for form, card and FAQ."""
    _FORMS["sop01"] = sop01_form(catalog.get(VERIFICATION_SOP).checklist)


def get_form(form_id: str) -> Form:
    """The form definition for ``form_id``; ``ValueError`` when there is none."""
    try:
        return _FORMS[form_id]
    except KeyError:
        raise ValueError(f"unknown form id: {form_id!r}") from None


def menu_buttons() -> tuple[tuple[str, str], ...]:
    """(label, form id) per form, for the requester's menu."""
    return tuple((form.title, form.id) for form in _FORMS.values())


def cancel_text() -> str:
    """What to tell the user after ``/batal`` removed their form."""
    return t.CANCELLED


# --- the engine -----------------------------------------------------------------------------


def start(form_id: str) -> tuple[FormState, Step]:
    """A fresh form and its first question (with the form's introduction)."""
    form = get_form(form_id)
    state = FormState(form_id=form.id)
    return state, _ask(form, state, lead=form.intro)


def current_step(state: FormState, error: str | None = None) -> Step:
    """The current question again, e.g. after ``check_file`` refused a file or on resume."""
    return _ask(get_form(state.form_id), state, error=error)


def handle_text(state: FormState, text: str) -> Step:
    """A text message from the user, answering the current question."""
    form = get_form(state.form_id)
    if text.strip().casefold() == CANCEL_COMMAND:
        # The handler normally catches the command first; never store it as an answer.
        return Step(prompt=Prompt(t.CANCELLED), cancelled=True)
    typed = _as_word(text)
    if state.confirming:
        for label, value in _CONFIRM_BUTTONS:
            if typed in (_as_word(label), value):
                return handle_choice(state, value)
        return _ask(form, state, error=t.ERROR_CONFIRM_PENDING)
    current = form.fields[state.field_index]
    if current.kind is FieldKind.CHOICE:
        # People often type the option instead of pressing it.
        for label, value in current.choices:
            if typed in (_as_word(label), _as_word(value)):
                return handle_choice(state, value)
        return _ask(form, state, error=t.ERROR_CHOOSE_BUTTON)
    if current.kind is FieldKind.FILE:
        return _ask(form, state, error=t.ERROR_FILE_EXPECTED.format(expected=current.file_hint))
    if current.takes_several_files:
        if typed in (_as_word(t.BUTTON_DONE), DONE):
            return handle_choice(state, DONE)
        if current.kind is FieldKind.CHECKLIST_FILES and typed in (_as_word(t.BUTTON_SKIP), SKIP):
            return handle_choice(state, SKIP)
        return _ask(form, state, error=t.ERROR_FILES_EXPECTED.format(expected=current.file_hint))
    if current.kind is FieldKind.OPTIONAL_TEXT and typed in (_as_word(t.BUTTON_SKIP), SKIP):
        return handle_choice(state, SKIP)
    if not _clean(text, multiline=True):
        return _ask(form, state, error=t.ERROR_EMPTY)
    if contains_credential(text):
        return _ask(form, state, error=t.ERROR_PASSWORD)
    try:
        value = current.parse(text)
    except FieldError as refused:
        return _ask(form, state, error=str(refused))
    state.answers[current.key] = value
    return _advance(form, state)


def handle_choice(state: FormState, value: str) -> Step:
    """A button press: an option, "kirim", "ulang", "selesai" or "lewati"."""
    form = get_form(state.form_id)
    if state.confirming:
        if value == SEND:
            return Step(prompt=None, finished=True)
        if value == RESTART:
            state.field_index, state.confirming = 0, False
            state.answers.clear()
            state.files.clear()
            return _ask(form, state, lead=t.RESTARTED)
        return _ask(form, state, error=t.ERROR_STALE_BUTTON)
    current = form.fields[state.field_index]
    if current.kind is FieldKind.CHOICE and value in {choice for _, choice in current.choices}:
        state.answers[current.key] = value
        return _advance(form, state)
    if current.kind is FieldKind.FILES and value == DONE:
        if not state.files.get(current.key):
            return _ask(form, state, error=t.ERROR_NO_FILES_YET)
        return _advance(form, state)
    if current.kind is FieldKind.CHECKLIST_FILES and value in (DONE, SKIP):
        return _advance(form, state)
    if current.kind is FieldKind.OPTIONAL_TEXT and value == SKIP:
        state.answers.pop(current.key, None)
        return _advance(form, state)
    # A button from an earlier message: Telegram keeps old keyboards pressable.
    return _ask(form, state, error=t.ERROR_STALE_BUTTON)


def check_file(state: FormState, file: IncomingFile, max_bytes: int) -> str | None:
    """Why ``file`` is refused for the current question, or None when the handler may store it."""
    form = get_form(state.form_id)
    if state.confirming:
        return t.ERROR_CONFIRM_PENDING
    current = form.fields[state.field_index]
    if not current.expects_file:
        return t.ERROR_TEXT_EXPECTED
    if current.takes_several_files and (
        len(state.files.get(current.key, [])) >= MAX_FILES_PER_FIELD
    ):
        return t.ERROR_TOO_MANY_FILES.format(max_files=MAX_FILES_PER_FIELD)
    filename = _clean_filename(file.filename)
    extension = _extension(filename)
    if extension not in current.file_types:
        return current.wrong_type_error
    accepted = current.file_types[extension]
    content_type = file.content_type.split(";", 1)[0].strip().lower()
    if accepted is not None and content_type not in accepted:
        # A renamed file (e.g. "scan.pdf" that is really a Word file) cannot be opened by staff.
        return t.ERROR_CONTENT_MISMATCH.format(filename=filename, expected=current.file_hint)
    if file.size <= 0:
        return t.ERROR_EMPTY_FILE.format(filename=filename)
    if file.size > max_bytes:
        return t.ERROR_FILE_TOO_LARGE.format(
            filename=filename, size=_human_size(file.size), max_size=_human_size(max_bytes)
        )
    return None


def add_file(state: FormState, stored: Mapping[str, object]) -> Step:
    """Record a file the handler stored after ``check_file`` accepted it.

    ``stored`` holds ``sha256``, ``filename``, ``content_type`` and ``size``; anything else is a
    programming error (``ValueError``). A file arriving when none is expected (two uploads
    racing past ``check_file``) is not recorded and the user is told so.
    """
    form = get_form(state.form_id)
    reference = _attachment(stored)
    if state.confirming:
        return _ask(form, state, error=t.ERROR_CONFIRM_PENDING)
    current = form.fields[state.field_index]
    if not current.expects_file:
        return _ask(form, state, error=t.ERROR_TEXT_EXPECTED)
    uploads = state.files.setdefault(current.key, [])
    uploads.append(_stored_dict(reference))
    received = t.FILE_RECEIVED.format(filename=reference.filename)
    if current.takes_several_files:
        return _ask(form, state, lead=received)
    return _advance(form, state, lead=received)


def summary(state: FormState) -> str:
    """Plain-text summary of the answers: shown before confirming, and the ticket's text."""
    form = get_form(state.form_id)
    lines = [t.SUMMARY_HEADER.format(title=form.title, sop_id=form.sop_for(state.answers))]
    for item in form.fields:
        uploads = [_attachment(stored) for stored in state.files.get(item.key, [])]
        if item.kind is FieldKind.CHECKLIST_FILES:
            names = ", ".join(ref.filename for ref in uploads)
            template = t.SUMMARY_ITEM_PRESENT if uploads else t.SUMMARY_ITEM_MISSING
            lines.append(template.format(label=item.label, files=names))
            continue
        if item.kind is FieldKind.FILES and uploads:
            lines.append(t.SUMMARY_FILES_HEADER.format(label=item.label, count=len(uploads)))
            lines.extend(
                t.SUMMARY_FILE_ITEM.format(filename=ref.filename, size=_human_size(ref.size))
                for ref in uploads
            )
            continue
        if item.expects_file:
            value = ", ".join(
                t.SUMMARY_FILE.format(filename=ref.filename, size=_human_size(ref.size))
                for ref in uploads
            )
        else:
            value = _display_value(item, state.answers)
        lines.append(t.SUMMARY_LINE.format(label=item.label, value=value or t.SUMMARY_EMPTY))
    return "\n".join(lines)


def ticket_request(state: FormState) -> TicketRequest:
    """The ticket a confirmed form opens; ``ValueError`` when the form is not complete."""
    form = get_form(state.form_id)
    if not state.confirming:
        raise ValueError(f"form {state.form_id} is not complete")
    display = {item.key: _display_value(item, state.answers) for item in form.fields}
    attachments = tuple(
        _attachment(stored)
        for item in form.fields
        if item.expects_file
        for stored in state.files.get(item.key, [])
    )
    return TicketRequest(
        sop_id=form.sop_for(state.answers),
        subject=form.subject.format_map(display),
        text=summary(state),
        name=state.answers.get("nama"),
        email=state.answers.get("email"),
        phone=state.answers.get("telepon"),
        instansi=state.answers.get(form.instansi_key),
        attachments=attachments,
        details={key: value for key, value in display.items() if value},
        documents={
            item.key: len(state.files.get(item.key, []))
            for item in form.fields
            if item.expects_file
        },
    )


def missing_items(state: FormState) -> list[str]:
    """Checklist items without an upload, for the confirmation ("sent with items missing")."""
    form = get_form(state.form_id)
    return [
        item.label
        for item in form.fields
        if item.kind is FieldKind.CHECKLIST_FILES and not state.files.get(item.key)
    ]


# --- internals ------------------------------------------------------------------------------


def _advance(form: Form, state: FormState, lead: str | None = None) -> Step:
    state.field_index += 1
    if state.field_index >= len(form.fields):
        state.field_index = len(form.fields)
        state.confirming = True
    return _ask(form, state, lead=lead)


def _ask(
    form: Form, state: FormState, *, error: str | None = None, lead: str | None = None
) -> Step:
    """The prompt for where ``state`` stands; ``lead`` goes above the question."""
    if state.confirming:
        missing = missing_items(state)
        warning = t.CONFIRM_ITEMS_MISSING.format(count=len(missing)) if missing else None
        text = _join(warning, f"{summary(state)}\n\n{t.CONFIRM_QUESTION}")
        return Step(prompt=Prompt(_join(lead, text), _CONFIRM_BUTTONS), error=error)
    current = form.fields[state.field_index]
    counter = t.STEP_COUNTER.format(current=state.field_index + 1, total=len(form.fields))
    question = current.prompt
    buttons: tuple[tuple[str, str], ...] = current.choices
    if current.kind is FieldKind.OPTIONAL_TEXT:
        buttons = ((t.BUTTON_SKIP, SKIP),)
    elif current.kind is FieldKind.FILES and state.files.get(current.key):
        # The long checklist was shown with the first request; afterwards a short reminder.
        question = t.MORE_FILES.format(count=len(state.files[current.key]))
        buttons = ((t.BUTTON_DONE, DONE),)
    elif current.kind is FieldKind.CHECKLIST_FILES:
        count = len(state.files.get(current.key, []))
        if count:
            question = t.MORE_ITEM_FILES.format(count=count, item=current.label)
        buttons = ((t.BUTTON_DONE, DONE),) if count else ((t.BUTTON_SKIP, SKIP),)
    return Step(
        prompt=Prompt(_join(lead, counter + question), buttons),
        error=error,
        expects_file=current.expects_file,
    )


def _join(lead: str | None, text: str) -> str:
    return f"{lead}\n\n{text}" if lead else text


def _display_value(item: FormField, answers: Mapping[str, str]) -> str:
    value = answers.get(item.key, "")
    if item.kind is FieldKind.CHOICE and value:
        return item.choice_label(value)
    return value


def _as_word(text: str) -> str:
    """Lower-case letters and digits only, to compare typed words with button labels."""
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def _clean_filename(filename: str) -> str:
    # Only the last path component: some clients send "C:\\scan\\ktp.pdf".
    name = _clean(filename.replace("\\", "/")).rsplit("/", 1)[-1].strip()
    return name[:200] or t.UNNAMED_FILE


def _extension(filename: str) -> str:
    _, dot, suffix = filename.lower().rpartition(".")
    return f".{suffix}" if dot else ""


def _attachment(stored: object) -> AttachmentRef:
    """An ``AttachmentRef`` from a stored-file dict; ``ValueError`` when it is malformed."""
    if not isinstance(stored, Mapping):
        raise ValueError("a stored file must be an object")
    sha256, filename = stored.get("sha256"), stored.get("filename")
    content_type, size = stored.get("content_type"), stored.get("size")
    if not (
        isinstance(sha256, str)
        and isinstance(filename, str)
        and isinstance(content_type, str)
        and isinstance(size, int)
        and not isinstance(size, bool)
    ):
        raise ValueError("a stored file needs sha256, filename, content_type (str) and size (int)")
    return AttachmentRef(
        sha256=sha256,
        filename=_clean_filename(filename),
        content_type=content_type,
        size=size,
    )


def _stored_dict(reference: AttachmentRef) -> dict[str, object]:
    return {
        "sha256": reference.sha256,
        "filename": reference.filename,
        "content_type": reference.content_type,
        "size": reference.size,
    }


def _human_size(size: int) -> str:
    """Size for people, Indonesian style: "850 KB", "1,5 MB"."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    megabytes = f"{size / (1024 * 1024):.1f}".removesuffix(".0")
    return f"{megabytes.replace('.', ',')} MB"
