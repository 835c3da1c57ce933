"""Vectors to plans: whole budget steps, the options picked, every plan at most the budget."""

from __future__ import annotations

import numpy as np
import pytest
from test_plan_finder_spec import TINY, changed

from eachcustomer.experiments.planfinder.checks import parse_plan_search
from eachcustomer.experiments.planfinder.encoding import Choice, Part, allocate
from eachcustomer.experiments.planfinder.wording import KIND_LABELS, describe_plan, plan_sentence
from eachcustomer.sim.budget import intervention_cost, plan_cost
from eachcustomer.sim.interventions import KINDS, Intervention

INCENTIVE = 0.02 * 45.65 + 0.50
"""The library's price of incentive alignment per person-week (scenarios/plans/)."""


def test_allocate_follows_the_weights_in_whole_units():
    low, high = np.zeros(3, dtype=int), np.full(3, 20)
    np.testing.assert_array_equal(allocate(np.array([0.7, 0.3, 0.0]), 20, low, high), [14, 6, 0])
    # 1/3 each of 20: 6.67 -> 6, 6, 6, then the largest remainders, first first: 7, 7, 6.
    np.testing.assert_array_equal(allocate(np.ones(3), 20, low, high), [7, 7, 6])
    np.testing.assert_array_equal(allocate(np.zeros(3), 20, low, high), [7, 7, 6])


def test_allocate_keeps_the_bounds_and_the_total():
    low, high = np.array([0, 4, 0]), np.array([5, 20, 20])
    units = allocate(np.array([0.9, 0.0, 0.1]), 20, low, high)
    np.testing.assert_array_equal(units, [5, 4, 11])
    rng = np.random.default_rng(1)
    for _ in range(200):
        units = allocate(rng.random(3), 20, low, high)
        assert units.sum() == 20 and (units >= low).all() and (units <= high).all()


@pytest.fixture(scope="module")
def problem():
    return parse_plan_search(changed("levers.hiring_for_attitude", {"start": 1}))


def test_decode_picks_the_options_the_genes_point_at(problem):
    encoding = problem.encoding
    # training_day: weight 0.75, second coverage (back office), start gene 0.5 of weeks 1..9.
    # incentive_alignment: weight 0.25, first coverage, its only start (5). hiring: weight 0.
    x = np.array([0.75, 0.9, 0.5, 0.25, 0.1, 0.0, 0.0, 0.0, 0.0])
    assert encoding.decode(x) == Choice(
        (Part("training_day", 15, 1, 5), Part("incentive_alignment", 5, 0, 5))
    )
    # A part without budget is left out, whatever its other genes say.
    assert encoding.decode(np.r_[1.0, 0.2, 0.2, 0.0, 0.7, 0.9, 0.0, 0.5, 0.5]).key == (
        ("training_day", 20, 0, 2),
    )


def test_a_plan_costs_its_shares_of_the_budget_covering_a_share_of_the_group(problem):
    encoding = problem.encoding
    choice = Choice((Part("training_day", 15, 1, 5), Part("incentive_alignment", 5, 0, 5)))
    built = encoding.build(choice, problem.org, problem.params, problem.weeks)
    training, incentives = built
    assert training.allotted == pytest.approx(3750) and incentives.allotted == pytest.approx(1250)
    assert training.cost == pytest.approx(3750) and incentives.cost == pytest.approx(1250)
    # 3,750 at 669.20 per back-office participant: 5.6 of the 31 back-office employees.
    back_office = training.intervention.coverage.eligible(
        problem.org.department_names, problem.org.department, problem.org.level
    ).sum()
    assert back_office == 31
    assert training.intervention.coverage.share == pytest.approx(3750 / 669.2 / 31)
    assert training.intervention.start == 5 and training.intervention.weeks == 1
    # 1,250 at the library's 0.02 h x 45.65 + 0.50 per person-week for all 60 over weeks 5-20.
    assert incentives.intervention.coverage.share == pytest.approx(1250 / (60 * INCENTIVE * 16))
    plan = encoding.plan(choice, problem.org, problem.params, problem.weeks)
    assert plan_cost(plan, problem.org, problem.params, problem.weeks) == pytest.approx(5000)
    sentence = plan_sentence(built, encoding, problem.weeks)
    assert sentence == (
        "Of a budget of 5,000 over 20 weeks, spend 75% on a one-off customer-care training "
        "day for the back office in week 5, reaching 18% of them (6) and 25% on customer "
        "outcomes in evaluations for all staff from week 5, reaching 92% of them (55)."
    )


def test_money_beyond_the_whole_group_or_below_one_participant_stays_unspent(problem):
    encoding = problem.encoding
    # 95% of 5,000 on incentives for all 60 from week 5: the whole group costs only
    # 60 x 1.41 x 16 weeks = 1,356, the rest stays unspent. Then 5% (250) on hiring: fewer
    # than one expected hire in the weeks it buys.
    choice = Choice((Part("incentive_alignment", 19, 0, 5), Part("hiring_for_attitude", 1, 0, 1)))
    incentives, hiring = encoding.build(choice, problem.org, problem.params, problem.weeks)
    assert incentives.cost == pytest.approx(60 * INCENTIVE * 16)
    assert incentives.intervention.coverage.share == 1.0
    assert hiring.intervention is None and hiring.cost == 0.0
    assert plan_sentence((incentives, hiring), encoding, problem.weeks).endswith(
        "spend 27% on customer outcomes in evaluations for all staff from week 5 and keep 73% "
        "(3,644) unspent."
    )


def test_hiring_for_attitude_buys_whole_weeks_within_its_share(problem):
    encoding = problem.encoding
    built = encoding.build(
        Choice((Part("hiring_for_attitude", 20, 0, 1),)), problem.org, problem.params, 20
    )[0]
    item = built.intervention
    weekly = intervention_cost(
        item.model_copy(update={"duration": 1}), problem.org, problem.params, 20
    )
    assert item.duration == int(5000 // weekly)
    assert built.cost <= 5000 and built.cost > 5000 - weekly


def test_every_decoded_plan_costs_at_most_the_budget(problem):
    rng = np.random.default_rng(7)
    for _ in range(40):
        choice = problem.encoding.decode(rng.random(problem.encoding.variables))
        plan = problem.encoding.plan(choice, problem.org, problem.params, problem.weeks)
        assert plan_cost(plan, problem.org, problem.params, problem.weeks) <= 5000 * (1 + 1e-9)


def test_spending_less_as_an_objective_adds_a_gene_for_the_share_spent():
    problem = parse_plan_search(changed("budget.spend", "objective"))
    encoding = problem.encoding
    assert encoding.variables == 7
    x = np.array([1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.5])  # half of 21 steps: 10 of 20 spent
    choice = encoding.decode(x)
    assert sum(part.units for part in choice.parts) == 10
    assert encoding.decode(np.r_[x[:-1], 0.0]) == Choice(())  # nothing spent: doing nothing


def test_tiny_is_unchanged_by_these_tests():
    assert TINY["budget"] == {"amount": 5000}


def test_every_intervention_kind_has_a_title_and_a_phrase():
    assert list(KIND_LABELS) == list(KINDS)
    for kind, label in KIND_LABELS.items():
        first = label.title.lstrip("'")[0]
        assert first.isupper(), kind
        # the phrase is the title's words in a sentence (the training day's is more precise)
        assert label.phrase.lstrip("'")[0].islower(), kind
        assert label.title.lower().removeprefix("one-off ") in label.phrase.lower(), kind


def test_a_plan_is_described_with_the_kinds_phrases():
    plan = [Intervention(kind="slogan_campaign", start=3, duration=4, strength=0.1)]
    assert describe_plan(plan) == "a slogan campaign for all staff for 4 weeks from week 3"
