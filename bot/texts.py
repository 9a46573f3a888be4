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
