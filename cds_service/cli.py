"""The `her2-cds` command line: one function per subcommand, each registered by its own
`_add_*` function, so a new subcommand is one more registrar in `SUBCOMMANDS`.

Bad arguments are refused by argparse with a one-line message and exit status 2; errors
found while running a subcommand print one line on standard error and return non-zero.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cds_service.errors import ApiError
from cds_service.ops_cli import add_commands as add_operations_commands
from cds_service.settings import Settings, SettingsError


def _bounded_int(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high], refused with a one-line message."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is out of range: must be {bounds}")
        return value

    return parse


def _serve(args: argparse.Namespace) -> int:
    from gunicorn.app.base import BaseApplication
    from sqlalchemy.exc import SQLAlchemyError

    from cds_service.app import create_app
    from cds_service.log_format import lean_log_records
    from cds_service.serve_operations import gunicorn_hooks, prepare_metrics
    from cds_service.trusted_clients import ConfigurationError

    settings = prepare_metrics(Settings.from_env())
    lean_log_records()
    # Build the app once in the master: a bad trusted-clients file or database URL stops
    # `serve` here with one clear message, instead of every worker dying on boot. Start-up
    # warnings are said here, once; the workers build theirs silently.
    if settings.auth == "required" and settings.redis_url is None and args.workers > 1:
        print(
            "her2-cds serve: warning: HER2CDS_REDIS_URL is unset, so each of the "
            f"{args.workers} workers keeps its own JWT replay cache; set it for replay "
            "protection across workers and replicas",
            file=sys.stderr,
        )
    try:
        create_app(settings).extensions["her2cds"].feedback.dispose()
    except (ConfigurationError, SQLAlchemyError, OSError) as exc:
        print(f"her2-cds serve: {exc}", file=sys.stderr)
        return 2

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("threads", args.threads)
            self.cfg.set("timeout", 30)
            self.cfg.set("accesslog", None)  # the service logs each request itself, as JSON
            for name, hook in gunicorn_hooks(settings, args.host).items():
                self.cfg.set(name, hook)
            if "control_socket_disable" in self.cfg.settings:  # replicas would share its path
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            app = create_app(settings, announce=False)
            # The ~130,000 objects of start-up (tables, models, schemas) live as long as the
            # worker: out of the collector's sight, a full collection no longer walks them
            # (a 5,000-Observation call: 60 -> 43 ms of CPU in process).
            gc.freeze()
            return app

    _Gunicorn().run()
    return 0


def _add_serve(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the service under gunicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_bounded_int(1, 65535), default=8080)
    serve.add_argument("--workers", type=_bounded_int(1), default=2)
    serve.add_argument("--threads", type=_bounded_int(1), default=4)
    serve.set_defaults(handler=_serve)


class _EvaluateError(Exception):
    """A request `evaluate` cannot answer; the message is printed as one line."""


def _read_request(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise _EvaluateError(f"cannot read {source}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise _EvaluateError(f"{source} is not UTF-8 text") from None
    name = "standard input" if source == "-" else source
    if not text.strip():
        raise _EvaluateError(f"{name} is an empty file; expected a CDS Hooks request (JSON)")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _EvaluateError(f"{name} is not valid JSON: {exc}") from None
    except RecursionError:
        raise _EvaluateError(f"{name} is nested too deeply to read") from None


def _pick_service(body: Any, service_id: str | None) -> Any:
    from cds_service.services import SERVICES, find_service

    if service_id is not None:
        service = find_service(service_id)
        if service is None:
            known = ", ".join(s.id for s in SERVICES)
            raise _EvaluateError(f"no service with id {service_id!r}; services: {known}")
        return service
    hook = body.get("hook") if isinstance(body, dict) else None
    service = next((s for s in SERVICES if s.hook.value == hook), None)
    if service is None:
        hooks = ", ".join(s.hook.value for s in SERVICES)
        raise _EvaluateError(f"no service for the hook {hook!r}; hooks served: {hooks}")
    return service


def _evaluate(args: argparse.Namespace) -> int:
    from cards import CardsConfig, Identifiers
    from cds_service.hook_request import HookRequest
    from cds_service.pipeline import run_hook
    from cds_service.validation import check

    try:
        body = _read_request(args.request)
    except _EvaluateError as exc:
        print(f"her2-cds evaluate: {exc}", file=sys.stderr)
        return 2
    try:
        service = _pick_service(body, args.service)
        check("request", body)
        settings = Settings.from_env()
        result = run_hook(
            service,
            HookRequest.from_body(body),
            cards_config=CardsConfig(
                threshold_overrides=settings.threshold_overrides,
                identifiers=Identifiers.for_deployment(settings.public_base_url),
            ),
            client_factory=None,  # offline: prefetch only, never the network
            mapping_config=settings.mapping_config,
        )
    except _EvaluateError as exc:
        print(f"her2-cds evaluate: {exc}", file=sys.stderr)
        return 1
    except ApiError as exc:
        # The same refusal the HTTP endpoint gives, in words without HTTP status codes.
        print(f"her2-cds evaluate: request refused: {exc.message}", file=sys.stderr)
        return 1
    json.dump(result.response, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def _add_evaluate(commands: Any) -> None:
    evaluate = commands.add_parser(
        "evaluate", help="answer one CDS Hooks request offline and print the response"
    )
    evaluate.add_argument("request", help="request JSON file, or - for standard input")
    evaluate.add_argument("--service", help="service id (default: the one for the request's hook)")
    evaluate.set_defaults(handler=_evaluate)


def _samples_write(args: argparse.Namespace) -> int:
    from cds_service.samples.loader import write_samples

    try:
        written = write_samples(Path(args.folder))
    except OSError as exc:
        print(f"her2-cds samples write: cannot write to {args.folder}: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


def _samples_load(args: argparse.Namespace) -> int:
    import requests

    from cds_service.fhir_server_policy import FhirServerRejected, normalise_base_url
    from cds_service.samples.loader import LoadError, load_samples, sandbox_url

    try:
        base = normalise_base_url(args.fhir_base)
    except FhirServerRejected as exc:
        print(f"her2-cds samples load: {args.fhir_base!r}: {exc.reason}", file=sys.stderr)
        return 2
    try:
        for loaded in load_samples(base, token=args.token):
            print(f"{loaded.patient_id}\t{loaded.title}")
            print(f"  {sandbox_url(base, loaded.patient_id, args.discovery_url)}")
    except LoadError as exc:
        print(f"her2-cds samples load: {exc}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"her2-cds samples load: cannot reach {base}: {type(exc).__name__}", file=sys.stderr)
        return 1
    return 0


def _add_samples(commands: Any) -> None:
    samples = commands.add_parser("samples", help="the synthetic sample patients")
    actions = samples.add_subparsers(dest="samples_command", required=True)
    write = actions.add_parser("write", help="write the sample FHIR Bundles to a folder")
    write.add_argument("folder")
    write.set_defaults(handler=_samples_write)
    load = actions.add_parser("load", help="load the samples into a FHIR R4 server")
    load.add_argument("fhir_base", metavar="FHIR_BASE", help="e.g. https://fhir.example.org/r4")
    load.add_argument(
        "--token", help="Bearer token for the FHIR server (--token=T when T starts with -)"
    )
    load.add_argument(
        "--discovery-url",
        default="http://localhost:8080/cds-services",
        help="this service's discovery URL, put into the printed sandbox links",
    )
    load.set_defaults(handler=_samples_load)


# One registrar per subcommand, in the order `--help` lists them.
SUBCOMMANDS: tuple[Callable[[Any], None], ...] = (_add_serve, _add_evaluate, _add_samples)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="her2-cds", description="CDS Hooks 2.0 service for HER2-positive breast cancer."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for register in SUBCOMMANDS:
        register(commands)
    add_operations_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except SettingsError as exc:
        print(f"her2-cds: configuration error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `her2-cds evaluate x.json | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
