"""Whom a compared plan reaches: its interventions restricted to departments and levels.

A leader asks "what if we did it only in customer service?" or "only for managers?". A
restriction narrows every intervention of a plan (`eachcustomer.sim.interventions.Coverage`): the
departments and levels an intervention names already are intersected with the chosen
ones, and its random share applies to those left. Hiring for attitude acts on every hire,
so no restriction applies to it (as in the model).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from eachcustomer.sim.interventions import Intervention

ORGANIZATION_WIDE = ("hiring_for_attitude",)


def clean_restriction(departments: Any, levels: Any) -> dict[str, list]:
    """Chosen departments and levels from the browser: names and whole numbers only."""
    return {
        "departments": [str(d) for d in departments or [] if isinstance(d, str)],
        "levels": sorted(
            {int(v) for v in levels or [] if isinstance(v, int) and not isinstance(v, bool)}
        ),
    }


def _narrowed(current: tuple | None, chosen: Sequence) -> tuple | None:
    """The intervention's own list narrowed to the chosen (the chosen when it had none)."""
    if not chosen:
        return current
    if current is None:
        return tuple(chosen)
    return tuple(item for item in current if item in chosen)


def restrict_plan(
    plan: Sequence[Intervention], departments: Sequence[str], levels: Sequence[int]
) -> tuple[Intervention, ...]:
    """The plan with every intervention narrowed to `departments` and `levels` (each: all
    when empty)."""
    restricted = []
    for item in plan:
        if item.kind in ORGANIZATION_WIDE:
            restricted.append(item)
            continue
        coverage = item.coverage.model_copy(
            update={
                "departments": _narrowed(item.coverage.departments, departments),
                "levels": _narrowed(item.coverage.levels, levels),
            }
        )
        restricted.append(item.model_copy(update={"coverage": coverage}))
    return tuple(restricted)


def restriction_words(departments: Sequence[str], levels: Sequence[int]) -> str:
    """The restriction in words ("" when there is none): 'customer service; levels 3, 4'."""
    parts = []
    if departments:
        parts.append(", ".join(departments))
    if levels:
        parts.append(("level " if len(levels) == 1 else "levels ") + ", ".join(map(str, levels)))
    return "; ".join(parts)


def restricted_name(name: str, departments: Sequence[str], levels: Sequence[int]) -> str:
    """A plan name for an exported spec: the plan's name and whom it is restricted to."""
    words = restriction_words(departments, levels)
    if not words:
        return name
    return f"{name}_in_" + re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")


def coverage_words(item: Intervention) -> str:
    """Whom one intervention covers, in words."""
    if item.kind in ORGANIZATION_WIDE:
        return "every hire"
    coverage = item.coverage
    where = restriction_words(coverage.departments or (), coverage.levels or ())
    if coverage.departments == () or coverage.levels == ():
        return "nobody (no department or level left)"
    return f"{coverage.share:.0%} of " + (where if where else "staff")
