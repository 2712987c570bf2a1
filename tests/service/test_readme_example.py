"""The README's example request answers what the README says it answers."""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskClient

from cds_service.validation import validator

ROOT = Path(__file__).parents[2]


def test_the_readme_example_gives_the_card_the_readme_shows(client: FlaskClient) -> None:
    request = json.loads((ROOT / "examples/order-select-her2-mbc.json").read_text())
    response = client.post("/cds-services/her2-breast-cancer-order-select", json=request)
    assert response.status_code == 200
    document = response.get_json()
    validator("response").validate(document)
    readme = (ROOT / "README.md").read_text()
    assert [card["summary"] for card in document["cards"]] == [
        "Add pertuzumab 840 mg loading dose to trastuzumab + docetaxel"
    ]
    card = document["cards"][0]
    assert f'"summary": "{card["summary"]}"' in readme
    assert card["source"]["label"] in readme
    action = card["suggestions"][0]["actions"][0]
    assert (
        action["resource"]["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 840
    )
    assert action["description"] in readme
    for line in ("trastuzumab 560 mg (8 mg/kg) loading", "docetaxel 134 mg (75 mg/m²)"):
        assert line in card["detail"] and line in readme
