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
UNREADABLE_TEXT: Final = (
    "Mohon maaf, pesan Bapak/Ibu tidak berisi teks yang dapat kami baca. "
    "Silakan tuliskan pertanyaan Bapak/Ibu dengan kalimat biasa."
)
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
#: A thank-you that asks nothing ("makasih, sudah bisa login"): no FAQ search, no apology.
FAQ_CLOSING_REMARK: Final = (
    "Sama-sama, Bapak/Ibu. Bila masih ada yang perlu dibantu, silakan tulis pertanyaan "
    "Bapak/Ibu di sini, atau tekan tombol di bawah untuk menghubungi petugas."
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
STATUS_NEXT_STEP: Final = "{uraian} (petugas: {role})"
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
CARD_OVERALL_DUE: Final = "Target seluruh SOP: {due}"
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
    "approved": "disetujui, lanjut ke langkah {step}",
    "rejected": "ditolak",
    "visit_recorded": "pemohon hadir, waktu SOP mulai berjalan",
    "registered": "nomor register diberikan, lanjut ke langkah {step}",
    "sent_to_lkpp": "surat ke LKPP, lanjut ke langkah {step}",
    "sop_changed": "dipindah ke {sop_id}",
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

# --- Procedures: decisions, documents, outcomes (issue 15) ------------------------------
DECISION_REQUIRED: Final = (
    "Tiket #{number} berada pada langkah persetujuan: pilih Setujui atau Tolak."
)
NO_DECISION_HERE: Final = "Tiket #{number} tidak sedang menunggu persetujuan."
CLOSE_NEEDS_DECISION: Final = (
    "Tiket #{number} belum diputuskan pada langkah {step} (persetujuan). Permohonan hanya "
    "dapat diakhiri dengan Setujui atau Tolak pada langkah tersebut."
)
REJECTION_REASON_REQUIRED: Final = "Mohon tuliskan alasan penolakan."
LKPP_RESULT_REQUIRED: Final = (
    "Tiket #{number}: catat hasil pengujian LKPP dengan Berhasil atau Gagal."
)
NO_LKPP_RESULT_HERE: Final = "Tiket #{number} tidak sedang menunggu hasil pengujian LKPP."
VISIT_REQUIRED: Final = (
    "Tiket #{number} menunggu kehadiran penyedia: tekan Pemohon hadir saat penyedia datang."
)
VISIT_ALREADY_RECORDED: Final = "Kehadiran pemohon Tiket #{number} sudah dicatat."
SAME_SOP: Final = "Tiket #{number} sudah berada pada {sop_id}."
REGISTER_NUMBER_MISSING: Final = "Tiket #{number} belum memiliki nomor register."

#: One line of result per SOP when its last step is done (told to the requester on closing).
OUTCOME_COMPLETED: Final = {
    "SOP-01": (
        "verifikasi penyedia selesai; Kartu Tanda Lulus Verifikasi terlampir dan user ID "
        "dikirim ke e-mail perusahaan Bapak/Ibu"
    ),
    "SOP-02": "pertanyaan Bapak/Ibu sudah dijawab",
    "SOP-03": "akun sudah dibuat, user ID dikirim ke e-mail resmi Bapak/Ibu",
    "SOP-04": "akun sudah dibuat, user ID dikirim ke e-mail resmi Bapak/Ibu",
    "SOP-05": "user ID/password sudah diatur ulang dan dikirim ke e-mail resmi Bapak/Ibu",
    "SOP-06": "pengujian dokumen penawaran .rhs selesai",
}
OUTCOME_CLOSED_BY_STAFF: Final = {
    "SOP-02": "pertanyaan Bapak/Ibu sudah dijawab",
}
OUTCOME_CLOSED_DEFAULT: Final = "permohonan diselesaikan oleh petugas"
OUTCOME_LKPP: Final = {
    "berhasil": "LKPP berhasil membuka dokumen penawaran .rhs; hasilnya diteruskan kepada Pokja",
    "gagal": "LKPP menyatakan dokumen penawaran .rhs tidak berhasil dibuka",
}

# Milestones told to the requester on the ticket's channel.
MILESTONE_TAKEN: Final = (
    "Tiket #{number} sedang ditangani oleh {role}. Kami akan mengabari perkembangannya di sini."
)
#: How roles are named to requesters.
ROLE_NAMES: Final = {
    "helpdesk": "petugas helpdesk LPSE",
    "sekretaris": "Sekretaris LPSE",
    "kepala": "Kepala LPSE",
    "pengarah": "Pengarah LPSE",
    "verifikator": "verifikator LPSE",
    "piket": "petugas piket LPSE",
    "admin_agency": "admin agency LPSE",
    "staf": "staf LPSE",
}
MILESTONE_DATA_REQUESTED: Final = (
    "Petugas memerlukan data tambahan untuk Tiket #{number}:\n{items}\n\nSilakan kirim data "
    "atau dokumen tersebut dengan membalas pesan ini. Selama menunggu, waktu layanan tidak "
    "dihitung."
)
MILESTONE_APPROVED: Final = (
    "Permohonan Tiket #{number} telah disetujui. Langkah berikutnya: {next_step}"
)
MILESTONE_REJECTED: Final = (
    "Mohon maaf, permohonan Tiket #{number} ditolak dengan alasan:\n{reason}\n\nBapak/Ibu "
    "dapat mengajukan permohonan baru setelah kekurangannya dilengkapi."
)
MILESTONE_VISIT: Final = (
    "Kehadiran Bapak/Ibu untuk verifikasi Tiket #{number} sudah dicatat. Verifikasi "
    "ditargetkan selesai dalam {target} (jam kerja)."
)
MILESTONE_REGISTERED: Final = "Verifikasi Tiket #{number} mendapat nomor register {register}."
MILESTONE_SENT_TO_LKPP: Final = (
    "Berkas .rhs Tiket #{number} telah kami kirim ke LKPP untuk diuji pembukaannya. Kami "
    "akan menyampaikan hasilnya kepada Bapak/Ibu."
)
MILESTONE_LKPP_REPLY: Final = "Tanggapan LKPP untuk Tiket #{number}:\n\n{text}"
MILESTONE_CLOSED: Final = (
    "Tiket #{number} selesai: {outcome}.\n\nMohon beri penilaian atas layanan kami "
    "(1 = kurang, 5 = sangat baik)."
)
MILESTONE_CLOSED_REJECTED: Final = (
    "Tiket #{number} ditutup karena permohonan ditolak.\n\nMohon beri penilaian atas layanan "
    "kami (1 = kurang, 5 = sangat baik)."
)
MILESTONE_SOP_CHANGED: Final = (
    "Tiket #{number} kini ditangani sebagai layanan {sop_title} ({sop_id}). Target "
    "penyelesaian {target} (jam kerja)."
)
ACK_AGENDA: Final = "Nomor agenda surat: {agenda}."
ACK_CHECKLIST_COMPLETE: Final = "Semua {total} dokumen persyaratan sudah terunggah."
ACK_CHECKLIST_MISSING: Final = (
    "Dokumen persyaratan terunggah {present} dari {total}. Belum ada:\n{items}\nPermohonan "
    "tetap kami terima; mohon lengkapi saat verifikasi."
)
ACK_VISIT: Final = (
    "Silakan datang ke kantor {office} dengan berkas asli. Target {target} dihitung sejak "
    "Bapak/Ibu hadir."
)
RHS_TOO_LARGE_FOR_TELEGRAM: Final = (
    "Mohon maaf, berkas {filename} ({size}) melebihi batas unduhan Telegram (20 MB). Silakan "
    "kirim berkas .rhs tersebut lewat e-mail ke {email} (maksimal {max_mb} MB) dengan "
    "menyebutkan kode tender."
)
RHS_TOO_LARGE_NO_EMAIL: Final = (
    "Mohon maaf, berkas {filename} ({size}) melebihi batas unduhan Telegram (20 MB). Silakan "
    "serahkan berkas .rhs tersebut langsung ke kantor LPSE."
)

# The card's procedure lines and buttons.
CARD_STEP_OF: Final = "Langkah {step}/{total}: {uraian} (peran: {role})"
CARD_NEEDS: Final = "Kelengkapan langkah ini:"
CARD_NEED_PRESENT: Final = "✅ {item}"
CARD_NEED_MISSING: Final = "⬜ {item}"
CARD_NEED_INFO: Final = "• {item}"
CARD_CHECKLIST: Final = "Berkas persyaratan ({present}/{total}):"
CARD_AGENDA: Final = "Nomor agenda: {agenda}"
CARD_REGISTER: Final = "Nomor register: {register}"
CARD_DECISION: Final = "Keputusan: {decision}"
CARD_OUTCOME: Final = "Hasil: {outcome}"
CARD_TENDER: Final = "Kode tender: {code}"
CARD_WAITING_VISIT: Final = (
    "Menunggu kehadiran penyedia: waktu SOP mulai berjalan saat Pemohon hadir ditekan."
)
CARD_OUTAGE: Final = "Waktu SOP dihentikan: gangguan SPSE/internet (/gangguan selesai)."
CARD_NO_LKPP_ADDRESS: Final = (
    "Perhatian: alamat e-mail LKPP belum diatur di roster (roles: lkpp: email), surat ke "
    "LKPP tidak terkirim otomatis."
)
CARD_LKPP_MAILED: Final = "Surat ke LKPP sudah dikirim."
CARD_NOT_REACHABLE: Final = "Pemohon tidak dapat dihubungi lewat bot; hubungi: {contact}"
BUTTON_APPROVE: Final = "Setujui"
BUTTON_REJECT: Final = "Tolak"
BUTTON_VISIT: Final = "Pemohon hadir"
BUTTON_LKPP_SUCCESS: Final = "Berhasil"
BUTTON_LKPP_FAILURE: Final = "Gagal"
BUTTON_CHANGE_SOP: Final = "Ganti SOP"
BUTTON_SEND_REQUEST: Final = "Kirim permintaan"
BUTTON_CANCEL_REQUEST: Final = "Batal"
BUTTON_TICKED: Final = "☑ {item}"
BUTTON_UNTICKED: Final = "☐ {item}"
STAFF_REJECT_PROMPT: Final = (
    "Tiket #{number}: tulis alasan penolakan dengan membalas pesan ini. Alasan tersebut "
    "disampaikan kepada pemohon."
)
STAFF_DATA_PROMPT: Final = (
    "Tiket #{number}: data apa yang kurang? Centang dari daftar lalu tekan Kirim permintaan, "
    "atau balas pesan ini dengan tulisan Bapak/Ibu."
)
STAFF_NOTHING_TICKED: Final = "Centang minimal satu butir, atau balas pesan dengan tulisan."
STAFF_LKPP_LETTER_SENT: Final = "Surat permohonan ke LKPP untuk Tiket #{number} dikirim ke {email}."
CATAT_USAGE: Final = (
    "Format: /catat SOP-0X | nama | kontak (e-mail atau telepon) | ringkasan\n"
    "Contoh: /catat SOP-05 | Budi Santoso | budi@dinas.go.id | Lupa password akun PPK"
)
CATAT_DONE: Final = "Tiket #{number} dicatat untuk {name} ({sop_id})."
CATAT_BAD_CONTACT: Final = "Kontak harus alamat e-mail atau nomor telepon yang valid."
OUTAGE_STARTED: Final = (
    "Gangguan SPSE/internet dicatat oleh {name}: waktu SOP {count} tiket dihentikan sampai "
    "/gangguan selesai."
)
OUTAGE_ENDED: Final = "Gangguan selesai ({name}): waktu SOP {count} tiket berjalan lagi."
OUTAGE_ALREADY: Final = (
    "Gangguan sudah tercatat sejak {since}. Ketik /gangguan selesai bila sudah pulih."
)
OUTAGE_NONE: Final = "Tidak ada gangguan yang sedang tercatat."
LKPP_LETTER_SUBJECT: Final = (
    "Permohonan bantuan membuka dokumen penawaran .rhs tender {tender_code}"
)
LKPP_LETTER: Final = (
    "Kepada Yth.\nAdmin PPE LKPP\n\nDengan hormat,\n\n{office} memohon bantuan pengujian "
    "pembukaan dokumen penawaran (.rhs) yang tidak dapat dibuka oleh Pokja, dengan data "
    "sebagai berikut:\n\nNomor agenda: {agenda}\nKode tender: {tender_code}\nPenyedia: "
    "{provider}\nPokja/instansi: {pokja}\nKeterangan: {description}\n\nBerkas .rhs "
    "terlampir. Mohon hasil pengujian disampaikan dengan membalas e-mail ini.\n\nAtas "
    "bantuan Bapak/Ibu kami ucapkan terima kasih."
)

# --- Guided request forms (bot/forms.py) ------------------------------------------------
# Button labels stay within 30 characters so they fit a Telegram keyboard.

# --- buttons ------------------------------------------------------------------------------

BUTTON_SEND: Final = "Kirim"
BUTTON_RESTART: Final = "Ulangi"
BUTTON_DONE: Final = "Selesai"
BUTTON_SKIP: Final = "Lewati"

ROLE_ULP: Final = "ULP / Pokja"
ROLE_PPK: Final = "PPK"

FORGOTTEN_USER_ID: Final = "User ID"
FORGOTTEN_PASSWORD: Final = "Password"
FORGOTTEN_BOTH: Final = "User ID dan password"

# --- flow -----------------------------------------------------------------------------------

STEP_COUNTER: Final = "({current}/{total}) "
CANCELLED: Final = (
    "Formulir dibatalkan; data yang sudah diisi tidak disimpan. Ketik /start untuk kembali ke menu."
)
RESTARTED: Final = "Baik, formulir diulang dari awal."
CONFIRM_QUESTION: Final = (
    "Mohon periksa data di atas. Tekan Kirim untuk mengirim permohonan, "
    "atau Ulangi untuk mengisi dari awal."
)
FILE_RECEIVED: Final = "Berkas diterima: {filename}."
MORE_FILES: Final = (
    "Sudah {count} berkas diterima. Kirim dokumen berikutnya, "
    "atau tekan Selesai bila semua dokumen sudah terkirim."
)

# --- summary --------------------------------------------------------------------------------

SUMMARY_HEADER: Final = "{title} ({sop_id})"
SUMMARY_LINE: Final = "{label}: {value}"
SUMMARY_FILES_HEADER: Final = "{label} ({count} berkas):"
SUMMARY_FILE: Final = "{filename} ({size})"
SUMMARY_FILE_ITEM: Final = "- {filename} ({size})"
SUMMARY_EMPTY: Final = "-"

# --- validation errors ----------------------------------------------------------------------

ERROR_EMPTY: Final = "Mohon maaf, jawaban tidak boleh kosong."
ERROR_LENGTH: Final = "Mohon maaf, jawaban harus {min_len} sampai {max_len} karakter."
ERROR_NO_LETTERS: Final = "Mohon maaf, jawaban harus berisi huruf."
ERROR_EMAIL: Final = (
    "Mohon maaf, alamat e-mail tidak valid. Tulis satu alamat lengkap, misalnya nama@contoh.go.id."
)
ERROR_PHONE: Final = (
    "Mohon maaf, nomor telepon tidak valid. Tulis nomor Indonesia yang diawali 0, 62 "
    "atau +62 (9 sampai 15 angka), misalnya 081234567890."
)
ERROR_NIP: Final = (
    "Mohon maaf, NIP harus tepat 18 angka (boleh dipisah spasi), misalnya 19800101 200501 1 001."
)
ERROR_NPWP: Final = (
    "Mohon maaf, NPWP harus 15 atau 16 angka (boleh dengan titik dan tanda hubung), "
    "misalnya 01.234.567.8-901.000."
)
ERROR_TENDER_CODE: Final = (
    "Mohon maaf, kode tender hanya berisi angka, 5 sampai 12 digit, misalnya 1234567."
)
ERROR_PASSWORD: Final = (
    "Demi keamanan, mohon jangan mengirim password atau kata sandi; petugas LPSE tidak "
    "pernah memintanya. Jawaban tersebut tidak disimpan. Silakan tulis ulang tanpa password."
)
ERROR_CHOOSE_BUTTON: Final = "Mohon pilih salah satu tombol yang tersedia."
ERROR_STALE_BUTTON: Final = (
    "Tombol tersebut sudah tidak berlaku. Silakan lanjutkan dari pertanyaan berikut."
)
ERROR_FILE_EXPECTED: Final = "Mohon kirim dokumen sebagai berkas ({expected}), bukan pesan teks."
ERROR_FILES_EXPECTED: Final = (
    "Mohon kirim dokumen sebagai berkas ({expected}), atau tekan Selesai bila semua "
    "dokumen sudah terkirim."
)
ERROR_TEXT_EXPECTED: Final = (
    "Pertanyaan ini dijawab dengan teks atau tombol, bukan berkas; berkas tersebut tidak disimpan."
)
ERROR_CONFIRM_PENDING: Final = (
    "Formulir sudah lengkap. Tekan Kirim untuk mengirim permohonan, "
    "atau Ulangi untuk mengisi dari awal."
)
ERROR_WRONG_DOCUMENT_TYPE: Final = (
    "Mohon maaf, jenis berkas tidak sesuai. Kirim berkas PDF, JPG atau PNG (foto juga boleh)."
)
ERROR_WRONG_RHS_TYPE: Final = (
    "Mohon maaf, yang diminta adalah berkas dokumen penawaran berekstensi .rhs. "
    "Kirim berkas .rhs aslinya, tanpa diganti nama atau dikompres."
)
ERROR_CONTENT_MISMATCH: Final = (
    "Mohon maaf, isi berkas {filename} tidak cocok dengan ekstensinya. "
    "Kirim berkas {expected} yang asli."
)
ERROR_EMPTY_FILE: Final = "Mohon maaf, berkas {filename} kosong. Silakan kirim ulang."
ERROR_FILE_TOO_LARGE: Final = (
    "Mohon maaf, berkas {filename} terlalu besar ({size}). Ukuran maksimal {max_size}."
)
ERROR_TOO_MANY_FILES: Final = (
    "Mohon maaf, paling banyak {max_files} berkas. Tekan Selesai untuk melanjutkan."
)
ERROR_NO_FILES_YET: Final = "Mohon unggah minimal satu dokumen sebelum menekan Selesai."

#: Names shown for uploads that came without one (chat photos, nameless documents).
PHOTO_FILENAME: Final = "foto.jpg"
UNNAMED_FILE: Final = "berkas"

DOCUMENT_HINT: Final = "PDF, JPG atau PNG"
RHS_HINT: Final = ".rhs"

# --- shared questions and summary labels ----------------------------------------------------

LABEL_NAME: Final = "Nama"
LABEL_EMAIL: Final = "E-mail"
LABEL_PHONE: Final = "Telepon"
LABEL_ROLE: Final = "Peran"
LABEL_NIP: Final = "NIP"
LABEL_INSTANSI: Final = "Instansi"
LABEL_REQUEST_LETTER: Final = "Surat permohonan"
LABEL_DECREE: Final = "SK pengangkatan"

EMAIL_PROMPT: Final = "Alamat e-mail aktif Bapak/Ibu? (misalnya nama@contoh.com)"
PHONE_PROMPT: Final = "Nomor telepon/WhatsApp yang dapat dihubungi? (misalnya 081234567890)"
ROLE_PROMPT: Final = "Permohonan ini untuk peran apa?"
NIP_PROMPT: Final = "NIP pemilik akun? (18 angka)"
INSTANSI_PROMPT: Final = "Nama instansi/SKPD? (misalnya Dinas Pekerjaan Umum Kabupaten Ogan Ilir)"
REQUEST_LETTER_PROMPT: Final = (
    "Silakan kirim surat permohonan resmi yang ditandatangani pimpinan "
    "(PDF, JPG atau PNG; foto juga boleh)."
)
DECREE_PROMPT: Final = "Silakan kirim SK pengangkatan (PDF, JPG atau PNG; foto juga boleh)."

# --- SOP-01: pra-verifikasi penyedia --------------------------------------------------------

SOP01_TITLE: Final = "Pra-verifikasi penyedia"
SOP01_INTRO: Final = (
    "Formulir pra-verifikasi penyedia (SOP-01). Data dan {total} dokumen persyaratan yang "
    "Bapak/Ibu kirim membantu petugas menyiapkan verifikasi sebelum kunjungan ke kantor "
    "LPSE. Ketik /batal untuk berhenti kapan saja."
)
SOP01_SUBJECT: Final = "Pra-verifikasi penyedia: {perusahaan}"
SOP01_LABEL_COMPANY: Final = "Nama perusahaan"
SOP01_LABEL_NPWP: Final = "NPWP"
SOP01_LABEL_CONTACT: Final = "Narahubung"
SOP01_COMPANY_PROMPT: Final = "Apa nama perusahaan Bapak/Ibu? (sesuai akta, misalnya CV Maju Jaya)"
SOP01_NPWP_PROMPT: Final = (
    "NPWP perusahaan? (15 atau 16 angka, boleh dengan titik dan tanda hubung)"
)
SOP01_CONTACT_PROMPT: Final = "Nama narahubung (contact person) yang dapat kami hubungi?"

SOP01_ITEM_PROMPT: Final = (
    "Dokumen {index} dari {total}: {item}.\nKirim berkasnya (PDF, JPG atau PNG; foto juga "
    "boleh), lalu tekan Selesai. Tekan Lewati bila belum ada atau tidak berlaku; permohonan "
    "tetap dapat dikirim dan dokumen asli dibawa saat verifikasi."
)
MORE_ITEM_FILES: Final = (
    "Sudah {count} berkas untuk {item}. Kirim berkas berikutnya, atau tekan Selesai."
)
SUMMARY_ITEM_PRESENT: Final = "✅ {label}: {files}"
SUMMARY_ITEM_MISSING: Final = "⬜ {label}: belum ada"
CONFIRM_ITEMS_MISSING: Final = (
    "Perhatian: {count} dokumen persyaratan belum diunggah. Permohonan tetap dapat dikirim; "
    "mohon bawa dokumen tersebut saat verifikasi."
)

# --- SOP-03 / SOP-04: permohonan user ID baru -----------------------------------------------

SOP03_04_TITLE: Final = "Permohonan user ID ULP/PPK"
SOP03_04_INTRO: Final = (
    "Formulir permohonan user ID SPSE untuk ULP/Pokja (SOP-03) atau PPK (SOP-04). "
    "Siapkan surat permohonan resmi, SK pengangkatan dan data personel (PDF atau foto). "
    "Ketik /batal untuk berhenti kapan saja."
)
SOP03_04_SUBJECT: Final = "Permohonan user ID {peran}: {nama}"
SOP03_04_LABEL_JABATAN: Final = "Jabatan"
SOP03_04_LABEL_ACCOUNT_EMAIL: Final = "E-mail akun"
SOP03_04_LABEL_PERSONNEL: Final = "Data personel"
SOP03_04_NAME_PROMPT: Final = "Nama lengkap calon pengguna (beserta gelar bila ada)?"
SOP03_04_NIP_PROMPT: Final = "NIP calon pengguna? (18 angka)"
SOP03_04_JABATAN_PROMPT: Final = "Jabatan calon pengguna? (misalnya Anggota Pokja Pemilihan)"
SOP03_04_EMAIL_PROMPT: Final = (
    "Alamat e-mail untuk akun SPSE? (informasi akun dikirim ke alamat ini)"
)
SOP03_04_PERSONNEL_PROMPT: Final = (
    "Silakan kirim data personel calon pengguna (PDF, JPG atau PNG; foto juga boleh)."
)

# --- SOP-05: lupa user ID / password --------------------------------------------------------

SOP05_TITLE: Final = "Lupa user ID/password ULP/PPK"
SOP05_INTRO: Final = (
    "Formulir lupa user ID atau password SPSE untuk ULP/Pokja dan PPK (SOP-05). "
    "Petugas LPSE tidak pernah meminta password: mohon jangan menuliskannya di sini. "
    "Ketik /batal untuk berhenti kapan saja."
)
SOP05_SUBJECT: Final = "Lupa {lupa} ({peran}): {nama}"
SOP05_LABEL_FORGOTTEN: Final = "Yang terlupa"
SOP05_LABEL_REGISTERED_EMAIL: Final = "E-mail terdaftar"
SOP05_FORGOTTEN_PROMPT: Final = "Apa yang terlupa?"
SOP05_NAME_PROMPT: Final = "Nama lengkap pemilik akun (beserta gelar bila ada)?"
SOP05_EMAIL_PROMPT: Final = "Alamat e-mail yang terdaftar pada akun SPSE tersebut?"

# --- SOP-06: dokumen penawaran .rhs tidak bisa dibuka ---------------------------------------

SOP06_TITLE: Final = "Dokumen .rhs tidak bisa dibuka"
SOP06_INTRO: Final = (
    "Formulir dokumen penawaran .rhs yang tidak dapat dibuka (SOP-06). Petugas LPSE akan "
    "mencoba membuka berkas dan, bila perlu, meneruskannya ke LKPP. "
    "Ketik /batal untuk berhenti kapan saja."
)
SOP06_SUBJECT: Final = "Dokumen .rhs tidak bisa dibuka: tender {kode_tender} ({penyedia})"
SOP06_LABEL_POKJA: Final = "Pokja/instansi"
SOP06_LABEL_TENDER_CODE: Final = "Kode tender"
SOP06_LABEL_PROVIDER: Final = "Penyedia"
SOP06_LABEL_RHS: Final = "Berkas .rhs"
SOP06_LABEL_DESCRIPTION: Final = "Keterangan"
SOP06_NAME_PROMPT: Final = "Nama lengkap Bapak/Ibu?"
SOP06_POKJA_PROMPT: Final = "Nama Pokja/instansi Bapak/Ibu? (misalnya Pokja Pemilihan 2)"
SOP06_TENDER_CODE_PROMPT: Final = "Kode tender pada SPSE? (hanya angka, misalnya 1234567)"
SOP06_PROVIDER_PROMPT: Final = "Nama penyedia pemilik berkas .rhs tersebut?"
SOP06_RHS_PROMPT: Final = (
    "Silakan kirim berkas .rhs yang tidak dapat dibuka sebagai dokumen, "
    "tanpa diganti nama atau dikompres."
)
SOP06_DESCRIPTION_PROMPT: Final = (
    "Ceritakan singkat masalahnya (misalnya pesan yang muncul saat membuka berkas), "
    "atau tekan Lewati."
)

# --- E-mail --------------------------------------------------------------------------------
EMAIL_GREETING: Final = "Yth. Bapak/Ibu {name},"
EMAIL_SIGNATURE: Final = "Salam,\nHelpdesk {office}"
EMAIL_REFERENCE: Final = "Referensi: {token} (mohon tidak dihapus saat membalas)"
EMAIL_ACK: Final = (
    "Pesan Bapak/Ibu telah kami terima dan tercatat sebagai Tiket #{number}. Petugas akan "
    "menanggapi dalam target {target} (jam kerja). Untuk menambahkan keterangan atau dokumen, "
    "cukup balas e-mail ini."
)
EMAIL_ACK_WITH_FAQ: Final = (
    "Pesan Bapak/Ibu telah kami terima dan tercatat sebagai Tiket #{number}. Berikut jawaban "
    "dari FAQ kami:\n\n{answer}\n\nJika jawaban ini belum membantu, balas e-mail ini dengan "
    '"tidak membantu" (boleh disertai keterangan) agar petugas menindaklanjuti dalam target '
    "{target} (jam kerja). Tanpa balasan, tiket ini ditutup otomatis setelah {hours} jam."
)
EMAIL_ESCALATED: Final = (
    "Terima kasih. Tiket #{number} kini diteruskan ke petugas, yang akan menanggapi dalam "
    "target {target} (jam kerja)."
)
MAIL_PASSWORD_HELD_BACK: Final = (
    "(Isi e-mail ini tidak disimpan karena memuat password. Mohon pemohon tidak mengirim "
    "password kepada siapa pun.)"
)
EMAIL_FILES_REFUSED: Final = "Lampiran tidak diterima (jenis atau ukuran tidak sesuai): {names}"
PARTNER_FORWARD_SUBJECT: Final = "Permohonan tindak lanjut: {subject}"
PARTNER_FORWARD: Final = (
    "Dengan hormat,\n\n{office} meneruskan Tiket #{number} ({sop_id} {sop_title}) untuk "
    "ditindaklanjuti oleh {role}.\n\nPemohon: {requester}\nPertanyaan/permohonan:\n{question}\n\n"
    "Dokumen terlampir bila ada. Mohon balas e-mail ini untuk menyampaikan hasil atau "
    "tanggapan; balasan Bapak/Ibu akan tercatat pada tiket."
)
STAFF_PARTNER_REPLY: Final = "Balasan dari {role} (Tiket #{number}):\n{text}"
STAFF_ESCALATED: Final = "Pemohon menyatakan jawaban FAQ belum membantu (Tiket #{number}):\n{text}"

# --- SLA ----------------------------------------------------------------------------------
CARD_BREACHED: Final = "MELEWATI BATAS WAKTU"
SLA_LATE: Final = "(terlambat terkirim) "
SLA_REMINDER: Final = (
    "Pengingat Tiket #{number}: langkah {step} ({role}) sudah memakai 80% dari target "
    "{minutes}; batas {due}."
)
SLA_BREACH: Final = (
    "Tiket #{number} melewati batas waktu: langkah {step} ({role}) lebih dari {minutes} "
    "(batas {due})."
)
SLA_MAIL_SUBJECT: Final = "Pengingat SLA Tiket #{number}"
DIGEST_TITLE: Final = "Ringkasan harian {day}"
DIGEST_PER_ROLE: Final = "Tiket terbuka per peran: {roles}"
DIGEST_NONE_OPEN: Final = "Tidak ada tiket terbuka."
DIGEST_DUE_TODAY: Final = "Jatuh tempo hari ini: {count}"
DIGEST_BREACHED: Final = "Melewati batas waktu: {count}"
DIGEST_OLDEST: Final = "Menunggu paling lama: Tiket #{number} sejak {since}"
REPORT_CAPTION: Final = "Kepatuhan SLA per langkah SOP, {start} s.d. {end}"
STAFF_OUTBOX_BACKLOG: Final = (
    "Perhatian: {count} pesan belum terkirim (tertua sejak {since}). Pengiriman dicoba ulang "
    "otomatis; periksa koneksi Telegram/relay e-mail bila ini berlanjut."
)

# --- Kartu Tanda Lulus Verifikasi (issue 15) ---
VERIFICATION_CARD_TITLE: Final = "KARTU TANDA LULUS VERIFIKASI"
VERIFICATION_CARD_SUBTITLE: Final = "Pelayanan Registrasi dan Verifikasi Penyedia"
VERIFICATION_CARD_PROVIDER: Final = "Nama Penyedia"
VERIFICATION_CARD_NPWP: Final = "NPWP"
VERIFICATION_CARD_REGISTER: Final = "Nomor Register"
VERIFICATION_CARD_DATE: Final = "Tanggal Verifikasi"
VERIFICATION_CARD_VERIFIER: Final = "Verifikator"
VERIFICATION_CARD_NO_VALUE: Final = "-"
VERIFICATION_CARD_TICKET: Final = "Tiket #{number}"
VERIFICATION_CARD_NOTE: Final = "Kartu ini dicetak 4 lembar; 1 lembar untuk rekanan."
VERIFICATION_CARD_FILENAME: Final = "Kartu-Lulus-Verifikasi-{register}.pdf"

# --- Issue #16 (trust and abuse): FAQ drafts, follow-up batches ---------------------------
FAQ_PERSONAL_DATA_REFUSED: Final = (
    "Tiket #{number} tidak diterbitkan: teks masih memuat data pribadi ({kinds}). "
    "Hapus data tersebut lalu coba lagi."
)
FAQ_DRAFT_TITLE: Final = "Draf FAQ dari Tiket #{number} (belum diterbitkan)"
FAQ_DRAFT_REMOVED: Final = "Data pribadi yang dihapus otomatis: {kinds}."
FAQ_DRAFT_QUESTION: Final = "PERTANYAAN:"
FAQ_DRAFT_ANSWER: Final = "JAWABAN:"
FAQ_DRAFT_HELP: Final = (
    "Periksa draf ini. Untuk mengubahnya, balas pesan ini dengan teks baru: jawaban saja, "
    "atau PERTANYAAN: ... JAWABAN: ... Tekan Terbitkan bila sudah benar."
)
FAQ_DRAFT_TOO_LONG: Final = (
    "Draf FAQ Tiket #{number} terlalu panjang untuk satu pesan (batas {limit} karakter). "
    "Balas pesan ini dengan pertanyaan dan jawaban yang lebih ringkas."
)
FAQ_DRAFT_EMPTY: Final = (
    "Draf FAQ tidak diubah: kirim jawaban baru, atau PERTANYAAN: ... JAWABAN: ... dengan "
    "keduanya terisi."
)
FAQ_DRAFT_CANCELLED: Final = "Draf FAQ Tiket #{number} dibatalkan oleh {name}."
FAQ_DRAFT_STALE: Final = (
    "Draf ini tidak dapat dibaca lagi; tekan Terbitkan ke FAQ pada kartu tiket."
)
BUTTON_FAQ_CONFIRM: Final = "Terbitkan"
BUTTON_FAQ_CANCEL: Final = "Batal"
STAFF_FOLLOW_UP_MORE: Final = "Pesan berikutnya dari pemohon (Tiket #{number}):\n{text}"

# --- issue 17: IMAP intake ------------------------------------------------------------------
#: Stored as the text of a mail fetched over IMAP that is over the size limit (SMTP refuses
#: such mail with 552; over IMAP nobody would hear of it): staff see it and the sender gets a
#: ticket number.
EMAIL_TOO_LARGE: Final = (
    "[Surel ini berukuran {size} MB, melebihi batas ukuran surel, sehingga isi dan "
    "lampirannya tidak dapat diterima. Mohon kirim ulang dengan lampiran yang lebih kecil "
    "(batas lampiran {limit} MB).]"
)


# --- issue 16: trust and abuse (mail) -------------------------------------------------------
# Staff always see who sent a mail; a mail from anyone but the requester is marked.
STAFF_FOLLOW_UP_MAIL: Final = "Pesan baru dari pemohon {sender} (Tiket #{number}):\n{text}"
STAFF_MAIL_NOT_REQUESTER: Final = (
    "Pesan dari {sender} (bukan pemohon) (Tiket #{number}):\n{text}\n\n"
    "Tidak tercatat sebagai pesan pemohon; balasan tetap dikirim hanya kepada pemohon."
)
STAFF_PARTNER_REPLY_FROM: Final = "Balasan dari {role}, {sender} (Tiket #{number}):\n{text}"
STAFF_FILE_FROM_NOT_REQUESTER: Final = (
    "Dokumen dari {sender} (bukan pemohon) (Tiket #{number}): {filename}"
)
STAFF_FILE_FROM_ROLE: Final = "Dokumen dari {role} (Tiket #{number}): {filename}"
MAIL_DMARC_FAILED: Final = (
    "[Perhatian petugas: pemeriksaan DMARC e-mail ini gagal, alamat pengirim {sender} "
    "kemungkinan dipalsukan. E-mail ini tidak digabungkan ke tiket lain dan tidak dibalas "
    "otomatis. Jangan kirim data akun ke alamat ini sebelum dipastikan.]"
)
MAIL_SUBJECT_HELD_BACK: Final = "(subjek tidak disimpan karena memuat password)"
EMAIL_GREETING_ANONYMOUS: Final = "Yth. Bapak/Ibu,"
EMAIL_SUBJECT_NEUTRAL: Final = "Pesan Bapak/Ibu"
EMAIL_FILES_REFUSED_MORE: Final = "{names}, dan {count} lampiran lainnya"
MAIL_DMARC_SUBJECT: Final = "[DMARC gagal, pengirim mungkin palsu] {subject}"


# --- issue #18: several questions in one mail -----------------------------------------------
# The acknowledgement of a mail whose questions the FAQ answers one by one. Every question
# answered: the ticket waits for "tidak membantu" as after a single answer.
EMAIL_ACK_WITH_FAQ_ANSWERS: Final = (
    "Pesan Bapak/Ibu telah kami terima dan tercatat sebagai Tiket #{number}. Berikut jawaban "
    "dari FAQ kami untuk setiap pertanyaan Bapak/Ibu:\n\n{answers}\n\nJika jawaban ini belum "
    'membantu, balas e-mail ini dengan "tidak membantu" (boleh disertai keterangan) agar '
    "petugas menindaklanjuti dalam target {target} (jam kerja). Tanpa balasan, tiket ini "
    "ditutup otomatis setelah {hours} jam."
)
# Some questions answered, some not: the ticket goes to staff at once.
EMAIL_ACK_WITH_FAQ_PARTIAL: Final = (
    "Pesan Bapak/Ibu telah kami terima dan tercatat sebagai Tiket #{number}. Sebagian "
    "pertanyaan Bapak/Ibu dapat kami jawab dari FAQ:\n\n{answers}\n\nPertanyaan berikut belum "
    "tercakup dalam FAQ dan akan dijawab oleh petugas dalam target {target} (jam kerja):\n"
    "{unanswered}\n\nUntuk menambahkan keterangan atau dokumen, cukup balas e-mail ini."
)
#: One answer in those acknowledgements: the question it answers (quoted briefly), then it.
EMAIL_FAQ_ANSWER_TO: Final = 'Pertanyaan: "{question}"\nJawaban: {answer}'
EMAIL_FAQ_UNANSWERED_ITEM: Final = '- "{question}"'
#: On the card: what the requester already received from the FAQ, so staff do not repeat it.
CARD_FAQ_SENT: Final = "Jawaban FAQ yang sudah dikirim ke pemohon (tidak perlu diulang):"
CARD_FAQ_SENT_ITEM: Final = "- {entry_id}: {question}"
#: On the card, under the entries sent: the mail's questions no entry answered (quoted
#: briefly, at most ``faq_ack.CARD_UNANSWERED_SHOWN`` of them), so staff need not re-read it.
CARD_FAQ_UNANSWERED: Final = "Pertanyaan yang belum terjawab FAQ dan perlu dijawab petugas:"
CARD_FAQ_UNANSWERED_ITEM: Final = '- "{question}"'
CARD_FAQ_UNANSWERED_MORE: Final = "- dan {count} pertanyaan lainnya (lihat pesan pemohon)"
