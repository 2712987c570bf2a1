"""One hook call, from a validated request body to cards: the service's only pipeline.

Used by the HTTP endpoint and by `her2-cds evaluate` alike, so what the CLI prints is
what the service answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cards import CardsConfig, DataGap, Evaluation, HookInput, evaluate
from cds_service.errors import ApiError
from cds_service.prefetch import ClientFactory, PrefetchUnavailable, ResolvedData, resolve_prefetch
from cds_service.services import CdsService, prefetch_keys
from fhir_mappings import MappingConfig, build_patient_facts, read_draft_orders


@dataclass(frozen=True)
class HookResult:
    response: dict[str, Any]
    evaluation: Evaluation
    data: ResolvedData


def check_hook_matches(service: CdsService, body: Mapping[str, Any]) -> None:
    if body.get("hook") != service.hook.value:
        raise ApiError(
            400,
            f"This service answers the {service.hook.value} hook, not {body.get('hook')!r}.",
            expression=["hook"],
        )


def check_prefetch_patient(body: Mapping[str, Any]) -> None:
    """A prefetched Patient must be the patient of the context: never mix two patients."""
    patient = (body.get("prefetch") or {}).get("patient")
    context_id = body["context"]["patientId"]
    if (
        isinstance(patient, dict)
        and patient.get("resourceType") == "Patient"
        and patient.get("id") not in (None, context_id)
    ):
        raise ApiError(
            400,
            "prefetch.patient is not the patient named in context.patientId.",
            expression=["prefetch.patient"],
        )


def run_hook(
    service: CdsService,
    body: Mapping[str, Any],
    *,
    cards_config: CardsConfig,
    client_factory: ClientFactory | None,
    mapping_config: MappingConfig,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> HookResult:
    """Resolve the data, build the facts, run the rules. Raises ApiError(412) when the
    required data cannot be had."""
    check_hook_matches(service, body)
    check_prefetch_patient(body)
    context = body["context"]
    try:
        data = resolve_prefetch(
            prefetch_keys(),
            context=context,
            prefetch=body.get("prefetch"),
            client_factory=client_factory,
        )
    except PrefetchUnavailable as exc:
        raise ApiError(
            412, str(exc), expression=[f"prefetch.{g.key}" for g in exc.missing]
        ) from exc
    moment = now()
    facts = build_patient_facts(data.resources, now=moment, config=mapping_config)
    draft_bundle = context.get("draftOrders")
    orders = read_draft_orders(
        draft_bundle,
        context.get("selections") or (),
        hook=service.hook.value,
        resources=data.resources,
    )
    evaluation = evaluate(
        HookInput(
            hook=service.hook,
            patient_id=context["patientId"],
            facts=facts,
            orders=orders,
            gaps=data.gaps,
        ),
        cards_config,
    )
    return HookResult(response={"cards": evaluation.cards}, evaluation=evaluation, data=data)


def gap_summary(gaps: tuple[DataGap, ...]) -> list[str]:
    """Prefetch keys that could not be obtained, for the log (keys only, no values)."""
    return sorted({gap.key for gap in gaps})
