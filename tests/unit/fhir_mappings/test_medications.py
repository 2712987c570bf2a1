"""Recognising drugs by RxNorm ingredient and product, SNOMED, Medication references and name;
the "do not substitute" family kept apart (§0.1 #9)."""

from __future__ import annotations

from typing import Any

import pytest

from fhir_mappings import DrugInfo, all_drugs, drug_info, drugs_in_class, recognise_medication

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"

CARD_DRUG_IDS = {
    "trastuzumab", "trastuzumab-sc", "pertuzumab", "pertuzumab-trastuzumab-sc",
    "ado-trastuzumab-emtansine", "fam-trastuzumab-deruxtecan", "tucatinib", "lapatinib",
    "neratinib", "margetuximab", "docetaxel", "paclitaxel", "paclitaxel-protein-bound",
    "capecitabine", "vinorelbine", "eribulin", "gemcitabine", "carboplatin", "cyclophosphamide",
    "doxorubicin", "doxorubicin-liposomal", "epirubicin", "daunorubicin", "idarubicin",
    "mitoxantrone", "letrozole", "anastrozole", "exemestane", "tamoxifen", "fulvestrant",
    "abemaciclib", "palbociclib", "ribociclib",
    "gemfibrozil", "loperamide",  # read by the tucatinib starting-dose and neratinib rules
}  # fmt: skip


def _order(text: str | None = None, *codes: tuple[str, str]) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [{"system": s, "code": c} for s, c in codes]}
    if text is not None:
        concept["text"] = text
    return {"resourceType": "MedicationRequest", "medicationCodeableConcept": concept}


def _rx(code: str) -> tuple[str, str]:
    return (RXNORM, code)


def test_the_table_has_exactly_the_ids_cards_use() -> None:
    assert {d.id for d in all_drugs()} == CARD_DRUG_IDS


def test_drug_info_for_cards() -> None:
    info = drug_info("fam-trastuzumab-deruxtecan")
    assert isinstance(info, DrugInfo)
    assert (info.display, info.short) == ("T-DXd (fam-trastuzumab deruxtecan)", "T-DXd")
    assert info.brand_names == ("Enhertu",)
    assert info.rxnorm_ingredient is None  # not found (§5.4 ⚠): no guessed code
    trastuzumab = drug_info("trastuzumab")
    assert (trastuzumab.rxnorm_ingredient, trastuzumab.rxnorm_display) == ("224905", "trastuzumab")
    assert trastuzumab.verification == "verified"
    assert drug_info("trastuzumab-sc").rxnorm_code == "2119714"
    assert drug_info("paclitaxel-protein-bound").rxnorm_ingredient is None
    with pytest.raises(KeyError):
        drug_info("herceptin")


def test_every_drug_is_recognised_by_its_own_display() -> None:
    """The name cards use names the drug and no other (an order written with it is ours)."""
    for drug in all_drugs():
        order = {
            "resourceType": "MedicationRequest",
            "medicationCodeableConcept": {"text": drug.display},
        }
        concept = recognise_medication(order)
        assert concept is not None and concept.drug == drug.id, drug.display


@pytest.mark.parametrize(
    ("drug_class", "members"),
    [
        ("trastuzumab-class", {"trastuzumab", "trastuzumab-sc", "pertuzumab-trastuzumab-sc",
                               "ado-trastuzumab-emtansine", "fam-trastuzumab-deruxtecan"}),
        ("trastuzumab-containing", {"trastuzumab", "trastuzumab-sc", "pertuzumab-trastuzumab-sc"}),
        ("her2-antibody-cardiac", {"trastuzumab", "trastuzumab-sc", "pertuzumab",
                                   "pertuzumab-trastuzumab-sc", "ado-trastuzumab-emtansine",
                                   "fam-trastuzumab-deruxtecan", "margetuximab"}),
        ("her2-tki", {"tucatinib", "lapatinib", "neratinib"}),
        ("anthracycline", {"doxorubicin", "doxorubicin-liposomal", "epirubicin", "daunorubicin",
                           "idarubicin", "mitoxantrone"}),
        ("taxane", {"docetaxel", "paclitaxel", "paclitaxel-protein-bound"}),
        ("endocrine", {"letrozole", "anastrozole", "exemestane", "tamoxifen", "fulvestrant"}),
        ("cdk46-inhibitor", {"abemaciclib", "palbociclib", "ribociclib"}),
        ("strong-cyp2c8-inhibitor", {"gemfibrozil"}),
        ("antidiarrhoeal", {"loperamide"}),
    ],
)  # fmt: skip
def test_classes(drug_class: str, members: set[str]) -> None:
    assert {d.id for d in drugs_in_class(drug_class)} == members


def test_her2_directed_and_chemotherapy_classes() -> None:
    her2 = {d.id for d in drugs_in_class("her2-directed")}
    assert her2 == {
        "trastuzumab", "trastuzumab-sc", "pertuzumab", "pertuzumab-trastuzumab-sc",
        "ado-trastuzumab-emtansine", "fam-trastuzumab-deruxtecan", "tucatinib", "lapatinib",
        "neratinib", "margetuximab",
    }  # fmt: skip
    chemo = {d.id for d in drugs_in_class("chemotherapy")}
    assert {"capecitabine", "vinorelbine", "eribulin", "gemcitabine", "carboplatin"} <= chemo
    assert {d.id for d in drugs_in_class("taxane")} | {
        d.id for d in drugs_in_class("anthracycline")
    } <= chemo
    assert not her2 & chemo
    assert drug_info("pertuzumab-trastuzumab-sc").components == ("pertuzumab", "trastuzumab")


@pytest.mark.parametrize(
    ("code", "drug", "matched_by"),
    [
        ("224905", "trastuzumab", "rxnorm-ingredient"),
        ("2107053", "trastuzumab", "rxnorm-product"),  # Herzuma biosimilar
        ("2289227", "trastuzumab", "rxnorm-product"),  # Ontruzant
        ("2472794", "trastuzumab", "rxnorm-product"),  # Trazimera
        ("2119714", "trastuzumab-sc", "rxnorm-product"),  # Herceptin Hylecta (Synthea)
        ("1298944", "pertuzumab", "rxnorm-ingredient"),
        ("1298949", "pertuzumab", "rxnorm-product"),
        ("1371041", "ado-trastuzumab-emtansine", "rxnorm-ingredient"),
        ("1371046", "ado-trastuzumab-emtansine", "rxnorm-product"),
        ("1658084", "ado-trastuzumab-emtansine", "rxnorm-product"),
        ("2267576", "fam-trastuzumab-deruxtecan", "rxnorm-product"),
        ("2361290", "tucatinib", "rxnorm-product"),
        ("1940648", "neratinib", "rxnorm-product"),
        ("583214", "paclitaxel-protein-bound", "rxnorm-product"),
        ("312199", "paclitaxel", "rxnorm-product"),
        ("56946", "paclitaxel", "rxnorm-ingredient"),
        ("1790099", "doxorubicin", "rxnorm-product"),
        ("1732186", "epirubicin", "rxnorm-product"),
        ("1942743", "daunorubicin", "rxnorm-product"),
        ("1791498", "idarubicin", "rxnorm-product"),
        ("197989", "mitoxantrone", "rxnorm-product"),
        ("1946840", "abemaciclib", "rxnorm-product"),
        ("199224", "anastrozole", "rxnorm-product"),
    ],
)
def test_rxnorm_codes(code: str, drug: str, matched_by: str) -> None:
    concept = recognise_medication(_order(None, _rx(code)))
    assert concept is not None
    assert (concept.drug, concept.matched_by) == (drug, matched_by)
    assert concept.code == f"{RXNORM}|{code}"
    assert concept.classes == drug_info(drug).classes


@pytest.mark.parametrize("code", ["2361286", "2382607", "2267582", "2119711", "228833"])
def test_codes_the_reference_says_not_to_use_are_not_recognised(code: str) -> None:
    concept = recognise_medication(_order(None, _rx(code)))
    assert concept is not None
    assert concept.drug is None
    assert concept.matched_by == "none"


def test_snomed_substance() -> None:
    concept = recognise_medication(_order(None, (SNOMED, "387003001")))
    assert concept is not None
    assert (concept.drug, concept.matched_by) == ("trastuzumab", "snomed")


def test_rxnorm_code_without_system_is_not_trusted() -> None:
    concept = recognise_medication(_order("", ("", "224905")))
    assert concept is None or concept.drug is None


@pytest.mark.parametrize(
    ("text", "drug"),
    [
        ("trastuzumab", "trastuzumab"),
        ("Trastuzumab-dkst (Ogivri) 150 mg vial", "trastuzumab"),
        ("trastuzumab-anns", "trastuzumab"),
        ("HERCEPTIN", "trastuzumab"),
        ("ado-trastuzumab emtansine", "ado-trastuzumab-emtansine"),
        ("Ado-Trastuzumab Emtansine 100 MG Injection", "ado-trastuzumab-emtansine"),
        ("trastuzumab emtansine", "ado-trastuzumab-emtansine"),
        ("Kadcyla", "ado-trastuzumab-emtansine"),
        ("T-DM1", "ado-trastuzumab-emtansine"),
        ("fam-trastuzumab deruxtecan-nxki", "fam-trastuzumab-deruxtecan"),
        ("trastuzumab deruxtecan", "fam-trastuzumab-deruxtecan"),
        ("ENHERTU 100 mg", "fam-trastuzumab-deruxtecan"),
        ("T‑DXd", "fam-trastuzumab-deruxtecan"),  # non-breaking hyphen
        ("trastuzumab and hyaluronidase-oysk", "trastuzumab-sc"),
        ("Herceptin Hylecta", "trastuzumab-sc"),
        ("pertuzumab", "pertuzumab"),
        ("Perjeta 420 mg", "pertuzumab"),
        ("Phesgo", "pertuzumab-trastuzumab-sc"),
        ("pertuzumab, trastuzumab, and hyaluronidase-zzxf", "pertuzumab-trastuzumab-sc"),
        ("pertuzumab/trastuzumab", "pertuzumab-trastuzumab-sc"),
        ("nab-paclitaxel", "paclitaxel-protein-bound"),
        ("paclitaxel protein-bound particles (albumin-bound)", "paclitaxel-protein-bound"),
        ("ABRAXANE", "paclitaxel-protein-bound"),
        ("PACLitaxel", "paclitaxel"),
        ("DOXOrubicin", "doxorubicin"),
        ("doxorubicin hydrochloride liposome injection", "doxorubicin-liposomal"),
        ("Doxil", "doxorubicin-liposomal"),
        ("margetuximab-cmkb", "margetuximab"),
        ("eribulin mesylate", "eribulin"),
        ("Tukysa 150 mg tablet", "tucatinib"),
    ],
)
def test_name_fallback(text: str, drug: str) -> None:
    concept = recognise_medication(_order(text))
    assert concept is not None
    assert (concept.drug, concept.matched_by, concept.code) == (drug, "name", None)
    assert concept.text == text


@pytest.mark.parametrize("text", ["xtrastuzumab", "trastuzumabs", "pertuzumabtrastuzumab"])
def test_name_must_be_a_whole_word(text: str) -> None:
    concept = recognise_medication(_order(text))
    assert concept is not None
    assert concept.drug is None


def test_text_naming_two_different_drugs_recognises_neither() -> None:
    concept = recognise_medication(
        _order("ado-trastuzumab emtansine or fam-trastuzumab deruxtecan")
    )
    assert concept is not None
    assert concept.drug is None
    assert concept.also_named == ("ado-trastuzumab-emtansine", "fam-trastuzumab-deruxtecan")
    ac = recognise_medication(_order("doxorubicin + cyclophosphamide"))
    assert ac is not None
    assert ac.drug is None
    assert ac.also_named == ("cyclophosphamide", "doxorubicin")


def test_coded_trastuzumab_written_as_kadcyla_is_flagged() -> None:
    concept = recognise_medication(_order("Kadcyla 160 mg", _rx("224905")))
    assert concept is not None
    assert concept.drug == "trastuzumab"  # the code decides
    assert concept.also_named == ("ado-trastuzumab-emtansine",)  # the mix-up stays visible


def test_words_refine_an_ingredient_code() -> None:
    nab = recognise_medication(_order("paclitaxel protein-bound 100 mg", _rx("56946")))
    assert nab is not None
    assert (nab.drug, nab.matched_by, nab.code) == (
        "paclitaxel-protein-bound",
        "name",
        f"{RXNORM}|56946",
    )
    lipo = recognise_medication(_order("doxorubicin liposomal", _rx("3639")))
    assert lipo is not None
    assert lipo.drug == "doxorubicin-liposomal"
    sc = recognise_medication(_order("trastuzumab/hyaluronidase-oysk", _rx("224905")))
    assert sc is not None
    assert sc.drug == "trastuzumab-sc"


def test_ingredient_codes_of_a_combination_make_the_combination() -> None:
    concept = recognise_medication(_order(None, _rx("1298944"), _rx("224905")))
    assert concept is not None
    assert concept.drug == "pertuzumab-trastuzumab-sc"
    assert concept.components == ("pertuzumab", "trastuzumab")
    assert "trastuzumab-containing" in concept.classes


def test_product_code_beats_ingredient_code() -> None:
    concept = recognise_medication(_order(None, _rx("224905"), _rx("2119714")))
    assert concept is not None
    assert (concept.drug, concept.matched_by) == ("trastuzumab-sc", "rxnorm-product")


def _medication(mid: str, *codes: str, text: str | None = None) -> dict[str, Any]:
    code: dict[str, Any] = {"coding": [{"system": RXNORM, "code": c} for c in codes]}
    if text:
        code["text"] = text
    return {"resourceType": "Medication", "id": mid, "code": code}


def test_reference_to_contained_medication() -> None:
    order = {
        "resourceType": "MedicationAdministration",
        "contained": [_medication("med1", "1658084")],
        "medicationReference": {"reference": "#med1"},
    }
    concept = recognise_medication(order)
    assert concept is not None
    assert concept.drug == "ado-trastuzumab-emtansine"


def test_reference_to_bundled_medication_by_type_id_and_full_url() -> None:
    order = {
        "resourceType": "MedicationRequest",
        "medicationReference": {"reference": "Medication/m2"},
    }
    concept = recognise_medication(order, resources=[_medication("m2", "2119714")])
    assert concept is not None
    assert concept.drug == "trastuzumab-sc"
    bundle = {
        "resourceType": "Bundle",
        "entry": [{"fullUrl": "urn:uuid:abc", "resource": _medication("x", "1298944")}],
    }
    by_url = {
        "resourceType": "MedicationRequest",
        "medicationReference": {"reference": "urn:uuid:abc"},
    }
    found = recognise_medication(by_url, resources=[bundle])
    assert found is not None
    assert found.drug == "pertuzumab"


def test_medication_with_ingredients_pertuzumab_and_trastuzumab_is_phesgo() -> None:
    med = {
        "resourceType": "Medication",
        "id": "p",
        "code": {"text": "PHESGO 600 mg/600 mg"},
        "ingredient": [
            {"itemCodeableConcept": {"coding": [{"system": RXNORM, "code": "1298944"}]}},
            {"itemCodeableConcept": {"coding": [{"system": RXNORM, "code": "224905"}]}},
        ],
    }
    order = {
        "resourceType": "MedicationRequest",
        "medicationReference": {"reference": "Medication/p"},
    }
    concept = recognise_medication(order, resources=[med])
    assert concept is not None
    assert concept.drug == "pertuzumab-trastuzumab-sc"


def test_unresolvable_reference_falls_back_to_its_display() -> None:
    order = {
        "resourceType": "MedicationRequest",
        "medicationReference": {
            "reference": "Medication/epic1",
            "display": "trastuzumab-qyyp 420 mg",
        },
    }
    concept = recognise_medication(order)
    assert concept is not None
    assert (concept.drug, concept.matched_by, concept.text) == (
        "trastuzumab",
        "name",
        "trastuzumab-qyyp 420 mg",
    )


def test_epic_morphine_reference_is_an_unknown_drug_with_its_text() -> None:
    order = {
        "resourceType": "MedicationRequest",
        "medicationReference": {
            "reference": "Medication/eAfgatAovleK4GXF4MnFNxg3",
            "display": "Morphine Sulfate 50 MG [Kadian]",
        },
    }
    concept = recognise_medication(order)
    assert concept is not None
    assert concept.drug is None
    assert concept.matched_by == "none"
    assert concept.text == "Morphine Sulfate 50 MG [Kadian]"


def test_order_without_any_medication_is_none() -> None:
    assert recognise_medication({"resourceType": "MedicationRequest", "status": "draft"}) is None


def test_route_from_the_order_or_the_product() -> None:
    order = _order("cyclophosphamide")
    assert recognise_medication(order) is not None
    assert recognise_medication(order).route is None  # type: ignore[union-attr]
    order["dosageInstruction"] = [{"route": {"coding": [{"display": "Intravenous route"}]}}]
    concept = recognise_medication(order)
    assert concept is not None
    assert concept.route == "iv"
    assert recognise_medication(_order("Tukysa")).route == "oral"  # type: ignore[union-attr]
