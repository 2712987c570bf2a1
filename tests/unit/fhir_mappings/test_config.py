"""The mapping's switches carry a source and a verification mark, like the data tables."""

from __future__ import annotations

from dataclasses import fields

from fhir_mappings import MappingConfig

MARKS = {"verified", "corroborated", "unverified"}


def test_every_switch_has_a_source_and_a_mark() -> None:
    names = {f.name for f in fields(MappingConfig)}
    assert set(MappingConfig.PROVENANCE) == names
    for name, (source, mark) in MappingConfig.PROVENANCE.items():
        assert source.strip(), name
        assert mark in MARKS, name


def test_design_choices_are_marked_unverified_and_say_so() -> None:
    for name, (source, mark) in MappingConfig.PROVENANCE.items():
        if source.startswith("design choice"):
            assert mark == "unverified", name


def test_switches_are_not_fields_of_the_config() -> None:
    """PROVENANCE documents the switches; it is not one (a deployment cannot override it)."""
    assert "PROVENANCE" not in {f.name for f in fields(MappingConfig)}
    assert MappingConfig() == MappingConfig()
