"""Plans at equal budget: scale every plan to the same expected cost before comparing.

The per-intervention arithmetic is `sim.budget` (expected participants x cost per
participant per week x weeks running); this module works on whole plans: each plan's
interventions are scaled by one factor, by coverage (the share of eligible employees)
or by duration (weeks), so that the plan costs the budget. It may move to `sim` later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sim.budget import BudgetError, intervention_cost, plan_cost, scale_to_budget
from sim.interventions import Intervention
from sim.organization import Organization
from sim.params import Params

SCALE_BY = ("coverage", "duration")
TOLERANCE = 0.01
"""A scaled plan within 1% of the budget counts as on budget."""

Plan = Sequence[Intervention]


def plan_costs(plans: Mapping[str, Plan], org: Organization, params: Params) -> dict[str, float]:
    """Expected cost of each plan over the horizon."""
    return {name: plan_cost(plan, org, params) for name, plan in plans.items()}


def scale_plan(
    plan: Plan, budget: float, org: Organization, params: Params, by: str = "coverage"
) -> tuple[Intervention, ...]:
    """A copy of `plan` whose expected cost is `budget`, every part scaled alike.

    Raises:
        BudgetError: the plan costs nothing, or the budget needs more than full coverage.
    """
    full = plan_cost(plan, org, params)
    if full <= 0:
        raise BudgetError(
            "costs nothing as specified; give it a cost per participant per week to scale it"
        )
    factor = budget / full
    return tuple(
        scale_to_budget(item, intervention_cost(item, org, params) * factor, org, params, by=by)
        for item in plan
    )


def equalize_plans(
    plans: Mapping[str, Plan],
    org: Organization,
    params: Params,
    *,
    by: str = "coverage",
    budget: float | None = None,
) -> tuple[dict[str, tuple[Intervention, ...]], float, list[str]]:
    """Scale every plan that costs something to one budget.

    Args:
        plans: plans by name; a plan without cost (doing nothing) is left as it is.
        org: the organization the plans run in (its size sets the costs).
        params: the parameters (horizon, turnover).
        by: "coverage" or "duration".
        budget: the common budget; the cheapest paying plan's cost when None, so that
            scaling by coverage never needs more than everyone.

    Returns:
        The scaled plans, the budget, and notes on plans that could not be matched.
    """
    if by not in SCALE_BY:
        raise ValueError(f"by must be one of {SCALE_BY}, not {by!r}")
    costs = plan_costs(plans, org, params)
    paying = [cost for cost in costs.values() if cost > 0]
    if budget is None:
        budget = min(paying) if paying else 0.0
    scaled: dict[str, tuple[Intervention, ...]] = {}
    notes = []
    for name, plan in plans.items():
        if costs[name] <= 0:
            scaled[name] = tuple(plan)
            if plan:
                notes.append(f"{name} costs nothing as specified, so it was left as it is.")
            continue
        try:
            scaled[name] = scale_plan(plan, budget, org, params, by)
        except BudgetError as error:
            scaled[name] = tuple(plan)
            notes.append(f"{name} kept its own cost: {error}.")
            continue
        reached = plan_cost(scaled[name], org, params)
        if budget and abs(reached - budget) > TOLERANCE * budget:
            notes.append(
                f"{name} reaches {reached:,.0f} rather than {budget:,.0f}: its "
                f"{by} moves in whole steps."
            )
    return scaled, budget, notes
