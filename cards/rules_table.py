"""The README's rule table, generated from `cards/data/rules.json`.

`python -m cards.rules_table` rewrites the table in README.md (between its two markers);
`python -m cards.rules_table --check` exits non-zero when the README differs. A test runs the
check, so the README cannot drift from the registry.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cards.hook_input import Hook
from cards.rules import RuleEntry, registry

BEGIN = (
    "<!-- rules table: generated from cards/data/rules.json by `python -m cards.rules_table` -->"
)
END = "<!-- end of rules table -->"
README = Path(__file__).resolve().parents[1] / "README.md"
ORDER_HOOKS = {Hook.ORDER_SELECT, Hook.ORDER_SIGN}


def _hooks(row: RuleEntry) -> str:
    hooks = set(row.hooks)
    if hooks == set(Hook):
        return "all"
    if hooks == ORDER_HOOKS:
        return "order"
    return ", ".join(h.value for h in Hook if h in hooks)


def _codes(items: tuple[str, ...]) -> str:
    return ", ".join(f"`{item}`" for item in items) or "—"


def table() -> str:
    """The Markdown table, one row per rule in the order the engine runs them."""
    lines = [
        "| Id (code on its cards) | Hooks | What it checks (indicator) | Thresholds | Sources |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {row.id} | {_hooks(row)} | {row.statement} | {_codes(row.thresholds)} "
        f"| {_codes(row.sources)} |"
        for row in registry()
    ]
    return "\n".join(lines)


def with_table(readme: str) -> str:
    """`readme` with the text between the markers replaced by the generated table."""
    start = readme.index(BEGIN) + len(BEGIN)
    end = readme.index(END)
    return f"{readme[:start]}\n\n{table()}\n\n{readme[end:]}"


def main(argv: list[str]) -> int:
    try:
        text = README.read_text(encoding="utf-8")
    except OSError as exc:  # an installed package has no README beside it
        print(f"cards.rules_table: cannot read {README}: {exc.strerror}", file=sys.stderr)
        return 2
    wanted = with_table(text)
    if "--check" in argv:
        if text != wanted:
            print("README.md rule table differs from cards/data/rules.json", file=sys.stderr)
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
