"""The framework floor: a minimal Flask app that does what any Flask CDS service must.

It reads and parses the request JSON exactly as the service does (`json.loads` of the body)
and answers a fixed body: for each service path, the response the real service gave to the
benchmark's request, loaded from the file named by $FLOOR_BODIES. Served by the same gunicorn
configuration as the service (`her2-cds serve`: 2 workers, 4 threads), so the ratio
service/floor is the cost of the service's own work.

    FLOOR_BODIES=bodies.json python -m gunicorn -w 2 --threads 4 \
        'benchmarks.floor_app:create_app()'
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response, request

_DISCOVERY = json.dumps({"services": []}).encode()


def create_app() -> Flask:
    bodies_file = os.environ.get("FLOOR_BODIES")
    bodies: dict[str, str] = json.loads(Path(bodies_file).read_text()) if bodies_file else {}
    fixed = {key: value.encode() for key, value in bodies.items()}
    app = Flask(__name__)

    @app.get("/cds-services")
    def discovery() -> Response:
        return Response(_DISCOVERY, mimetype="application/json")

    @app.post("/cds-services/<service_id>")
    def call(service_id: str) -> Response:
        body = json.loads(request.get_data())
        if not isinstance(body, dict):
            return Response(b'{"error": "not an object"}', status=400)
        answer = fixed.get(request.headers.get("X-Bench-Scenario", ""), b'{"cards": []}')
        return Response(answer, mimetype="application/json")

    return app
