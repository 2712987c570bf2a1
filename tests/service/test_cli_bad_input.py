"""Every bad command line gets one clear line on standard error and a non-zero exit, never a
traceback; the errors name what was wrong (the port, the service id, the hook, the file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cds_service.cli import main

FIXTURES = Path(__file__).parent.parent / "fixtures"
REQUEST = FIXTURES / "derived/order-select-her2-mbc-th.json"


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cds_service.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_one_clean_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    for word in words:
        assert word in last, result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--port", "99999"], ["--port", "99999", "from 1 to 65535"]),
        (["--port", "0"], ["--port", "from 1 to 65535"]),
        (["--port", "http"], ["--port", "'http' is not a whole number"]),
        (["--workers", "0"], ["--workers", "at least 1"]),
        (["--workers", "-3"], ["--workers", "at least 1"]),
        (["--threads", "0"], ["--threads", "at least 1"]),
    ],
)
def test_serve_refuses_bad_numbers_before_starting(args: list[str], words: list[str]) -> None:
    result = run_cli("serve", *args)
    assert result.returncode == 2  # argparse's usage error
    assert_one_clean_line(result, *words)


def test_evaluate_says_an_empty_file_is_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("\n")
    result = run_cli("evaluate", str(empty))
    assert_one_clean_line(result, "empty file", str(empty))
    assert_one_clean_line(run_cli("evaluate", "-", stdin=""), "standard input", "empty file")


def test_evaluate_names_an_unknown_service_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(REQUEST), "--service", "her2-order-selekt"]) == 1
    err = capsys.readouterr().err
    assert "'her2-order-selekt'" in err
    assert "her2-breast-cancer-order-select" in err  # the ids that exist


def test_evaluate_names_an_unknown_hook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = json.loads(REQUEST.read_text())
    body["hook"] = "order-dispatch"
    path = tmp_path / "dispatch.json"
    path.write_text(json.dumps(body))
    assert main(["evaluate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "'order-dispatch'" in err
    assert "patient-view" in err


def test_evaluate_names_the_service_that_does_not_answer_the_hook(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["evaluate", str(REQUEST), "--service", "her2-breast-cancer-patient-view"]) == 1
    err = capsys.readouterr().err
    assert "patient-view hook, not 'order-select'" in err
    assert "HTTP" not in err


def test_evaluate_refuses_a_json_value_that_is_not_a_request(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    result = run_cli("evaluate", str(path))
    assert_one_clean_line(result, "no service for the hook None")


def test_evaluate_refuses_a_folder_and_a_binary_file(tmp_path: Path) -> None:
    assert_one_clean_line(run_cli("evaluate", str(tmp_path)), "cannot read")
    binary = tmp_path / "x.json"
    binary.write_bytes(b"\xff\xfe\x00")
    assert_one_clean_line(run_cli("evaluate", str(binary)), "not UTF-8")


def test_an_unknown_subcommand_is_a_usage_error() -> None:
    result = run_cli("launch")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
