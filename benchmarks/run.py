"""The service beside the framework floor, in one command.

    .venv/bin/python benchmarks/run.py [--quick] [--rounds 5] [--duration 3]
                                       [--out benchmarks/results.json] [--markdown]

Starts the service (`her2-cds serve`, gunicorn, 2 workers), the same service without its rules
(`plumbing.py`: every call answered with no cards before the drafts or the facts are read, so
its rate is the most any speed-up of the rules could give) and the floor (`floor_app.py`, a
minimal Flask app under the same gunicorn settings that parses the same request and answers a
fixed body) on loopback, and drives them with `wrk` (Debian package) in alternating rounds:
service, without rules, floor, then the other way round, ... (the service without its rules
in every scenario but the 5,000 Observations). Scenarios (`corpus.py`):

- typical: order-select, HER2+ MBC, THP drafted, full prefetch (~12 KB as written);
- suggestions: the same patient with TH drafted, answered with an 'add pertuzumab' card;
- observations-5000: the typical call with 5,000 laboratory Observations in prefetch;
- unconcerned: a patient the rules do not concern (no card);
- routine-order: the typical patient with an analgesic drafted (no card: not reported against a
  target, it shows what most calls for an oncology patient cost);
- fhir-fallback: the typical call without prefetch, every key fetched from the real test FHIR
  server (tests/support/fhir_server.py), beside that server's slowest single query.

Also: start-up time to the first discovery answer, RSS per worker after the load, and the peak
Python allocation of one call of each scenario (tracemalloc, in process). Throughput is at 16
connections; latency is sequential (one connection). Every ratio is to the floor in the same
run: absolute numbers on a shared machine are noise, the ratio much less so. `--quick` is the
CI mode (one short round per scenario): it proves the benchmark still runs and asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import corpus  # noqa: E402
from benchmarks.plumbing import without_rules  # noqa: E402
from benchmarks.report import CONNECTIONS, markdown, ratio, targets  # noqa: E402
from benchmarks.servers import (  # noqa: E402
    THREADS,
    WORKERS,
    Server,
    alternate,
    median_of,
    summarize,
    wrk,
)
from tests.support.fhir_server import FhirTestServer  # noqa: E402


def _cpu_ms_per_call(call: Any, calls: int) -> float:
    """Best of five batches of CPU time per call: the least disturbed by other processes."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(calls):
            call()
        best = min(best, (time.process_time() - started) * 1000 / calls)
    return round(best, 3)


def in_process(bodies: dict[str, tuple[str, dict[str, Any]]], quick: bool) -> dict[str, Any]:
    """Per scenario, in this process through each app's test client: CPU per call of the
    service, of the service without its rules (`plumbing.py`) and of the floor (steadier on a
    shared machine than wall-clock rates), and the service's peak Python allocation during one
    call (tracemalloc)."""
    from benchmarks.floor_app import create_app as create_floor
    from cds_service.app import create_app
    from cds_service.settings import Settings

    cpu: dict[str, Any] = {}
    peaks: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/alloc.sqlite3", log_level="ERROR")
        app = create_app(settings)
        gc.freeze()  # as `her2-cds serve` does in each worker
        client, floor = app.test_client(), create_floor().test_client()
        for name, (service_id, body) in bodies.items():
            path, raw = f"/cds-services/{service_id}", json.dumps(body)

            def call(target: Any = client, path: str = path, raw: str = raw) -> Any:
                response = target.post(path, data=raw, content_type="application/json")
                assert response.status_code == 200, response.get_data(as_text=True)[:500]
                return response

            calls = (2 if quick else 10) if len(raw) > 100_000 else (20 if quick else 200)
            service_ms = _cpu_ms_per_call(call, calls)
            floor_ms = _cpu_ms_per_call(lambda: call(floor), calls)
            with without_rules():
                plumbing_ms = _cpu_ms_per_call(call, calls)
            cpu[name] = {
                "service": service_ms,
                "without_rules": plumbing_ms,
                "floor": floor_ms,
                "ratio": ratio(service_ms, floor_ms),
            }
            tracemalloc.start()
            call()
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            peaks[name] = round(peak / 2**20, 3)
        app.extensions["her2cds"].feedback.dispose()
    return {"cpu_ms_per_call": cpu, "peak_alloc_mib": peaks}


def slowest_fhir_query(fhir: FhirTestServer, body: dict[str, Any], repeat: int) -> dict[str, Any]:
    """Median time of each query the service makes for `body`, sequentially; the slowest."""
    from cds_service.prefetch import render_template
    from cds_service.services import prefetch_keys

    session = requests.Session()
    session.trust_env = False
    headers = {**fhir.auth_headers(), "Accept": "application/fhir+json"}
    medians = {}
    for key in prefetch_keys():
        query = render_template(key.template, body["context"])
        assert query is not None
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = session.get(f"{fhir.base_url}/{query}", headers=headers, timeout=30)
            times.append((time.perf_counter() - started) * 1e6)
            response.raise_for_status()
        medians[key.key] = statistics.median(times)
    slowest = max(medians, key=lambda k: medians[k])
    return {
        "key": slowest,
        "p50_us": round(medians[slowest], 1),
        "queries": len(medians),
        "sum_p50_us": round(sum(medians.values()), 1),  # one after the other
    }


@contextlib.contextmanager
def fhir_server() -> Iterator[FhirTestServer]:
    server = FhirTestServer()
    server.start()
    try:
        server.load(corpus.fallback_resources())
        yield server
    finally:
        server.stop()


def load_scenarios(
    servers: list[Server], files: dict[str, Path], paths: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    rounds = 1 if args.quick else args.rounds
    duration = args.duration
    for name, body_file in files.items():
        entry: dict[str, Any] = {"body_bytes": body_file.stat().st_size}
        if name != "observations-5000":
            runs = alternate(servers, paths[name], body_file, name, CONNECTIONS, duration, rounds)
            loaded = summarize(runs, ("rps", "p50_us", "p99_us"), two_workers=True)
            loaded["ratio_rps"] = ratio(loaded["service"]["rps"], loaded["floor"]["rps"])
            loaded["ratio_rps_without_rules"] = ratio(
                loaded["plumbing"]["rps"], loaded["floor"]["rps"]
            )
            # every round's rate and how much of the work its busiest worker did: the medians
            # are of the rounds both workers served (servers.py, ONE_WORKER_SHARE)
            for kind, kind_runs in runs.items():
                loaded[kind]["rps_rounds"] = [round(r["rps"], 1) for r in kind_runs]
                loaded[kind]["busiest_worker_share_rounds"] = [
                    r["busiest_worker_share"] for r in kind_runs
                ]
            entry[f"throughput_{CONNECTIONS}_connections"] = loaded
        # the service without its rules sequentially too: its p99 over the floor's is the
        # least any speed-up of the rules could bring the latency target to
        sequential = [s for s in servers if s.kind != "plumbing" or name != "observations-5000"]
        runs = alternate(sequential, paths[name], body_file, name, 1, duration, rounds)
        seq = summarize(runs, ("rps", "mean_us", "p50_us", "p99_us"))
        for suffix, kind in (("", "service"), ("_without_rules", "plumbing")):
            if kind in seq:
                seq[f"ratio_mean{suffix}"] = ratio(seq[kind]["mean_us"], seq["floor"]["mean_us"])
                seq[f"ratio_p99{suffix}"] = ratio(seq[kind]["p99_us"], seq["floor"]["p99_us"])
        entry["sequential"] = seq
        results[name] = entry
        print(f"  {name}: {json.dumps(entry)}", flush=True)
    return results


def startup_seconds(env: dict[str, str], log: Path, times: int) -> float:
    """Median wall time from launching `her2-cds serve` to its first discovery answer."""
    measured = []
    for _ in range(times):
        server = Server("service", env, log)
        measured.append(server.startup_s)
        server.stop()
    return round(statistics.median(measured), 3)


def write_bodies(tmp: Path) -> tuple[dict[str, Any], dict[str, Path], dict[str, str]]:
    """Each scenario's request as a file (indented like the fixtures; the large one compact)."""
    bodies = {name: (sid, make()) for name, (sid, make) in corpus.SCENARIOS.items()}
    files, paths = {}, {}
    for name, (service_id, body) in bodies.items():
        files[name] = tmp / f"{name}.json"
        indent = None if name == "observations-5000" else 2
        files[name].write_text(json.dumps(body, indent=indent))
        paths[name] = f"/cds-services/{service_id}"
    return bodies, files, paths


def service_answers(
    service: Server, files: dict[str, Path], paths: dict[str, str]
) -> dict[str, str]:
    """The service's answer to each scenario: the floor sends the same bytes back."""
    answers = {}
    for name, body_file in files.items():
        response = requests.post(
            service.url + paths[name],
            data=body_file.read_bytes(),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
        response.raise_for_status()
        answers[name] = response.text
    return answers


def fhir_fallback(
    service: Server, fhir: FhirTestServer, tmp: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """The typical call with every key fetched, beside the FHIR server's slowest query."""
    fallback_file = tmp / "fallback.json"
    body = corpus.fallback(fhir.base_url, fhir.token)
    fallback_file.write_text(json.dumps(body, indent=2))
    path = f"/cds-services/{corpus.ORDER_SELECT}"
    runs = [
        wrk(service.url + path, fallback_file, "fallback", 1, args.duration)
        for _ in range(1 if args.quick else args.rounds)
    ]
    slowest = slowest_fhir_query(fhir, body, 5 if args.quick else 30)
    keys = ("p50_us", "p99_us", "mean_us")
    result: dict[str, Any] = {
        "service": {k: round(median_of(runs, k), 1) for k in keys},
        "slowest_query": slowest,
    }
    result["ratio_p50_to_slowest_query"] = ratio(result["service"]["p50_us"], slowest["p50_us"])
    return result


def measure(args: argparse.Namespace, tmp: Path, fhir: FhirTestServer) -> dict[str, Any]:
    log = tmp / "servers.log"
    env = {
        "HER2CDS_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        "HER2CDS_FHIR_SERVERS": fhir.base_url,
        "HER2CDS_FHIR_ALLOW_LOOPBACK_HTTP": "true",
    }
    results: dict[str, Any] = {
        "run": {
            "quick": args.quick,
            "rounds": 1 if args.quick else args.rounds,
            "seconds_per_run": args.duration,
            "workers": WORKERS,
            "threads": THREADS,
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    }
    print("start-up ...", flush=True)
    startup = startup_seconds(env, log, 1 if args.quick else 3)
    bodies, files, paths = write_bodies(tmp)
    servers: list[Server] = []
    try:
        service = Server("service", env, log)
        servers.append(service)
        answers = service_answers(service, files, paths)
        (tmp / "floor.json").write_text(json.dumps(answers))
        plumbing = Server("plumbing", env, log)
        servers.append(plumbing)
        if any(json.loads(a)["cards"] for a in service_answers(plumbing, files, paths).values()):
            raise RuntimeError("the service without its rules answered with cards")
        floor = Server("floor", {"FLOOR_BODIES": str(tmp / "floor.json")}, log)
        servers.append(floor)
        results["startup_s"] = {"service": startup, "floor": round(floor.startup_s, 3)}
        results["cards_per_scenario"] = {n: len(json.loads(t)["cards"]) for n, t in answers.items()}
        print("load ...", flush=True)
        results["scenarios"] = load_scenarios(servers, files, paths, args)
        results["rss_mib_per_worker"] = {
            server.kind: [round(x, 1) for x in server.worker_rss_mib()]
            for server in (service, floor)
        }
        print("fhir fallback ...", flush=True)
        results["fhir_fallback"] = fhir_fallback(service, fhir, tmp, args)
    finally:
        for server in servers:
            server.stop()
    print("in process ...", flush=True)
    results.update(in_process(bodies, args.quick))
    results["targets"] = targets(results)
    results["run"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI mode: one short round each")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=None, help="seconds per wrk run")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    args = parser.parse_args(argv)
    args.duration = args.duration or (1.0 if args.quick else 3.0)
    if shutil.which("wrk") is None:
        print("benchmarks/run.py: wrk is required (Debian package 'wrk')", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp, fhir_server() as fhir:
        results = measure(args, Path(tmp), fhir)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")
    for name, row in results["targets"].items():
        print(f"  {'met ' if row['met'] else 'MISS'} {name}: {row['measured']}")
    if args.markdown:
        print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
