"""``AiohttpRequest`` (handlers/telegram/aiohttp_request.py) as PTB's transport.

A real PTB ``Bot`` uses it for every call against the strict Bot API stand-in
(tests/support/bot_api.py): answers, uploads, downloads and the stand-in's injected faults
must come out exactly as with PTB's default ``HTTPXRequest``. A tiny recording server checks
what goes over the wire (the same bodies as httpx, no redirects, no cookies).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from handlers.telegram import aiohttp_request
from handlers.telegram.aiohttp_request import POOL_TIMEOUT_MESSAGE, AiohttpRequest
from tests.support.bot_api import BotApiStandIn, FakeUser

PDF = b"%PDF-1.4\n% laporan\n" + bytes(range(256)) * 64  # binary, 16 kB

# PTB 22 reads RetryAfter.retry_after itself while building the error, which warns
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)


def make_bot(api: BotApiStandIn, read_timeout: float = 5.0) -> Bot:
    return Bot(
        api.token,
        base_url=api.base_url,
        base_file_url=api.file_base_url,
        request=AiohttpRequest(connection_pool_size=8, read_timeout=read_timeout),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn() as stand_in:
        yield stand_in


@pytest.fixture
async def bot(api: BotApiStandIn) -> AsyncIterator[Bot]:
    async with make_bot(api) as client:
        yield client


def retry_seconds(error: RetryAfter) -> float:
    value = error.retry_after  # int or timedelta, depending on PTB_TIMEDELTA
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def post_dict(request: AiohttpRequest, url: str) -> dict[str, Any]:
    result = await request.post(url)
    assert isinstance(result, dict)
    return result


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


# ------------------------------------------------------------------ the Bot API through it


async def test_get_me_and_long_poll(api: BotApiStandIn, bot: Bot, budi: FakeUser) -> None:
    me = await bot.get_me()
    assert me.username == api.bot_username and me.is_bot
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["/start"]
    # a long poll outlasting read_timeout: PTB adds the poll's timeout to it
    started = time.monotonic()
    assert (
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1, read_timeout=0.3) == ()
    )
    assert time.monotonic() - started >= 0.9


async def test_send_message_html_with_inline_keyboard(
    api: BotApiStandIn, bot: Bot, budi: FakeUser
) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Ya", callback_data="fb:1:y")],
            [InlineKeyboardButton("Tidak", callback_data="fb:1:n")],
        ]
    )
    message = await bot.send_message(
        budi.id,
        "<b>Tiket</b> #12 &amp; <i>akun</i> terkunci: café ✓",
        parse_mode="HTML",
        reply_markup=keyboard,
    )
    assert message.text == "Tiket #12 & akun terkunci: café ✓"
    [record] = api.sent
    assert record["text"] == message.text
    assert [e["type"] for e in record["entities"]] == ["bold", "italic"]
    assert record["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Ya", "callback_data": "fb:1:y"}],
            [{"text": "Tidak", "callback_data": "fb:1:n"}],
        ]
    }
    # a Bot API refusal comes back as PTB's error, from the status and description
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(budi.id, "<b>tanpa penutup", parse_mode="HTML")


async def test_send_document_upload(api: BotApiStandIn, bot: Bot, budi: FakeUser) -> None:
    name = 'Berita Acara "final" ü.pdf'
    message = await bot.send_document(
        budi.id, InputFile(PDF, filename=name), caption="<i>BA</i>", parse_mode="HTML"
    )
    [params] = api.calls_of("sendDocument")
    upload = params["document"]
    assert upload.data == PDF  # every byte arrived
    assert upload.content_type == "application/pdf"
    # the name as httpx sends it: raw UTF-8, only '"' escaped, not percent-encoded throughout
    assert upload.filename == name.replace('"', "%22")
    assert message.caption == "BA" and api.sent[0]["document"]["data"] == PDF
    # an open file handle is sent from its start and left open, so it can be sent again
    # (as httpx does; aiohttp alone would close it)
    with open(__file__, "rb") as handle:
        streamed = InputFile(handle, filename="t.py", read_file_handle=False)
        for _ in range(2):
            await bot.send_document(budi.id, streamed)
            assert not handle.closed
        handle.seek(0)
        source = handle.read()
    assert [call["document"].data for call in api.calls_of("sendDocument")[1:]] == [source] * 2


async def test_get_file_and_download(api: BotApiStandIn, bot: Bot, budi: FakeUser) -> None:
    sent = api.send_document(budi, budi.id, PDF, "surat.pdf", "application/pdf")
    file = await bot.get_file(sent["document"]["file_id"])
    assert file.file_path is not None and file.file_size == len(PDF)
    assert bytes(await file.download_as_bytearray()) == PDF


# ------------------------------------------------------------------ errors, as PTB maps them


async def test_429_is_retry_after(api: BotApiStandIn, bot: Bot, budi: FakeUser) -> None:
    api.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(budi.id, "halo")
    assert retry_seconds(caught.value) == 7
    await bot.send_message(budi.id, "halo lagi")
    assert [r["text"] for r in api.sent] == ["halo lagi"]


@pytest.mark.parametrize("status", [500, 502])
async def test_5xx_is_network_error(
    api: BotApiStandIn, bot: Bot, budi: FakeUser, status: int
) -> None:
    api.fail_next("sendMessage", status=status)  # 502: nginx's HTML page, not JSON
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(budi.id, "halo")
    assert not isinstance(caught.value, TimedOut)
    assert str(caught.value).startswith("Bad Gateway" if status == 502 else "Internal")
    await bot.send_message(budi.id, "halo")
    assert len(api.sent) == 1


async def test_read_timeout_is_timed_out(api: BotApiStandIn, budi: FakeUser) -> None:
    async with make_bot(api, read_timeout=0.2) as bot:
        api.delay_next("sendMessage", 1.0)
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(budi.id, "tidak sampai")
        assert time.monotonic() - started < 0.9
        await until(lambda: bool(api.abandoned_calls))
        assert api.sent == []
        # a per-call timeout overrides the default; a delay within it is only slow
        api.delay_next("sendMessage", 0.4)
        await bot.send_message(budi.id, "lambat", read_timeout=2)
        assert [r["text"] for r in api.sent] == ["lambat"]


async def test_dropped_connection_is_network_error(
    api: BotApiStandIn, bot: Bot, budi: FakeUser
) -> None:
    api.drop_next("sendMessage")
    with pytest.raises(NetworkError, match=r"^aiohttp\.ServerDisconnectedError"):
        await bot.send_message(budi.id, "hilang")
    assert api.sent == []
    await bot.send_message(budi.id, "lagi")  # the pool recovers


async def test_connection_refused_is_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest(connect_timeout=2)
    base_url = f"http://127.0.0.1:{port}/bot"
    async with request:  # not the Bot's context: its initialize() would call getMe first
        bot = Bot("1:TOKEN", base_url=base_url, request=request)
        with pytest.raises(NetworkError, match=r"^aiohttp\.ClientConnectorError") as caught:
            await bot.get_me()
        assert not isinstance(caught.value, TimedOut)


async def test_pool_exhausted_is_timed_out_and_not_sent(api: BotApiStandIn, budi: FakeUser) -> None:
    request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.1)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        api.delay_next("sendMessage", 0.5)
        slow = asyncio.create_task(bot.send_message(budi.id, "pertama"))
        await until(lambda: bool(api.calls_of("sendMessage")))
        with pytest.raises(TimedOut) as caught:
            await bot.send_message(budi.id, "kedua")
        assert caught.value.message == POOL_TIMEOUT_MESSAGE
        await slow
        assert [r["text"] for r in api.sent] == ["pertama"]
        # pool_timeout=None waits for the connection instead
        api.delay_next("sendMessage", 0.3)
        first = asyncio.create_task(bot.send_message(budi.id, "tiga"))
        await until(lambda: len(api.calls_of("sendMessage")) == 2)
        await bot.send_message(budi.id, "empat", pool_timeout=None)
        await first
        assert [r["text"] for r in api.sent] == ["pertama", "tiga", "empat"]


# ------------------------------------------------------------------ life cycle


async def test_shutdown_twice_and_initialize_again(api: BotApiStandIn) -> None:
    request = AiohttpRequest()
    await request.shutdown()  # never opened: nothing to do
    await request.initialize()
    url = f"{api.base_url}{api.token}/getMe"
    assert (await post_dict(request, url))["username"] == api.bot_username
    await request.shutdown()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(url, "POST")
    await request.initialize()  # usable again, like HTTPXRequest
    assert (await post_dict(request, url))["id"] == api.bot_id
    async with request:  # BaseRequest's context manager
        pass
    await request.shutdown()


def test_built_outside_a_running_loop() -> None:
    request = AiohttpRequest(read_timeout=1.5)  # no loop runs here: nothing loop-bound made yet
    assert request.read_timeout == 1.5

    async def use() -> str:
        async with BotApiStandIn() as stand_in:
            # first request without initialize(), as HTTPXRequest allows
            answer = await post_dict(request, f"{stand_in.base_url}{stand_in.token}/getMe")
            await request.shutdown()
            return str(answer["username"])

    assert asyncio.run(use()) == "lpse_test_bot"
    asyncio.run(request.initialize())  # a new loop gets a new session
    asyncio.run(request.shutdown())


# ------------------------------------------------------------------ on the wire


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """A tiny HTTP server: records each request, answers with ``respond``."""

    respond: Callable[[web.Request], Awaitable[web.StreamResponse]]
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append(Seen(request.method, request.path, dict(request.headers), body))
        return await self.respond(request)


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    async def ok(request: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True, "result": True})

    rec = Recorder(ok)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    rec.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield rec
    await runner.cleanup()


def request_data(**params: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


async def test_same_bodies_as_httpx(recorder: Recorder) -> None:
    form = request_data(
        chat_id=5,
        text="Halo <b>dunia</b> & ü + 100%",
        reply_markup={"inline_keyboard": [[{"text": "Ya", "callback_data": "y:1"}]]},
    )
    empty = request_data()
    upload = request_data(chat_id=5, document=InputFile(PDF, filename="a b\r\n.pdf"))
    for request in (HTTPXRequest(), AiohttpRequest()):
        async with request:
            for data in (form, empty, upload):
                await request.post(f"{recorder.url}/bot1:A/x", data)
    httpx_seen, aiohttp_seen = recorder.seen[:3], recorder.seen[3:]
    for theirs, ours in zip(httpx_seen[:2], aiohttp_seen[:2], strict=True):
        assert ours.body == theirs.body
        assert ours.headers.get("Content-Type") == theirs.headers.get("Content-Type")
        assert ours.headers["User-Agent"] == theirs.headers["User-Agent"]
        assert ours.headers["Content-Length"] == theirs.headers["Content-Length"]
    assert aiohttp_seen[1].body == b"" and "Content-Type" not in aiohttp_seen[1].headers
    assert aiohttp_seen[0].body == form.url_encoded_parameters().encode()
    # multipart: other boundary and part headers, the same part names, file name and bytes
    for seen in (httpx_seen[2], aiohttp_seen[2]):
        assert seen.headers["Content-Type"].startswith("multipart/form-data; boundary=")
        assert b'name="chat_id"\r\n' in seen.body
        assert b'name="document"; filename="a b%0D%0A.pdf"\r\n' in seen.body
        assert b"Content-Type: application/pdf\r\n" in seen.body
        assert b"\r\n\r\n" + PDF + b"\r\n--" in seen.body
        assert "Transfer-Encoding" not in seen.headers  # sized, not chunked


async def test_no_redirects_followed_no_cookies_kept(recorder: Recorder) -> None:
    async def redirect_with_cookie(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/moved"):
            response = web.Response(status=302, headers={"Location": "/elsewhere"})
        else:
            response = web.json_response({"ok": True, "result": True})
        response.set_cookie("session", "abc")
        return response

    recorder.respond = redirect_with_cookie
    async with AiohttpRequest() as request:
        assert await request.post(f"{recorder.url}/bot1:A/first") is True
        status, _ = await request.do_request(f"{recorder.url}/bot1:A/moved", "POST")
        assert status == 302
        with pytest.raises(NetworkError, match=r"\(302\)"):  # PTB's handling of a non-2xx
            await request.post(f"{recorder.url}/bot1:A/moved")
    # /elsewhere was never asked for
    assert [seen.path for seen in recorder.seen] == ["/bot1:A/first"] + ["/bot1:A/moved"] * 2
    assert all("Cookie" not in seen.headers for seen in recorder.seen)


async def test_timeouts_as_httpx_chooses_them(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen: list[tuple[float | None, float | None, float | None, bool]] = []
    real = aiohttp_request._client_timeout

    def spy(connect: float | None, read: float | None, write: float | None, body: bool) -> object:
        chosen.append((connect, read, write, body))
        return real(connect, read, write, body)

    monkeypatch.setattr(aiohttp_request, "_client_timeout", spy)
    url = f"{recorder.url}/bot1:A/x"
    async with AiohttpRequest(write_timeout=3, media_write_timeout=30) as request:
        await request.post(url, request_data(chat_id=1))
        await request.post(url, request_data(chat_id=1, document=InputFile(b"x", filename="x")))
        await request.post(url, request_data(chat_id=1), write_timeout=None, read_timeout=9)
        await request.retrieve(url)
    assert chosen == [
        (5.0, 5.0, 3, True),
        (5.0, 5.0, 30, True),  # uploads get media_write_timeout
        (5.0, 9, None, True),
        (5.0, 5.0, 3, False),
    ]
    timeout = real(5.0, 5.0, 3.0, True)
    assert (timeout.connect, timeout.sock_read, timeout.total) == (5.0, 5.0, 13.0)
    assert real(5.0, 5.0, 3.0, False).total is None  # nothing to write: no overall cap
    assert real(5.0, None, 3.0, True).total is None  # "wait forever" stays forever


async def test_trickling_answer_is_cut_at_the_total_only_with_a_body(recorder: Recorder) -> None:
    """The write timeout's stand-in (see _client_timeout): a request with a body may take
    connect + write + read at most; a body-less one (a download) only has the read timeout,
    between chunks."""

    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for _ in range(10):
            await asyncio.sleep(0.1)
            await response.write(b"x")
        await response.write_eof()
        return response

    recorder.respond = trickle
    timeouts = {"connect_timeout": 0.2, "write_timeout": 0.2, "read_timeout": 0.3}
    async with AiohttpRequest() as request:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await request.do_request(
                f"{recorder.url}/x", "POST", request_data(chat_id=1), **timeouts
            )
        assert time.monotonic() - started < 0.95
        assert await request.retrieve(f"{recorder.url}/x", **timeouts) == b"x" * 10


async def test_environment_proxy_is_used_and_no_proxy_bypasses_it(
    api: BotApiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An office proxy from the environment (README): requests go through it, except to the
    hosts in NO_PROXY. The proxy here relays to the stand-in and records what it saw."""
    relayed: list[str] = []

    async def relay(request: web.Request) -> web.Response:
        relayed.append(str(request.url))
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method, request.url, data=await request.read(), headers=request.headers
            ) as answer,
        ):
            return web.Response(
                status=answer.status, body=await answer.read(), content_type="application/json"
            )

    proxy = web.Application()
    proxy.router.add_route("*", "/{tail:.*}", relay)
    runner = web.AppRunner(proxy)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with make_bot(api) as client:  # initialize() asks getMe too
            assert (await client.get_me()).is_bot
        assert relayed == [f"{api.base_url}{api.token}/getMe"] * 2

        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with make_bot(api) as client:
            assert (await client.get_me()).is_bot
        assert len(relayed) == 2, "a NO_PROXY host is reached directly"
    finally:
        await runner.cleanup()
