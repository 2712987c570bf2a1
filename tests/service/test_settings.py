"""HER2CDS_* settings: parsed in one place; a bad value stops start-up naming the variable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cds_service.settings import Settings, SettingsError


def test_embedded_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.auth == "off"
    assert settings.fhir_servers is None
    assert settings.cors_origins == ("https://sandbox.cds-hooks.org",)
    assert settings.jwt_algorithms == ("ES384", "RS384")


def test_every_variable_is_read(tmp_path: Path) -> None:
    overrides = tmp_path / "thresholds.json"
    overrides.write_text(json.dumps({"lvef_lln_percent": 55}))
    clients = tmp_path / "clients.json"
    settings = Settings.from_env(
        {
            "HER2CDS_DATABASE_URL": "postgresql://cds@db/cds",
            "HER2CDS_CORS_ORIGINS": "https://a.example, http://localhost:8080",
            "HER2CDS_FHIR_SERVERS": "https://ehr.example.org/fhir/",
            "HER2CDS_FHIR_TIMEOUT_S": "1.5",
            "HER2CDS_FHIR_BUDGET_S": "4",
            "HER2CDS_FHIR_MAX_PAGES": "3",
            "HER2CDS_FHIR_MAX_ENTRIES": "500",
            "HER2CDS_FHIR_ALLOW_LOOPBACK_HTTP": "yes",
            "HER2CDS_AUTH": "required",
            "HER2CDS_TRUSTED_CLIENTS": str(clients),
            "HER2CDS_PUBLIC_BASE_URL": "https://cds.example.org/",
            "HER2CDS_JWT_ALGORITHMS": "ES384,ES256",
            "HER2CDS_REDIS_URL": "redis://cache:6379/0",
            "HER2CDS_MAX_BODY_BYTES": "1000",
            "HER2CDS_LOG_LEVEL": "debug",
            "HER2CDS_THRESHOLDS_FILE": str(overrides),
        }
    )
    assert settings.database_url == "postgresql://cds@db/cds"
    assert settings.cors_origins == ("https://a.example", "http://localhost:8080")
    assert settings.fhir_servers == ("https://ehr.example.org/fhir",)
    assert (settings.fhir_timeout_s, settings.fhir_budget_s) == (1.5, 4.0)
    assert (settings.fhir_max_pages, settings.fhir_max_entries) == (3, 500)
    assert settings.fhir_allow_loopback_http is True
    assert settings.auth == "required" and settings.trusted_clients_file == clients
    assert settings.public_base_url == "https://cds.example.org"
    assert settings.jwt_algorithms == ("ES384", "ES256")
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.max_body_bytes == 1000 and settings.log_level == "DEBUG"
    assert settings.threshold_overrides == {"lvef_lln_percent": 55.0}


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"HER2CDS_AUTH": "maybe"}, "HER2CDS_AUTH"),
        ({"HER2CDS_AUTH": "required"}, "HER2CDS_TRUSTED_CLIENTS"),
        (
            {"HER2CDS_AUTH": "required", "HER2CDS_TRUSTED_CLIENTS": "/x.json"},
            "HER2CDS_PUBLIC_BASE_URL",
        ),
        ({"HER2CDS_JWT_ALGORITHMS": "ES384,HS256"}, "HER2CDS_JWT_ALGORITHMS"),
        ({"HER2CDS_JWT_ALGORITHMS": "none"}, "HER2CDS_JWT_ALGORITHMS"),
        ({"HER2CDS_FHIR_ALLOW_LOOPBACK_HTTP": "perhaps"}, "HER2CDS_FHIR_ALLOW_LOOPBACK_HTTP"),
        ({"HER2CDS_FHIR_BUDGET_S": "0"}, "HER2CDS_FHIR_BUDGET_S"),
        ({"HER2CDS_MAX_BODY_BYTES": "1e6"}, "HER2CDS_MAX_BODY_BYTES"),
        ({"HER2CDS_PUBLIC_BASE_URL": "cds.example.org"}, "HER2CDS_PUBLIC_BASE_URL"),
        ({"HER2CDS_THRESHOLDS_FILE": "/no/such/file.json"}, "HER2CDS_THRESHOLDS_FILE"),
    ],
)
def test_bad_values_name_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(environ)


def test_a_thresholds_file_must_map_names_to_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"lvef_lln_percent": "55"}))
    with pytest.raises(SettingsError, match="name: number"):
        Settings.from_env({"HER2CDS_THRESHOLDS_FILE": str(path)})


def test_blank_values_mean_unset() -> None:
    assert Settings.from_env({"HER2CDS_FHIR_SERVERS": "  "}).fhir_servers is None
