"""What an intervention plan costs, and scaling an intervention to a budget.

Plans are compared at equal cost (MODEL.md, Interventions): a one-off program for
everyone against a culture-wide change for some, or for a shorter time, at the same spend.
Costs here are expected costs before the run: covered employees x cost per participant per
week x weeks running within the horizon; for hiring for attitude the participants are the
expected hires, approximated by head count x base turnover rate per week (strain makes
actual hires, and so actual spend, somewhat higher).
"""

from __future__ import annotations

from collections.abc import Iterable

from sim.interventions import Intervention
from sim.organization import Organization
from sim.params import Params


def expected_participants(spec: Intervention, org: Organization, params: Params) -> float:
    """Expected participants in one week the intervention runs."""
    if spec.kind == "hiring_for_attitude":
        return org.size * params.turnover_rate  # hiring acts organization-wide
    eligible = spec.coverage.eligible(org.department_names, org.department, org.level)
    return float(eligible.sum()) * spec.coverage.share


def intervention_cost(
    spec: Intervention, org: Organization, params: Params, horizon: int | None = None
) -> float:
    """Expected total cost of one intervention within weeks 1..horizon."""
    weeks = spec.weeks_within(params.horizon_weeks if horizon is None else horizon)
    return expected_participants(spec, org, params) * spec.cost_per_participant_week * weeks


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
    if budget < 0:
        raise BudgetError(f"budget must be at least 0, got {budget}")
    if full == 0:
        if budget == 0:
            return spec
        raise BudgetError(
            f"{spec.name} costs nothing at full scale: set a cost per "
            "participant per week before scaling it to a budget"
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
