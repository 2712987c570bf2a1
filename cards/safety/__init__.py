"""Safety rules: cardiac monitoring and withhold criteria, anthracyclines, biomarkers,
pregnancy, ILD, substitution (C1-C9)."""

from cards.engine_types import Rule

RULES: tuple[Rule, ...] = ()
