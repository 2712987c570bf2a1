"""Safety rules: cardiac monitoring and withhold criteria, anthracyclines, biomarkers,
pregnancy, ILD, substitution (C1-C9), heart failure on file, the same antibody drafted
twice (Phesgo or Herceptin Hylecta next to IV trastuzumab or pertuzumab), pertuzumab drafted
without trastuzumab, and organ function (liver tests, blood counts, creatinine clearance) before
T-DM1, T-DXd, capecitabine and the TKIs.

Every finding here is `safety=True`: on order-sign, the last check before signing, the
renderer keeps those that say something is wrong and drops the information cards.
Thresholds, label tables, intervals and sources live in `cards/data/safety_*.json` and
`cards/data/lvef_tables.json`.

Each rule's id, hooks, statement, thresholds and sources are in `cards/data/rules.json`;
which function runs which id is in `cards/rules.py`.
"""
