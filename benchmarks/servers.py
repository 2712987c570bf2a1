"""The benchmark's servers and load: the service, the same service without its rules (the
ceiling any work on facts and rules could reach) and the floor, each a gunicorn process tree on
a loopback port, driven by `wrk` in alternating rounds."""

from __future__ import annotations

import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from tests.support.service_process import free_port

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).with_name("wrk_report.lua")
WORKERS = 2
THREADS = 4  # `her2-cds serve` default; the floor gets the same


SERVE = {  # the same `her2-cds serve`, as is or with the rules taken out (plumbing.py)
    "service": ["cds_service.cli", "serve"],
    "plumbing": ["benchmarks.plumbing", "serve"],
}


class Server:
    """One gunicorn process tree (service, plumbing or floor) on a free loopback port."""

    def __init__(self, kind: str, env: dict[str, str], log: Path) -> None:
        self.kind = kind
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if kind in SERVE:
            command = [sys.executable, "-m", *SERVE[kind]]
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

    def worker_pids(self) -> list[str]:
        """The gunicorn workers: the children of the master."""
        master = self.process.pid
        return Path(f"/proc/{master}/task/{master}/children").read_text().split()

    def worker_cpu_ticks(self) -> dict[str, int]:
        """User plus system CPU time of each worker so far, in clock ticks."""
        ticks = {}
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):  # a worker that has just exited
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
        return ticks

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each gunicorn worker (children of the master)."""
        sizes = []
        for pid in self.worker_pids():
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
    """`rounds` wrk runs per server, alternating which goes first; each run with the share of
    the workers' CPU time its busiest worker took."""
    runs: dict[str, list[dict[str, Any]]] = {s.kind: [] for s in servers}
    for number in range(rounds):
        order = servers if number % 2 == 0 else list(reversed(servers))
        for server in order:
            before = server.worker_cpu_ticks()
            result = wrk(server.url + path, body_file, scenario, connections, duration)
            after = server.worker_cpu_ticks()
            used = [after[pid] - before.get(pid, 0) for pid in after]
            result["busiest_worker_share"] = round(max(used) / sum(used), 2) if any(used) else 1.0
            runs[server.kind].append(result)
    return runs


# gunicorn's workers take wrk's 16 keep-alive connections as they come; in some rounds one
# worker takes them all and the other idles, and the round measures one worker, not two.
ONE_WORKER_SHARE = 0.8


def two_worker_runs(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs in which both workers served (all of them if there is none)."""
    both = [r for r in runs if r["busiest_worker_share"] < ONE_WORKER_SHARE]
    return both or runs


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def summarize(
    runs: dict[str, list[dict[str, Any]]], keys: tuple[str, ...], *, two_workers: bool = False
) -> dict[str, Any]:
    """Medians of each server's runs; with `two_workers`, of the runs both workers served."""
    summary: dict[str, Any] = {}
    for kind, kind_runs in runs.items():
        used = two_worker_runs(kind_runs) if two_workers else kind_runs
        summary[kind] = {key: round(median_of(used, key), 1) for key in keys}
        if two_workers:
            summary[kind]["rounds_used"] = len(used)
    return summary
