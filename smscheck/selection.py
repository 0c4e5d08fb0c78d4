"""Which rules run: `select` and `ignore` by rule id or family (the id's leading parts, e.g.
`FMT`, `CNIL12-OPT`), as ruff selects its rules."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass


def _matches(rule_id: str, selector: str) -> bool:
    rule_id, selector = rule_id.upper(), selector.upper()
    return rule_id == selector or rule_id.startswith(selector + "-")


@dataclass(frozen=True, slots=True)
class Selection:
    """Rules kept: those `select` names (every rule when empty), less those `ignore` names
    (ignore wins). A rule left out is listed in each report as ignored, never silently."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def keeps(self, rule_id: str) -> bool:
        if self.select and not any(_matches(rule_id, chosen) for chosen in self.select):
            return False
        return not any(_matches(rule_id, left) for left in self.ignore)

    def unknown(self, rule_ids: Collection[str]) -> list[str]:
        """The selectors that name no rule of `rule_ids` (a typo that would select nothing)."""
        return [
            selector
            for selector in (*self.select, *self.ignore)
            if not any(_matches(rule_id, selector) for rule_id in rule_ids)
        ]


def split_ids(values: Iterable[str]) -> tuple[str, ...]:
    """Rule ids and families from options given as `A,B` or repeated."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())
