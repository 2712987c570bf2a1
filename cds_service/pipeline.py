"""One hook call, from a validated request (`HookRequest`) to cards: the service's only pipeline.

Used by the HTTP endpoint and by `her2-cds evaluate` alike, so what the CLI prints is
what the service answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cards import CardsConfig, DataGap, Evaluation, answer
from cds_service.errors import ApiError
from cds_service.hook_request import HookRequest
from cds_service.prefetch import ClientFactory, PrefetchUnavailable, ResolvedData, resolve_prefetch
from cds_service.services import CdsService, prefetch_keys
from fhir_mappings import MappingConfig, reading_once


@dataclass(frozen=True)
class HookResult:
    response: dict[str, Any]
    evaluation: Evaluation
    data: ResolvedData


def check_hook_matches(service: CdsService, request: HookRequest) -> None:
    if request.hook != service.hook.value:
        raise ApiError(
            400,
            f"This service answers the {service.hook.value} hook, not {request.hook!r}.",
            expression=["hook"],
        )


def check_prefetch_patient(request: HookRequest) -> None:
    """A prefetched Patient must be the patient of the context: never mix two patients."""
    patient = (request.prefetch or {}).get("patient")
    if (
        isinstance(patient, dict)
        and patient.get("resourceType") == "Patient"
        and patient.get("id") not in (None, request.patient_id)
    ):
        raise ApiError(
            400,
            "prefetch.patient is not the patient named in context.patientId.",
            expression=["prefetch.patient"],
        )


def run_hook(
    service: CdsService,
    request: HookRequest,
    *,
    cards_config: CardsConfig,
    client_factory: ClientFactory | None,
    mapping_config: MappingConfig,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> HookResult:
    """Resolve the data, build the facts, run the rules. Raises ApiError(412) when the
    required data cannot be had."""
    check_hook_matches(service, request)
    check_prefetch_patient(request)
    try:
        data = resolve_prefetch(
            prefetch_keys(),
            context=request.context,
            prefetch=request.prefetch,
            client_factory=client_factory,
        )
    except PrefetchUnavailable as exc:
        raise ApiError(
            412, str(exc), expression=[f"prefetch.{g.key}" for g in exc.missing]
        ) from exc
    with reading_once():  # the facts and the rules read the same codes: once each
        evaluation = answer(
            service.hook,
            patient_id=request.patient_id,
            resources=data.resources,
            draft_orders=request.draft_orders,
            selections=request.selections,
            gaps=data.gaps,
            now=now(),
            cards_config=cards_config,
            mapping_config=mapping_config,
        )
    return HookResult(response={"cards": evaluation.cards}, evaluation=evaluation, data=data)


def gap_summary(gaps: tuple[DataGap, ...]) -> list[str]:
    """Prefetch keys that could not be obtained, for the log (keys only, no values)."""
    return sorted({gap.key for gap in gaps})
