"""The service beside the framework floor, in one command.

    .venv/bin/python benchmarks/run.py [--quick] [--rounds 5] [--duration 3]
                                       [--out benchmarks/results.json] [--markdown]

Starts the service (`her2-cds serve`, gunicorn, 2 workers) and the floor (`floor_app.py`, a
minimal Flask app under the same gunicorn settings that parses the same request and answers a
fixed body) on loopback, and drives both with `wrk` (Debian package) in alternating rounds:
service then floor, floor then service, ... Scenarios (`corpus.py`):

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
import re
import shutil
import statistics
import subprocess
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
from benchmarks.report import CONNECTIONS, markdown, ratio, targets  # noqa: E402
from tests.support.fhir_server import FhirTestServer  # noqa: E402
from tests.support.service_process import free_port  # noqa: E402

LUA = Path(__file__).with_name("wrk_report.lua")
WORKERS = 2
THREADS = 4  # `her2-cds serve` default; the floor gets the same


class Server:
    """One gunicorn process tree (service or floor) on a free loopback port."""

    def __init__(self, kind: str, env: dict[str, str], log: Path) -> None:
        self.kind = kind
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if kind == "service":
            command = [sys.executable, "-m", "cds_service.cli", "serve"]
            command += ["--port", str(self.port), "--workers", str(WORKERS)]
            command += ["--threads", str(THREADS)]
        else:
            command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS)]
            command += ["--threads", str(THREADS), "-b", f"127.0.0.1:{self.port}"]
            command += ["--timeout", "30", "benchmarks.floor_app:create_app()"]
        self._log = log.open("ab")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self._log,
            stderr=self._log,
        )
        self.startup_s = self._wait_for_discovery(started)

    def _wait_for_discovery(self, started: float) -> float:
        deadline = started + 60
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited at start-up; see its log")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/cds-services", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            time.sleep(0.01)
        raise RuntimeError(f"{self.kind} did not answer discovery within 60 s")

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each gunicorn worker (children of the master)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        sizes = []
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                sizes.append(int(match.group(1)) / 1024)
        return sizes

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def wrk(
    url: str, body_file: Path, scenario: str, connections: int, duration: float
) -> dict[str, Any]:
    """One wrk run; its Lua `done` prints the JSON line we parse."""
    command = ["wrk", "-s", str(LUA), "-t", str(min(connections, 2)), "-c", str(connections)]
    command += ["-d", f"{max(1, round(duration))}s", "--timeout", "30s", url]
    env = {**os.environ, "BENCH_BODY": str(body_file), "BENCH_SCENARIO": scenario}
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    result: dict[str, Any] = json.loads(line[len("BENCH ") :])
    if result["errors"] or result["non_2xx"] or not result["requests"]:
        raise RuntimeError(f"wrk on {url} for {scenario}: errors in {result}")
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def alternate(
    servers: list[Server],
    path: str,
    body_file: Path,
    scenario: str,
    connections: int,
    duration: float,
    rounds: int,
) -> dict[str, list[dict[str, Any]]]:
    """`rounds` wrk runs per server, alternating which goes first."""
    runs: dict[str, list[dict[str, Any]]] = {s.kind: [] for s in servers}
    for number in range(rounds):
        order = servers if number % 2 == 0 else list(reversed(servers))
        for server in order:
            runs[server.kind].append(
                wrk(server.url + path, body_file, scenario, connections, duration)
            )
    return runs


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def summarize(runs: dict[str, list[dict[str, Any]]], keys: tuple[str, ...]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for kind, kind_runs in runs.items():
        summary[kind] = {key: round(_median(kind_runs, key), 1) for key in keys}
    return summary


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
    service and of the floor (steadier on a shared machine than wall-clock rates), and the
    service's peak Python allocation during one call (tracemalloc)."""
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
            cpu[name] = {
                "service": service_ms,
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
            loaded = summarize(runs, ("rps", "p50_us", "p99_us"))
            loaded["ratio_rps"] = ratio(loaded["service"]["rps"], loaded["floor"]["rps"])
            # each round's rate: gunicorn may hand all 16 connections to one worker (then the
            # other idles and the rate halves), so the median is shown with its spread
            for kind, kind_runs in runs.items():
                loaded[kind]["rps_rounds"] = [round(r["rps"], 1) for r in kind_runs]
            entry[f"throughput_{CONNECTIONS}_connections"] = loaded
        runs = alternate(servers, paths[name], body_file, name, 1, duration, rounds)
        seq = summarize(runs, ("rps", "mean_us", "p50_us", "p99_us"))
        seq["ratio_mean"] = ratio(seq["service"]["mean_us"], seq["floor"]["mean_us"])
        seq["ratio_p99"] = ratio(seq["service"]["p99_us"], seq["floor"]["p99_us"])
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
        "service": {k: round(_median(runs, k), 1) for k in keys},
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
    service = Server("service", env, log)
    floor: Server | None = None
    try:
        answers = service_answers(service, files, paths)
        (tmp / "floor.json").write_text(json.dumps(answers))
        floor = Server("floor", {"FLOOR_BODIES": str(tmp / "floor.json")}, log)
        results["startup_s"] = {"service": startup, "floor": round(floor.startup_s, 3)}
        results["cards_per_scenario"] = {n: len(json.loads(t)["cards"]) for n, t in answers.items()}
        print("load ...", flush=True)
        results["scenarios"] = load_scenarios([service, floor], files, paths, args)
        results["rss_mib_per_worker"] = {
            server.kind: [round(x, 1) for x in server.worker_rss_mib()]
            for server in (service, floor)
        }
        print("fhir fallback ...", flush=True)
        results["fhir_fallback"] = fhir_fallback(service, fhir, tmp, args)
    finally:
        service.stop()
        if floor is not None:
            floor.stop()
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
