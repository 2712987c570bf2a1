"""Identifiers the service mints: stable URNs, or names under the deployment's public URL."""

from __future__ import annotations

import pytest

from cards.identifiers import (
    LEGACY_OVERRIDE_REASONS_SYSTEM,
    LEGACY_RULES_SYSTEM,
    OVERRIDE_REASONS_URN,
    RULES_URN,
    Identifiers,
    same_system,
)
from cards.knowledge import load_table


def test_without_a_public_url_the_fixed_urns_are_used() -> None:
    assert Identifiers.for_deployment(None) == Identifiers(RULES_URN, OVERRIDE_REASONS_URN)
    assert RULES_URN.startswith("urn:uuid:") and OVERRIDE_REASONS_URN.startswith("urn:uuid:")


def test_a_public_url_names_both_systems_under_it() -> None:
    names = Identifiers.for_deployment("https://cds.example.org/")
    assert names.rules == "https://cds.example.org/codes/rules"
    assert names.override_reasons == "https://cds.example.org/codes/override-reason"


def test_the_override_reason_table_names_the_urn() -> None:
    assert load_table("override_reasons")["system"] == OVERRIDE_REASONS_URN


@pytest.mark.parametrize(
    ("system", "kind", "same"),
    [
        (RULES_URN, "rules", True),
        (LEGACY_RULES_SYSTEM, "rules", True),
        ("https://cds.example.org/codes/rules", "rules", True),
        (OVERRIDE_REASONS_URN, "override-reasons", True),
        (LEGACY_OVERRIDE_REASONS_SYSTEM, "override-reasons", True),
        ("https://cds.example.org/codes/override-reason", "override-reasons", True),
        (OVERRIDE_REASONS_URN, "rules", False),
        ("https://example.org/or", "override-reasons", False),
        (None, "rules", False),
    ],
)
def test_every_spelling_of_a_system_is_recognised(
    system: str | None, kind: str, same: bool
) -> None:
    assert same_system(system, kind) is same
