"""The operations settings: metrics directory and port, audit retention, report page."""

from __future__ import annotations

from pathlib import Path

import pytest

from cds_service.settings import Settings, SettingsError


def test_defaults_keep_everything_and_serve_no_extra_port() -> None:
    settings = Settings.from_env({})
    assert settings.metrics_dir is None and settings.metrics_port is None
    assert settings.audit_retention_days is None and settings.report_page is False


def test_every_operations_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "HER2CDS_METRICS_DIR": "/var/lib/her2cds/metrics",
            "HER2CDS_METRICS_PORT": "9108",
            "HER2CDS_AUDIT_RETENTION_DAYS": "730",
            "HER2CDS_REPORT_PAGE": "yes",
        }
    )
    assert settings.metrics_dir == Path("/var/lib/her2cds/metrics")
    assert settings.metrics_port == 9108
    assert settings.audit_retention_days == 730
    assert settings.report_page is True


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("METRICS_PORT", "http", "HER2CDS_METRICS_PORT must be a whole number"),
        ("METRICS_PORT", "70000", "HER2CDS_METRICS_PORT must be a TCP port"),
        ("METRICS_PORT", "0", "HER2CDS_METRICS_PORT must be greater than 0"),
        ("AUDIT_RETENTION_DAYS", "-1", "HER2CDS_AUDIT_RETENTION_DAYS must be greater than 0"),
        ("AUDIT_RETENTION_DAYS", "a year", "HER2CDS_AUDIT_RETENTION_DAYS must be a whole number"),
        ("REPORT_PAGE", "maybe", "HER2CDS_REPORT_PAGE must be true or false"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({f"HER2CDS_{variable}": value})


def test_a_bad_setting_stops_the_purge_command_with_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "cds_service.cli", "purge"],
        env={"PATH": "/usr/bin:/bin", "HER2CDS_AUDIT_RETENTION_DAYS": "soon"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "her2-cds: configuration error: HER2CDS_AUDIT_RETENTION_DAYS must be a whole number, "
        "not 'soon'"
    ]
