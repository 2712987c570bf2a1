"""A throw-away PostgreSQL server on loopback for integration tests (Debian's postgresql).

`initdb` refuses to run as root, so as root the cluster is created and run as the
`postgres` system user that the Debian package adds. The data directory lives in a fresh
temporary directory and is removed on stop.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PostgresServerError(RuntimeError):
    pass


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise PostgresServerError(
        "PostgreSQL is not installed: run `apt-get install -y postgresql` (scripts/test does)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresTestServer:
    def __init__(self) -> None:
        self._bin = _bin_dir()
        self._tmp: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    def _as_postgres(self, args: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return args

    def start(self, timeout: float = 30.0) -> None:
        self._tmp = tempfile.mkdtemp(prefix="her2cds-pg-")
        data = Path(self._tmp, "data")
        if os.geteuid() == 0:
            shutil.chown(self._tmp, user="postgres")
            os.chmod(self._tmp, 0o700)
        init = subprocess.run(
            self._as_postgres(
                [str(self._bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
            ),
            capture_output=True,
            check=False,
        )
        if init.returncode != 0:
            raise PostgresServerError(f"initdb failed: {init.stderr.decode(errors='replace')}")
        self.port = _free_port()
        self._proc = subprocess.Popen(
            self._as_postgres(
                [
                    str(self._bin / "postgres"),
                    "-D",
                    str(data),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-k",
                    self._tmp,
                    "-c",
                    "fsync=off",
                ]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(self._bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                capture_output=True,
                check=False,
            )
            if ready.returncode == 0:
                return
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                raise PostgresServerError(f"postgres exited: {err}")
            time.sleep(0.2)
        self.stop()
        raise PostgresServerError("postgres did not become ready in time")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            if self._proc.stderr is not None:
                self._proc.stderr.close()
            self._proc = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
