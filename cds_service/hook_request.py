"""The request edge: one schema-validated CDS Hooks call as a frozen, typed value.

Built once by `HookRequest.from_body` after `validation.check("request", body)`; the views,
the service state and the pipeline read this, never the raw body, so each field is
interpreted in one place. Nested JSON (context, draft orders, prefetch) is kept as read-only
mappings: the mapping layer reads it as FHIR JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class FhirAuthorization:
    """The request's `fhirAuthorization`: the bearer token for `fhirServer` and its patient."""

    access_token: str
    patient: str | None  # the patient the token is bound to, when the EHR says so


@dataclass(frozen=True)
class HookRequest:
    hook: str
    hook_instance: str
    patient_id: str
    user_id: str | None  # context.userId, e.g. "Practitioner/123"
    encounter_id: str | None  # context.encounterId, when the EHR sends it
    context: Mapping[str, Any]  # the whole context, for prefetch template tokens
    fhir_server: str | None
    fhir_authorization: FhirAuthorization | None
    draft_orders: Mapping[str, Any] | None  # the draftOrders Bundle (order hooks)
    selections: tuple[str, ...]  # order-select's selected draft references
    prefetch: Mapping[str, Any] | None

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> HookRequest:
        """The typed request; `body` must already have passed the request schema."""
        context = body["context"]
        authorization = body.get("fhirAuthorization")
        prefetch = body.get("prefetch")
        drafts = context.get("draftOrders")
        return cls(
            hook=body["hook"],
            hook_instance=body["hookInstance"],
            patient_id=context["patientId"],
            user_id=_text(context.get("userId")),
            encounter_id=_text(context.get("encounterId")),
            context=MappingProxyType(context),
            fhir_server=body.get("fhirServer") or None,
            fhir_authorization=(
                FhirAuthorization(
                    access_token=authorization.get("access_token"),
                    patient=authorization.get("patient"),
                )
                if authorization
                else None
            ),
            draft_orders=MappingProxyType(drafts) if drafts is not None else None,
            selections=tuple(context.get("selections") or ()),
            prefetch=MappingProxyType(prefetch) if prefetch is not None else None,
        )

    @property
    def access_token(self) -> str | None:
        return self.fhir_authorization.access_token if self.fhir_authorization else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
