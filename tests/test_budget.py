"""The one budget rule: a plan scaled together, by coverage or duration, to an expected cost."""

from __future__ import annotations

import math

import pytest

from eachcustomer.experiments.loading.plans import PlanError, plan_library, read_plan
from eachcustomer.sim.budget import (
    BudgetError,
    cost_basis,
    equalize_plans,
    intervention_cost,
    plan_cost,
    reprice_plan,
    scale_plan,
)
from eachcustomer.sim.interventions import Coverage, Intervention
from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.params import Params

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

    from eachcustomer.sim.organization import generate_organization

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


# --- prices: hours of staff time at the wage cost, plus direct spend ------------------------


def test_a_price_is_hours_at_the_wage_cost_plus_direct_spend():
    day = Intervention(
        kind="training_day", hours_per_participant_week=8.0, direct_cost_per_participant_week=304.0
    )
    assert day.price_per_participant_week(45.65, 2.0) == pytest.approx(8 * 45.65 + 304)
    assert day.price_per_participant_week(0.0, 2.0) == 304.0
    # Leadership tone's hours are leaders' hours, at the leader's wage.
    tone = Intervention(kind="leadership_tone", hours_per_participant_week=2.0)
    assert tone.price_per_participant_week(45.65, 2.5) == pytest.approx(2 * 45.65 * 2.5)
    assert intervention_cost(day, ORG, PARAMS) == pytest.approx(ORG.size * 669.2)
    cheaper = PARAMS.replace(wage_cost_per_hour=20.0)
    assert intervention_cost(day, ORG, cheaper) == pytest.approx(ORG.size * (160.0 + 304.0))
    hours_only = Intervention(kind="language", start=10, hours_per_participant_week=0.5)
    weeks = PARAMS.horizon_weeks - 10 + 1
    assert plan_cost([hours_only], ORG, cheaper) == pytest.approx(ORG.size * 10.0 * weeks)


def test_an_all_in_price_means_what_it_meant_before_prices_were_split():
    old = Intervention(kind="training_day", cost_per_participant_week=150.0)
    assert old.price_per_participant_week(45.65, 2.0) == 150.0
    assert old.price_per_participant_week(1_000.0, 2.0) == 150.0
    assert intervention_cost(old, ORG, PARAMS.replace(wage_cost_per_hour=99.0)) == pytest.approx(
        ORG.size * 150.0
    )
    assert Intervention(kind="language").price_per_participant_week(45.65, 2.0) == 0.0


def test_an_all_in_price_next_to_hours_or_direct_spend_is_refused_in_a_plan_file(tmp_path):
    for extra in ("hours_per_participant_week = 8", "direct_cost_per_participant_week = 10"):
        path = tmp_path / "mixed.toml"
        path.write_text(
            'title = "m"\n[[interventions]]\nkind = "training_day"\n'
            f"cost_per_participant_week = 150\n{extra}\n"
        )
        with pytest.raises(PlanError, match=r"mixed\.toml: interventions\.0: .*all-in price"):
            read_plan(path)


def test_repricing_multiplies_hours_direct_and_all_in_costs():
    plan = (
        Intervention(
            kind="training_day",
            hours_per_participant_week=8.0,
            direct_cost_per_participant_week=300.0,
        ),
        Intervention(kind="language", cost_per_participant_week=2.0),
    )
    doubled = reprice_plan(plan, 2.0)
    assert doubled[0].hours_per_participant_week == 16.0
    assert doubled[0].direct_cost_per_participant_week == 600.0
    assert doubled[0].cost_per_participant_week is None
    assert doubled[1].cost_per_participant_week == 4.0
    assert plan_cost(doubled, ORG, PARAMS) == pytest.approx(2 * plan_cost(plan, ORG, PARAMS))
    with pytest.raises(ValueError, match="finite number >= 0"):
        reprice_plan(plan, -1.0)


def test_the_library_prices_a_training_day_and_culture_change_from_their_sources():
    library = plan_library()
    params = Params()
    wage, ratio = params.wage_cost_per_hour, params.leader_wage_ratio
    assert wage == 45.65  # BLS ECEC, US private industry, June 2025
    (day,) = library["training_day"].interventions
    assert day.price_per_participant_week(wage, ratio) == pytest.approx(8 * 45.65 + 8 * 38)
    # Culture change is the sum of its levers' prices (docs/CALIBRATION.md 1.10): 0.62 hours
    # and $0.50 per person-week, the order of ATD's 34 formal learning hours a year / 52.
    culture = library["culture_change"].interventions
    hours = sum(item.hours_per_participant_week for item in culture)
    assert hours == pytest.approx(0.62) and abs(hours - 34 / 52) < 0.05
    assert sum(item.price_per_participant_week(wage, ratio) for item in culture) == pytest.approx(
        0.62 * 45.65 + 0.50
    )


def test_a_run_spends_what_the_budget_rule_expects_at_its_wage():
    params = Params(n_employees=30, wage_cost_per_hour=40.0)
    day = Intervention(
        kind="training_day",
        start=2,
        hours_per_participant_week=8.0,
        direct_cost_per_participant_week=100.0,
    )
    model = OrgModel(params, rng=3, interventions=[day])
    weekly = model.run(4)
    assert weekly["intervention_spend_total"].iloc[-1] == pytest.approx(30 * (8 * 40.0 + 100.0))
    assert plan_cost([day], cost_basis(params), params) == pytest.approx(30 * 420.0)
