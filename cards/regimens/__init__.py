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

Each rule's id, hooks, statement, thresholds and sources are in `cards/data/rules.json`;
which function runs which id is in `cards/rules.py`.
"""
