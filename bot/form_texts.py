"""Indonesian wording of the guided request forms (``bot.forms``), kept apart for review.

Plain text only (the channel adapter escapes it). Placeholders use ``str.format`` names.
Button labels stay within 30 characters so they fit a Telegram keyboard.
"""

from typing import Final

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
    "Formulir pra-verifikasi penyedia (SOP-01). Data dan dokumen yang Bapak/Ibu kirim "
    "membantu petugas menyiapkan verifikasi sebelum kunjungan ke kantor LPSE. "
    "Ketik /batal untuk berhenti kapan saja."
)
SOP01_SUBJECT: Final = "Pra-verifikasi penyedia: {perusahaan}"
SOP01_LABEL_COMPANY: Final = "Nama perusahaan"
SOP01_LABEL_NPWP: Final = "NPWP"
SOP01_LABEL_CONTACT: Final = "Narahubung"
SOP01_LABEL_DOCUMENTS: Final = "Dokumen persyaratan"
SOP01_COMPANY_PROMPT: Final = "Apa nama perusahaan Bapak/Ibu? (sesuai akta, misalnya CV Maju Jaya)"
SOP01_NPWP_PROMPT: Final = (
    "NPWP perusahaan? (15 atau 16 angka, boleh dengan titik dan tanda hubung)"
)
SOP01_CONTACT_PROMPT: Final = "Nama narahubung (contact person) yang dapat kami hubungi?"

#: The paper file a provider usually brings to verification (SOP-01 step 4: "12 items").
#: The seed does not list them; this is common SPSE practice and the office confirms it.
SOP01_CHECKLIST: Final = (
    "Formulir pendaftaran penyedia (cetakan SPSE) yang ditandatangani",
    "Formulir keikutsertaan / surat pernyataan bermeterai",
    "KTP pengurus/direktur",
    "Surat kuasa dan KTP penerima kuasa (bila diwakilkan)",
    "NPWP perusahaan",
    "Surat pengukuhan PKP (bila PKP)",
    "Akta pendirian dan akta perubahan beserta pengesahannya",
    "NIB / izin usaha yang masih berlaku",
    "Surat keterangan domisili perusahaan",
    "Bukti lapor SPT Tahunan tahun terakhir",
    "Daftar tenaga ahli beserta sertifikat keahlian",
    "Daftar pengalaman pekerjaan dan peralatan",
)
SOP01_DOCUMENTS_PROMPT: Final = (
    "Silakan unggah dokumen persyaratan (PDF, JPG atau PNG), satu atau beberapa berkas. "
    "Dokumen yang biasanya diminta:\n"
    + "\n".join(f"{number}. {item}" for number, item in enumerate(SOP01_CHECKLIST, start=1))
    + "\nDaftar resmi dikonfirmasi oleh petugas LPSE; dokumen asli tetap dibawa saat "
    "verifikasi. Tekan Selesai setelah semua berkas terkirim."
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
