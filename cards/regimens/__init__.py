"""Regimen guidance: line of therapy, computed doses, draft-order dose checks (C10-C12).

Rules, in the order the engine runs them (each module's docstring says why it exists):

- C10 (`weight_check`): weight/height for weight- and BSA-based doses missing, old or changed.
- dose-check and C11 (`dose_check`): drafted doses against the computed dose; re-loading.
- adjuvant-duration (`duration`): (neo)adjuvant trastuzumab drafted beyond 52 weeks.
- course-limit (`course_limit`): adjuvant T-DM1 drafted after its 14 cycles.
- starting-dose and supportive-care (`starting_dose`): tucatinib's dose against a strong CYP2C8
  inhibitor on file; loperamide with a first full-dose neratinib order.
- C12 (`first_line`, `second_line`, `later_lines`, `line_unknown`, `endocrine`, `maintenance`,
  `her2_low`, `early_stage`): what the guideline recommends for this patient now, on
  order-select.
- C12 summary (`summary`): the same advice on patient-view, without order suggestions.

The caveats the advice states beside a guideline's preference (ER-low, the T-DXd label's
6-month relapse window) are in `label_caveats` (`cards/data/label_caveats.json`).

Knowledge lives in `cards/data/regimens.json`, `cards/data/dosing_thresholds.json`,
`cards/data/course_rules.json` and `cards/data/label_caveats.json`.
"""

from cards.engine_types import Rule
from cards.hook_input import Hook
from cards.regimens.course_limit import course_limit_findings
from cards.regimens.dose_check import dose_findings
from cards.regimens.duration import duration_findings
from cards.regimens.early_stage import early_stage_findings
from cards.regimens.endocrine import endocrine_findings
from cards.regimens.first_line import first_line_findings
from cards.regimens.her2_low import her2_low_findings
from cards.regimens.later_lines import later_line_findings
from cards.regimens.line_unknown import line_unknown_findings
from cards.regimens.maintenance import maintenance_findings
from cards.regimens.second_line import second_line_findings
from cards.regimens.starting_dose import starting_dose_findings, supportive_care_findings
from cards.regimens.summary import summary_findings
from cards.regimens.weight_check import weight_findings

ORDERS = frozenset({Hook.ORDER_SELECT, Hook.ORDER_SIGN})
ORDER_SELECT = frozenset({Hook.ORDER_SELECT})

RULES: tuple[Rule, ...] = (
    Rule("C10", ORDERS, weight_findings),
    Rule("dose-check", ORDERS, dose_findings),
    Rule("adjuvant-duration", ORDERS, duration_findings),
    Rule("course-limit", ORDERS, course_limit_findings),
    Rule("starting-dose", ORDERS, starting_dose_findings),
    Rule("supportive-care", ORDERS, supportive_care_findings),
    Rule("C12-first-line", ORDER_SELECT, first_line_findings),
    Rule("C12-second-line", ORDER_SELECT, second_line_findings),
    Rule("C12-later-lines", ORDER_SELECT, later_line_findings),
    Rule("C12-line-undetermined", ORDER_SELECT, line_unknown_findings),
    Rule("C12-hr-endocrine", ORDER_SELECT, endocrine_findings),
    Rule("C12-her2-maintenance", ORDER_SELECT, maintenance_findings),
    Rule("C12-her2-low", frozenset({Hook.ORDER_SELECT, Hook.PATIENT_VIEW}), her2_low_findings),
    Rule("C12-early-stage", ORDER_SELECT, early_stage_findings),
    Rule("C12-summary", frozenset({Hook.PATIENT_VIEW}), summary_findings),
)

__all__ = ["RULES"]
