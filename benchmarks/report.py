"""The benchmark's results in words: the issue-14 targets and the README's tables."""

from __future__ import annotations

from typing import Any

CONNECTIONS = 16


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else float("nan")


def targets(results: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets beside what this run measured (reported, never asserted)."""
    s = results["scenarios"]
    key = f"throughput_{CONNECTIONS}_connections"
    rows = {
        "typical throughput >= 0.5x floor": (s["typical"][key]["ratio_rps"], 0.5, 1),
        "typical sequential p99 <= 2.5x floor": (s["typical"]["sequential"]["ratio_p99"], 2.5, -1),
        "suggestions throughput >= 0.4x floor": (s["suggestions"][key]["ratio_rps"], 0.4, 1),
        "5,000 Observations time <= 1.3x floor":
            (s["observations-5000"]["sequential"]["ratio_mean"], 1.3, -1),
        "unconcerned throughput >= 0.8x floor": (s["unconcerned"][key]["ratio_rps"], 0.8, 1),
        "start-up to first discovery <= 2 s": (results["startup_s"]["service"], 2.0, -1),
        "RSS per worker <= 150 MiB": (max(results["rss_mib_per_worker"]["service"]), 150, -1),
        "typical per-request peak allocation <= 1 MiB":
            (results["peak_alloc_mib"]["typical"], 1.0, -1),
    }  # fmt: skip
    found = {
        name: {"measured": value, "target": bound, "met": (value - bound) * sign >= 0}
        for name, (value, bound, sign) in rows.items()
    }
    for name, (scenario, part, field) in CEILINGS.items():  # the most a rules speed-up gives
        found[name]["without_rules"] = s[scenario][part][field]
    return found


# The targets measured on the service without its rules too: (scenario, part, field).
_LOADED = f"throughput_{CONNECTIONS}_connections"
CEILINGS = {
    "typical throughput >= 0.5x floor": ("typical", _LOADED, "ratio_rps_without_rules"),
    "typical sequential p99 <= 2.5x floor": ("typical", "sequential", "ratio_p99_without_rules"),
    "suggestions throughput >= 0.4x floor": ("suggestions", _LOADED, "ratio_rps_without_rules"),
    "unconcerned throughput >= 0.8x floor": ("unconcerned", _LOADED, "ratio_rps_without_rules"),
}


def _ms(microseconds: float) -> str:
    return f"{microseconds / 1000:.1f}"


def markdown(results: dict[str, Any]) -> str:
    """The README's performance table."""
    key = f"throughput_{CONNECTIONS}_connections"
    lines = [
        "| scenario | body | req/s at 16 connections: service / floor (ratio) "
        "| sequential p50 / p99 ms: service | floor | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for name, entry in results["scenarios"].items():
        seq = entry["sequential"]
        service, floor = seq["service"], seq["floor"]
        loaded = entry.get(key)
        if loaded:
            rps = f"{loaded['service']['rps']:.0f} / {loaded['floor']['rps']:.0f} "
            rps += f"(**{loaded['ratio_rps']:.2f}**); without rules "
            rps += f"{loaded['plumbing']['rps']:.0f} ({loaded['ratio_rps_without_rules']:.2f})"
            rounds = loaded["service"].get("rps_rounds")
            if rounds and len(rounds) > 1:
                rps += f"; service rounds {min(rounds):.0f}–{max(rounds):.0f}"
            ratio = f"p99 ×{seq['ratio_p99']:.2f}"
            if "plumbing" in seq:
                plumbing = seq["plumbing"]
                ratio += (
                    f"; without rules {_ms(plumbing['p50_us'])} / {_ms(plumbing['p99_us'])}"
                    f" (p99 ×{seq['ratio_p99_without_rules']:.2f})"
                )
        else:
            rps = "—"
            ratio = f"mean time ×{seq['ratio_mean']:.2f}"
        lines.append(
            f"| {name} | {entry['body_bytes'] / 1024:.0f} KB | {rps} "
            f"| {_ms(service['p50_us'])} / {_ms(service['p99_us'])} "
            f"| {_ms(floor['p50_us'])} / {_ms(floor['p99_us'])} | {ratio} |"
        )
    fb = results["fhir_fallback"]
    slowest = fb["slowest_query"]
    lines.append(
        f"| fhir-fallback ({slowest['queries']} queries) | — | — "
        f"| {_ms(fb['service']['p50_us'])} / {_ms(fb['service']['p99_us'])} "
        f"| slowest single query {_ms(slowest['p50_us'])} "
        f"(all {slowest['queries']} in a row {_ms(slowest['sum_p50_us'])}) "
        f"| p50 ×{fb['ratio_p50_to_slowest_query']:.2f} |"
    )
    lines += [
        "",
        "| scenario | CPU ms per call in process: service | without rules | floor | ratio "
        "| peak allocation MiB |",
        "|---|---|---|---|---|---|",
    ]
    for name, cpu in results["cpu_ms_per_call"].items():
        lines.append(
            f"| {name} | {cpu['service']:.2f} | {cpu['without_rules']:.2f} | {cpu['floor']:.2f} "
            f"| ×{cpu['ratio']:.2f} | {results['peak_alloc_mib'][name]:.2f} |"
        )
    return "\n".join([*lines, "", *_targets_table(results["targets"])])


def _targets_table(found: dict[str, Any]) -> list[str]:
    lines = ["| target | measured | service without its rules | |", "|---|---|---|---|"]
    for name, row in found.items():
        ceiling = row.get("without_rules")
        lines.append(
            f"| {name} | {row['measured']} | {'—' if ceiling is None else ceiling} "
            f"| {'met' if row['met'] else '**not met**'} |"
        )
    return lines
