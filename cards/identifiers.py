"""The code systems this service mints: its rule ids and its override reasons.

Cards carry them as `source.topic.system` and `overrideReasons[].system`; EHRs store them with
the feedback they send back. They must be names the deployment owns and that do not change
from one release to the next:

- with `HER2CDS_PUBLIC_BASE_URL` set (``https://cds.example.org``), under that URL:
  ``https://cds.example.org/codes/rules`` and ``https://cds.example.org/codes/override-reason``;
- without it, fixed `urn:uuid:` names minted once for this project (below), never changed.

Releases before 2026-12 used URLs under a GitHub organisation that does not exist
(`LEGACY_*`). Feedback that names them is still accepted and stored as sent; `same_system`
tells a reader that the three spellings of one code system are one.
"""

from __future__ import annotations

from dataclasses import dataclass

RULES_URN = "urn:uuid:656ea152-068b-42c1-a9db-553bccafdc55"
OVERRIDE_REASONS_URN = "urn:uuid:fcbf2cf4-8b16-424a-84cd-11da11814b45"
LEGACY_RULES_SYSTEM = "https://github.com/her2-cds-hooks/rules"
LEGACY_OVERRIDE_REASONS_SYSTEM = "https://github.com/her2-cds-hooks/override-reason"

_RULES_PATH = "/codes/rules"
_OVERRIDE_REASONS_PATH = "/codes/override-reason"


@dataclass(frozen=True)
class Identifiers:
    """The systems one deployment writes on its cards."""

    rules: str = RULES_URN
    override_reasons: str = OVERRIDE_REASONS_URN

    @classmethod
    def for_deployment(cls, public_base_url: str | None) -> Identifiers:
        """Under the service's public URL when it has one, else the fixed URNs."""
        if not public_base_url:
            return cls()
        base = public_base_url.rstrip("/")
        return cls(rules=base + _RULES_PATH, override_reasons=base + _OVERRIDE_REASONS_PATH)


def same_system(system: str | None, kind: str) -> bool:
    """Whether `system` names our rules (`kind` "rules") or override reasons ("override-
    reasons") in any spelling: the URN, the legacy GitHub URL, or under any public base URL."""
    if not system:
        return False
    urn, legacy, path = (
        (RULES_URN, LEGACY_RULES_SYSTEM, _RULES_PATH)
        if kind == "rules"
        else (OVERRIDE_REASONS_URN, LEGACY_OVERRIDE_REASONS_SYSTEM, _OVERRIDE_REASONS_PATH)
    )
    return system in (urn, legacy) or (system.startswith("https://") and system.endswith(path))
