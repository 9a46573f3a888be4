"""Issue #16, finding 11: a webhook request whose secret header is not ASCII got HTTP 500 and
a traceback (``hmac.compare_digest`` refuses non-ASCII text); it must be refused like any
wrong secret, and the right secret must still be taken."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest

from bot import app
from handlers.telegram.application import webhook_secret
from handlers.telegram.intake import SECRET_HEADER, WEBHOOK_PATH
from tests.e2e.conftest import bot_settings, free_port, started_api


async def raw_post(port: int, secret: bytes, body: bytes) -> int:
    """An HTTP request written byte by byte, as an attacker would (no client library to
    refuse or re-encode the header); returns the status code."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"POST " + WEBHOOK_PATH.encode() + b" HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\n"
            + SECRET_HEADER.encode()
            + b": "
            + secret
            + b"\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\nConnection: close\r\n\r\n"
            + body
        )
        await writer.drain()
        status_line = await reader.readline()
        return int(status_line.split()[1])
    finally:
        writer.close()


async def test_non_ascii_secret_header_is_refused_not_a_server_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    api = await started_api()
    monkeypatch.chdir(tmp_path)
    port = free_port()
    settings = bot_settings(
        tmp_path,
        api,
        telegram_webhook_url="https://helpdesk.lpse.example",
        telegram_webhook_listen=f"127.0.0.1:{port}",
    )
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(settings, stop))
    try:
        for _ in range(200):
            if api.webhook is not None:
                break
            await asyncio.sleep(0.05)
        assert api.webhook is not None
        update = json.dumps({"update_id": 5, "message": None}).encode()
        caplog.set_level(logging.ERROR)
        for hostile in ("rahasia-é".encode(), "秘密".encode(), b"\xff\xfe\x80", b"\xc3"):
            assert await raw_post(port, hostile, update) in (401, 403)
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        good = webhook_secret(api.token).encode()
        body = json.dumps({"update_id": 6}).encode()
        assert await raw_post(port, good, body) == 200
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=20)
        await api.stop()
