"""Per-application objects (settings, stores, verifier), kept in `app.extensions`."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import request

from cards import CardsConfig, knowledge_version
from cds_service.audit_writer import AuditWriter
from cds_service.auth import AuthenticatedClient, AuthenticationError, JwtVerifier
from cds_service.errors import ApiError
from cds_service.feedback_store import FeedbackStore
from cds_service.fhir_server_policy import (
    FhirServerRejected,
    check_fhir_server,
    check_patient_binding,
)
from cds_service.hook_request import HookRequest
from cds_service.metrics import Metrics, auth_reason_class
from cds_service.replay_cache import ReplayCacheUnavailable
from cds_service.settings import Settings

log = logging.getLogger("her2cds.auth")


class Unauthenticated(Exception):
    """Rendered as a bare 401; the reason is logged, never sent."""


@dataclass
class ServiceState:
    settings: Settings
    cards_config: CardsConfig
    feedback: FeedbackStore
    verifier: JwtVerifier | None  # None when HER2CDS_AUTH=off
    metrics: Metrics = field(default_factory=Metrics)
    audit: AuditWriter | None = None

    def record_audit(
        self,
        service_id: str,
        hook_instance: str,
        cards: Sequence[Mapping[str, Any]],
        client: AuthenticatedClient | None,
    ) -> None:
        """Queued for the audit writer (cds_service.audit_writer), which never raises: a
        failed write is logged and counted, and the cards still go out: a safety card
        withheld for want of an audit row helps no one."""
        if self.audit is None:
            return
        self.audit.submit(
            hook_instance=hook_instance,
            service_id=service_id,
            client_iss=client.iss if client else None,
            knowledge_version=knowledge_version(),
            cards=cards,
        )

    def flush_audit(self) -> None:
        """Every audit record of this process written: readers of the audit call it first."""
        if self.audit is not None and not self.audit.flush():
            log.error("audit writer did not finish in time; the report may miss recent calls")

    def audience(self, path: str) -> str:
        """The JWT `aud` for an endpoint: the configured public URL, never the Host header."""
        base = self.settings.public_base_url or request.host_url.rstrip("/")
        return base + path

    def authenticate(self, path: str) -> AuthenticatedClient | None:
        if self.verifier is None:
            return None
        try:
            client = self.verifier.verify(request.headers.get("Authorization"), self.audience(path))
        except AuthenticationError as exc:
            self.metrics.auth_rejected(auth_reason_class(exc.reason))
            log.warning("authentication failed", extra={"auth_reason": exc.reason})
            raise Unauthenticated from exc
        except ReplayCacheUnavailable as exc:
            self.metrics.auth_rejected("replay_cache_unavailable")
            log.error("replay cache unavailable", extra={"error_type": type(exc).__name__})
            raise ApiError(503, "The service cannot verify requests right now.") from exc
        return client

    def checked_fhir_server(
        self, hook_request: HookRequest, client: AuthenticatedClient | None
    ) -> str:
        """The request's fhirServer, if this client may send it; else a 403."""
        allowed = client.fhir_servers if client else self.settings.fhir_servers
        authorization = hook_request.fhir_authorization
        try:
            check_patient_binding(
                authorization.patient if authorization else None, hook_request.patient_id
            )
            return check_fhir_server(
                hook_request.fhir_server or "",
                allowed=allowed,
                allow_loopback_http=self.settings.fhir_allow_loopback_http,
            )
        except FhirServerRejected as exc:
            self.metrics.fhir_query(None, "refused_by_policy")
            raise ApiError(
                403, f"fhirServer refused: {exc.reason}.", expression=["fhirServer"]
            ) from exc
