"""Each process on a handful of employees, against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from eachcustomer.sim.metrics import tally_contacts
from eachcustomer.sim.output_columns import WEEK_TALLIES
from eachcustomer.sim.params import Params
from eachcustomer.sim.processes.bounds import push_attitude
from eachcustomer.sim.processes.contagion import InfluenceNetwork, spread_attitudes
from eachcustomer.sim.processes.customers import (
    arrive,
    churn_customers,
    leave,
    remember_encounters,
    reputation_after_word_of_mouth,
    spread_word_of_mouth,
)
from eachcustomer.sim.processes.disposition import pull_toward_disposition
from eachcustomer.sim.processes.drift import distance_retention, drift_toward_impersonal
from eachcustomer.sim.processes.encounters import (
    Encounters,
    FrontLine,
    feel_encounters,
    route_and_rate_contacts,
)
from eachcustomer.sim.processes.incentives import (
    adapt_customer_focus,
    outcome_visibility,
    rewarded_focus,
)
from eachcustomer.sim.processes.turnover import replace_leavers
from eachcustomer.sim.state import Customers, Employees, draw_expectations, initial_customers

# A chain 0 - 1 - 2 where 1 listens to both ends equally and the ends listen only to 1.
CHAIN = InfluenceNetwork.from_matrix(
    sp.csr_matrix(
        np.array(
            [
                [0.0, 1.0, 0.0],
                [0.5, 0.0, 0.5],
                [0.0, 1.0, 0.0],
            ]
        )
    )
)


def test_push_attitude_scales_by_room_to_the_bound():
    result = push_attitude(np.array([0.5, 0.5, -0.5, 1.0]), np.array([0.2, -0.2, -0.5, 0.3]))
    np.testing.assert_allclose(result, [0.5 + 0.2 * 0.5, 0.5 - 0.2 * 1.5, -0.5 - 0.5 * 0.5, 1.0])


def test_contagion_without_bias_is_weighted_averaging():
    attitude = np.array([0.0, 1.0, -1.0])
    new = spread_attitudes(attitude, CHAIN, contagion_rate=0.5, negativity_bias=1.0)
    # 0: 0 + 0.5 * (1 - 0) = 0.5; 1: 1 + 0.5 * (0.5 * (0 - 1) + 0.5 * (-1 - 1)) = 0.25;
    # 2: -1 + 0.5 * (1 - (-1)) = 0.
    np.testing.assert_allclose(new, [0.5, 0.25, 0.0])


def test_negativity_bias_weighs_only_more_negative_neighbours():
    attitude = np.array([0.0, 1.0, -1.0])
    new = spread_attitudes(attitude, CHAIN, contagion_rate=0.25, negativity_bias=3.0)
    # 0 looks up at 1: unbiased, 0 + 0.25 * 1 = 0.25.
    # 1 looks down at both: 1 + 0.25 * 3 * (0.5 * -1 + 0.5 * -2) = -0.125.
    # 2 looks up at 1: -1 + 0.25 * 2 = -0.5.
    np.testing.assert_allclose(new, [0.25, -0.125, -0.5])


def test_disposition_pulls_a_share_of_the_way_back():
    attitude = np.array([0.5, 0.25, 0.0])
    disposition = np.array([1.0, 0.0, -1.0])
    new = pull_toward_disposition(attitude, disposition, disposition_pull=0.2)
    # 0: 0.8 * 0.5 + 0.2 * 1 = 0.6; 1: 0.8 * 0.25 = 0.2; 2: 0.2 * -1 = -0.2.
    np.testing.assert_allclose(new, [0.6, 0.2, -0.2])


def test_contagion_and_pull_off_return_attitudes_unchanged():
    attitude = np.array([0.3, -0.2, 0.9])
    assert spread_attitudes(attitude, CHAIN, 0.0, 3.0) is attitude
    assert pull_toward_disposition(attitude, np.zeros(3), 0.0) is attitude
    np.testing.assert_array_equal(attitude, [0.3, -0.2, 0.9])


def test_drift_is_zero_on_front_line_and_grows_with_distance():
    attitude = np.array([0.5, 0.5, 0.5])
    new = drift_toward_impersonal(attitude, distance_retention(np.array([1.0, 2.0, 4.0]), 0.1))
    np.testing.assert_allclose(new, [0.5, -1 + 1.5 * np.exp(-0.1), -1 + 1.5 * np.exp(-0.3)])
    assert new[0] > new[1] > new[2]


def test_rewarded_focus_mixes_visible_outcomes_and_boss_approval():
    visibility = outcome_visibility(np.array([3.0, 1.0, 2.0]), 0.5)
    # The chief (weight 0): boss approval only, from shareholders: 1 - 0.75.
    assert rewarded_focus(0.25, 0.0, visibility[0]) == pytest.approx(0.25)
    # Weight 0.5, boss focus 0.4: customer pays 0.5 * 1 + 0.5 * 0.4 = 0.7, boss 0.5 * 0.6.
    assert rewarded_focus(0.4, 0.5, visibility[1]) == pytest.approx(0.7)
    # Weight 1: customer outcomes only (visible at one hop, 0.5): all pay is customers'.
    assert rewarded_focus(0.4, 1.0, visibility[2]) == pytest.approx(1.0)
    # Nothing pays: weight 1 and outcomes invisible.
    assert rewarded_focus(0.4, 1.0, 0.0) == 0.0


def test_customer_weight_raises_rewarded_focus_wherever_outcomes_are_visible():
    for visibility in outcome_visibility(np.array([1.0, 2.0, 4.0, 8.0]), 0.6):
        assert rewarded_focus(0.3, 0.5, visibility) > rewarded_focus(0.3, 0.0, visibility)


def test_focus_adapts_toward_target_with_intrinsic_motivation():
    focus = np.array([0.4, 0.8, 0.2])
    new = adapt_customer_focus(
        focus,
        np.array([1.0, -0.5, 0.5]),
        np.array([-1, 0, 0]),
        np.array([0.0, 0.5, 1.0]),
        outcome_visibility(np.array([3.0, 1.0, 2.0]), 0.5),
        np.zeros(3),
        employee_start=np.array([0, 3]),
        incentive_rate=0.5,
        shareholder_pressure=np.array([0.75]),
        intrinsic_motivation=0.4,
        focus_noise=0.0,
        generators=[np.random.default_rng(0)],
    )
    target = np.array([0.25 + 0.4 * 1.0 * 0.75, 0.7 - 0.4 * 0.5 * 0.7, 1.0])
    np.testing.assert_allclose(new, focus + 0.5 * (target - focus))


def test_a_covered_leader_answers_to_an_approval_shifted_toward_the_customer():
    """Leadership tone: f_boss + s (1 - f_boss); for the chief, shareholder pressure x (1 - s)."""
    focus, attitude = np.array([0.4, 0.8, 0.2]), np.zeros(3)
    boss, weight = np.array([-1, 0, 0]), np.zeros(3)
    visibility = outcome_visibility(np.array([3.0, 1.0, 2.0]), 0.5)

    def adapted(shift: np.ndarray, pressure: float) -> np.ndarray:
        return adapt_customer_focus(
            focus,
            attitude,
            boss,
            weight,
            visibility,
            shift,
            employee_start=np.array([0, 3]),
            incentive_rate=0.5,
            shareholder_pressure=np.array([pressure]),
            intrinsic_motivation=0.0,
            focus_noise=0.0,
            generators=[np.random.default_rng(0)],
        )

    chief_covered = adapted(np.array([0.6, 0.0, 0.0]), 0.75)
    np.testing.assert_allclose(chief_covered, adapted(np.zeros(3), 0.75 * (1 - 0.6)))
    report_covered = adapted(np.array([0.0, 0.5, 0.0]), 0.75)
    # With w = 0 the target is the approval: 0.4 + 0.5 (1 - 0.4) = 0.7 for employee 1.
    assert report_covered[1] == pytest.approx(0.8 + 0.5 * (0.7 - 0.8))
    assert report_covered[2] == pytest.approx(0.2 + 0.5 * (0.4 - 0.2))  # not covered


def employees(attitude, strain=None) -> Employees:
    size = len(attitude)
    return Employees(
        np.asarray(attitude, float),
        np.zeros(size),
        np.full(size, 0.5),
        np.zeros(size) if strain is None else np.asarray(strain, float),
        np.zeros(size, dtype=np.int64),
    )


def test_turnover_off_changes_nothing_and_full_turnover_replaces_all():
    staff = employees([0.3, -0.4, 0.1], strain=[0.5, 0.0, 1.0])
    same = replace_leavers(
        staff,
        turnover_rate=0.0,
        strain_turnover=3.0,
        employee_start=np.array([0, 3]),
        hire_attitude_mean=np.array([0.5]),
        hire_attitude_sd=0.0,
        hire_focus=0.6,
        generators=[np.random.default_rng(1)],
    )
    np.testing.assert_array_equal(same.employees.attitude, staff.attitude)
    assert not same.replaced.any()
    everyone = replace_leavers(
        staff,
        turnover_rate=1.0,
        strain_turnover=3.0,
        employee_start=np.array([0, 3]),
        hire_attitude_mean=np.array([0.5]),
        hire_attitude_sd=0.0,
        hire_focus=0.6,
        generators=[np.random.default_rng(1)],
    )
    assert everyone.replaced.all() and everyone.hires.tolist() == [3]
    np.testing.assert_array_equal(everyone.employees.attitude, [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(everyone.employees.disposition, [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(everyone.employees.strain, [0.0, 0.0, 0.0])


def test_strained_employees_leave_more_often():
    staff = employees(np.zeros(20_000), strain=np.repeat([0.0, 1.0], 10_000))
    turnover = replace_leavers(
        staff,
        turnover_rate=0.02,
        strain_turnover=4.0,
        employee_start=np.array([0, 20_000]),
        hire_attitude_mean=np.array([0.0]),
        hire_attitude_sd=0.1,
        hire_focus=0.5,
        generators=[np.random.default_rng(2)],
    )
    relaxed, strained = turnover.replaced[:10_000].mean(), turnover.replaced[10_000:].mean()
    # Expected 0.02 and 0.10; binomial standard errors are about 0.0014 and 0.003.
    assert abs(relaxed - 0.02) < 0.006
    assert abs(strained - 0.10) < 0.012


def week(customer, employee, quality, lost=None) -> Encounters:
    quality = np.asarray(quality, float)
    return Encounters(
        customer=np.asarray(customer),
        copy=np.zeros(len(quality), dtype=np.int64),
        employee=np.asarray(employee),
        complaint=np.zeros(len(quality), bool),
        quality=quality,
        lost=np.zeros(len(quality), bool) if lost is None else np.asarray(lost, dtype=bool),
    )


def test_employees_feel_hostile_encounters_more_than_good_ones():
    params = Params(
        good_attitude_lift=0.02,
        hostile_attitude_push=0.08,
        hostile_quality=-0.2,
        strain_gain=0.2,
        encounter_impact=1.0,
    )
    staff = employees([0.0, 0.0, 0.5], strain=[0.0, 0.5, 0.0])
    # Employee 0: one good, one hostile. Employee 1: two hostile. Employee 2: none.
    encounters = week([0, 1, 2, 3], [0, 0, 1, 1], [0.5, -0.5, -0.3, -0.9])
    attitude, strain = feel_encounters(staff, encounters, np.zeros(3), np.full(3, 0.1), params)
    push0 = 0.02 * 0.5 - 0.08 * 0.5
    np.testing.assert_allclose(attitude, [push0 * 1.0, -0.08 * 1.0, 0.5])
    np.testing.assert_allclose(strain, [0.2 * 0.5, 0.5 + 0.2 * 0.5 - 0.05, 0.0])


def test_buffer_absorbs_hostile_blows():
    params = Params()
    staff = employees([0.0, 0.0])
    encounters = week([0, 1], [0, 1], [-0.9, -0.9])
    attitude, strain = feel_encounters(staff, encounters, np.array([0.0, 1.0]), np.zeros(2), params)
    assert attitude[0] < 0 and attitude[1] == 0.0
    assert strain[0] > 0 and strain[1] == 0.0


def test_bad_interactions_weigh_more_for_customers():
    params = Params(satisfaction_learning=0.2, bad_interaction_weight=2.5, offer_weight=0.0)
    customers = Customers(np.zeros(3), np.array([0.0, 0.0, 0.6]), np.ones(3, bool))
    remember_encounters(customers, week([0, 1, 2], [0, 0, 0], [0.4, -0.4, -0.6], [0, 0, 1]), params)
    # 0.2 * 0.4; 0.2 * 2.5 * -0.4; slot 2 walked out after 0.6 + 0.5 * (-0.6 - 0.6).
    np.testing.assert_allclose(customers.satisfaction, [0.08, -0.2, 0.0])
    np.testing.assert_array_equal(customers.active, [True, True, False])
    assert customers.active_count.tolist() == [2]
    assert customers.satisfaction_sum[0] == pytest.approx(0.08 - 0.2)
    assert customers.detractors.tolist() == [1] and customers.promoters.tolist() == [0]


def test_customers_judge_the_service_and_the_offer_together():
    # Two replications: offers 0.6 and -0.4, offer weight 0.5, so tau = (q + o) / 2.
    params = Params(satisfaction_learning=0.2, bad_interaction_weight=2.5, offer_weight=0.5)
    customers = Customers.concatenate(
        [
            Customers(np.zeros(2), np.array([0.0, 0.3]), np.ones(2, bool), offer_quality=0.6),
            Customers(np.zeros(2), np.array([0.1, 0.5]), np.ones(2, bool), offer_quality=-0.4),
        ]
    )
    encounters = Encounters(
        customer=np.array([0, 2, 3]),
        copy=np.array([0, 1, 1]),
        employee=np.zeros(3, dtype=np.int64),
        complaint=np.zeros(3, bool),
        quality=np.array([0.2, 0.2, -0.8]),
        lost=np.array([False, False, True]),
    )
    remember_encounters(customers, encounters, params)
    # Slot 0: tau = 0.4, s = 0 + 0.2 * 0.4. Slot 2: a good service (q = 0.2) with a poor
    # offer is judged tau = -0.1 < 0, so the bad weight applies: 0.1 + 0.5 * (-0.1 - 0.1).
    # Slot 3: tau = -0.6, 0.5 + 0.5 * (-0.6 - 0.5), then it walks out (q < -0.5).
    np.testing.assert_allclose(customers.satisfaction, [0.08, 0.3, 0.0, -0.05], atol=1e-15)
    np.testing.assert_array_equal(customers.active, [True, True, True, False])
    assert customers.active_count.tolist() == [2, 1]
    np.testing.assert_allclose(customers.satisfaction_sum, [0.38, 0.0], atol=1e-15)


NO_OFFER = Params(offer_weight=0.0)
"""Customers judge the service alone (the calibrated default weighs the offer too)."""


def test_with_no_offer_weight_the_offer_changes_nothing():
    quality = np.array([0.4, -0.3, -0.9])
    satisfied = []
    for offer in (0.9, -0.9):
        customers = Customers(
            np.zeros(3), np.array([0.1, 0.2, -0.1]), np.ones(3, bool), offer_quality=offer
        )
        remember_encounters(customers, week([0, 1, 2], [0, 0, 0], quality), NO_OFFER)
        satisfied.append(customers.satisfaction)
    np.testing.assert_array_equal(satisfied[0], satisfied[1])
    # tau = q: 0.1 + 0.2 (0.4 - 0.1); 0.2 + 0.5 (-0.3 - 0.2); -0.1 + 0.5 (-0.9 + 0.1).
    np.testing.assert_allclose(satisfied[0], [0.16, -0.05, -0.5])


def test_the_offer_is_drawn_after_the_customers_and_not_at_all_without_spread():
    from tests.test_reference import hand_made_org

    org = hand_made_org()
    slots = int(np.ceil(1.25 * 10 * org.size))

    def after_expectations(seed: int) -> np.random.Generator:
        rng = np.random.default_rng(seed)
        draw_expectations(0.0, 0.3, slots, rng)
        return rng

    rng = np.random.default_rng(4)
    fixed = initial_customers(org, Params(offer_quality_mean=-0.2, offer_quality_sd=0.0), rng)
    assert fixed.offer_quality.tolist() == [-0.2]
    assert rng.bit_generator.state == after_expectations(4).bit_generator.state  # no draw
    rng = np.random.default_rng(4)
    spread = initial_customers(org, Params(offer_quality_mean=0.9, offer_quality_sd=0.5), rng)
    expected = min(max(after_expectations(4).normal(0.9, 0.5), -1.0), 1.0)
    assert spread.offer_quality.tolist() == [expected]


def test_contacts_are_counted_bad_very_bad_and_walked_out_exactly():
    counts = tally_contacts(
        np.array([0, 0, 0, 1, 1]),
        np.array([True, False, False, True, False]),
        np.array([0.5, -0.1, -0.7, -0.6, 0.0]),
        np.array([False, False, True, False, False]),
        -0.5,
        2,
    )
    # Columns: contacts, complaints, mean quality, bad (q < 0), very bad (q < -0.5),
    # walk-outs, customers lost so far (the walk-outs; churn is added later).
    np.testing.assert_allclose(
        counts, [[3, 1, -0.1, 2, 1, 1, 1], [2, 1, -0.3, 1, 1, 0, 0]], atol=1e-15
    )
    assert WEEK_TALLIES[:7] == (
        "contacts",
        "complaints",
        "mean_quality",
        "bad_interactions",
        "very_bad_interactions",
        "walkouts",
        "customers_lost",
    )


def test_unhappy_and_lost_customers_speak_louder():
    # Three replications of two slots: in the first, 0 and 1 stayed; in the second, 2
    # churned and 3 walked out after an interaction of quality -0.9; the third was silent.
    # With a memory of 1, reputation becomes what was said.
    satisfaction = np.array([0.6, -0.1, -0.5, 0.0, 0.0, 0.0])
    said = reputation_after_word_of_mouth(
        np.array([0.3, 0.3, 0.3]),
        np.array([0, 1, 5]),
        np.array([3]),
        np.array([-0.9]),
        np.array([2]),
        np.array([0, 2, 4, 6]),
        satisfaction,
        np.array([True, True, False, False, False, False]),  # served 5 left: not heard
        unhappy_voice=3.0,
        lost_voice=10.0,
        reputation_memory=1.0,
    )
    np.testing.assert_allclose(said, [(0.6 + 3 * -0.1) / 4, (10 * -0.5 + 10 * -0.9) / 20, 0.3])


def test_reputation_follows_speakers_each_heard_once():
    params = Params(unhappy_voice=2.0, lost_voice=2.0, reputation_memory=0.5)
    customers = Customers(
        np.zeros(4),
        np.array([0.8, 0.4, -0.6, 0.2]),
        np.array([True, True, False, False]),
        reputation=0.1,
    )
    # Served: 0 and 2; 2 walked out after an interaction of quality -0.9; 3 churned.
    # Slot 1 did not speak.
    reputation = spread_word_of_mouth(
        customers,
        served=np.array([0, 2]),
        walked_out=np.array([2]),
        walked_out_quality=np.array([-0.9]),
        churned=np.array([3]),
        params=params,
    )
    said = (0.8 + 2 * -0.9 + 2 * 0.2) / 5
    np.testing.assert_allclose(reputation, [0.1 + 0.5 * (said - 0.1)])


def test_word_of_mouth_shapes_new_customers_expectations():
    params = Params(
        acquisition_rate=1.0, expectation_sd=0.0, word_of_mouth=1.0, prior_expectation=0.1
    )
    customers = Customers(
        np.zeros(4),
        np.array([-0.5, -0.5, 0.0, 0.0]),
        np.array([True, True, False, False]),
        reputation=-0.4,
        base_size=2,
    )
    expectation = arrive(customers, params, [np.random.default_rng(0)]).expectation
    assert 0 < len(expectation) <= 2
    np.testing.assert_allclose(expectation, 0.1 - 0.4)
    arrived = np.flatnonzero(customers.active[2:]) + 2
    assert len(arrived) == len(expectation)
    np.testing.assert_allclose(customers.satisfaction[arrived], 0.1 - 0.4)
    np.testing.assert_allclose(customers.expectation[arrived], 0.1 - 0.4)
    np.testing.assert_array_equal(customers.satisfaction[:2], [-0.5, -0.5])  # the others stay
    assert customers.active_count.tolist() == [2 + len(arrived)]


def test_arrivals_find_an_empty_slot_even_when_the_probes_miss_it():
    # One empty slot among 1,000: about one week in eight the random probes miss it and
    # the newcomer takes it from a random permutation of the empty slots instead.
    params = Params(acquisition_rate=1.0, expectation_sd=0.1)
    for seed in range(40):
        customers = Customers(np.zeros(1000), np.zeros(1000), np.arange(1000) != 500, base_size=999)
        arrivals = arrive(customers, params, [np.random.default_rng(seed)])
        assert len(arrivals.expectation) == 1
        assert customers.active.all()
        assert customers.satisfaction[500] == arrivals.expectation[0]
        kept = customers.tally.copy()
        customers.recount()
        np.testing.assert_allclose(kept, customers.tally)


def test_unhappy_customers_churn_more():
    params = Params(base_churn=0.01, dissatisfied_churn=0.2)
    satisfaction = np.repeat([0.5, -1.0], 50_000)
    customers = Customers(np.zeros(100_000), satisfaction, np.ones(100_000, bool))
    churned = leave(customers, params, [np.random.default_rng(3)])
    assert np.all(np.diff(churned) > 0)
    assert not customers.active[churned].any()
    assert customers.active_count.tolist() == [100_000 - len(churned)]
    happy, unhappy = np.mean(churned < 50_000), np.mean(churned >= 50_000)
    rate_happy = np.count_nonzero(churned < 50_000) / 50_000
    rate_unhappy = np.count_nonzero(churned >= 50_000) / 50_000
    # Expected 0.01 and 1 - 0.99 * 0.8 = 0.208; standard errors below 0.002.
    assert abs(rate_happy - 0.01) < 0.003
    assert abs(rate_unhappy - 0.208) < 0.006
    assert unhappy > happy


def test_churn_takes_each_leaver_once_and_only_if_active():
    satisfaction = np.array([0.5, -0.5, -1.0, 0.2, -0.8])
    customers = Customers(np.zeros(5), satisfaction, np.array([True, True, True, True, False]))
    # Slot 0 moves away; candidates 1, 2 (also moving away) and 4 (inactive); 1 is fed up
    # when its uniform is below 0.5, 2 below 1.0.
    churned = churn_customers(
        np.array([0, 2]),
        np.array([1, 2, 4]),
        np.array([0.7, 0.1, 0.0]),
        customers.start,
        customers.satisfaction,
        customers.active,
        customers.tally,
    )
    np.testing.assert_array_equal(churned, [0, 2])
    np.testing.assert_array_equal(customers.active, [False, True, False, True, False])
    kept = customers.tally.copy()
    customers.recount()
    np.testing.assert_allclose(kept, customers.tally)


def test_customer_tallies_follow_a_weeks_changes():
    from eachcustomer.sim.model import OrgModel

    model = OrgModel(Params(n_employees=60, customers_per_employee=20), rng=5)
    for _ in range(5):
        model.step()
        kept = model.customers.tally.copy()
        model.customers.recount()
        np.testing.assert_allclose(kept, model.customers.tally, atol=1e-9)


def test_contacts_go_to_their_replications_pools():
    # Two replications of four: 0 faces customers at the complaint desk, 1 on the floor;
    # the second replication has no complaint desk, so its floor takes complaints too.
    facing = np.array([True, True, False, False, True, False, True, False])
    complaints = np.array([True, False, False, False, False, False, False, False])
    front = FrontLine.from_flags(facing, complaints, np.array([0, 4, 8]))
    np.testing.assert_array_equal(front.complaint_desk, [0, 4, 6])
    np.testing.assert_array_equal(front.desk_start, [0, 1, 3])
    np.testing.assert_array_equal(front.back_office, [2, 3, 5, 7])
    satisfaction = np.array([1.0, -1.0, 0.5, -1.0])
    uniforms = np.array([[0.1, 0.9, 0], [0.1, 0.9, 0], [0.9, 0.9, 0], [0.1, 0.2, 0]])
    employee, complaint, quality, lost = route_and_rate_contacts(
        np.array([0, 1, 2, 3]),
        np.array([0, 0, 1, 1]),
        uniforms,
        np.empty(0),
        np.zeros(8),
        front.complaint_desk,
        front.desk_start,
        front.sales_floor,
        front.floor_start,
        satisfaction,
        np.zeros(4),
        (0.5, 0.0, 0.0, 0.0, -2.0, 0.0),  # complaint share 0.5; no mood, noise or loss
    )
    # Complaint chances: min(1, 0.5 (1 - s)) = 0, 1, 0.25, 1.
    np.testing.assert_array_equal(complaint, [False, True, False, True])
    np.testing.assert_array_equal(employee, [1, 0, 6, 4])


def test_bernoulli_slots_are_sorted_distinct_and_at_the_right_rate():
    from eachcustomer.sim.processes.sampling import bernoulli_slots

    rng = np.random.default_rng(4)
    slots = bernoulli_slots(1_000_000, 0.15, rng)
    assert np.all(np.diff(slots) > 0) and slots[0] >= 0 and slots[-1] < 1_000_000
    # Binomial(1e6, 0.15): mean 150,000, sd 357.
    assert abs(len(slots) - 150_000) < 2_000
    # Each slot equally likely: the halves hold about as many.
    assert abs(np.sum(slots < 500_000) - len(slots) / 2) < 2_000
    assert len(bernoulli_slots(10, 0.0, rng)) == 0
    np.testing.assert_array_equal(bernoulli_slots(5, 1.0, rng), np.arange(5))
    tiny = [len(bernoulli_slots(3, 0.5, rng)) for _ in range(4000)]
    assert abs(np.mean(tiny) - 1.5) < 0.06


def test_slot_gaps_are_ceilings_of_exponentials_over_the_rate():
    from eachcustomer.sim.processes.sampling import slot_after

    rate = np.log(2.0)  # p = 1/2
    # Gaps ceil(E / rate), at least 1: 0.5 -> 1, 1.0 -> 2, 0.0 -> 1, 2.0 -> 3.
    slots, last = [], -1
    for exponential in (0.5, 1.0, 0.0, 2.0):
        last = slot_after(last, exponential, rate, 100)
        slots.append(last)
    assert slots == [0, 2, 3, 6]
    assert slot_after(6, 1.0, rate, 10) == 8
    assert slot_after(8, 50.0, rate, 10) == 10  # a gap past the end gives the end
