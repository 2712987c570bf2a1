"""`her2-cds evaluate`: one request offline, on the shared third-party fixtures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cds_service.cli import main
from cds_service.validation import validator

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.mark.parametrize(
    "name",
    [
        "cds-hooks/HL7-davinci-crd/CRDServiceRequest.json",
        "derived/order-select-her2-mbc-th.json",
    ],
)
def test_evaluate_prints_a_valid_response(
    name: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = FIXTURES / name
    assert main(["evaluate", str(path)]) == 0
    response = json.loads(capsys.readouterr().out)
    validator("response").validate(response)


def test_evaluate_reads_stdin_through_the_console_script(tmp_path: Path) -> None:
    request = (FIXTURES / "cds-hooks/HL7-davinci-crd/CRDServiceRequest.json").read_text()
    result = subprocess.run(
        [sys.executable, "-m", "cds_service.cli", "evaluate", "-"],
        input=request,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    validator("response").validate(json.loads(result.stdout))


def test_evaluate_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    assert main(["evaluate", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"hook": "order-select"}))
    assert main(["evaluate", str(invalid)]) == 1
    err = capsys.readouterr().err
    assert "hookInstance" in err
    assert "HTTP" not in err
    assert main(["evaluate", str(tmp_path / "missing.json")]) == 2
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000)
    assert main(["evaluate", str(deep)]) == 2
    assert "nested too deeply" in capsys.readouterr().err


def test_evaluate_without_the_patient_says_412(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"patientId": "1288992", "userId": "Practitioner/example"},
    }
    path = tmp_path / "pv.json"
    path.write_text(json.dumps(request))
    assert main(["evaluate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Required data could not be obtained" in err
    assert "HTTP" not in err


def test_serve_refuses_a_bad_configuration_before_forking(tmp_path: Path) -> None:
    clients = tmp_path / "clients.json"
    clients.write_text('[{"iss": "https://ehr.example.org"}]')
    env = {
        "PATH": "/usr/bin:/bin",
        "HER2CDS_AUTH": "required",
        "HER2CDS_TRUSTED_CLIENTS": str(clients),
        "HER2CDS_PUBLIC_BASE_URL": "https://cds.example.org",
        "HER2CDS_DATABASE_URL": f"sqlite:///{tmp_path / 'f.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "cds_service.cli", "serve", "--port", "8080"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "fhir_servers" in result.stderr


def test_settings_errors_name_the_variable(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cds_service.cli", "serve"],
        env={"PATH": "/usr/bin:/bin", "HER2CDS_FHIR_TIMEOUT_S": "soon"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "HER2CDS_FHIR_TIMEOUT_S" in result.stderr


def test_a_malformed_fhir_server_setting_stops_start_up() -> None:
    from cds_service.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="HER2CDS_FHIR_SERVERS"):
        Settings.from_env({"HER2CDS_FHIR_SERVERS": "https://ehr.example.org/fhir,ftp://x"})
    settings = Settings.from_env({"HER2CDS_FHIR_SERVERS": "HTTPS://EHR.example.org:443/fhir/"})
    assert settings.fhir_servers == ("https://ehr.example.org/fhir",)
