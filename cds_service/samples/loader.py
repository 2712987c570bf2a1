"""Write the sample Bundles to a folder, or load them into a FHIR R4 server: one transaction
per patient, or, when the server refuses transactions, a PUT per resource (create-or-update by
id, so loading twice leaves one copy)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from cds_service.samples import bundle, samples

SANDBOX = "https://sandbox.cds-hooks.org/"
FHIR_JSON = "application/fhir+json"
TIMEOUT_S = 30.0


class LoadError(RuntimeError):
    """The FHIR server refused a sample; the message says which and why."""


@dataclass(frozen=True)
class Loaded:
    patient_id: str
    title: str
    resources: int
    method: str  # "transaction" or "PUT"


def write_samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sample in samples():
        path = folder / sample.file
        path.write_text(json.dumps(bundle(sample.id), indent=1) + "\n", encoding="utf-8")
        written.append(path)
    return written


def sandbox_url(fhir_base: str, patient_id: str, discovery_url: str | None) -> str:
    """A link that opens the public CDS Hooks sandbox on this FHIR server and patient."""
    params = {"fhirServiceUrl": fhir_base, "patientId": patient_id}
    if discovery_url:
        params["serviceDiscoveryURL"] = discovery_url
    return SANDBOX + "?" + urlencode(params)


def _why(response: requests.Response) -> str:
    try:
        issues = response.json().get("issue") or []
        text = "; ".join(
            str(i.get("diagnostics") or i.get("details", {}).get("text")) for i in issues
        )
    except ValueError:
        text = response.text[:200]
    return f"status {response.status_code}" + (f": {text}" if text else "")


def _put_each(session: requests.Session, base: str, entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        url = f"{base}/{entry['request']['url']}"
        response = session.put(url, json=entry["resource"], timeout=TIMEOUT_S)
        if response.status_code not in (200, 201):
            raise LoadError(f"PUT {entry['request']['url']} refused ({_why(response)})")


def load_samples(
    fhir_base: str, *, token: str | None = None, session: requests.Session | None = None
) -> Iterator[Loaded]:
    """Load every sample, yielding each patient as it is stored."""
    base = fhir_base.rstrip("/")
    http = session or requests.Session()
    http.headers.update({"Content-Type": FHIR_JSON, "Accept": FHIR_JSON})
    if token:
        http.headers["Authorization"] = f"Bearer {token}"
    transactions = True
    for sample in samples():
        doc = bundle(sample.id)
        for entry in doc["entry"]:
            resource = entry["resource"]
            entry["fullUrl"] = f"{base}/{resource['resourceType']}/{resource['id']}"
        method = "transaction"
        if transactions:
            response = http.post(base, json=doc, timeout=TIMEOUT_S)
            if response.status_code in (401, 403):
                raise LoadError(f"{base} refused the credentials ({_why(response)})")
            if response.status_code != 200:
                transactions = False  # e.g. 405/501: the server has no transactions
        if not transactions:
            method = "PUT"
            _put_each(http, base, doc["entry"])
        yield Loaded(sample.id, sample.title, len(doc["entry"]), method)
