"""Fact 8's contrasts: one more level, ten times the head count, twice the share off the front line.

Organizations of different structure draw different random ties from the same seed, so
their pairing removes less luck than that of two plans on one organization
(docs/ODD.md 11.4 gives the measured effects and what carries them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eachcustomer.experiments.fact_contrasts import Contrast, final, outcomes
from eachcustomer.sim.organization import generate_organization
from eachcustomer.sim.params import DEFAULT_DEPARTMENTS, Department, Params

BACK_OFFICE_HALVED = 0.3
"""Back-office departments at this share of their default sizes (16% of staff instead of 52%)
leave 30% of the staff away from the front line (distance 2+), against 60% at the defaults:
fact 8's "twice the share of staff far from customers"."""
ONE_MORE_LEVEL = ((1000, 20, 10), (1000, 10, 5), (1000, 5, 3))
"""(head count, span of the shallower, span of the one-level-deeper organization): 4 vs 5,
5 vs 6 and 6 vs 7 levels."""
DEPTH_OUTCOMES = (("mean_attitude", "attitude"), ("mean_customer_focus", "focus"))


def back_office_scaled(factor: float) -> tuple[Department, ...]:
    """The default departments with the back office at `factor` of its share."""
    back = sum(d.share for d in DEFAULT_DEPARTMENTS if not d.customer_facing)
    front_factor = (1.0 - factor * back) / (1.0 - back)
    return tuple(
        d.model_copy(update={"share": d.share * (front_factor if d.customer_facing else factor)})
        for d in DEFAULT_DEPARTMENTS
    )


def levels(params: Params) -> int:
    """Levels of the generated hierarchy (its structure does not depend on the seed)."""
    return int(generate_organization(params, np.random.default_rng(0)).level.max())


def share_far(params: Params) -> float:
    """Share of the staff away from the front line (distance 2+, MODEL.md's bands 2 to 4+)."""
    org = generate_organization(params, np.random.default_rng(0))
    return float((org.distance_to_customer >= 2).mean())


def organizations(
    fact: int, first: Params, second: Params, seeds: Sequence[int], arms: str
) -> list[Contrast]:
    """Mean attitude and focus at week 104 of two organizations."""
    measures = [final(column) for column, _ in DEPTH_OUTCOMES]
    one, other = outcomes(first, seeds, measures), outcomes(second, seeds, measures)
    return [
        Contrast(fact, arms, f"{name}, week 104", a, b)
        for (_, name), a, b in zip(DEPTH_OUTCOMES, one, other, strict=True)
    ]


def one_more_level(
    seeds: Sequence[int], base: Params, size: int, shallow: int, deep: int
) -> list[Contrast]:
    """The shallower organization against one level deeper at the same head count."""
    first = base.replace(n_employees=size, span_of_control=shallow)
    second = base.replace(n_employees=size, span_of_control=deep)
    arms = f"{levels(first)} vs {levels(second)} levels ({size:,}; span {shallow} vs {deep})"
    return organizations(8, first, second, seeds, arms)


def fact_8(seeds: Sequence[int], base: Params) -> list[Contrast]:
    """One more level; ten times the head count; twice the share far from customers."""
    rows = [c for step in ONE_MORE_LEVEL for c in one_more_level(seeds, base, *step)]
    small, large_wide = (
        base.replace(n_employees=300, span_of_control=6),
        base.replace(n_employees=3000, span_of_control=10),
    )
    large = base.replace(n_employees=3000, span_of_control=6)
    rows += organizations(8, small, large_wide, seeds, "300 vs 3,000, both 5 levels (span 6 vs 10)")
    rows += organizations(8, small, large, seeds, "300 vs 3,000, span 6 (5 vs 6 levels)")
    fewer_far = base.replace(departments=back_office_scaled(BACK_OFFICE_HALVED))
    arms = (
        f"{share_far(fewer_far):.0%} vs {share_far(base):.0%} of staff off the front line "
        f"({levels(fewer_far)} vs {levels(base)} levels)"
    )
    rows += organizations(8, fewer_far, base, seeds, arms)
    rows += one_more_level(seeds, base, 1000, 20, 2)
    return rows
