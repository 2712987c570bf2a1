"""Start-up warnings are said only when true, and once per `her2-cds serve`, not per worker."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from cds_service.app import create_app, startup_warnings
from cds_service.settings import Settings
from tests.support.service_process import free_port

SANDBOX_JWKS = Path(__file__).parent.parent / "fixtures/cds-hooks/cds-hooks-sandbox/jwks.json"


def test_auth_off_without_an_allowlist_warns_of_both() -> None:
    warnings = startup_warnings(Settings())
    assert any("HER2CDS_AUTH=off" in w for w in warnings)
    assert any("HER2CDS_FHIR_SERVERS is unset" in w for w in warnings)


def test_auth_off_with_an_allowlist_does_not_warn_of_it() -> None:
    warnings = startup_warnings(Settings(fhir_servers=("https://ehr.example.org/fhir",)))
    assert not any("HER2CDS_FHIR_SERVERS" in w for w in warnings)


def test_per_client_fhir_servers_count_as_the_allowlist(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clients = tmp_path / "clients.json"
    clients.write_text(
        json.dumps(
            [
                {
                    "iss": "https://ehr.example.org",
                    "jku": "https://ehr.example.org/jwks.json",
                    "fhir_servers": ["https://ehr.example.org/fhir"],
                }
            ]
        )
    )
    settings = Settings(
        auth="required",
        trusted_clients_file=clients,
        public_base_url="https://cds.example.org",
        database_url=f"sqlite:///{tmp_path / 'f.sqlite3'}",
    )
    assert startup_warnings(settings) == []
    caplog.set_level(logging.WARNING, logger="her2cds")
    create_app(settings).extensions["her2cds"].feedback.dispose()
    assert "HER2CDS_FHIR_SERVERS" not in caplog.text


def test_a_silent_build_says_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    clients = tmp_path / "clients.json"
    clients.write_text(
        json.dumps(
            [
                {
                    "iss": "https://sandbox.cds-hooks.org",
                    "jwks_file": str(SANDBOX_JWKS),
                    "fhir_servers": ["https://ehr.example.org/fhir"],
                }
            ]
        )
    )
    caplog.set_level(logging.WARNING, logger="her2cds")
    settings = Settings(
        auth="required",
        trusted_clients_file=clients,
        public_base_url="https://cds.example.org",
        database_url=f"sqlite:///{tmp_path / 'f.sqlite3'}",
    )
    create_app(settings, announce=False).extensions["her2cds"].feedback.dispose()
    assert caplog.text == ""
    create_app(settings).extensions["her2cds"].feedback.dispose()
    assert "signing key is public" in caplog.text


@pytest.mark.integration
def test_serve_with_two_workers_warns_once(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "HER2CDS_DATABASE_URL": f"sqlite:///{tmp_path / 'f.sqlite3'}",
        "HER2CDS_AUTH": "off",
    }
    env.pop("HER2CDS_FHIR_SERVERS", None)
    command = [sys.executable, "-m", "cds_service.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", "2"], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        ready = 0
        while ready < 4 and time.monotonic() < deadline:  # a few answers: both workers up
            try:
                ready += requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok
            except requests.RequestException:
                time.sleep(0.2)
        assert ready == 4, "the service did not start"
        time.sleep(1)  # let the second worker finish booting
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert stderr.count("HER2CDS_AUTH=off") == 1, stderr
    assert stderr.count("HER2CDS_FHIR_SERVERS is unset") == 1, stderr
