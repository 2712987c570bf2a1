"""A loopback FHIR server that misbehaves on purpose, for the service's fault tests.

It serves one patient. Each resource type's search (or the Patient read) can be told to
time out, answer 401/403/404/429/500, send invalid JSON or a non-Bundle, send 5,000
entries, loop its `next` link, or redirect to another origin. It records every request
with whether it carried the expected bearer token.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

PATIENT_ID = "pat-1"


@dataclass
class Received:
    method: str
    path: str
    authorization: str | None


@dataclass
class Behaviour:
    """What the server does for each target: "Patient" (the read) or a search's type name,
    with "Observation:lvef" for the LVEF search."""

    modes: dict[str, str] = field(default_factory=dict)
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    failures_before_success: dict[str, int] = field(default_factory=dict)
    redirect_to: str = ""
    delay_s: float = 5.0


def _target(path: str, query: str) -> str:
    name = path.rstrip("/").split("/fhir/", 1)[-1]
    if name.startswith("Patient/"):
        return "Patient"
    if name == "Observation" and "10230-1" in query:
        return "Observation:lvef"
    return name


class FaultyFhirServer:
    def __init__(self, token: str = "faulty-token") -> None:
        self.token = token
        self.behaviour = Behaviour()
        self.received: list[Received] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                server._handle(self)

        ThreadingHTTPServer.request_queue_size = 128  # parallel queries must not hit SYN retries
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/fhir"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset(self) -> None:
        with self._lock:
            self.behaviour = Behaviour()
            self.received = []

    def requests_to(self, target: str) -> list[Received]:
        with self._lock:
            return [
                r
                for r in self.received
                if _target(urlsplit(r.path).path, urlsplit(r.path).query) == target
            ]

    # --- the handler -------------------------------------------------------------------

    def _send(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        handler.send_response(status)
        for name, value in {"Content-Type": "application/fhir+json", **headers}.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        try:
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            return

    def _json(self, handler: BaseHTTPRequestHandler, status: int, document: Any) -> None:
        self._send(handler, status, json.dumps(document).encode(), {})

    def _bundle(
        self, resources: list[dict[str, Any]], next_url: str | None = None
    ) -> dict[str, Any]:
        bundle: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in resources],
        }
        if next_url:
            bundle["link"] = [{"relation": "next", "url": next_url}]
        return bundle

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        target = _target(split.path, split.query)
        with self._lock:
            self.received.append(
                Received("GET", handler.path, handler.headers.get("Authorization"))
            )
            behaviour = self.behaviour
            mode = behaviour.modes.get(target, "ok")
            remaining = behaviour.failures_before_success.get(target, 0)
            if remaining:
                behaviour.failures_before_success[target] = remaining - 1
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            self._json(handler, 401, {"resourceType": "OperationOutcome", "issue": []})
            return
        if remaining:
            self._json(handler, int(mode), {"resourceType": "OperationOutcome", "issue": []})
            return
        resources = behaviour.resources.get(target, [])
        if mode == "ok" or target in behaviour.failures_before_success:  # failures used up
            if target == "Patient":
                self._json(
                    handler,
                    200,
                    resources[0] if resources else {"resourceType": "Patient", "id": PATIENT_ID},
                )
            else:
                self._json(handler, 200, self._bundle(resources))
        elif mode == "timeout":
            time.sleep(behaviour.delay_s)
            self._json(handler, 200, self._bundle(resources))
        elif mode.isdigit():
            self._json(handler, int(mode), {"resourceType": "OperationOutcome", "issue": []})
        elif mode == "invalid-json":
            self._send(handler, 200, b'{"resourceType": "Bundle", "entry": [', {})
        elif mode == "non-bundle":
            self._json(handler, 200, {"resourceType": "Patient", "id": PATIENT_ID})
        elif mode == "huge":
            self._json(handler, 200, self._bundle(resources * (5000 // max(1, len(resources)))))
        elif mode == "loop":
            self._json(handler, 200, self._bundle(resources, f"{self.origin}{handler.path}"))
        elif mode == "redirect":
            self._send(handler, 302, b"", {"Location": f"{behaviour.redirect_to}{handler.path}"})
        else:  # pragma: no cover - a test asked for a mode that does not exist
            raise AssertionError(f"unknown mode {mode}")


@contextmanager
def faulty_fhir_server() -> Iterator[FaultyFhirServer]:
    server = FaultyFhirServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
