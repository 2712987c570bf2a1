"""A real Redis server on loopback for integration tests (no mocks).

`RedisTestServer` runs ``redis-server`` (Debian package ``redis-server``; set $REDIS_SERVER_BIN
to use another binary) on 127.0.0.1 and a free port, with persistence off and its working
directory in a temporary folder. A missing binary raises RedisServerError: tests that need
Redis fail with that message, they do not skip.

    server = RedisTestServer()          # or RedisTestServer(password="s3cret")
    server.start()                      # ~50 ms; raises RedisServerError with the server log
    server.url                          # "redis://127.0.0.1:<port>/0" (with password if set)
    server.client()                     # a redis.Redis for assertions
    server.flushall()
    server.stop()                       # idempotent; start() again reuses the same port

    with RedisTestServer() as server:   # or as a context manager
        ...
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self
from urllib.parse import quote

import redis

STARTUP_TIMEOUT_S = 10.0
INSTALL_HINT = (
    "the Redis integration tests need a real redis-server: install the Debian package "
    "`redis-server` (apt-get install -y redis-server) or set REDIS_SERVER_BIN to the binary"
)


class RedisServerError(RuntimeError):
    """redis-server is missing, did not start, or is not running."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisTestServer:
    """One redis-server process on 127.0.0.1."""

    def __init__(
        self,
        *,
        port: int | None = None,
        password: str | None = None,
        binary: str | None = None,
        startup_timeout: float = STARTUP_TIMEOUT_S,
    ) -> None:
        self._requested_port = port
        self._port: int | None = port
        self._password = password
        self._binary = binary or os.environ.get("REDIS_SERVER_BIN") or "redis-server"
        self._startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._proc is not None:
            raise RedisServerError("Redis test server already started")
        binary = shutil.which(self._binary)
        if binary is None:
            raise RedisServerError(f"`{self._binary}` not found: {INSTALL_HINT}")
        attempts = 1 if self._port is not None else 3
        last_error: RedisServerError | None = None
        for _ in range(attempts):
            port = self._port if self._port is not None else _free_port()
            try:
                self._spawn(binary, port)
                self._port = port
                return
            except RedisServerError as exc:  # e.g. the free port was taken meanwhile
                last_error = exc
                self._terminate()
        assert last_error is not None
        raise last_error

    def _spawn(self, binary: str, port: int) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="her2cds-redis-")
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in _terminate()
        args = [
            binary,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", self._dir.name,
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--loglevel", "warning",
        ]  # fmt: skip
        if self._password is not None:
            args += ["--requirepass", self._password]
        self._proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RedisServerError(
                    f"redis-server exited with {self._proc.returncode}: {self._log_text()}"
                )
            if self._answers_ping(port):
                return
            time.sleep(0.02)
        raise RedisServerError(
            f"redis-server did not answer on port {port} within {self._startup_timeout} s: "
            f"{self._log_text()}"
        )

    def _answers_ping(self, port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                reply = sock.recv(64)
        except OSError:
            return False
        # "+PONG", or "-NOAUTH ..." when a password is set: either way the server is up.
        return reply.startswith((b"+PONG", b"-NOAUTH"))

    def _log_text(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace").strip()[-2000:]

    def stop(self) -> None:
        """Stop the server (idempotent). The port is kept, so start() brings it back there."""
        self._terminate()

    def _terminate(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.terminate()
                try:
                    self._proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait(timeout=5)
            self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._dir is not None:
            with contextlib.suppress(OSError):
                self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses and helpers ---------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RedisServerError("Redis test server was never started")
        return self._port

    @property
    def url(self) -> str:
        auth = f":{quote(self._password, safe='')}@" if self._password is not None else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        if not self.running:
            raise RedisServerError("Redis test server is not running")
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def flushall(self) -> None:
        with self.client() as client:
            client.flushall()

    @property
    def workdir(self) -> Path | None:
        return Path(self._dir.name) if self._dir is not None else None
