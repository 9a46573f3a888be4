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
    ],
)
def test_questions_about_passwords_pass(text: str) -> None:
    assert not contains_credential(text)
