"""The application factory: one Flask app per Settings, nothing at module level."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request
from flask_cors import CORS

from cards import CardsConfig, Hook, HookInput, Identifiers, evaluate, load_all_tables
from cds_service.audit import AuditTrail
from cds_service.audit_writer import AuditWriter
from cds_service.auth import JwtVerifier
from cds_service.errors import register_error_handlers, unauthorized
from cds_service.feedback_store import FeedbackStore
from cds_service.log_format import configure_logging
from cds_service.metrics import Metrics
from cds_service.ops_views import operations
from cds_service.replay_cache import MemoryReplayCache, RedisReplayCache, ReplayCache
from cds_service.settings import Settings
from cds_service.state import ServiceState, Unauthenticated
from cds_service.trusted_clients import load_trusted_clients
from cds_service.validation import fast_validator
from cds_service.views import blueprint
from fhir_mappings import TERMINOLOGY_TABLES, MappingConfig, build_patient_facts, load_terminology

log = logging.getLogger("her2cds.service")

_REQUEST_ID = re.compile(r"[A-Za-z0-9\-]{8,64}")


def startup_warnings(settings: Settings) -> list[str]:
    """What an operator should know about this configuration, each only when it is true.
    With HER2CDS_AUTH=required the trusted-clients file's per-client `fhir_servers` are the
    allowlist (a client without one is refused at start-up), so HER2CDS_FHIR_SERVERS does not
    matter then."""
    warnings = []
    if settings.auth == "off":
        warnings.append(
            "HER2CDS_AUTH=off: requests are not authenticated; use HER2CDS_AUTH=required in "
            "production"
        )
        if settings.fhir_servers is None:
            warnings.append(
                "HER2CDS_FHIR_SERVERS is unset: the service will query any fhirServer a request "
                "names; set it (or use HER2CDS_AUTH=required with per-client fhir_servers)"
            )
    return warnings


def _verifier(settings: Settings, *, announce: bool) -> JwtVerifier | None:
    if settings.auth == "off":
        return None
    assert settings.trusted_clients_file is not None  # Settings.check() guarantees it
    cache: ReplayCache = (
        RedisReplayCache(settings.redis_url) if settings.redis_url else MemoryReplayCache()
    )
    return JwtVerifier(
        load_trusted_clients(settings.trusted_clients_file, warn=announce),
        replay_cache=cache,
        allowed_algorithms=settings.jwt_algorithms,
    )


def warm_up(cards_config: CardsConfig, mapping_config: MappingConfig) -> None:
    """Validate every knowledge and terminology table and run each hook once on an empty
    record: a broken table stops the service at start-up, and the first real request does
    not pay for loading (about 130 ms)."""
    for name in TERMINOLOGY_TABLES:
        load_terminology(name)
    load_all_tables()
    now = datetime.now(UTC)
    facts = build_patient_facts([], now=now, config=mapping_config)
    for hook in Hook:
        evaluate(HookInput(hook=hook, patient_id="warm-up", facts=facts), cards_config)


def create_app(settings: Settings | None = None, *, announce: bool = True) -> Flask:
    """The app for `settings`. `announce=False` builds it without logging the start-up
    warnings: `her2-cds serve` says them once in the master, not again in every worker."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    if announce:
        for warning in startup_warnings(settings):
            log.warning(warning)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]

    cards_config = CardsConfig(
        threshold_overrides=settings.threshold_overrides,
        identifiers=Identifiers.for_deployment(settings.public_base_url),
    )
    warm_up(cards_config, settings.mapping_config)
    fast_validator("request")  # compiled once here, not on the first call
    feedback = FeedbackStore(settings.database_url)
    feedback.create_schema()
    metrics = Metrics(settings.metrics_dir)
    audit = AuditWriter(
        AuditTrail(feedback.engine),
        on_failed=metrics.audit_failures.inc,
        on_queue_full=metrics.audit_queue_full.inc,
    )
    feedback.before_dispose(audit.close)
    app.extensions["her2cds"] = ServiceState(
        settings=settings,
        cards_config=cards_config,
        feedback=feedback,
        verifier=_verifier(settings, announce=announce),
        metrics=metrics,
        audit=audit,
    )
    CORS(
        app,
        origins=list(settings.cors_origins),
        methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
        # CORS headers only for a request that names its Origin (a browser's): an EHR's
        # server-to-server call names none, and computing them cost every call ~20 us.
        always_send=False,
    )
    _cors_only_with_origin(app)
    register_error_handlers(app)
    _register_request_hooks(app)
    app.register_blueprint(blueprint)
    if settings.demo and settings.auth == "off":  # the demo page sends no JWT
        from cds_service.demo import blueprint as demo_blueprint

        app.register_blueprint(demo_blueprint)
    app.register_blueprint(operations)  # also counts every request (after_app_request)
    return app


def _cors_only_with_origin(app: Flask) -> None:
    """Flask-CORS's after-request function, run only for a request with an `Origin` header.
    Without one it adds nothing (`always_send=False`), but still matched the path against its
    resource patterns first: ~15 us on every EHR call."""
    funcs = app.after_request_funcs.setdefault(None, [])
    for index, func in enumerate(funcs):
        if getattr(func, "__name__", "") == "cors_after_request":
            funcs[index] = _with_origin_only(func)


def _with_origin_only(cors: Callable[[Any], Any]) -> Callable[[Response], Response]:
    def cors_after_request(response: Response) -> Response:
        return cors(response) if "Origin" in request.headers else response

    cors_after_request.wrapped = cors  # type: ignore[attr-defined]
    return cors_after_request


def _register_request_hooks(app: Flask) -> None:
    """A bare 401 for Unauthenticated; a request id and one JSON log line per request."""

    @app.errorhandler(Unauthenticated)
    def _unauthenticated(_error: Unauthenticated) -> Response:
        return unauthorized()

    @app.before_request
    def _start() -> None:
        offered = request.headers.get("X-Request-Id", "")
        g.request_id = offered if _REQUEST_ID.fullmatch(offered) else str(uuid.uuid4())
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        request_id = g.get("request_id", "")
        response.headers["X-Request-Id"] = request_id
        if not log.isEnabledFor(logging.INFO):  # nothing to build for a line not written
            return response
        started = g.get("started")
        rule = request.url_rule
        extra = {
            "request_id": request_id or None,
            "service_id": g.get("service_id"),
            "hook": g.get("hook"),
            "method": request.method,
            "endpoint": rule.rule if rule is not None else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1)
            if started is not None
            else 0.0,
        }
        log_extra = g.get("log_extra")
        if log_extra:
            extra.update(log_extra)
        log.info("request", extra=extra)
        return response
