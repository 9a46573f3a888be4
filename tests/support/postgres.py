"""A throw-away PostgreSQL server for tests: initdb + pg_ctl in a temporary directory."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def find_pg_bin() -> Path | None:
    """Directory with initdb and pg_ctl: PATH first, then Debian's versioned directories."""
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server; ``url(db)`` gives an asyncpg SQLAlchemy URL."""

    port: int
    bin_dir: Path
    data_dir: Path
    socket_dir: Path
    run_as: list[str]
    options: str = ""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str) -> None:
        subprocess.run(
            [
                *self.run_as,
                str(self.bin_dir / "psql"),
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                sql,
            ],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        """Stop as an outage would: open transactions are rolled back, clients cut off."""
        self.pg_ctl("-m", "fast", "stop")

    def start(self) -> None:
        """Start (again) with the options of the first start; returns once it accepts."""
        self.pg_ctl("-o", self.options, "-l", str(self.socket_dir / "server.log"), "start")

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-w", *args],
            check=True,
            capture_output=True,
        )


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a private server (as the `postgres` user when running as root), stop it after."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    base = Path(tempfile.mkdtemp(prefix="lpse-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(base, user="postgres", group=None)
        run_as = ["runuser", "-u", "postgres", "--"]
    data_dir, socket_dir = base / "data", base
    port = _free_port()
    server = PostgresServer(port, bin_dir, data_dir, socket_dir, run_as)
    try:
        subprocess.run(
            [
                *run_as,
                str(bin_dir / "initdb"),
                "-D",
                str(data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        options = (
            f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        server.options = options
        server.start()
        yield server
    finally:
        if (data_dir / "postmaster.pid").exists():
            subprocess.run(
                [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "stop"],
                capture_output=True,
            )
        shutil.rmtree(base, ignore_errors=True)
