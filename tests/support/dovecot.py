"""A throw-away Dovecot IMAP server for tests: Debian's dovecot-imapd in a temporary directory.

Its own configuration (nothing of /etc/dovecot is read): one mailbox per login, any user name
with the password ``secret`` (static passdb), maildir under the temporary directory, plain IMAP
on 127.0.0.1 and a free port; with ``tls=True`` implicit TLS (IMAPS) instead, with a
self-signed certificate for 127.0.0.1 made by the openssl command (``DovecotServer.cert``).
Dovecot refuses to run its login processes as root, so under root the whole server runs as
Debian's unprivileged ``dovecot`` user (as the PostgreSQL fixture runs as ``postgres``);
otherwise as the current user. Mail is put in with IMAP APPEND,
as a mail host's delivery would put it there.
"""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "secret"
#: A CAPABILITY without IDLE after login: a server where the intake has to poll.
WITHOUT_IDLE = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE UIDPLUS NAMESPACE UNSELECT"


def find_dovecot() -> str | None:
    """The dovecot binary (PATH, then Debian's /usr/sbin), or None when not installed."""
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
shutdown_clients = yes
{capability}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
mail_location = maildir:{base}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class DovecotServer:
    """A running server; ``stop``/``start`` take it down and bring it back on the same port."""

    binary: str
    base: Path
    port: int
    user: str
    tls: bool = False
    process: subprocess.Popen[bytes] | None = None

    @property
    def cert(self) -> Path:
        """The self-signed certificate of a TLS server (a client must trust it)."""
        return self.base / "cert.pem"

    @property
    def config(self) -> Path:
        return self.base / "dovecot.conf"

    def start(self) -> None:
        """Start (again); returns once it greets on its port."""
        run_as: dict[str, object] = {}
        if os.geteuid() == 0:
            run_as = {"user": self.user, "group": grp.getgrgid(pwd.getpwnam(self.user).pw_gid)[0]}
            run_as["extra_groups"] = []
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() ends every process of it
            **run_as,  # type: ignore[call-overload]
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.base / "dovecot.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"dovecot exited at start: {log}")
            try:
                with self._connect(timeout=2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not answer in 15 s")

    def stop(self) -> None:
        """Stop as a restart of the mail host would: every IMAP session is cut off."""
        if self.process is None:
            return
        group = self.process.pid
        # The whole group: a non-root master leaves its imap processes serving otherwise.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self, user: str) -> imaplib.IMAP4:
        """A logged-in client for ``user``'s mailbox (a mailbox exists once used)."""
        client = self._connect(timeout=10)
        client.login(user, PASSWORD)
        return client

    def _connect(self, timeout: float) -> imaplib.IMAP4:
        if self.tls:
            context = ssl.create_default_context(cafile=str(self.cert))
            return imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=context, timeout=timeout)
        return imaplib.IMAP4("127.0.0.1", self.port, timeout=timeout)

    def deliver(self, user: str, messages: list[bytes], *, seen: bool = False) -> None:
        """Put ``messages`` into ``user``'s INBOX (unread unless ``seen``)."""
        client = self.client(user)
        try:
            for raw in messages:
                status, detail = client.append("INBOX", "(\\Seen)" if seen else None, None, raw)
                assert status == "OK", detail
        finally:
            client.logout()

    def unseen(self, user: str) -> list[int]:
        """UIDs of the messages of ``user``'s INBOX not marked seen."""
        client = self.client(user)
        try:
            client.select("INBOX")
            status, data = client.uid("SEARCH", "UNSEEN")
            assert status == "OK", data
            return [int(uid) for uid in (data[0] or b"").split()]
        finally:
            client.logout()


@contextmanager
def dovecot_server(*, idle: bool = True, tls: bool = False) -> Iterator[DovecotServer]:
    """Start a private Dovecot; without ``idle`` it does not offer IDLE after login; with
    ``tls`` it speaks IMAPS only."""
    binary = find_dovecot()
    if binary is None:
        raise FileNotFoundError("dovecot is not installed (apt-get install dovecot-imapd)")
    # Not pytest's tmp_path: that is private to root, and the server may run as `dovecot`.
    base = Path(tempfile.mkdtemp(prefix="lpse-dovecot-"))
    user = "dovecot" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    entry = pwd.getpwnam(user)
    for sub in ("run", "state", "mail", "home"):
        (base / sub).mkdir()
    server = DovecotServer(binary, base, _free_port(), user, tls)
    ssl_setting = "ssl = no"
    if tls:
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                str(base / "key.pem"),
                "-out",
                str(server.cert),
            ],
            check=True,
            capture_output=True,
        )
        ssl_setting = f"ssl = required\nssl_cert = <{server.cert}\nssl_key = <{base / 'key.pem'}"
    server.config.write_text(
        _CONFIG.format(
            base=base,
            user=user,
            group=grp.getgrgid(entry.pw_gid)[0],
            uid=entry.pw_uid,
            gid=entry.pw_gid,
            imap_port=0 if tls else server.port,
            imaps_port=server.port if tls else 0,
            ssl=ssl_setting,
            password=PASSWORD,
            capability="" if idle else f"imap_capability = {WITHOUT_IDLE}",
        ),
        encoding="utf-8",
    )
    if os.geteuid() == 0:
        for path in (base, *base.rglob("*")):
            shutil.chown(path, user=entry.pw_uid, group=entry.pw_gid)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
