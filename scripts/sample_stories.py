"""The sample patients' stories as FHIR R4 resources, for `scripts/build_samples.py`.

Dates count back from REFERENCE; codes are those of fhir_mappings/data (LOINC, SNOMED CT,
RxNorm), so the rules read them. Every resource id starts with the patient id, so the samples
can share one FHIR server.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

REFERENCE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
# LVEF by modality: LOINC codes of the lvef concept in fhir_mappings/data/observations.json.
ECHO = ("8806-2", "Left ventricular Ejection fraction by 2D echo")
MUGA = ("8812-0", "Left ventricular Ejection fraction by Nuclear blood pool")
DRUGS = {  # RxNorm codes of fhir_mappings/data/medications.json
    "trastuzumab": "224905",
    "pertuzumab": "1298944",
    "docetaxel": "72962",
    "paclitaxel": "56946",
    "doxorubicin": "3639",
    "cyclophosphamide": "3002",
    "capecitabine": "194000",
    "letrozole": "72965",
    "ado-trastuzumab emtansine": "1371041",
    "fam-trastuzumab deruxtecan-nxki 100 MG Injection": "2267576",
}
IHC = {"0": "LA6111-4", "1+": "LA11841-6", "2+": "LA11842-4", "3+": "LA11843-2"}
Resource = dict[str, Any]


def ago(days: float) -> str:
    return (REFERENCE - timedelta(days=days)).isoformat().replace("+00:00", "Z")


class Story:
    """One patient's resources, with ids unique across all samples (one FHIR server)."""

    def __init__(self, pid: str, *, name: str, age: int, sex: str = "female") -> None:
        self.pid = pid
        self.count = 0
        birth = (REFERENCE - timedelta(days=365.25 * age + 40)).date().isoformat()
        family, given = name.split(", ")
        self.resources: list[Resource] = [
            {
                "resourceType": "Patient",
                "id": pid,
                "meta": {"tag": [{"system": "urn:her2-cds:sample", "code": "synthetic"}]},
                "name": [{"family": family, "given": [given]}],
                "gender": sex,
                "birthDate": birth,
            }
        ]

    def _add(self, kind: str, body: Resource) -> Resource:
        self.count += 1
        resource = {
            "resourceType": kind,
            "id": f"{self.pid}-{self.count}",
            **body,
            "subject": {"reference": f"Patient/{self.pid}"},
        }
        self.resources.append(resource)
        return resource

    def obs(self, loinc: str, display: str, days: float, value: Resource, **extra: Any) -> None:
        code = {"coding": [{"system": LOINC, "code": loinc, "display": display}]}
        self._add(
            "Observation",
            {"status": "final", "code": code, "effectiveDateTime": ago(days), **value, **extra},
        )

    def quantity(self, loinc: str, display: str, days: float, value: float, unit: str) -> None:
        q = {"value": value, "unit": unit, "system": UCUM, "code": unit}
        self.obs(loinc, display, days, {"valueQuantity": q})

    def lvef(self, percent: float, days: float, *, muga: bool = False) -> None:
        loinc, display = MUGA if muga else ECHO
        self.quantity(loinc, display, days, percent, "%")

    def body(self, kg: float = 70, cm: float = 165, days: float = 4) -> None:
        self.quantity("29463-7", "Body weight", days, kg, "kg")
        self.quantity("8302-2", "Body height", days, cm, "cm")

    def her2_ihc(self, score: str, days: float) -> None:
        answer = {"coding": [{"system": LOINC, "code": IHC[score], "display": score}]}
        self.obs(
            "18474-7",
            "HER2 [Presence] in Tissue by Immune stain",
            days,
            {"valueCodeableConcept": answer},
        )

    def receptors(self, er: float, pr: float, days: float) -> None:
        self.quantity("85329-1", "Estrogen receptor [%] in Tissue", days, er, "%")
        self.quantity("85325-9", "Progesterone receptor [%] in Tissue", days, pr, "%")

    def condition(self, code: str, display: str, days: float) -> None:
        status = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        }
        concept = {
            "coding": [{"system": SNOMED, "code": code, "display": display}],
            "text": display,
        }
        self._add(
            "Condition", {"clinicalStatus": status, "code": concept, "onsetDateTime": ago(days)}
        )

    def hcg_negative(self, days: float) -> None:
        answer = {"coding": [{"system": LOINC, "code": "LA6577-6", "display": "Negative"}]}
        self.obs(
            "2118-8",
            "Choriogonadotropin [Presence] in Serum or Plasma",
            days,
            {"valueCodeableConcept": answer},
        )

    def breast_cancer(self, days: float) -> None:
        self.condition("254837009", "Malignant neoplasm of breast", days)

    def metastatic(self, days: float) -> None:
        self.condition("315004001", "Metastasis from malignant tumor of breast", days)

    def _drug(self, drug: str) -> Resource:
        display = drug.split(" 100 MG")[0] if "deruxtecan" in drug else drug
        return {
            "coding": [{"system": RXNORM, "code": DRUGS[drug], "display": drug}],
            "text": display,
        }

    def course(
        self,
        drug: str,
        dose: float,
        *,
        start: float,
        end: float,
        every: int = 21,
        active: bool = False,
        unit: str = "mg",
    ) -> None:
        """An order from `start` to `end` days ago and its administrations every `every` days;
        `active=True` leaves the order open (the course goes on)."""
        period: Resource = {"start": ago(start)}
        if not active:
            period["end"] = ago(end)
        q = {"value": dose, "unit": unit, "system": UCUM, "code": unit}
        self._add(
            "MedicationRequest",
            {
                "status": "active" if active else "completed",
                "intent": "order",
                "medicationCodeableConcept": self._drug(drug),
                "authoredOn": ago(start),
                "dispenseRequest": {"validityPeriod": period},
                "dosageInstruction": [
                    {
                        "timing": {"repeat": {"frequency": 1, "period": every, "periodUnit": "d"}},
                        "doseAndRate": [{"doseQuantity": q}],
                    }
                ],
            },
        )
        day = start
        while day >= end:
            self._add(
                "MedicationAdministration",
                {
                    "status": "completed",
                    "medicationCodeableConcept": self._drug(drug),
                    "effectiveDateTime": ago(day),
                    "dosage": {"dose": q},
                },
            )
            day -= every


def mbc(story: Story, *, metastatic_days: float = 45, diagnosis_days: float = 50) -> None:
    story.breast_cancer(diagnosis_days)
    story.her2_ihc("3+", diagnosis_days - 5)
    story.metastatic(metastatic_days)
    story.body()


def first_line() -> Story:
    s = Story("her2demo-first-line", name="Lindqvist, Maria", age=56)
    mbc(s)
    s.receptors(0, 0, 40)
    s.lvef(62, 20)
    return s


def hr_positive() -> Story:
    s = Story("her2demo-hr-positive", name="Okafor, Grace", age=63)
    mbc(s, metastatic_days=190, diagnosis_days=200)
    s.receptors(85, 40, 195)
    s.lvef(61, 185)
    s.course("trastuzumab", 420, start=180, end=12, active=True)
    s.course("pertuzumab", 420, start=180, end=12, active=True)
    s.course("docetaxel", 134, start=180, end=75)
    s.lvef(60, 14)
    return s


def _adjuvant_relapse(pid: str, name: str, months: float) -> Story:
    s = Story(pid, name=name, age=49)
    last = 45 + months * 30.4375
    s.breast_cancer(last + 420)
    s.her2_ihc("3+", last + 415)
    s.receptors(0, 0, last + 415)
    s.course("trastuzumab", 420, start=last + 357, end=last)
    s.lvef(64, last + 370)
    s.lvef(61, last + 10)
    s.metastatic(45)
    s.body(64, 160)
    s.lvef(60, 25)
    s.hcg_negative(5)
    return s


def relapse_within_12_months() -> Story:
    return _adjuvant_relapse("her2demo-relapse-8-months", "Haddad, Leila", 8)


def relapse_after_12_months() -> Story:
    return _adjuvant_relapse("her2demo-relapse-20-months", "Brennan, Siobhan", 20)


def lvef_decline() -> Story:
    s = Story("her2demo-lvef-decline", name="Tanaka, Yuki", age=58)
    mbc(s, metastatic_days=200, diagnosis_days=210)
    s.receptors(0, 0, 205)
    s.lvef(66, 195)
    s.course("trastuzumab", 420, start=190, end=1, active=True)
    s.course("pertuzumab", 420, start=190, end=1, active=True)
    s.course("docetaxel", 134, start=190, end=85)
    s.lvef(63, 105)
    s.lvef(48, 6)
    return s


def lvef_overdue() -> Story:
    s = Story("her2demo-lvef-overdue", name="Moreau, Claire", age=61)
    mbc(s, metastatic_days=300, diagnosis_days=310)
    s.receptors(0, 0, 305)
    s.lvef(63, 295)
    s.course("trastuzumab", 420, start=290, end=2, active=True)
    s.course("pertuzumab", 420, start=290, end=2, active=True)
    s.course("docetaxel", 134, start=290, end=185)
    s.lvef(60, 160, muga=True)
    return s


def on_doxorubicin() -> Story:
    s = Story("her2demo-on-doxorubicin", name="Kowalska, Anna", age=44)
    s.breast_cancer(70)
    s.her2_ihc("3+", 65)
    s.receptors(0, 0, 65)
    s.body(68, 170)
    s.lvef(65, 50)
    s.hcg_negative(6)
    s.course("doxorubicin", 60, start=47, end=5, active=True, unit="mg/m2")  # last dose 5 days ago
    s.course("cyclophosphamide", 600, start=47, end=5, active=True, unit="mg/m2")
    return s


def her2_equivocal() -> Story:
    s = Story("her2demo-her2-2plus-no-ish", name="Silva, Beatriz", age=52)
    s.breast_cancer(40)
    s.her2_ihc("2+", 35)
    s.receptors(0, 0, 35)
    s.metastatic(30)
    s.body(72, 168)
    s.lvef(61, 15)
    return s


def pregnant() -> Story:
    s = Story("her2demo-pregnant", name="Nguyen, Thi", age=34)
    mbc(s, metastatic_days=25, diagnosis_days=30)
    s.receptors(0, 0, 25)
    s.lvef(64, 12)
    s.condition("77386006", "Pregnancy", 60)
    answer = {"coding": [{"system": LOINC, "code": "LA6576-8", "display": "Positive"}]}
    s.obs(
        "2118-8",
        "Choriogonadotropin [Presence] in Serum or Plasma",
        10,
        {"valueCodeableConcept": answer},
    )
    return s


def her2_low() -> Story:
    s = Story("her2demo-her2-low", name="Fischer, Ingrid", age=67)
    s.breast_cancer(800)
    s.her2_ihc("1+", 795)
    s.receptors(0, 0, 795)
    s.metastatic(200)
    s.body(66, 163)
    s.lvef(62, 30)
    s.course("capecitabine", 1500, start=190, end=22)
    return s


def second_line() -> Story:
    s = Story("her2demo-second-line", name="Adeyemi, Funmi", age=54)
    mbc(s, metastatic_days=430, diagnosis_days=440)
    s.receptors(0, 0, 435)
    s.lvef(63, 425)
    s.course("trastuzumab", 420, start=420, end=120)
    s.course("pertuzumab", 420, start=420, end=120)
    s.course("docetaxel", 134, start=420, end=310)
    s.lvef(60, 130)
    s.lvef(61, 18)
    return s


def third_line() -> Story:
    s = Story("her2demo-third-line", name="Rossi, Giulia", age=59)
    mbc(s, metastatic_days=800, diagnosis_days=810)
    s.receptors(0, 0, 805)
    s.lvef(62, 795)
    s.course("trastuzumab", 420, start=790, end=480)
    s.course("pertuzumab", 420, start=790, end=480)
    s.course("docetaxel", 134, start=790, end=680)
    s.course("fam-trastuzumab deruxtecan-nxki 100 MG Injection", 378, start=450, end=60)
    s.lvef(59, 300)
    s.lvef(60, 20)
    return s
