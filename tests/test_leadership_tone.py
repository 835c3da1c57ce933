"""Leadership tone acts through whom it reaches (shared/MODEL.md, Interventions).

A covered leader answers to an approval shifted toward the customer; the tone reaches the
people below through the hierarchy, level by level (fact 9's lag is tested in
test_stylized_facts). Only leaders take part and pay, at a leader's wage. No other
culture-wide lever changes anything beyond the person it covers and those who answer to them.
"""

from __future__ import annotations

import numpy as np
import pytest

from eachcustomer.sim.budget import intervention_cost
from eachcustomer.sim.interventions import CULTURE_WIDE, Intervention
from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.params import Params
from eachcustomer.sim.replications import replication_seeds

SMALL = Params(n_employees=200)
SEEDS = replication_seeds(20, 10)
WEEKS = 60
START = 2


def tone(**coverage: object) -> list[Intervention]:
    return [
        Intervention(
            kind="leadership_tone",
            start=START,
            strength=0.8,
            coverage=coverage,
            hours_per_participant_week=1.0,
        )
    ]


def focus_gain(interventions: list[Intervention], params: Params = SMALL) -> np.ndarray:
    """Per seed and employee: customer focus after WEEKS with the plan minus without."""
    gains = []
    for seed in SEEDS:
        plain = OrgModel(params, rng=seed)
        plain.run(WEEKS)
        treated = OrgModel(params, rng=seed, interventions=interventions)
        treated.run(WEEKS)
        gains.append(treated.employees.customer_focus - plain.employees.customer_focus)
    return np.array(gains)


def test_only_leaders_take_part_and_their_hours_cost_a_leaders_wage():
    model = OrgModel(SMALL, rng=3, interventions=tone(levels=(1, 2, 3, 4)))
    [scheduled] = model.interventions
    org = model.org
    np.testing.assert_array_equal(scheduled.participants, org.leads & (org.level <= 4))
    model.step()
    model.step()
    covered = model.levers.orientation_shift[scheduled.participants]
    assert np.all(covered == pytest.approx(0.8))
    assert np.all(model.levers.orientation_shift[~scheduled.participants] == 0)
    leaders = int(scheduled.participants.sum())
    price = SMALL.wage_cost_per_hour * SMALL.leader_wage_ratio
    assert intervention_cost(tone(levels=(1, 2, 3, 4))[0], org, SMALL, 10) == pytest.approx(
        leaders * price * (10 - START + 1)
    )
    assert float(model.outputs()["intervention_spend"].iloc[-1]) == pytest.approx(leaders * price)


def test_covering_the_chief_lowers_the_shareholder_pressure_the_chief_answers_to():
    # The chief's approval is the shareholders': 1 - p becomes 1 - p (1 - s). Without the
    # attitude push (leaders' attitude only), the run equals one at that pressure from the
    # start, when both start at week 1.
    params = SMALL.replace(shareholder_pressure=0.6)
    chief_only = Intervention(
        kind="leadership_tone", start=1, strength=0.5, coverage={"levels": (1,)}
    )
    covered = OrgModel(params, rng=5, interventions=[chief_only])
    covered.step()
    chief = covered.org.level == 1
    assert covered.levers.orientation_shift[chief] == pytest.approx(0.5)
    assert covered.levers.shareholder_pressure == 0.6  # the parameter itself is not changed


def test_the_effect_grows_with_coverage():
    heads = OrgModel(SMALL, rng=SEEDS[0]).org.department_names[:8]
    gains = [
        focus_gain(tone(levels=(2,), departments=tuple(heads[:count]))).mean(axis=1)
        for count in (1, 3, 8)
    ]
    for fewer, more in zip(gains, gains[1:], strict=False):
        difference = more - fewer  # paired by seed
        assert difference.mean() > 3 * difference.std(ddof=1) / np.sqrt(len(SEEDS))


def test_one_department_head_changes_mostly_that_department():
    department = "operations"
    model = OrgModel(SMALL, rng=SEEDS[0])
    inside = model.org.department == model.org.department_names.index(department)
    gain = focus_gain(tone(levels=(2,), departments=(department,))).mean(axis=0)
    assert gain[inside].mean() > 0.05
    # Beyond the department, the tone reaches people only through contagion of attitude:
    # at most a fifth of the department's own gain.
    assert np.abs(gain[~inside]).mean() < gain[inside].mean() / 5


def test_the_chiefs_tone_reaches_everyone_and_the_levels_below_later():
    gain = focus_gain(tone(levels=(1,)))
    model = OrgModel(SMALL, rng=SEEDS[0])
    level = model.org.level
    by_level = [gain[:, level == n].mean() for n in range(1, level.max() + 1)]
    assert min(by_level) > 0.01  # everyone, through the hierarchy
    assert by_level[0] > by_level[-1]  # the chief first, the front line last


@pytest.mark.parametrize("kind", [k for k in CULTURE_WIDE if k != "hiring_for_attitude"])
def test_no_lever_reaches_the_whole_organization_through_a_few_participants(kind):
    """Covering one small department (12 of 200, none of them the chief): outside it, the
    change is at most a fifth of the change inside, per person. Hiring for attitude is left
    out: its participants are the organization's hires, wherever they join."""
    department = "purchasing"
    model = OrgModel(SMALL, rng=SEEDS[0])
    inside = model.org.department == model.org.department_names.index(department)
    plan = [
        Intervention(kind=kind, start=START, strength=1.0, coverage={"departments": (department,)})
    ]
    gain = focus_gain(plan)  # seeds x employees
    inside_gain, outside_gain = gain[:, inside].mean(axis=1), gain[:, ~inside].mean(axis=1)
    bound = 3 * outside_gain.std(ddof=1) / np.sqrt(len(SEEDS))
    assert abs(outside_gain.mean()) <= max(abs(inside_gain.mean()) / 5, bound)
