"""Regimen guidance: line of therapy, computed doses, draft-order dose checks (C10-C12)."""

from cards.engine_types import Rule

RULES: tuple[Rule, ...] = ()
