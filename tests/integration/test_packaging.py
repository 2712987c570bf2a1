"""The distribution the Dockerfile installs (`pip install .`) carries every knowledge table and
schema: a wheel missing one would start and then fail, or worse, answer without its rules."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]
PACKAGES = ("cds_service", "fhir_mappings", "cards")


def test_the_wheel_ships_every_data_and_schema_file(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("her2_cds_hooks-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for folder in ("data", "schemas")
        for path in (ROOT / package / folder).glob("*.json")
    } | {  # the sample patients and the demo page's static files
        str(path.relative_to(ROOT))
        for folder in ("samples/data", "demo/static", "demo/templates")
        for path in (ROOT / "cds_service" / folder).glob("*")
    }
    assert len(expected) > 20
    expected |= {  # the database migrations run at start-up, and the report page's template
        str(path.relative_to(ROOT))
        for pattern in ("migrations/*.py", "migrations/*.mako", "migrations/versions/*.py")
        for path in (ROOT / "cds_service").glob(pattern)
    }
    assert expected <= names, sorted(expected - names)
    assert not any(name.startswith("tests/") for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "her2-cds = cds_service.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
