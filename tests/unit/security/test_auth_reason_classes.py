"""Every reason JwtVerifier gives maps to a metrics label from the closed set, so a change of
wording in auth.py cannot silently move rejections into `other`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cds_service.metrics import AUTH_REASONS, auth_reason_class

AUTH = Path(__file__).parents[3] / "cds_service" / "auth.py"
LITERAL_REASONS = sorted(set(re.findall(r'_fail\(\s*"([^"{}]+)"', AUTH.read_text())))


def test_the_reasons_were_found() -> None:
    assert len(LITERAL_REASONS) > 25
    assert "bad signature" in LITERAL_REASONS and "replayed jti" in LITERAL_REASONS


@pytest.mark.parametrize("reason", LITERAL_REASONS)
def test_each_reason_has_a_class(reason: str) -> None:
    assert auth_reason_class(reason) in AUTH_REASONS
    assert auth_reason_class(reason) != "other", reason


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("no Authorization header", "no_token"),
        ("bad signature", "bad_signature"),
        ("wrong aud", "wrong_aud"),
        ("token expired", "expired"),
        ("replayed jti", "replay"),
        ("untrusted iss", "unknown_issuer"),
        ("missing exp", "malformed"),  # f"missing {claim}"
        ("invalid token (ImmatureSignatureError)", "other"),
    ],
)
def test_the_issue_s_classes(reason: str, label: str) -> None:
    assert auth_reason_class(reason) == label
