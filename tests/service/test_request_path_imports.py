"""The request path stays light: after start-up and hook calls that return cards with suggested
orders, `fhir.resources` (pydantic R4B models, ~15 MB per worker) has not been imported; it
loads only when someone reads `PatientFacts.data_quality` (tests, tools)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys, tempfile
sys.path.insert(0, {root!r})
from benchmarks import corpus
from cds_service.app import create_app
from cds_service.settings import Settings
app = create_app(Settings(database_url=f"sqlite:///{{tempfile.mkdtemp()}}/t.sqlite3",
                          log_level="ERROR"))
client = app.test_client()
cards = 0
for name, (service_id, make) in corpus.SCENARIOS.items():
    response = client.post(f"/cds-services/{{service_id}}", json=make())
    assert response.status_code == 200, response.get_data(as_text=True)
    cards += len(response.get_json()["cards"])
app.extensions["her2cds"].feedback.dispose()
print(json.dumps({{"cards": cards, "loaded": "fhir.resources" in sys.modules}}))
"""


def test_hook_calls_do_not_import_the_r4b_models() -> None:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(root=str(ROOT))],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = run.stdout.strip().splitlines()[-1]
    assert result == '{"cards": 1, "loaded": false}', run.stderr[-2000:]
