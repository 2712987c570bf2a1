"""The data tables: each matches its schema, carries the knowledge version, and every code has a
source and a verification mark; the codes the clinical reference warns about are absent."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from fhir_mappings import KNOWLEDGE_VERSION
from fhir_mappings.terminology import (
    DATA_FILES,
    answer_codes,
    concept_codes,
    condition_codes,
    load_table,
    meaning_of_text,
    normalise_code,
    normalise_system,
    observation_codes,
    unit_factor,
)

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"


def _read(folder: str, name: str) -> dict[str, object]:
    text = resources.files("fhir_mappings").joinpath(folder, name).read_text(encoding="utf-8")
    result: dict[str, object] = json.loads(text)
    return result


@pytest.mark.parametrize("name", DATA_FILES)
def test_each_table_matches_its_schema_and_version(name: str) -> None:
    data = _read("data", f"{name}.json")
    schema = _read("schemas", f"{name}.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    assert data["version"] == KNOWLEDGE_VERSION.removeprefix("terminology-")
    assert load_table(name)["version"] == data["version"]


@pytest.mark.parametrize("name", DATA_FILES)
def test_schema_rejects_an_entry_without_verification(name: str) -> None:
    data = _read("data", f"{name}.json")
    schema = _read("schemas", f"{name}.schema.json")
    text = json.dumps(data)
    broken = json.loads(text.replace('"verification": "verified"', '"verification": "maybe"', 1))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_every_code_row_has_a_source_and_mark() -> None:
    for table, key in (
        ("observations", "concepts"),
        ("conditions", "concepts"),
        ("answers", "answers"),
    ):
        for concept, body in load_table(table)[key].items():
            for row in body["codes"]:
                assert row["source"].strip(), (table, concept, row["code"])
                assert row["verification"] in {"verified", "corroborated", "unverified"}


def test_codes_the_reference_calls_wrong_are_absent() -> None:
    # §0.1 #11: 79991-4 is invalid (79991-6 is right); 396533008 fails Verhoeff.
    assert not observation_codes().lookup(LOINC, "79991-4")
    assert observation_codes().concepts(LOINC, "79991-6") == {"lvef"}
    everything = json.dumps([load_table(n) for n in DATA_FILES])
    assert "396533008" not in everything
    # §0.1 #12: 8809-6 is an angiogram estimate, MUGA is 8812-0.
    assert observation_codes().lookup(LOINC, "8812-0")[0].method == "by nuclear blood pool (MUGA)"
    assert "MUGA" not in (observation_codes().lookup(LOINC, "8809-6")[0].method or "")


def test_lvef_list_is_the_whole_vsac_value_set_plus_snomed() -> None:
    loinc = {e.code for e in concept_codes("observations", "lvef") if e.system == LOINC}
    assert len(loinc) == 26
    assert {"10230-1", "18043-0", "8806-2", "8808-8", "8810-4", "8811-2", "79990-8"} <= loinc
    assert observation_codes().concepts(SNOMED, "250908004") == {"lvef"}


def test_match_is_on_system_and_code_never_code_alone() -> None:
    # §0.1 #14: 2106-3 is a pregnancy test in LOINC and 'White' in CDC race.
    assert observation_codes().concepts(LOINC, "2106-3") == {"hcg-qualitative"}
    assert not observation_codes().lookup("urn:oid:2.16.840.1.113883.6.238", "2106-3")
    assert not observation_codes().lookup(None, "2106-3")


def test_serum_her2_is_its_own_concept() -> None:
    for code in ("32996-1", "42914-2", "51981-9"):
        assert observation_codes().concepts(LOINC, code) == {"her2-serum"}


def test_snomed_431396003_means_her2_negative_carcinoma() -> None:
    # §0.1 #13: public code files invert it.
    assert answer_codes().concepts(SNOMED, "431396003") == {"her2-negative-carcinoma"}
    assert answer_codes().concepts(SNOMED, "427685000") == {"her2-positive-carcinoma"}


def test_icd10_categories_match_their_codes_with_or_without_dot() -> None:
    assert "breast-cancer" in condition_codes().concepts(ICD10, "C50.911")
    assert "breast-cancer" in condition_codes().concepts(ICD10, "c50912")
    assert condition_codes().concepts(ICD10, "C78.01") == {"metastatic"}
    assert condition_codes().concepts(ICD10, "C79.31") == {"metastatic", "brain-metastasis"}
    assert condition_codes().concepts(ICD10, "C51.9") == frozenset()


def test_regional_lymph_node_metastasis_is_not_distant() -> None:
    assert not condition_codes().lookup(SNOMED, "16260631000119101")


def test_miscarriage_is_not_a_current_pregnancy() -> None:
    assert condition_codes().concepts(SNOMED, "72892002") == {"pregnancy"}
    assert not condition_codes().lookup(SNOMED, "19169002")


def test_unverified_pregnancy_answer_codes_carry_the_warning_mark() -> None:
    marks = {e.code: e.verification for e in concept_codes("answers", "pregnant")}
    assert marks == {"LA15173-0": "unverified", "77386006": "verified"}


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("Negative (qualifier value)", "negative"),
        ("Positive (qualifier value)", "positive"),
        ("not amplified", "negative"),
        ("HER2 gene amplified", "positive"),
        ("ER low positive (5%)", "low-positive"),
        ("equivocal", "equivocal"),
        ("possible", None),
    ],
)
def test_text_meanings_check_negations_first(text: str, meaning: str | None) -> None:
    allowed = ("positive", "negative", "equivocal", "indeterminate", "low-positive")
    assert meaning_of_text(text, allowed) == meaning


@pytest.mark.parametrize(
    ("quantity", "spelling", "factor"),
    [
        ("mass", "[lb_av]", 0.45359237),
        ("mass", "lbs", 0.45359237),
        ("mass", "g", 0.001),
        ("mass", "kg", 1.0),
        ("length", "[in_i]", 2.54),
        ("length", "m", 100.0),
        ("length", "cm", 1.0),
        ("percent", "%", 1.0),
        ("percent", "1", 100.0),
        ("dose-per-area", "mg/m²", 1.0),
    ],
)
def test_unit_factors(quantity: str, spelling: str, factor: float) -> None:
    found = unit_factor(quantity, spelling)
    assert found is not None
    assert found.factor == pytest.approx(factor)


def test_unknown_unit_has_no_factor() -> None:
    assert unit_factor("mass", "stone") is None
    assert unit_factor("mass", None, "") is None


@pytest.mark.parametrize(
    "system",
    [
        "urn:oid:2.16.840.1.113883.6.1",
        "URN:OID:2.16.840.1.113883.6.1",
        "https://loinc.org",
        " http://loinc.org/ ",
        "HTTP://LOINC.ORG",
    ],
)
def test_a_system_is_read_under_its_other_names(system: str) -> None:
    """C-CDA conversions keep the OID, some senders write https: the same LOINC code."""
    assert observation_codes().concepts(system, "10230-1") == {"lvef"}


def test_only_the_listed_oids_are_aliases() -> None:
    """An OID the table does not list stays itself (CDC race's 2106-3 is no pregnancy test)."""
    assert normalise_system("urn:oid:2.16.840.1.113883.6.238") == "urn:oid:2.16.840.1.113883.6.238"
    assert normalise_system("urn:oid:2.16.840.1.113883.6.96") == "http://snomed.info/sct"
    rxnorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
    assert normalise_system("urn:oid:2.16.840.1.113883.6.88") == rxnorm


NDC = "http://hl7.org/fhir/sid/ndc"


@pytest.mark.parametrize(
    ("code", "digits"),
    [
        ("50242-260-01", "50242026001"),  # 5-3-2, as the FDA writes it
        ("50242-0260-01", "50242026001"),  # 11 digits with hyphens
        ("50242026001", "50242026001"),  # 11 digits, as claims write it
        ("0002-7597-01", "00002759701"),  # 4-4-2
        ("60575-4112-1", "60575411201"),  # 5-4-1
        ("50242-260", "502420260"),  # a product NDC: labeler and product
        ("5024226001", "5024226001"),  # 10 digits without hyphens: which segment is short?
        ("50242-260-001", "50242-260-001"),  # not an NDC: compared as written
    ],
)
def test_an_ndc_compares_in_its_11_digit_form(code: str, digits: str) -> None:
    assert normalise_code(NDC, code) == digits


def test_only_ndc_codes_are_padded() -> None:
    assert normalise_code(SNOMED, "0002-7597-01") == "0002-7597-01"
    assert normalise_system("urn:oid:2.16.840.1.113883.6.69") == NDC
