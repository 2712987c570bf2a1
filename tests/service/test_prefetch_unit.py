"""Prefetch resolution without HTTP: templates, patient binding and key outcomes."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service.prefetch import (
    PrefetchKey,
    PrefetchUnavailable,
    belongs_to_patient,
    render_template,
    resolve_prefetch,
)

CONTEXT = {"patientId": "p1", "userId": "Practitioner/u9", "encounterId": "e3"}
KEYS = (
    PrefetchKey("patient", "Patient/{{context.patientId}}", "the Patient resource", required=True),
    PrefetchKey("lvef", "Observation?patient={{context.patientId}}&code=x", "LVEF observations"),
)


@pytest.mark.parametrize(
    ("template", "rendered"),
    [
        ("Patient/{{context.patientId}}", "Patient/p1"),
        ("Encounter/{{ context.encounterId }}", "Encounter/e3"),
        ("Practitioner/{{userPractitionerId}}", "Practitioner/u9"),
        ("Observation?patient={{context.patientId}}&_count=5", "Observation?patient=p1&_count=5"),
        ("PractitionerRole/{{userPractitionerRoleId}}", None),  # the user is a Practitioner
        ("Appointment/{{context.appointmentId}}", None),  # not in this context
    ],
)
def test_templates(template: str, rendered: str | None) -> None:
    assert render_template(template, CONTEXT) == rendered


@pytest.mark.parametrize(
    ("reference", "belongs"),
    [
        ("Patient/p1", True),
        ("https://ehr.example.org/fhir/Patient/p1", True),
        ("Patient/p1/_history/3", True),
        ("urn:uuid:p1", True),
        ("Patient/p2", False),
        ("https://ehr.example.org/fhir/Patient/p2", False),
        ("urn:uuid:p2", False),
        ("Group/g1", True),  # not a patient reference: kept
    ],
)
def test_resources_naming_another_patient_are_not_this_patients(
    reference: str, belongs: bool
) -> None:
    resource = {"resourceType": "Observation", "subject": {"reference": reference}}
    assert belongs_to_patient(resource, "p1") is belongs


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }


def test_present_null_and_foreign_data() -> None:
    mine = {"resourceType": "Observation", "id": "o1", "subject": {"reference": "Patient/p1"}}
    theirs = {"resourceType": "Observation", "id": "o2", "subject": {"reference": "Patient/p2"}}
    data = resolve_prefetch(
        KEYS,
        context=CONTEXT,
        prefetch={"patient": {"resourceType": "Patient", "id": "p1"}, "lvef": bundle(mine, theirs)},
        client_factory=None,
    )
    assert [r.get("id") for r in data.resources] == ["p1", "o1"]
    assert data.foreign_dropped == 1
    assert data.sources == {"patient": "prefetch", "lvef": "prefetch"}
    assert data.gaps == ()
    data = resolve_prefetch(
        KEYS,
        context=CONTEXT,
        prefetch={"patient": {"resourceType": "Patient", "id": "p1"}, "lvef": None},
        client_factory=None,
    )
    assert data.sources["lvef"] == "prefetch-null" and data.gaps == ()


def test_absent_optional_data_without_a_server_is_a_gap() -> None:
    data = resolve_prefetch(
        KEYS,
        context=CONTEXT,
        prefetch={"patient": {"resourceType": "Patient", "id": "p1"}},
        client_factory=None,
    )
    assert [(g.key, g.reason) for g in data.gaps] == [
        ("lvef", "not in prefetch and no FHIR server to ask")
    ]


def test_an_operation_outcome_without_a_server_is_a_gap_saying_so() -> None:
    data = resolve_prefetch(
        KEYS,
        context=CONTEXT,
        prefetch={
            "patient": {"resourceType": "Patient", "id": "p1"},
            "lvef": {"resourceType": "OperationOutcome", "issue": []},
        },
        client_factory=None,
    )
    assert data.gaps[0].reason == "the client sent an error instead of the data"


def test_required_data_missing_is_unavailable() -> None:
    with pytest.raises(PrefetchUnavailable, match="the Patient resource"):
        resolve_prefetch(KEYS, context=CONTEXT, prefetch={"lvef": None}, client_factory=None)


def test_an_unfollowed_next_link_on_an_unsorted_key_is_a_gap() -> None:
    paged = bundle({"resourceType": "Condition", "id": "c1"})
    paged["link"] = [{"relation": "next", "url": "https://ehr.example.org/fhir/Condition?page=2"}]
    keys = (
        *KEYS,
        PrefetchKey("conditions", "Condition?patient={{context.patientId}}", "conditions"),
    )
    data = resolve_prefetch(
        keys,
        context=CONTEXT,
        prefetch={
            "patient": {"resourceType": "Patient", "id": "p1"},
            "lvef": None,
            "conditions": paged,
        },
        client_factory=None,
    )
    assert [g.key for g in data.gaps] == ["conditions"]
    assert any(r.get("id") == "c1" for r in data.resources)
