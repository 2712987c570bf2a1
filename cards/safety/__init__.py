"""Safety rules: cardiac monitoring and withhold criteria, anthracyclines, biomarkers,
pregnancy, ILD, substitution (C1-C9), heart failure on file, the same antibody drafted
twice (Phesgo or Herceptin Hylecta next to IV trastuzumab or pertuzumab), pertuzumab drafted
without trastuzumab, and organ function (liver tests, blood counts, creatinine clearance) before
T-DM1, T-DXd, capecitabine and the TKIs.

Every finding here is `safety=True`: on order-sign, the last check before signing, the
renderer keeps those that say something is wrong and drops the information cards.
Thresholds, label tables, intervals and sources live in `cards/data/safety_*.json` and
`cards/data/lvef_tables.json`.
"""

from cards.engine_types import Rule
from cards.hook_input import Hook
from cards.safety.anthracycline_concurrency import anthracycline_concurrency_findings
from cards.safety.anthracycline_dose import anthracycline_dose_findings
from cards.safety.biomarkers import biomarker_mismatch_findings
from cards.safety.duplicate_antibodies import duplicate_antibody_findings
from cards.safety.heart_failure import heart_failure_findings
from cards.safety.her2_missing import her2_not_on_file_findings
from cards.safety.ild import ild_findings
from cards.safety.lvef_monitoring import cardiac_summary_findings, lvef_monitoring_findings
from cards.safety.lvef_withhold import lvef_threshold_findings
from cards.safety.organ_function import organ_function_findings
from cards.safety.pertuzumab_partner import pertuzumab_partner_findings
from cards.safety.pregnancy import pregnancy_findings
from cards.safety.substitution import substitution_findings
from cards.safety.tdxd_label import tdxd_population_findings

ALL = frozenset(Hook)
ORDERS = frozenset({Hook.ORDER_SELECT, Hook.ORDER_SIGN})

RULES: tuple[Rule, ...] = (
    Rule(id="C1", hooks=ALL, run=lvef_monitoring_findings),
    Rule(id="C2", hooks=ALL, run=lvef_threshold_findings),
    Rule(id="cardiac-summary", hooks=frozenset({Hook.PATIENT_VIEW}), run=cardiac_summary_findings),
    Rule(id="heart-failure", hooks=ALL, run=heart_failure_findings),
    Rule(id="C3", hooks=ORDERS, run=anthracycline_concurrency_findings),
    Rule(id="C4", hooks=ORDERS, run=anthracycline_dose_findings),
    Rule(id="C5", hooks=ALL, run=pregnancy_findings),
    Rule(id="C6", hooks=ORDERS, run=biomarker_mismatch_findings),
    Rule(
        id="her2-not-on-file",
        hooks=frozenset({Hook.PATIENT_VIEW}),
        run=her2_not_on_file_findings,
    ),
    Rule(id="C7", hooks=ORDERS, run=tdxd_population_findings),
    Rule(id="C8", hooks=ORDERS, run=ild_findings),
    Rule(id="C9", hooks=ORDERS, run=substitution_findings),
    Rule(id="duplicate-her2-antibody", hooks=ORDERS, run=duplicate_antibody_findings),
    Rule(id="organ-function", hooks=ORDERS, run=organ_function_findings),
    Rule(id="pertuzumab-without-trastuzumab", hooks=ORDERS, run=pertuzumab_partner_findings),
)

__all__ = ["RULES"]
