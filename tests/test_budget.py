"""The one budget rule: a plan scaled together, by coverage or duration, to an expected cost."""

from __future__ import annotations

import math

import pytest

from sim.budget import (
    BudgetError,
    cost_basis,
    equalize_plans,
    intervention_cost,
    plan_cost,
    scale_plan,
)
from sim.interventions import Coverage, Intervention
from sim.params import Params

PARAMS = Params(n_employees=200)
ORG = cost_basis(PARAMS)
MIXED = (
    Intervention(kind="language", start=10, strength=0.5, cost_per_participant_week=1.0),
    Intervention(
        kind="customer_exposure",
        start=10,
        strength=0.5,
        cost_per_participant_week=3.0,
        coverage=Coverage(departments=("finance", "marketing")),
    ),
)


def test_costs_do_not_depend_on_the_seed_of_a_generated_organization():
    import numpy as np

    from sim.organization import generate_organization

    other = generate_organization(PARAMS, np.random.default_rng(99))
    assert plan_cost(MIXED, other, PARAMS) == plan_cost(MIXED, ORG, PARAMS)


@pytest.mark.parametrize("budget", [0.0, 1_000.0, 5_000.0])
def test_a_plan_scaled_by_coverage_costs_the_budget_and_keeps_its_mix(budget):
    full = [intervention_cost(item, ORG, PARAMS) for item in MIXED]
    scaled = scale_plan(MIXED, budget, ORG, PARAMS)
    assert plan_cost(scaled, ORG, PARAMS) == pytest.approx(budget)
    parts = [intervention_cost(item, ORG, PARAMS) for item in scaled]
    for part, whole in zip(parts, full, strict=True):
        assert part == pytest.approx(budget * whole / sum(full))


def test_scaling_by_duration_moves_whole_weeks_and_counts_the_horizon():
    scaled = scale_plan(MIXED, 2_000.0, ORG, PARAMS, by="duration", horizon=60)
    assert all(isinstance(item.duration, int) and item.duration >= 1 for item in scaled)
    assert plan_cost(scaled, ORG, PARAMS, horizon=60) == pytest.approx(2_000.0, rel=0.05)


def test_a_plan_that_costs_nothing_or_a_budget_that_is_not_a_number_is_refused():
    free = (Intervention(kind="language", start=1),)
    with pytest.raises(BudgetError, match="costs nothing"):
        scale_plan(free, 100.0, ORG, PARAMS)
    for bad in (math.nan, math.inf, -1.0):
        with pytest.raises(BudgetError, match="finite number of at least 0"):
            scale_plan(MIXED, bad, ORG, PARAMS)
    with pytest.raises(ValueError, match="by must be one of"):
        scale_plan(MIXED, 100.0, ORG, PARAMS, by="luck")


def test_equalizing_uses_the_same_rule_for_every_paying_plan():
    plans = {"nothing": (), "mixed": MIXED, "one": MIXED[:1]}
    scaled, budget, notes = equalize_plans(plans, ORG, PARAMS, budget=1_500.0)
    assert scaled["nothing"] == () and budget == 1_500.0 and notes == []
    assert scaled["mixed"] == scale_plan(MIXED, 1_500.0, ORG, PARAMS)
    assert scaled["one"] == scale_plan(MIXED[:1], 1_500.0, ORG, PARAMS)
