"""`her2-cds serve` (gunicorn) and `her2-cds evaluate` (one request, offline)."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cds_service.errors import ApiError
from cds_service.settings import Settings, SettingsError


def _serve(args: argparse.Namespace) -> int:
    from gunicorn.app.base import BaseApplication
    from sqlalchemy.exc import SQLAlchemyError

    from cds_service.app import create_app
    from cds_service.trusted_clients import ConfigurationError

    settings = Settings.from_env()
    # Build the app once in the master: a bad trusted-clients file or database URL stops
    # `serve` here with one clear message, instead of every worker dying on boot.
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
            if "control_socket_disable" in self.cfg.settings:  # replicas would share its path
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            app = create_app(settings)
            # The ~130,000 objects of start-up (tables, models, schemas) live as long as the
            # worker: out of the collector's sight, a full collection no longer walks them
            # (a 5,000-Observation call: 60 -> 43 ms of CPU in process).
            gc.freeze()
            return app

    _Gunicorn().run()
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from cards import CardsConfig
    from cds_service.pipeline import run_hook
    from cds_service.services import SERVICES, find_service
    from cds_service.validation import check

    try:
        text = sys.stdin.read() if args.request == "-" else Path(args.request).read_text()
    except OSError as exc:
        print(f"her2-cds evaluate: cannot read {args.request}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        body = json.loads(text)
    except ValueError:
        print("her2-cds evaluate: the request is not valid JSON", file=sys.stderr)
        return 2
    try:
        check("request", body)
        service_id = args.service or next(
            (s.id for s in SERVICES if s.hook.value == body.get("hook")), None
        )
        service = find_service(service_id) if service_id else None
        if service is None:
            hooks = ", ".join(s.hook.value for s in SERVICES)
            raise ApiError(400, f"no service for this request; hooks served: {hooks}")
        settings = Settings.from_env()
        result = run_hook(
            service,
            body,
            cards_config=CardsConfig(threshold_overrides=settings.threshold_overrides),
            client_factory=None,  # offline: prefetch only, never the network
        )
    except ApiError as exc:
        print(f"her2-cds evaluate: HTTP {exc.status}: {exc.message}", file=sys.stderr)
        return 1
    json.dump(result.response, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="her2-cds", description="CDS Hooks 2.0 service for HER2-positive breast cancer."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the service under gunicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--threads", type=int, default=4)
    serve.set_defaults(handler=_serve)
    evaluate = commands.add_parser(
        "evaluate", help="answer one CDS Hooks request offline and print the response"
    )
    evaluate.add_argument("request", help="request JSON file, or - for standard input")
    evaluate.add_argument("--service", help="service id (default: the one for the request's hook)")
    evaluate.set_defaults(handler=_evaluate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except SettingsError as exc:
        print(f"her2-cds: configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
