"""The CDS Hooks sandbox (the third-party reference client) wired to a real FHIR server and
the real service, all on loopback, for end-to-end tests in Debian's chromium.

The sandbox's production build lives in the shared fixtures folder (`../shared/fixtures/...`
from the project); it is served in place, never copied into the project. Facts about driving
it are in that folder's README.md.

    with sandbox_stack(patients, tmp_path) as stack:
        page.goto(stack.launch_url("sbx-1"))
        stack.feedback_rows()                 # what the service stored, from its database
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.support.fhir_server import FhirTestServer
from tests.support.service_process import free_port, running_services

PROJECT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("HER2CDS_SHARED_DIR", PROJECT.parent / "shared"))
SANDBOX_APP = SHARED / "fixtures" / "cds-hooks" / "cds-hooks-sandbox" / "app"
SANDBOX_JWKS = PROJECT / "tests" / "fixtures" / "cds-hooks" / "cds-hooks-sandbox" / "jwks.json"
SANDBOX_ISS = "https://sandbox.cds-hooks.org"
SANDBOX_JKU = "https://sandbox.cds-hooks.org/.well-known/jwks.json"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """`folder` over HTTP on a free loopback port (read in place); yields the origin."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class SandboxStack:
    sandbox_origin: str
    fhir: FhirTestServer
    service_url: str
    database: Path

    def launch_url(self, patient_id: str) -> str:
        query = urlencode(
            {
                "fhirServiceUrl": self.fhir.base_url,
                "serviceDiscoveryURL": f"{self.service_url}/cds-services",
                "patientId": patient_id,
            }
        )
        return f"{self.sandbox_origin}/?{query}"

    def feedback_rows(self) -> list[dict[str, Any]]:
        """Every feedback row the service stored, oldest first."""
        with contextlib.closing(sqlite3.connect(self.database)) as connection:
            connection.row_factory = sqlite3.Row
            rows = connection.execute("SELECT * FROM cds_feedback ORDER BY id").fetchall()
        return [dict(row) for row in rows]


@contextlib.contextmanager
def sandbox_stack(resources: Sequence[dict[str, Any]], folder: Path) -> Iterator[SandboxStack]:
    """The sandbox build served in place, an open FHIR server holding `resources` (CORS for
    the sandbox's origin), and the service with HER2CDS_AUTH=required trusting the sandbox's
    published key, its public URL the exact loopback URL the sandbox calls (JWT `aud`)."""
    with static_server(SANDBOX_APP) as origin:
        fhir = FhirTestServer(open_reads=True, cors_origins=[origin])
        with fhir:
            fhir.load(list(resources))
            clients = folder / "trusted-clients.json"
            clients.write_text(
                json.dumps(
                    [
                        {
                            "iss": SANDBOX_ISS,
                            "jku": SANDBOX_JKU,
                            "jwks_file": str(SANDBOX_JWKS),
                            "fhir_servers": [fhir.base_url],
                        }
                    ]
                )
            )
            port = free_port()
            service_url = f"http://127.0.0.1:{port}"
            database = folder / "feedback.sqlite3"
            env = {
                "HER2CDS_AUTH": "required",
                "HER2CDS_TRUSTED_CLIENTS": str(clients),
                "HER2CDS_PUBLIC_BASE_URL": service_url,
                "HER2CDS_CORS_ORIGINS": origin,
                "HER2CDS_FHIR_SERVERS": fhir.base_url,
                "HER2CDS_FHIR_ALLOW_LOOPBACK_HTTP": "true",
                "HER2CDS_DATABASE_URL": f"sqlite:///{database}",
            }
            with running_services(env, workers=1, ports=[port]) as urls:
                yield SandboxStack(origin, fhir, urls[0], database)
