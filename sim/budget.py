"""What an intervention plan costs, and the one rule that scales a plan to a budget.

Plans are compared at equal cost (MODEL.md, Interventions): a one-off program for
everyone against a culture-wide change for some, or for a shorter time, at the same spend.
`scale_plan` is that rule, used by sweeps, the Compare page and the headline: every
intervention of a plan is scaled by the same factor (by coverage or by duration), so the
plan keeps its mix and costs the budget.
Costs here are expected costs before the run: covered employees x price per participant per
week x weeks running within the horizon; for hiring for attitude the participants are the
expected hires, approximated by head count x base turnover rate per week (strain makes
actual hires, and so actual spend, somewhat higher). The price is hours of staff time x
`params.wage_cost_per_hour` + direct cost (`Intervention.price_per_participant_week`), so a
plan priced in hours costs more where staff time costs more. `reprice_plan` multiplies a
plan's prices, for sweeps that vary one plan's price against another's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.organization import Organization, generate_organization
from eachcustomer.sim.params import Params
from eachcustomer.sim.processes.interventions import eligible_participants

SCALE_BY = ("coverage", "duration")
TOLERANCE = 0.01
"""A scaled plan within 1% of its budget counts as on budget (duration moves in weeks)."""


def cost_basis(params: Params, org: Organization | None = None) -> Organization:
    """The organization costs are counted on: `org`, or the one `params` generate.

    Costs depend only on head counts by department and level, which a generated
    organization takes from the parameters alone (its random peer ties cost nothing), so
    any seed gives the same costs.
    """
    return org if org is not None else generate_organization(params, np.random.default_rng(0))


def expected_participants(spec: Intervention, org: Organization, params: Params) -> float:
    """Expected participants in one week the intervention runs."""
    if spec.kind == "hiring_for_attitude":
        return org.size * params.turnover_rate  # hiring acts organization-wide
    return float(eligible_participants(spec, org).sum()) * spec.coverage.share


def intervention_cost(
    spec: Intervention, org: Organization, params: Params, horizon: int | None = None
) -> float:
    """Expected total cost of one intervention within weeks 1..horizon."""
    weeks = spec.weeks_within(params.horizon_weeks if horizon is None else horizon)
    price = spec.price_per_participant_week(params.wage_cost_per_hour, params.leader_wage_ratio)
    return expected_participants(spec, org, params) * price * weeks


def restrengthen_plan(plan: Iterable[Intervention], multiplier: float) -> tuple[Intervention, ...]:
    """The plan with every intervention's strength times `multiplier` (each at most 1)."""
    return tuple(item.strengthened(multiplier) for item in plan)


def reprice_plan(plan: Iterable[Intervention], multiplier: float) -> tuple[Intervention, ...]:
    """The plan with every intervention's price (hours, direct, all-in) times `multiplier`."""
    return tuple(item.repriced(multiplier) for item in plan)


def plan_cost(
    plan: Iterable[Intervention], org: Organization, params: Params, horizon: int | None = None
) -> float:
    """Expected total cost of a plan (a list of interventions)."""
    return sum(intervention_cost(spec, org, params, horizon) for spec in plan)


class BudgetError(ValueError):
    """An intervention that cannot be scaled to the budget asked for."""


def scale_to_budget(
    spec: Intervention,
    budget: float,
    org: Organization,
    params: Params,
    by: str = "coverage",
    horizon: int | None = None,
) -> Intervention:
    """A copy of `spec` whose expected cost equals `budget`.

    Args:
        spec: the intervention at full scale.
        budget: the total to spend, >= 0.
        org: the organization it runs in.
        params: the parameters (horizon, turnover rate).
        by: "coverage" scales the share of eligible employees (at most everyone);
            "duration" scales the weeks it runs (whole weeks, at least one).
        horizon: weeks counted; `params.horizon_weeks` when None.

    Raises:
        BudgetError: when the budget needs more than full coverage, or the intervention
            costs nothing so no scale reaches a positive budget.
    """
    full = intervention_cost(spec, org, params, horizon)
    if not np.isfinite(budget) or budget < 0:
        raise BudgetError(f"budget must be a finite number of at least 0, got {budget}")
    if full == 0:
        if budget == 0:
            return spec
        raise BudgetError(
            f"{spec.name} costs nothing at full scale: give it hours_per_participant_week, "
            "direct_cost_per_participant_week or cost_per_participant_week before scaling "
            "it to a budget"
        )
    if by == "coverage":
        share = spec.coverage.share * budget / full
        if share > 1.0 + 1e-12:
            raise BudgetError(
                f"{spec.name}: a budget of {budget:,.0f} needs coverage "
                f"{share:.2f} > 1 of the eligible employees; lengthen it or "
                "raise its cost instead"
            )
        coverage = spec.coverage.model_copy(update={"share": min(share, 1.0)})
        return spec.model_copy(update={"coverage": coverage})
    if by == "duration":
        weekly = full / max(
            spec.weeks_within(params.horizon_weeks if horizon is None else horizon), 1
        )
        weeks = max(1, round(budget / weekly))
        return spec.model_copy(update={"duration": weeks})
    raise ValueError(f"by must be 'coverage' or 'duration', not {by!r}")


def scale_plan(
    plan: Sequence[Intervention],
    budget: float,
    org: Organization,
    params: Params,
    by: str = "coverage",
    horizon: int | None = None,
) -> tuple[Intervention, ...]:
    """A copy of `plan` whose expected cost is `budget`, every intervention scaled alike.

    Each intervention gets the budget's share that it has of the plan's full cost, so the
    plan keeps its mix; `scale_to_budget` then scales it by coverage or duration.

    Raises:
        BudgetError: the plan costs nothing, or the budget needs more than full coverage.
    """
    if by not in SCALE_BY:
        raise ValueError(f"by must be one of {SCALE_BY}, not {by!r}")
    if not np.isfinite(budget) or budget < 0:
        raise BudgetError(f"budget must be a finite number of at least 0, got {budget}")
    full = plan_cost(plan, org, params, horizon)
    if full <= 0:
        raise BudgetError(
            "costs nothing as specified, so it cannot be scaled to a budget: give its "
            "interventions hours_per_participant_week, direct_cost_per_participant_week or "
            "cost_per_participant_week"
        )
    factor = budget / full
    return tuple(
        scale_to_budget(
            item, intervention_cost(item, org, params, horizon) * factor, org, params, by, horizon
        )
        for item in plan
    )


def plan_costs(
    plans: Mapping[str, Sequence[Intervention]],
    org: Organization,
    params: Params,
    horizon: int | None = None,
) -> dict[str, float]:
    """Expected cost of each plan over the horizon."""
    return {name: plan_cost(plan, org, params, horizon) for name, plan in plans.items()}


def equalize_plans(
    plans: Mapping[str, Sequence[Intervention]],
    org: Organization,
    params: Params,
    *,
    by: str = "coverage",
    budget: float | None = None,
    horizon: int | None = None,
) -> tuple[dict[str, tuple[Intervention, ...]], float, list[str]]:
    """Scale every plan that costs something to one budget with `scale_plan`.

    Args:
        plans: plans by name; a plan without cost (doing nothing) is left as it is.
        org: the organization the plans run in (its head counts set the costs).
        params: the parameters (horizon, turnover).
        by: "coverage" or "duration".
        budget: the common budget; when None, the cost of the cheapest plan that costs
            anything, so that scaling by coverage never needs more than everyone.
        horizon: weeks counted; `params.horizon_weeks` when None.

    Returns:
        The scaled plans, the budget, and notes on plans that could not be matched.
    """
    if by not in SCALE_BY:
        raise ValueError(f"by must be one of {SCALE_BY}, not {by!r}")
    costs = plan_costs(plans, org, params, horizon)
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
            scaled[name] = scale_plan(plan, budget, org, params, by, horizon)
        except BudgetError as error:
            scaled[name] = tuple(plan)
            notes.append(f"{name} kept its own cost: {error}.")
            continue
        reached = plan_cost(scaled[name], org, params, horizon)
        if budget and abs(reached - budget) > TOLERANCE * budget:
            notes.append(
                f"{name} reaches {reached:,.0f} rather than {budget:,.0f}: its {by} moves in "
                "whole steps."
            )
    return scaled, budget, notes
