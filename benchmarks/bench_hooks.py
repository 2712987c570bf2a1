"""Latency and memory of one hook call, in process, on realistic inputs.

    .venv/bin/python benchmarks/bench_hooks.py [--repeat 200]

Scenarios:
- order-select, HER2+ MBC (CodeX MOPA parts), all data in prefetch;
- patient-view with a whole Synthea record (672 entries) as prefetch;
- order-sign with the same Synthea record and a trastuzumab draft;
- patient-view with every key fetched from a loopback FHIR server (parallel fallback).

Prints p50 / p95 / max milliseconds per call and the peak Python memory allocated during
one call (tracemalloc). Numbers depend on the machine; compare runs on the same one.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cds_service.app import create_app  # noqa: E402
from cds_service.settings import Settings  # noqa: E402
from tests.service.hook_requests import SERVICE_IDS  # noqa: E402
from tests.support.faulty_fhir_server import faulty_fhir_server  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SYNTHEA = (
    FIXTURES / "synthea/bundles/blaze_44717d84-17d5-cefa-acf9-fe51fddc5d1c_Rose199_Wehner319.json"
)


def synthea_request(hook: str) -> dict[str, Any]:
    bundle = json.loads(SYNTHEA.read_text())
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    context: dict[str, Any] = {"patientId": patient["id"], "userId": "Practitioner/bench"}
    if hook != "patient-view":
        draft = {
            "resourceType": "MedicationRequest",
            "id": "bench-draft",
            "status": "draft",
            "intent": "order",
            "subject": {"reference": f"Patient/{patient['id']}"},
            "medicationCodeableConcept": {
                "coding": [
                    {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "224905"}
                ],
                "text": "trastuzumab",
            },
        }
        context["draftOrders"] = {"resourceType": "Bundle", "entry": [{"resource": draft}]}
        if hook == "order-select":
            context["selections"] = ["MedicationRequest/bench-draft"]
    others = {"resourceType": "Bundle", "type": "searchset", "entry": bundle["entry"]}
    prefetch = {
        "patient": patient,
        "tumorMarkers": others,
        "conditions": None,
        "lvef": None,
        "bodySize": None,
        "pregnancy": None,
        "labs": None,
        "medicationRequests": None,
        "medicationAdministrations": None,
        "medicationStatements": None,
    }
    return {"hook": hook, "hookInstance": "bench", "context": context, "prefetch": prefetch}


def measure(call: Callable[[], Any], repeat: int) -> dict[str, float]:
    call()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    tracemalloc.start()
    call()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": times[int(0.95 * (len(times) - 1))],
        "max_ms": times[-1],
        "peak_alloc_mib": peak / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, faulty_fhir_server() as fhir:
        app = create_app(
            Settings(
                database_url=f"sqlite:///{tmp}/bench.sqlite3",
                fhir_servers=(fhir.base_url,),
                fhir_allow_loopback_http=True,
                log_level="WARNING",
            )
        )
        client = app.test_client()

        def post(hook: str, body: dict[str, Any]) -> Callable[[], Any]:
            def call() -> Any:
                response = client.post(f"/cds-services/{SERVICE_IDS[hook]}", json=copy.copy(body))
                assert response.status_code == 200, response.get_data(as_text=True)
                return response

            return call

        mopa = json.loads((FIXTURES / "derived/order-select-her2-mbc-th.json").read_text())
        results["order-select, HER2+ MBC, prefetch"] = measure(
            post("order-select", mopa), args.repeat
        )
        results["patient-view, Synthea 672 entries"] = measure(
            post("patient-view", synthea_request("patient-view")), args.repeat
        )
        results["order-sign, Synthea 672 entries + draft"] = measure(
            post("order-sign", synthea_request("order-sign")), args.repeat
        )
        fallback = {
            "hook": "patient-view",
            "hookInstance": "bench",
            "fhirServer": fhir.base_url,
            "fhirAuthorization": {"access_token": fhir.token, "token_type": "Bearer"},
            "context": {"patientId": "pat-1", "userId": "Practitioner/bench"},
        }
        results["patient-view, 9 queries to a loopback FHIR server"] = measure(
            post("patient-view", fallback), max(20, args.repeat // 4)
        )
        app.extensions["her2cds"].feedback.dispose()
    width = max(len(name) for name in results)
    print(f"{'scenario':<{width}}  p50 ms  p95 ms  max ms  peak MiB")
    for name, r in results.items():
        print(
            f"{name:<{width}}  {r['p50_ms']:6.1f}  {r['p95_ms']:6.1f}  {r['max_ms']:6.1f}"
            f"  {r['peak_alloc_mib']:8.2f}"
        )


if __name__ == "__main__":
    main()
