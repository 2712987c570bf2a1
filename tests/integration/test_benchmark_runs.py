"""The benchmark's short mode, so it cannot rot: every scenario runs against the real service,
the floor app and the real test FHIR server. Nothing here is timed or compared to a
threshold; the numbers live in benchmarks/results.json (a full run) and the README."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import corpus
from cds_service.services import prefetch_keys

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_the_quick_benchmark_measures_every_scenario_beside_the_floor(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    command = [sys.executable, "benchmarks/run.py", "--quick", "--out", str(out), "--markdown"]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(out.read_text())
    assert set(results["scenarios"]) == set(corpus.SCENARIOS)
    for entry in results["scenarios"].values():
        assert entry["sequential"]["service"]["p50_us"] > 0
        assert entry["sequential"]["floor"]["p50_us"] > 0
        loaded = entry.get("throughput_16_connections")
        if loaded:  # the service without its rules runs beside the service and the floor
            assert loaded["plumbing"]["rps"] > 0
            assert loaded["ratio_rps_without_rules"] > 0
            assert entry["sequential"]["plumbing"]["p99_us"] > 0  # and one call at a time
            assert entry["sequential"]["ratio_p99_without_rules"] > 0
    assert results["cards_per_scenario"]["unconcerned"] == 0
    assert results["cards_per_scenario"]["routine-order"] == 0
    assert results["cards_per_scenario"]["suggestions"] >= 1
    # every prefetch key of discovery is one query
    assert results["fhir_fallback"]["slowest_query"]["queries"] == len(prefetch_keys())
    assert len(results["rss_mib_per_worker"]["service"]) == 2
    assert set(results["peak_alloc_mib"]) == set(corpus.SCENARIOS)
    assert all(row["service"] > 0 for row in results["cpu_ms_per_call"].values())
    # without its rules the service does less: no facts for the THP call
    typical = results["cpu_ms_per_call"]["typical"]
    assert 0 < typical["without_rules"] < typical["service"]
    assert results["targets"]["typical throughput >= 0.5x floor"]["without_rules"] > 0
    assert results["targets"]["typical sequential p99 <= 2.5x floor"]["without_rules"] > 0
    assert all("met" in row for row in results["targets"].values())
    assert "| typical |" in run.stdout
    assert "| typical throughput >= 0.5x floor |" in run.stdout
