"""A python-telegram-bot request backend on the aiohttp client instead of httpx.

Why it exists: every Bot API call the bot makes goes through PTB's ``BaseRequest``, whose
default implementation, ``HTTPXRequest``, is costly per request. Profiling ``bench/telegram.py``
showed httpcore's ``AsyncConnectionPool._assign_requests_to_connections`` running
``has_expired()`` on every pooled connection (a socket readability check through anyio's
``get_extra_info``) twice per request, on top of heavy request building and response
streaming. aiohttp (already a dependency) parses HTTP in C and hands out pooled connections
cheaply, so :class:`AiohttpRequest` does the same job for about a third of the CPU: 3,000
``sendMessage`` by a PTB ``Bot`` (8 callers, pool of 16) against the local Bot API stand-in
on a 2-CPU VM took about 1.5 ms of CPU per call with ``HTTPXRequest``, 0.5 ms with this class.

Only the transport changes. Status codes (429 with ``retry_after`` -> ``RetryAfter``, 5xx ->
``NetworkError``, 400/401/403/404/409 -> their PTB errors) are still handled by PTB's
``BaseRequest._request_wrapper``; ``do_request`` returns ``(status, body)`` for every answer and
only turns transport failures into ``TimedOut`` / ``NetworkError``, like ``HTTPXRequest``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import ssl
from typing import IO, Any

import aiohttp
import httpx
from aiohttp.helpers import get_env_proxy_for_url
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

log = logging.getLogger(__name__)

#: PTB's own wording (telegram/request/_httpxrequest.py) for an exhausted connection pool.
POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. "
    "Request was *not* sent to Telegram. Consider adjusting the connection "
    "pool size or the pool timeout."
)

#: httpcore's default keep-alive expiry: an idle pooled connection older than this is not reused.
KEEPALIVE_SECONDS = 5.0

_FORM_URLENCODED = "application/x-www-form-urlencoded"
#: aiohttp labels a body-less POST (getMe) "application/octet-stream"; httpx sends no type.
_NO_CONTENT_TYPE = ("Content-Type",)

# httpx escapes multipart parameter values (names, file names) the HTML5 way: '"' -> %22 and
# control characters except ESC -> %XX; backslashes are doubled, which aiohttp does itself
# with quote_fields=False. aiohttp's default quote_fields=True would instead percent-encode the
# whole file name ("Laporan%20Tender.pdf"), which Telegram would show as such.
_HTML5_ESCAPES = {'"': "%22"} | {chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B}
_HTML5_ESCAPE_RE = re.compile("|".join(re.escape(char) for char in _HTML5_ESCAPES))


def _form_param(value: str) -> str:
    return _HTML5_ESCAPE_RE.sub(lambda match: _HTML5_ESCAPES[match.group(0)], value)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's CA bundle, or SSL_CERT_FILE/SSL_CERT_DIR).

    Loading the bundle takes tens of milliseconds, so every session shares one context.
    """
    return httpx.create_ssl_context()


@functools.lru_cache(maxsize=128)
def _client_timeout(
    connect: float | None, read: float | None, write: float | None, has_body: bool
) -> aiohttp.ClientTimeout:
    """httpx's per-phase timeouts expressed as an aiohttp ``ClientTimeout``.

    * connect -> ``connect`` (DNS, TCP and TLS; nothing else is left in it because the pool
      wait happens before aiohttp is called, see ``AiohttpRequest._acquire``).
    * read -> ``sock_read``: aiohttp starts that timer once the request body is written and
      restarts it on every chunk received, which is httpx's read timeout.
    * write: aiohttp has no write timeout. A body-less request (GET, file downloads) has
      nothing to write; for a request with a body, ``total`` is capped at
      connect + write + read, so an upload stalled on a dead peer still ends within the
      same worst case httpx allows for a small answer (httpx hands a whole ``bytes`` body to
      one socket write bounded by the write timeout, then reads the answer). The difference:
      an answer that keeps trickling in with gaps shorter than the read timeout is cut at
      that total, where httpx would keep reading; Bot API answers are small JSON documents.
      ``None`` for any of the three means no total, as no bound was asked for.
    """
    total = None
    if has_body and connect is not None and read is not None and write is not None:
        total = connect + write + read
    return aiohttp.ClientTimeout(total=total, connect=connect, sock_read=read)


class AiohttpRequest(BaseRequest):
    """``telegram.request.BaseRequest`` on an ``aiohttp.ClientSession``.

    A drop-in for ``HTTPXRequest`` with the same constructor defaults and timeout meaning
    (seconds; ``None`` = wait forever):

    Args:
        connection_pool_size: connections kept open at most; more simultaneous requests wait
            up to ``pool_timeout`` for one and then fail with ``TimedOut`` (not sent).
        read_timeout: for the answer, between received chunks (``getUpdates`` adds its
            long-poll ``timeout`` to it, in ``Bot.get_updates``).
        write_timeout: to send the request (see ``_client_timeout`` for how it is applied).
        connect_timeout: to open a connection (DNS, TCP, TLS).
        pool_timeout: to wait for a free connection of the pool.
        media_write_timeout: ``write_timeout`` of requests that upload files.
        proxy: an ``http://`` proxy URL. Without one, ``HTTP_PROXY``/``HTTPS_PROXY`` (and
            ``NO_PROXY``) of the environment apply as far as aiohttp supports them (http://
            proxies only; httpx also takes ``ALL_PROXY`` and socks proxies).

    Like httpx: no redirects followed, no cookies kept, the same CA bundle (httpx's
    ``create_ssl_context``: certifi, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``), idle connections
    dropped after 5 s. Form fields are sent url-encoded, uploads as multipart/form-data with
    the same parts (aiohttp adds ``Content-Type: text/plain; charset=utf-8`` to the non-file
    parts, which httpx leaves out). Each request is logged at DEBUG (httpx logs each URL at
    INFO); the URL holds the token, which ``bot.observability`` redacts from every record.

    One difference in kind: httpcore polls a pooled connection's socket before reusing it
    (the costly check above); aiohttp relies on the event loop having seen the server's FIN.
    A connection the server closes at the very moment it is reused therefore fails that
    request with ``NetworkError`` (a request the server never handled). With the 5 s
    keep-alive, far below servers' idle timeouts, that takes a server closing right after an
    answer without saying ``Connection: close``.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_proxy_by_origin",
        "_read_timeout",
        "_session",
        "_shut_down",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        proxy: str | None = None,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        # The session and its pool guard are made in the running loop (initialize, or the
        # first request): this object may be built before any loop runs.
        self._session: aiohttp.ClientSession | None = None
        self._pool: asyncio.Semaphore | None = None
        self._shut_down = False
        self._proxy_by_origin: dict[str, dict[str, Any]] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (``read_timeout`` of the constructor)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Opens the session (again, after ``shutdown``)."""
        self._shut_down = False
        if self._session is None or self._session.closed:
            self._open()

    async def shutdown(self) -> None:
        """Closes the session and its connections; calling it again does nothing."""
        self._shut_down = True
        session, self._session = self._session, None
        if session is None or session.closed:
            log.debug("This AiohttpRequest is already shut down. Returning.")
            return
        await session.close()

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._pool_size, keepalive_timeout=KEEPALIVE_SECONDS, ssl=_ssl_context()
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": self.USER_AGENT},
            # aiohttp would read the environment and ~/.netrc on every request (two thread
            # hops); the proxy for an origin is looked up once instead (_proxy_for)
            trust_env=False,
            proxy=self._proxy,
            raise_for_status=False,
        )
        # The pool limit lives here rather than in the connector so that waiting for a
        # connection has its own timeout (httpx's pool timeout) and its own error.
        self._pool = asyncio.Semaphore(self._pool_size)
        return self._session

    def _proxy_for(self, url: str) -> dict[str, Any]:
        """The environment's proxy for the URL's origin as request arguments, looked up once."""
        end = url.find("/", url.find("//") + 2)
        origin = url if end == -1 else url[:end]
        found = self._proxy_by_origin.get(origin)
        if found is None:
            try:
                proxy, auth = get_env_proxy_for_url(URL(url))
            except LookupError:
                found = {}
            else:
                found = {"proxy": proxy}
                if auth is not None:
                    found["proxy_headers"] = {"Proxy-Authorization": auth.encode()}
            self._proxy_by_origin[origin] = found
        return found

    async def _acquire(self, pool: asyncio.Semaphore, pool_timeout: float | None) -> None:
        if not pool.locked():
            await pool.acquire()  # returns at once: no suspension, no timer
            return
        try:
            async with asyncio.timeout(pool_timeout):
                await pool.acquire()
        except TimeoutError as exc:
            raise TimedOut(message=POOL_TIMEOUT_MESSAGE) from exc

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Sends one request; returns the HTTP status and the body, whatever the status."""
        session = self._session
        if session is None or session.closed:
            if self._shut_down:
                raise RuntimeError("This AiohttpRequest is not initialized!")
            session = self._open()  # first use without initialize(), as HTTPXRequest allows
        pool = self._pool
        assert pool is not None

        uploads = request_data is not None and request_data.contains_files
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if uploads else self._write_timeout

        body: Any = None
        if request_data is not None:
            if uploads:
                body = _multipart(request_data)
            else:
                # httpx sends the JSON-encoded parameters as a url-encoded form, nothing when
                # there are none (getMe): the same bytes as url_encoded_parameters()
                form = request_data.url_encoded_parameters()
                if form:
                    body = aiohttp.BytesPayload(form.encode(), content_type=_FORM_URLENCODED)
        timeout = _client_timeout(connect_timeout, read_timeout, write_timeout, body is not None)

        extra = self._proxy_for(url) if self._proxy is None else {}
        if body is None:
            extra = {**extra, "skip_auto_headers": _NO_CONTENT_TYPE}

        await self._acquire(pool, pool_timeout)
        try:
            async with session.request(
                method, url, data=body, timeout=timeout, allow_redirects=False, **extra
            ) as response:
                status, payload = response.status, await response.read()
        except TimeoutError as exc:
            # aiohttp's ServerTimeoutError (connect, socket read) is a TimeoutError too, and
            # the total cap raises a plain one
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc
        finally:
            pool.release()
        if log.isEnabledFor(logging.DEBUG):  # the URL holds the token: the log redacts it
            log.debug("HTTP Request: %s %s %d", method, url, status)
        return status, payload


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    """The fields, then the files, as httpx lays out ``data=`` and ``files=``."""
    form = aiohttp.FormData(quote_fields=False, default_to_multipart=True)
    for name, value in request_data.json_parameters.items():
        form.add_field(_form_param(name), value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(
            _form_param(name),
            content if isinstance(content, bytes) else _read_handle(content),
            filename=_form_param(filename),
            content_type=mime_type,
        )
    return form


def _read_handle(handle: IO[bytes]) -> bytes:
    """An open file (``InputFile(..., read_file_handle=False)``), read from its start.

    aiohttp would stream it but then close it, so a second send (a retry) would fail; httpx
    rewinds it and leaves it open. Reading it whole keeps httpx's behaviour, at the price of
    holding the file in memory for the request (PTB's default, read_file_handle=True, does
    that anyway).
    """
    with contextlib.suppress(AttributeError, OSError):
        handle.seek(0)
    return handle.read()
