"""Every text shown to requesters and staff, in Indonesian, in one place for review.

Placeholders use ``str.format`` names. Keep the tone polite ("Bapak/Ibu") and short.
"""

from typing import Final

# Domain errors (shown to whoever attempted the action).
UNKNOWN_SOP: Final = "Mohon maaf, layanan {sop_id} tidak dikenal."
TICKET_NOT_FOUND: Final = "Mohon maaf, Tiket #{number} tidak ditemukan."
NOT_STAFF: Final = (
    "Mohon maaf, Bapak/Ibu tidak terdaftar sebagai petugas LPSE sehingga tidak dapat "
    "menangani tiket."
)
WRONG_ROLE_FOR_STEP: Final = (
    "Mohon maaf, langkah {step} pada {sop_id} adalah tugas peran {role}; "
    "Bapak/Ibu tidak dapat melanjutkannya."
)
WRONG_ROLE_FOR_TICKET: Final = (
    "Mohon maaf, Tiket #{number} saat ini ditangani peran {role}; "
    "Bapak/Ibu tidak dapat melakukan tindakan ini."
)
ALREADY_TAKEN_BY_YOU: Final = "Tiket #{number} sudah Bapak/Ibu tangani."
TICKET_ALREADY_CLOSED: Final = "Tiket #{number} sudah selesai."
TICKET_NOT_CLOSED: Final = "Tiket #{number} belum selesai."
TICKET_CLOSED_FOR_GOOD: Final = (
    "Tiket #{number} sudah ditutup lebih dari {days} hari yang lalu. "
    "Silakan ajukan pertanyaan baru."
)
ALREADY_WAITING_FOR_REQUESTER: Final = "Tiket #{number} sudah menunggu data dari pemohon."
UNKNOWN_ROLE: Final = "Mohon maaf, peran {role} tidak dikenal."
FORWARD_TO_SAME_ROLE: Final = "Tiket #{number} sudah berada pada peran {role}."
EMPTY_MESSAGE: Final = "Mohon maaf, pesan kosong tidak dapat dikirim."
NOTHING_TO_PUBLISH: Final = (
    "Tiket #{number} belum memiliki jawaban petugas untuk diterbitkan ke FAQ."
)
RATING_OUT_OF_RANGE: Final = "Mohon pilih nilai 1 sampai 5."

# --- Requester dialogue (Telegram) -------------------------------------------------------
WELCOME: Final = (
    "Selamat datang di layanan helpdesk {office}. Silakan tulis pertanyaan Bapak/Ibu, "
    "atau pilih layanan di bawah ini."
)
MENU_ASK: Final = "Ajukan pertanyaan"
MENU_SOP01: Final = "Pra-verifikasi penyedia"
MENU_SOP03_04: Final = "User ID baru ULP/PPK"
MENU_SOP05: Final = "Lupa user ID/password ULP/PPK"
MENU_PENYEDIA_PASSWORD: Final = "Penyedia lupa password"
MENU_SOP06: Final = "File .rhs tidak bisa dibuka"
MENU_MY_TICKETS: Final = "Tiket saya"
ASK_PROMPT: Final = "Silakan tulis pertanyaan Bapak/Ibu."
HELP: Final = (
    "Cara menggunakan bot ini:\n"
    "- Tulis pertanyaan Bapak/Ibu; bot menjawab dari FAQ atau meneruskannya ke petugas.\n"
    "- /start menampilkan menu layanan.\n"
    "- /status menampilkan tiket Bapak/Ibu.\n"
    "- /batal membatalkan formulir yang sedang diisi.\n"
    "Bot tidak pernah meminta password. Jangan kirim password kepada siapa pun."
)
PENYEDIA_PASSWORD_SELF_SERVICE: Final = (
    "Penyedia yang lupa password dapat meresetnya sendiri: buka halaman login SPSE, klik "
    '"Lupa Password", masukkan user ID dan e-mail terdaftar, lalu ikuti tautan yang dikirim '
    "ke e-mail tersebut. Jika e-mail terdaftar tidak bisa diakses lagi, silakan tulis "
    "pertanyaan di sini agar petugas membantu."
)
UNKNOWN_COMMAND: Final = (
    "Mohon maaf, perintah tersebut tidak dikenal. Ketik /bantuan untuk bantuan."
)
FAQ_ANSWER: Final = "{answer}\n\nApakah jawaban ini membantu?"
FAQ_HELPFUL: Final = "Membantu"
FAQ_NOT_HELPFUL: Final = "Belum, hubungi petugas"
FAQ_SUGGESTIONS: Final = (
    "Mohon maaf, kami belum yakin maksud pertanyaan Bapak/Ibu. Apakah salah satu topik ini "
    "yang dimaksud?"
)
FAQ_NO_SUGGESTION: Final = (
    "Mohon maaf, pertanyaan ini belum ada di FAQ kami. Tekan tombol di bawah agar petugas membantu."
)
CONTACT_STAFF: Final = "Hubungi petugas"
THANKS_FOR_FEEDBACK: Final = "Terima kasih atas tanggapan Bapak/Ibu."
TICKET_OPENED: Final = (
    "Pertanyaan Bapak/Ibu tercatat sebagai Tiket #{number}. Petugas akan menanggapi dalam "
    "target {target} (jam kerja). Pesan berikutnya akan kami tambahkan ke tiket ini."
)
FOLLOW_UP_ADDED: Final = "Pesan Bapak/Ibu sudah ditambahkan ke Tiket #{number}."
WHICH_TICKET: Final = (
    "Bapak/Ibu memiliki beberapa tiket yang masih terbuka. Pesan ini untuk tiket yang mana?"
)
NEW_QUESTION: Final = "Pertanyaan baru"
NO_TICKETS: Final = "Bapak/Ibu belum memiliki tiket."
STATUS_HEADER: Final = "Tiket Bapak/Ibu:"
STATUS_LINE: Final = "Tiket #{number} ({sop}) - {status}; langkah berikutnya: {next_step}"
STATUS_DONE: Final = "selesai"
STATUS_NAMES: Final = {
    "baru": "baru, menunggu petugas",
    "diproses": "sedang diproses",
    "menunggu_pemohon": "menunggu data dari Bapak/Ibu",
    "diteruskan": "diteruskan ke petugas terkait",
    "selesai": "selesai",
}
STAFF_ANSWER: Final = "Jawaban petugas untuk Tiket #{number}:\n\n{text}"
STAFF_FILE_CAPTION: Final = "Lampiran dari petugas untuk Tiket #{number}"
DATA_REQUESTED: Final = (
    "Petugas memerlukan data tambahan untuk Tiket #{number}. Silakan kirim data atau "
    "dokumen yang diminta dengan membalas di sini."
)
TICKET_CLOSED_RATE: Final = (
    "Tiket #{number} telah selesai. Mohon beri penilaian atas layanan kami (1 = kurang, "
    "5 = sangat baik)."
)
RATING_THANKS: Final = (
    "Terima kasih atas penilaian Bapak/Ibu. Jika ingin menambahkan komentar, silakan tulis "
    "sekarang, atau tekan Lewati."
)
RATING_COMMENT_SAVED: Final = "Terima kasih, komentar Bapak/Ibu sudah kami catat."
SKIP: Final = "Lewati"
TICKET_REOPENED: Final = "Tiket #{number} dibuka kembali; petugas akan menindaklanjuti."
FORM_CANCELLED: Final = "Formulir dibatalkan. Ketik /start untuk kembali ke menu."
NOTHING_TO_CANCEL: Final = "Tidak ada formulir yang sedang diisi."
FORM_SENT: Final = (
    "Permohonan Bapak/Ibu tercatat sebagai Tiket #{number}. Target penyelesaian {target} "
    "(jam kerja). Kami akan mengabari Bapak/Ibu di sini."
)
PASSWORD_HELD_BACK: Final = (
    "Demi keamanan, pesan yang memuat password tidak kami simpan atau teruskan. Jangan pernah "
    "mengirim password kepada siapa pun, termasuk petugas LPSE."
)
STAFF_PASSWORD_HELD_BACK: Final = (
    "Balasan ini memuat password sehingga tidak diteruskan ke pemohon. Sampaikan akses "
    "melalui jalur resmi (e-mail terdaftar atau tatap muka)."
)
TOO_MANY_MESSAGES: Final = (
    "Bapak/Ibu mengirim banyak pesan dalam waktu singkat. Semua pesan tetap kami terima; "
    "mohon tunggu tanggapan petugas."
)
FILE_TOO_LARGE: Final = "Mohon maaf, ukuran file melebihi batas {limit} MB."
FILE_TYPE_REFUSED: Final = "Mohon maaf, jenis file ini tidak diterima. Kirim PDF, JPG atau PNG."
SOMETHING_WENT_WRONG: Final = (
    "Mohon maaf, terjadi gangguan saat memproses pesan Bapak/Ibu. Pesan sudah kami terima; "
    "silakan coba lagi sebentar lagi bila belum ada tanggapan."
)
MINUTES: Final = "{minutes} menit"

# --- Staff group -------------------------------------------------------------------------
CARD_TITLE: Final = "Tiket #{number}"
CARD_SOP: Final = "{sop_id} {sop_title}"
CARD_STEP: Final = "Langkah {step}: {action} (peran: {role})"
CARD_STATUS: Final = "Status: {status}"
CARD_ASSIGNEE: Final = "Petugas: {name}"
CARD_REQUESTER: Final = "Pemohon: {name} ({channel})"
CARD_QUESTION: Final = "Pertanyaan: {text}"
CARD_FILES: Final = "Dokumen: {files}"
CARD_DUE: Final = "Batas langkah: {due}"
CARD_RATING: Final = "Penilaian: {rating}/5"
BUTTON_TAKE: Final = "Ambil"
BUTTON_FORWARD: Final = "Teruskan"
BUTTON_REQUEST_DATA: Final = "Minta data"
BUTTON_NEXT_STEP: Final = "Langkah berikutnya"
BUTTON_CLOSE: Final = "Selesai"
BUTTON_PUBLISH: Final = "Terbitkan ke FAQ"
BUTTON_BACK: Final = "Kembali"
STAFF_FOLLOW_UP: Final = "Pesan baru dari pemohon (Tiket #{number}):\n{text}"
STAFF_EDITED: Final = "Pemohon mengubah pesannya (Tiket #{number}):\n{text}"
STAFF_FILE_FROM_REQUESTER: Final = "Dokumen dari pemohon (Tiket #{number}): {filename}"
STAFF_RATED: Final = "Tiket #{number} dinilai {rating}/5 oleh pemohon."
STAFF_PUBLISHED: Final = "Jawaban Tiket #{number} diterbitkan ke FAQ oleh {name}."
STAFF_ACTION_DONE: Final = "Tiket #{number}: {action} oleh {name}."
STAFF_ACTIONS: Final = {
    "taken": "diambil",
    "forwarded": "diteruskan ke {role}",
    "data_requested": "meminta data ke pemohon",
    "advanced": "lanjut ke langkah {step}",
    "closed": "ditutup",
}
STAFF_NOT_MEMBER: Final = (
    "Mohon maaf, Bapak/Ibu belum terdaftar sebagai petugas di roster sehingga tidak dapat "
    "menangani tiket."
)
STAFF_REPLY_UNKNOWN_TICKET: Final = (
    "Balasan tidak terkirim: pesan yang dibalas bukan kartu tiket. Balas kartu tiket "
    '(pesan yang diawali "Tiket #").'
)
STAFF_REPLY_SENT: Final = "Terkirim ke pemohon Tiket #{number}."
STAFF_ROSTER_RELOADED: Final = "Roster dimuat ulang: {count} petugas."
STAFF_ROSTER_ERROR: Final = "Roster tidak dimuat ulang: {error}"
STAFF_DELIVERY_FAILED: Final = "Pengiriman ke pemohon Tiket #{number} gagal: {error}"
