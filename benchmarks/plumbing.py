"""The service with its clinical work taken out: the ceiling of any work on facts and rules.

    python -m benchmarks.plumbing serve [the arguments of `her2-cds serve`]

Runs `her2-cds serve` with the pipeline's call into the rules (`cards.answer`: the draft orders,
the facts, the rules, the cards) replaced by an answer of no cards. Everything else a call costs
the service stays: reading and validating the request, resolving the prefetch, the audit record,
the metrics, the log line, the JSON answer. The benchmark serves it beside the service and the
floor: its rate over the floor's is the most any speed-up of the rules could bring.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from cards import Evaluation
from cds_service import cli, pipeline


def no_cards(*_: Any, **__: Any) -> Evaluation:
    return Evaluation(cards=[], rule_errors=())


@contextlib.contextmanager
def without_rules() -> Iterator[None]:
    """Within the block, the service of this process answers every call with no cards."""
    kept = pipeline.answer  # type: ignore[attr-defined]
    pipeline.answer = no_cards  # type: ignore[attr-defined]
    try:
        yield
    finally:
        pipeline.answer = kept  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    with without_rules():  # the workers fork from this process and keep it
        return cli.main(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
