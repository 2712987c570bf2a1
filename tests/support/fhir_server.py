"""A real FHIR R4 server on loopback for integration tests (no mocks).

`FhirTestServer` runs ``node tests/fhir_server/server.mjs``: Medplum's FHIR engine
(@medplum/fhir-router MemoryRepository, R4 definitions) behind a small HTTP shim that checks a
Bearer token, pages searches with absolute ``next`` links and records every request it gets.
Install its Node packages once with ``npm ci --prefix tests/fhir_server``.

    server = FhirTestServer()
    server.start()                      # ~2 s; raises FhirServerError with node's stderr
    server.load([patient, observation]) # PUT by id, in transaction Bundles
    server.base_url                     # "http://127.0.0.1:<port>/fhir"
    server.token                        # the Bearer token the server accepts
    server.requests_log()               # [{"method", "path", "authorized"}, ...]
    server.reset()                      # empty repository and request log
    server.stop()
"""

from __future__ import annotations

import contextlib
import os
import queue
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import requests

NODE_DIR = Path(__file__).resolve().parent.parent / "fhir_server"
SERVER_SCRIPT = NODE_DIR / "server.mjs"
# Extra flags for node. None are needed with the pinned @medplum/* 4.5.2 on Node >= 20.19;
# a @medplum/core 5.x on Node 20 would need "--experimental-websocket".
NODE_FLAGS: tuple[str, ...] = ()
STARTUP_TIMEOUT_S = 60.0
HTTP_TIMEOUT_S = 30.0
# Medplum refuses transactions with more than 50 updates; load() sends chunks of this size.
LOAD_CHUNK = 50

JsonDict = dict[str, Any]


class FhirServerError(RuntimeError):
    """The test FHIR server could not start, or answered a helper call with an error."""


class FhirTestServer:
    """One Node FHIR server process on 127.0.0.1 with a random port and token."""

    def __init__(
        self,
        *,
        token: str | None = None,
        node: str | None = None,
        startup_timeout: float = STARTUP_TIMEOUT_S,
        validate: bool = True,
        verbose: bool = False,
        open_reads: bool = False,
        cors_origins: Iterable[str] = (),
    ) -> None:
        """`node` defaults to $FHIR_TEST_NODE or `node` on PATH; `validate=False` lets the
        server store resources that fail Medplum's structural validation. `open_reads=True`
        also serves requests without an Authorization header (a browser client launched
        without SMART, such as the CDS Hooks sandbox); `cors_origins` get CORS answers."""
        self._token = token or secrets.token_urlsafe(24)
        self._node = node or os.environ.get("FHIR_TEST_NODE") or "node"
        self._startup_timeout = startup_timeout
        self._validate = validate
        self._verbose = verbose
        self._open = open_reads
        self._cors_origins = tuple(cors_origins)
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._port: int | None = None
        self._pump: threading.Thread | None = None
        self._session = requests.Session()
        # Loopback only: never send test traffic through a proxy from the environment.
        self._session.trust_env = False
        self.startup_seconds: float | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Spawn the server and wait for its ``LISTENING <port>`` line."""
        if self._proc is not None:
            raise FhirServerError("FHIR test server already started")
        self._check_installed()
        node = shutil.which(self._node)
        if node is None:
            raise FhirServerError(
                f"`{self._node}` not found: the FHIR test server needs Node.js >= 20.19 "
                "(set FHIR_TEST_NODE to the node binary)"
            )
        env = {
            **os.environ,
            "PORT": "0",
            "FHIR_TOKEN": self._token,
            "FHIR_EXIT_ON_STDIN_EOF": "1",
            "FHIR_VALIDATE": "1" if self._validate else "0",
            "FHIR_VERBOSE": "1" if self._verbose else "0",
            "FHIR_OPEN": "1" if self._open else "0",
            "FHIR_CORS_ORIGINS": ",".join(self._cors_origins),
        }
        # A file, not a pipe: nobody drains stderr while the server runs. Closed in stop().
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        started = time.monotonic()
        self._proc = subprocess.Popen(
            [node, *NODE_FLAGS, str(SERVER_SCRIPT)],
            cwd=NODE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        try:
            self._port = self._wait_for_port(self._proc, started + self._startup_timeout)
        except BaseException:
            self._terminate()
            raise
        self.startup_seconds = time.monotonic() - started

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        self._terminate()
        self._port = None
        self._session.close()
        self._session = requests.Session()
        self._session.trust_env = False

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

    # -- addresses ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def port(self) -> int:
        if self._port is None:
            raise FhirServerError("FHIR test server is not started")
        return self._port

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``, where the unauthenticated ``/__*`` endpoints live."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The FHIR base URL, ``http://127.0.0.1:<port>/fhir`` (no trailing slash)."""
        return f"{self.origin}/fhir"

    @property
    def token(self) -> str:
        """The Bearer token that every request under /fhir must carry."""
        return self._token

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}", "Accept": "application/fhir+json"}

    # -- HTTP helpers ------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        authorized: bool = True,
        json: Any = None,
        params: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    ) -> requests.Response:
        """One request to the server; `path_or_url` is relative to `base_url` (``Patient/1``,
        ``Observation?code=...``) or an absolute URL such as a Bundle's ``next`` link."""
        absolute = path_or_url.startswith(("http://", "https://"))
        url = path_or_url if absolute else f"{self.base_url}/{path_or_url.lstrip('/')}"
        headers = self.auth_headers() if authorized else {"Accept": "application/fhir+json"}
        if json is not None:
            headers["Content-Type"] = "application/fhir+json"
        return self._session.request(
            method, url, headers=headers, json=json, params=params, timeout=HTTP_TIMEOUT_S
        )

    def load(self, resources: list[JsonDict]) -> list[JsonDict]:
        """Store `resources` (each with resourceType and id) by PUT, in transaction Bundles of
        up to 50 entries; each Bundle is all-or-nothing. Returns the stored resources."""
        for i, resource in enumerate(resources):
            if not resource.get("resourceType") or not resource.get("id"):
                raise ValueError(f"resources[{i}] needs resourceType and id: {resource!r}")
        stored: list[JsonDict] = []
        for start in range(0, len(resources), LOAD_CHUNK):
            chunk = resources[start : start + LOAD_CHUNK]
            bundle: JsonDict = {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [
                    {
                        "fullUrl": f"{self.base_url}/{r['resourceType']}/{r['id']}",
                        "resource": r,
                        "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
                    }
                    for r in chunk
                ],
            }
            response = self.request("POST", self.base_url, json=bundle)
            if response.status_code != 200:
                raise FhirServerError(
                    f"loading resources[{start}:{start + len(chunk)}] failed: "
                    f"HTTP {response.status_code} {response.text}"
                )
            for entry in response.json().get("entry", []):
                status = str(entry.get("response", {}).get("status", ""))
                if not status.startswith("2"):
                    raise FhirServerError(f"loading failed for an entry: {entry!r}")
                stored.append(entry["resource"])
        return stored

    def requests_log(self) -> list[JsonDict]:
        """Requests received under /fhir so far: ``{"method", "path", "authorized"}``, where
        path includes the query string as sent."""
        response = self._session.get(f"{self.origin}/__requests", timeout=HTTP_TIMEOUT_S)
        response.raise_for_status()
        log: list[JsonDict] = response.json()
        return log

    def reset(self) -> None:
        """Delete every resource and clear the request log."""
        response = self._session.post(f"{self.origin}/__reset", timeout=HTTP_TIMEOUT_S)
        response.raise_for_status()

    # -- internals ---------------------------------------------------------------------------

    @staticmethod
    def _check_installed() -> None:
        if not (NODE_DIR / "node_modules" / "@medplum" / "fhir-router").is_dir():
            raise FhirServerError(
                f"{NODE_DIR / 'node_modules'} is missing: install the FHIR test server's "
                "Node packages with `npm ci --prefix tests/fhir_server` (from the repository root)"
            )

    def _wait_for_port(self, proc: subprocess.Popen[bytes], deadline: float) -> int:
        assert proc.stdout is not None
        lines: queue.Queue[bytes] = queue.Queue()
        stdout = proc.stdout

        def pump() -> None:
            try:
                for line in iter(stdout.readline, b""):
                    lines.put(line)
            except (OSError, ValueError):
                pass  # stdout closed by stop()

        self._pump = threading.Thread(target=pump, name="fhir-test-server-stdout", daemon=True)
        self._pump.start()
        seen: list[str] = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FhirServerError(
                    "FHIR test server printed no LISTENING line within "
                    f"{self._startup_timeout:.0f} s"
                    f"{self._diagnostics(seen)}"
                )
            try:
                line = lines.get(timeout=min(0.1, remaining)).decode("utf-8", "replace").strip()
            except queue.Empty:
                if proc.poll() is not None:
                    # Drain what the pump may still deliver before reporting.
                    time.sleep(0.1)
                    while not lines.empty():
                        seen.append(lines.get().decode("utf-8", "replace").strip())
                    raise FhirServerError(
                        f"FHIR test server exited with code {proc.returncode} before listening"
                        f"{self._diagnostics(seen)}"
                    ) from None
                continue
            parts = line.split()
            if len(parts) == 2 and parts[0] == "LISTENING" and parts[1].isdigit():
                return int(parts[1])
            seen.append(line)

    def _diagnostics(self, stdout_lines: list[str]) -> str:
        text = ""
        if stdout_lines:
            text += "\n--- stdout ---\n" + "\n".join(stdout_lines)
        stderr = self._read_stderr()
        if stderr:
            text += "\n--- stderr ---\n" + stderr
        return text

    def _read_stderr(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-20_000:]

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # the server exits when its stdin closes
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            if self._pump is not None:
                self._pump.join(timeout=5)
                self._pump = None
            if proc.stdout is not None:
                proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
