"""Interventions: each lever's effect, spend, budgets, and no effect when none runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eachcustomer.sim.budget import BudgetError, intervention_cost, plan_cost, scale_to_budget
from eachcustomer.sim.interventions import CULTURE_WIDE, KINDS, Intervention
from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.organization import generate_organization
from eachcustomer.sim.params import Params
from eachcustomer.sim.processes.interventions import ScheduledIntervention, apply_interventions
from eachcustomer.sim.state import Employees, Levers

SMALL = Params(n_employees=200)


def test_a_schedule_that_never_starts_changes_nothing():
    plain = OrgModel(SMALL, rng=5).run(20)
    late = OrgModel(
        SMALL,
        rng=5,
        interventions=[
            {"kind": kind, "start": 500, "coverage": {"share": 0.5}} for kind in CULTURE_WIDE
        ],
    ).run(20)
    pd.testing.assert_frame_equal(plain, late)


def test_training_day_lifts_covered_attitudes_once_and_books_its_cost():
    model = OrgModel(
        SMALL,
        rng=1,
        interventions=[
            Intervention(
                kind="training_day",
                start=3,
                strength=0.5,
                cost_per_participant_week=10.0,
                coverage={"departments": ("sales",)},
            )
        ],
    )
    model.run(2)
    sales = model.org.department == 0
    model.step()
    table = model.outputs()
    assert table["why_interventions"].iloc[3] > 0
    assert table["intervention_spend"].iloc[3] == 10.0 * sales.sum()
    model.step()
    assert model.outputs()["intervention_spend"].iloc[4] == 0.0
    assert model.outputs()["intervention_spend_total"].iloc[4] == 10.0 * sales.sum()
    # Only sales moved by the program, in the attribution by department.
    by_department = model.attribution("department")
    lifted = by_department[
        (by_department["week"] == 3) & (by_department["mechanism"] == "interventions")
    ]
    assert lifted.set_index("group")["change"]["sales"] > 0
    assert (lifted.set_index("group")["change"].drop("sales") == 0).all()


@pytest.mark.parametrize(
    "kind, lever, direction",
    [
        ("language", "drift_rate", -1),
        ("incentive_alignment", "customer_weight", +1),
        ("customer_exposure", "effective_distance", -1),
        ("frontline_support", "encounter_buffer", +1),
        ("frontline_support", "strain_recovery", +1),
    ],
)
def test_culture_wide_levers_move_the_right_way_for_covered_only(kind, lever, direction):
    model = OrgModel(
        SMALL,
        rng=2,
        interventions=[
            Intervention(kind=kind, start=1, strength=0.5, coverage={"departments": ("marketing",)})
        ],
    )
    base = getattr(model.levers, lever).copy()
    model.step()
    after = getattr(model.levers, lever)
    marketing = model.org.department == model.org.department_names.index("marketing")
    changed = np.sign(after - base)
    assert np.all(changed[~marketing] == 0)
    moved = changed[marketing]
    assert np.all((moved == direction) | (base[marketing] == after[marketing]))
    assert (moved == direction).any()


def test_culture_wide_change_ends_cleanly_when_given_a_duration():
    model = OrgModel(
        SMALL,
        rng=3,
        interventions=[Intervention(kind="language", start=2, duration=3, strength=0.8)],
    )
    model.run(3)
    assert np.all(model.levers.drift_rate < SMALL.drift_rate)
    model.run(3)
    np.testing.assert_array_equal(model.levers.drift_rate, SMALL.drift_rate)


def test_leadership_tone_shifts_what_the_chief_answers_to_and_lifts_leaders():
    model = OrgModel(
        SMALL, rng=4, interventions=[Intervention(kind="leadership_tone", start=1, strength=0.5)]
    )
    chief = model.org.level == 1
    before = model.employees.disposition[chief].copy()
    model.step()
    assert model.levers.orientation_shift[chief] == pytest.approx(0.5)
    assert np.all(model.employees.disposition[chief] > before)


def test_hiring_for_attitude_pays_per_hire():
    params = SMALL.replace(turnover_rate=0.05)
    model = OrgModel(
        params,
        rng=6,
        interventions=[
            Intervention(
                kind="hiring_for_attitude", start=1, strength=0.5, cost_per_participant_week=7.0
            )
        ],
    )
    table = model.run(10)
    np.testing.assert_allclose(table["intervention_spend"].iloc[1:], 7.0 * table["hires"].iloc[1:])
    assert model.levers.hire_attitude_mean == pytest.approx(0.2 + 0.5 * 0.8)


def test_slogan_helps_only_while_it_runs():
    model = OrgModel(
        SMALL,
        rng=7,
        interventions=[Intervention(kind="slogan_campaign", start=2, duration=4, strength=0.5)],
    )
    table = model.run(10)
    running = table["why_interventions"].iloc[2:6]
    assert (running > 0).all()
    assert (table["why_interventions"].iloc[6:] == 0).all()


def test_every_kind_runs_and_stays_in_bounds():
    model = OrgModel(
        SMALL,
        rng=8,
        interventions=[
            Intervention(
                kind=kind, start=2, duration=5 if kind == "slogan_campaign" else None, strength=1.0
            )
            for kind in KINDS
        ],
    )
    model.run(12)
    assert np.all(np.abs(model.employees.attitude) <= 1)
    assert np.all((model.employees.customer_focus >= 0) & (model.employees.customer_focus <= 1))


def test_costs_and_scaling_to_a_budget():
    org = generate_organization(SMALL, np.random.default_rng(0))
    training = Intervention(kind="training_day", start=26, cost_per_participant_week=100.0)
    assert intervention_cost(training, org, SMALL) == pytest.approx(100.0 * org.size)
    half = scale_to_budget(training, 50.0 * org.size, org, SMALL)
    assert half.coverage.share == pytest.approx(0.5)
    assert intervention_cost(half, org, SMALL) == pytest.approx(50.0 * org.size)
    culture = Intervention(kind="language", start=26, cost_per_participant_week=1.0)
    weeks = SMALL.horizon_weeks - 26 + 1
    assert plan_cost([training, culture], org, SMALL) == pytest.approx(
        100.0 * org.size + weeks * org.size
    )
    shorter = scale_to_budget(culture, 10.0 * org.size, org, SMALL, by="duration")
    assert shorter.duration == 10
    with pytest.raises(BudgetError, match="coverage 2.00 > 1"):
        scale_to_budget(training, 200.0 * org.size, org, SMALL)
    with pytest.raises(BudgetError, match="costs nothing"):
        scale_to_budget(
            training.model_copy(update={"cost_per_participant_week": 0.0}), 1.0, org, SMALL
        )


def test_partial_coverage_draws_the_share_reproducibly():
    spec = [Intervention(kind="training_day", start=1, coverage={"share": 0.3})]
    first = OrgModel(SMALL, rng=9, interventions=spec)
    again = OrgModel(SMALL, rng=9, interventions=spec)
    chosen = first.interventions[0].participants
    np.testing.assert_array_equal(chosen, again.interventions[0].participants)
    assert 0.2 < chosen.mean() < 0.4


def test_a_slogan_without_duration_is_refused():
    with pytest.raises(ValueError, match="needs a duration"):
        Intervention(kind="slogan_campaign")


def four_employees() -> tuple[Employees, Levers]:
    employees = Employees(
        attitude=np.array([0.0, 0.5, -0.5, 1.0]),
        disposition=np.array([0.0, 0.2, -0.2, 0.4]),
        customer_focus=np.array([0.5, 0.5, 0.2, 0.0]),
        strain=np.zeros(4),
        weeks_in_post=np.zeros(4, dtype=np.int64),
    )
    levers = Levers(
        drift_rate=np.full(4, 0.1),
        effective_distance=np.array([1.0, 2.0, 3.0, 1.0]),
        customer_weight=np.full(4, 0.2),
        encounter_buffer=np.zeros(4),
        strain_recovery=np.full(4, 0.5),
        orientation_shift=np.zeros(4),
        shareholder_pressure=0.6,
        hire_attitude_mean=0.2,
    )
    return employees, levers


def test_interventions_are_a_pure_function_of_state_schedule_and_week():
    employees, base = four_employees()
    who = np.array([True, True, False, False])
    schedule = (
        ScheduledIntervention(
            Intervention(kind="delight_week", start=2, strength=0.5, cost_per_participant_week=3.0),
            who,
        ),
        ScheduledIntervention(
            Intervention(kind="language", start=2, duration=3, strength=0.5), ~who
        ),
        ScheduledIntervention(
            Intervention(kind="hiring_for_attitude", start=1, cost_per_participant_week=7.0), who
        ),
    )
    before = [array.copy() for array in (employees.attitude, employees.customer_focus)]
    quiet = apply_interventions(
        schedule,
        1,
        employees,
        base,
        base,
        hires=2,
        wage_cost_per_hour=40.0,
        leader_wage_ratio=2.0,
        lasting_share=0.0,
    )
    # Week 1: only hiring runs, since week 1, so the levers are rebuilt from the base.
    assert quiet.levers.hire_attitude_mean == pytest.approx(0.2 + 0.5 * 0.8)
    assert quiet.attitude is employees.attitude and quiet.spend == 2 * 7.0
    start = apply_interventions(
        schedule,
        2,
        employees,
        quiet.levers,
        base,
        hires=0,
        wage_cost_per_hour=40.0,
        leader_wage_ratio=2.0,
        lasting_share=0.0,
    )
    # Delight week: push(a, 0.5) = a + 0.5 (1 - a) and f + 0.5 (1 - f) for the first two.
    np.testing.assert_allclose(start.attitude, [0.5, 0.75, -0.5, 1.0])
    np.testing.assert_allclose(start.customer_focus, [0.75, 0.75, 0.2, 0.0])
    np.testing.assert_array_equal(start.disposition, employees.disposition)
    # Language halves the drift rate of the other two; hiring still lifts the hiring mean.
    np.testing.assert_allclose(start.levers.drift_rate, [0.1, 0.1, 0.05, 0.05])
    assert start.levers.hire_attitude_mean == pytest.approx(0.6)
    assert start.spend == 2 * 3.0
    # The inputs are untouched; a week with the same running set keeps the levers object.
    for array, old in zip((employees.attitude, employees.customer_focus), before, strict=True):
        np.testing.assert_array_equal(array, old)
    np.testing.assert_array_equal(base.drift_rate, 0.1)
    # Week 3: the one-week delight week is over, language runs on (rebuilt, same values).
    after = apply_interventions(
        schedule,
        3,
        employees,
        start.levers,
        base,
        hires=1,
        wage_cost_per_hour=40.0,
        leader_wage_ratio=2.0,
        lasting_share=0.0,
    )
    np.testing.assert_array_equal(after.levers.drift_rate, start.levers.drift_rate)
    same = apply_interventions(
        schedule,
        4,
        employees,
        after.levers,
        base,
        hires=1,
        wage_cost_per_hour=40.0,
        leader_wage_ratio=2.0,
        lasting_share=0.0,
    )
    assert same.levers is after.levers and same.attitude is employees.attitude
    ended = apply_interventions(
        schedule,
        5,
        employees,
        same.levers,
        base,
        hires=1,
        wage_cost_per_hour=40.0,
        leader_wage_ratio=2.0,
        lasting_share=0.0,
    )
    np.testing.assert_array_equal(ended.levers.drift_rate, 0.1)


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "training_day", "start": 3},
        {"kind": "slogan_campaign", "start": 2, "duration": 4},
        {"kind": "language", "start": 5},
    ],
)
def test_a_scheduled_intervention_runs_in_the_weeks_of_its_spec(spec):
    intervention = Intervention(**spec)
    scheduled = ScheduledIntervention(intervention, np.ones(3, dtype=bool))
    for week in range(1, 12):
        assert scheduled.active_at(week) == intervention.active_at(week), week


@pytest.mark.parametrize("kind", ["training_day", "delight_week"])
def test_a_one_off_lift_moves_dispositions_by_the_lasting_share(kind):
    employees, base = four_employees()
    who = np.array([True, False, True, True])
    schedule = (ScheduledIntervention(Intervention(kind=kind, start=2, strength=0.5), who),)
    effects = apply_interventions(
        schedule,
        2,
        employees,
        base,
        base,
        hires=0,
        wage_cost_per_hour=40.0,
        leader_wage_ratio=2.0,
        lasting_share=0.4,
    )
    # d' = d + phi s (1 - d) = d + 0.2 (1 - d) for participants; the attitude as without it.
    np.testing.assert_allclose(effects.disposition, [0.2, 0.2, -0.2 + 0.2 * 1.2, 0.4 + 0.2 * 0.6])
    np.testing.assert_allclose(effects.attitude, [0.5, 0.5, -0.5 + 0.5 * 1.5, 1.0])
    later = apply_interventions(
        schedule,
        3,
        employees,
        base,
        base,
        hires=0,
        wage_cost_per_hour=40.0,
        leader_wage_ratio=2.0,
        lasting_share=0.4,
    )
    assert later.disposition is employees.disposition  # once, in the start week
    off = apply_interventions(
        schedule,
        2,
        employees,
        base,
        base,
        hires=0,
        wage_cost_per_hour=40.0,
        leader_wage_ratio=2.0,
        lasting_share=0.0,
    )
    assert off.disposition is employees.disposition  # phi = 0: not even a copy


def test_slogans_and_culture_wide_change_teach_nothing_lasting():
    employees, base = four_employees()
    who = np.ones(4, dtype=bool)
    schedule = (
        ScheduledIntervention(
            Intervention(kind="slogan_campaign", start=1, duration=3, strength=1.0), who
        ),
        ScheduledIntervention(Intervention(kind="language", start=1, strength=1.0), who),
    )
    effects = apply_interventions(
        schedule,
        1,
        employees,
        base,
        base,
        hires=0,
        wage_cost_per_hour=40.0,
        leader_wage_ratio=2.0,
        lasting_share=1.0,
    )
    assert effects.disposition is employees.disposition


PULL_ONLY = Params(
    n_employees=60,
    customers_per_employee=0.0,
    contagion_rate=0.0,
    drift_rate=0.0,
    incentive_rate=0.0,
    focus_noise=0.0,
    turnover_rate=0.0,
    disposition_pull=0.022,
)
"""Everything but the pull toward disposition off: attitude equals disposition until the
training day, and the lift then decays only by the pull."""


@pytest.mark.parametrize("lasting_share", [0.0, 0.35, 1.0])
def test_the_retained_lift_has_a_floor_of_the_lasting_share(lasting_share):
    """docs/CALIBRATION.md 3.5's hand example, in the model and in the calibration statistic.

    At the training day a = d = x, so a' = x + s (1 - x) and d' = x + phi s (1 - x); t
    weeks of pull give a_t = d' + (1 - p)^t (a' - d'), so the lift over the run without
    training, a_t - x = s (1 - x) [phi + (1 - phi) (1 - p)^t], keeps the share
    phi + (1 - phi) (1 - p)^t of its first value, for every employee and so for the mean.
    """
    from eachcustomer.experiments.calibration.statistics import (
        TRAINING_STRENGTH,
        TRAINING_WEEK,
        OrganizationRun,
        Runs,
        training_lift,
    )

    params = PULL_ONLY.replace(lasting_share=lasting_share)
    training = [{"kind": "training_day", "start": TRAINING_WEEK, "strength": TRAINING_STRENGTH}]
    models = [
        OrgModel(params, rng=9, interventions=plan, keep_history=True) for plan in (None, training)
    ]
    pull, lifts = params.disposition_pull, {}
    for week in range(1, TRAINING_WEEK + 53):
        for model in models:
            model.step()
        lifts[week] = models[1].employees.attitude - models[0].employees.attitude
    first = lifts[TRAINING_WEEK]
    assert first.min() > 0.05
    for weeks in (1, 26, 52):
        retained = lasting_share + (1 - lasting_share) * (1 - pull) ** weeks
        np.testing.assert_allclose(lifts[TRAINING_WEEK + weeks], retained * first, atol=1e-12)
    # The calibration's statistic reads the attitudes kept as float32: exact to 1e-6.
    base, trained = (
        OrganizationRun(m.outputs(), 60, m.attitude_history(), m.employees.weeks_in_post)
        for m in models
    )
    measured = Runs(baseline=(base,), trained=(trained,))
    for weeks in (26, 52):
        retained = lasting_share + (1 - lasting_share) * (1 - pull) ** weeks
        assert training_lift(measured, weeks) == pytest.approx(retained, abs=1e-6)
