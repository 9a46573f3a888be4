"""Credential detection: questions about passwords pass, passwords are held back."""

import pytest

from bot.core.privacy import contains_credential


@pytest.mark.parametrize(
    "text",
    [
        "password saya Rahasia123",
        "pw: bintang",
        "Passwordnya adalah kucing",
        "kata sandi = qwerty!",
        "pwd baru sy abc12345",
        "sandi akun: Lpse2024",
        "my password is hunter2",
        "password: rahasia",
        "pw abc123",
        "kata sandi saya Budi2020",
        "sandi lama 12345",
        # Issue 16, finding 6: words between, suffixes, invisible characters, PIN/OTP.
        "password untuk login: rahasia",
        "kata sandinya tadi Kucing88",
        "pw nya sdh saya ganti jd Bintang#7",
        "password\u200b: bintang",
        "pass\u200bword saya Rahasia123",
        "ｐａｓｓｗｏｒｄ: bintang",
        "PIN saya 4821",
        "kode OTP 482913 tolong dicek",
        "OTP: 4829",
        "password akun saya yang baru p@ssw0rd",
        "sandi sekarang rahaSia",
        "Subject: reset password saya Lpse#2024",
    ],
)
def test_credentials_are_spotted(text: str) -> None:
    assert contains_credential(text)


@pytest.mark.parametrize(
    "text",
    [
        "pagi min, sy lupa pw akun lpse gmn ya",
        "Bagaimana cara reset password penyedia?",
        "lupa kata sandi, tolong dibantu",
        "password tidak bisa dipakai login",
        "forgot my password, how to reset",
        "apakah pass untuk aplikasi apendo sama?",
        "muncul pesan password salah",
        "lupa password akun PPK",
        "Passar Baru",
        # Issue 16, finding 6: the wider rule must not catch ordinary questions.
        "lupa password bagaimana caranya?",
        "cara reset kata sandi",
        "password saya tidak bisa dipakai sejak 2023",
        "lupa password SPSE versi 4.5, mohon bantuannya",
        "kata sandi e-katalog kadaluarsa tanggal 12/03/2024",
        "mohon kirim password baru ke budi@cvmaju.co.id",
        "reset password akun PPK Kabupaten Ogan Ilir",
        "OTP tidak masuk ke HP 081234567890",
        "password expired, user ID 198501012010011001",
        "lupa PIN, tolong dibantu",
        "Bagaimana cara mengganti password?\nTerima kasih\nBudi 081234567890",
    ],
)
def test_questions_about_passwords_pass(text: str) -> None:
    assert not contains_credential(text)
