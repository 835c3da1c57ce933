"""The ten stylized facts of MODEL.md, each a comparison over replications.

Every comparison runs REPLICATIONS models per condition with the same fixed seeds
(`eachcustomer.sim.replications.replication_seeds(2024, ...)`), and asserts that the difference of
the means exceeds MARGIN_SE standard errors of that difference (Welch: sqrt(s1^2/n + s2^2/n)), in
the direction the fact states; facts 5, 6 and 10 compare runs of the same seeds, so there the
standard error is that of the paired differences. Each fact also has a minimum effect size,
so that a weakened mechanism fails. They hold under the calibrated defaults
(docs/CALIBRATION.md). "Mirror images within noise" is stated with its own margin.
The tests at realistic contrasts (the end of this file; docs/ODD.md 11.4) judge instead the
paired 95% interval of `paired_difference`, on the contrasts of
`eachcustomer.experiments.fact_contrasts` and `depth_contrasts`, including where the model
shows a fact only weakly or not at all (stated with a bound).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from eachcustomer.experiments.analysis.statistics import Interval
from eachcustomer.experiments.calibration.targets import load_targets
from eachcustomer.experiments.depth_contrasts import (
    BACK_OFFICE_HALVED,
    back_office_scaled,
    levels,
    one_more_level,
    organizations,
    share_far,
)
from eachcustomer.experiments.fact_contrasts import Contrast, lost_voice_effect, seed_minority
from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.sim.budget import cost_basis, plan_cost, reprice_plan, scale_plan
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.metrics import distance_band
from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.params import DEFAULT_DEPARTMENTS, Params
from eachcustomer.sim.replications import replication_seeds

pytestmark = pytest.mark.slow

REPLICATIONS = 20
MARGIN_SE = 3.0
MIN_EFFECT = 0.05
"""Smallest difference of means a fact's comparison must show (attitude, quality, strain and
focus all run over a range of 1 or 2): a mechanism weakened to a trace fails it. At the
calibrated defaults the smallest measured is 0.065 (fact 8, focus), most are 0.12 to 0.4."""
SEEDS = replication_seeds(2024, REPLICATIONS)
ORG = Params(n_employees=300)
PUBLISHED_TARGETS = Path(__file__).parents[1] / "experiments" / "specs" / "published_targets.toml"


def replicate(
    params: Params,
    measure: Callable[[OrgModel], float],
    *,
    weeks: int | None = None,
    interventions: list | None = None,
    setup: Callable[[OrgModel], None] | None = None,
    seeds: list | None = None,
) -> np.ndarray:
    """`measure` of each replication (SEEDS unless `seeds` are given) after running it."""
    values = []
    for seed in SEEDS if seeds is None else seeds:
        model = OrgModel(params, rng=seed, interventions=interventions)
        if setup is not None:
            setup(model)
        model.run(weeks)
        values.append(measure(model))
    return np.array(values)


def standard_error(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.sqrt(first.var(ddof=1) / len(first) + second.var(ddof=1) / len(second)))


def assert_greater(high: np.ndarray, low: np.ndarray, minimum: float = MIN_EFFECT) -> None:
    """mean(high) - mean(low) > MARGIN_SE standard errors of the difference, and > minimum."""
    difference = high.mean() - low.mean()
    error = standard_error(high, low)
    assert difference > MARGIN_SE * error, (
        f"difference {difference:.4f} is not above {MARGIN_SE} x SE {error:.4f}"
    )
    assert difference > minimum, f"difference {difference:.4f} is below the minimum {minimum}"


def final(column: str) -> Callable[[OrgModel], float]:
    return lambda model: float(model.outputs()[column].iloc[-1])


def test_1_attitude_falls_with_distance_from_customers():
    def band_means(model: OrgModel) -> np.ndarray:
        band = distance_band(model.org.distance_to_customer)
        keep = ~model.org.handles_complaints
        attitude = model.employees.attitude
        return np.array([attitude[keep & (band == b)].mean() for b in (0, 1, 3)])

    bands = np.stack([replicate(ORG, lambda m, b=b: band_means(m)[b]) for b in range(3)])
    assert_greater(bands[0], bands[1])
    assert_greater(bands[1], bands[2])


@pytest.mark.parametrize("bias", [3.0, 1.0])
def test_2_negative_minority_moves_culture_further_unless_symmetric(bias):
    neutral = ORG.replace(
        disposition_mean=0.0,
        disposition_sd=0.0,
        encounter_impact=0.0,
        drift_rate=0.0,
        turnover_rate=0.0,
        negativity_bias=bias,
    )
    moved_down = -replicate(neutral, final("mean_attitude"), weeks=52, setup=seed_minority(-0.8))
    moved_up = replicate(neutral, final("mean_attitude"), weeks=52, setup=seed_minority(0.8))
    if bias > 1:
        assert_greater(moved_down, moved_up)
    else:
        # Mirror images: the shifts agree within 3 standard errors and 10% of their size.
        gap = abs(moved_down.mean() - moved_up.mean())
        assert gap < max(MARGIN_SE * standard_error(moved_down, moved_up), 0.1 * moved_up.mean())


def test_3_complaint_handlers_end_more_negative_and_strained():
    def compare(values: str, desk: bool) -> Callable[[OrgModel], float]:
        def measure(model: OrgModel) -> float:
            who = model.org.customer_facing & (model.org.handles_complaints == desk)
            return float(getattr(model.employees, values)[who].mean())

        return measure

    assert_greater(
        replicate(ORG, compare("attitude", False)), replicate(ORG, compare("attitude", True))
    )
    assert_greater(
        replicate(ORG, compare("strain", True)), replicate(ORG, compare("strain", False))
    )


def test_4_negative_expectations_produce_negative_results():
    def mean_quality(model: OrgModel) -> float:
        return float(model.outputs()["mean_quality"].iloc[1:].mean())

    hopeful, wary = ORG.replace(prior_expectation=0.2), ORG.replace(prior_expectation=-0.5)
    assert_greater(replicate(hopeful, mean_quality), replicate(wary, mean_quality))
    assert_greater(
        replicate(hopeful, final("attitude_band_1")), replicate(wary, final("attitude_band_1"))
    )


def transfer_range(key: str) -> tuple[float, float]:
    """The accepted range of a training-transfer target (docs/CALIBRATION.md 1.3)."""
    [target] = [t for t in load_targets(PUBLISHED_TARGETS).targets if t.key == key]
    return target.low, target.high


def test_5_one_off_program_fades_at_the_rate_of_training_transfer_studies():
    training = [Intervention(kind="training_day", start=26, strength=0.5)]

    def attitude_at(week: int) -> Callable[[OrgModel], float]:
        return lambda model: float(model.outputs()["mean_attitude"].iloc[week])

    def lift_at(week: int) -> np.ndarray:
        # Paired: same seeds, and the training day draws nothing the baseline does not.
        trained = replicate(ORG, attitude_at(week), interventions=training)
        return trained - replicate(ORG, attitude_at(week))

    lift, half_year, year = lift_at(26), lift_at(52), lift_at(78)
    assert lift.mean() > 0.2
    # A clear share is lost within half a year, and more by a year (3 SE each)...
    for earlier, later in ((lift, half_year), (half_year, year)):
        fall = earlier - later
        assert fall.mean() > MARGIN_SE * fall.std(ddof=1) / np.sqrt(REPLICATIONS)
    # ...at the rate of the transfer studies (Saks & Belcourt 2006: 0.71 of the immediate
    # effect after six months, 0.55 after a year), within the calibration's accepted ranges.
    for later, key in (
        (half_year, "training_lift_retained_26w"),
        (year, "training_lift_retained_52w"),
    ):
        low, high = transfer_range(key)
        assert low <= later.mean() / lift.mean() <= high, (key, later.mean() / lift.mean())


FACT_6_BUDGET = 120_000
"""Two years' budget for each plan on the 300-employee organization: the training day for
about 60% of the staff, or culture change for about 17% of them from week 26 (library
prices, docs/CALIBRATION.md 1.8)."""
CHEAP_CULTURE = 0.25
"""Culture change at a quarter of its list price: where the decision map says it wins."""
VERDICT_SWING = 0.03
"""Smallest change in the satisfaction advantage between the two prices that counts as
the verdict turning on the price (satisfaction runs from -1 to 1)."""


def paired_advantage(first: list, second: list, measure: Callable[[OrgModel], float]) -> np.ndarray:
    """measure(first plan) - measure(second plan), replication by replication."""
    return replicate(ORG, measure, interventions=first) - replicate(
        ORG, measure, interventions=second
    )


def test_6_culture_change_lasts_and_whether_it_beats_a_one_off_program_turns_on_price():
    # MODEL.md fact 6 under the calibrated defaults: the culture-wide change's effect lasts;
    # whether it beats the training day at equal cost is conditional, and this states the
    # condition the decision map (experiments/specs/decision_map.toml) shows: at list
    # prices the training day does better for customers, at a quarter of culture change's
    # list price culture change does.
    library = plan_library()
    org = cost_basis(ORG)
    training = list(scale_plan(library["training_day"].interventions, FACT_6_BUDGET, org, ORG))
    levers = library["culture_change"].interventions
    culture = list(scale_plan(levers, FACT_6_BUDGET, org, ORG))
    cheap = list(scale_plan(reprice_plan(levers, CHEAP_CULTURE), FACT_6_BUDGET, org, ORG))
    for plan in (training, culture, cheap):
        assert plan_cost(plan, org, ORG) == pytest.approx(FACT_6_BUDGET, rel=0.01)

    def attitude_at(week: int) -> Callable[[OrgModel], float]:
        return lambda model: float(model.outputs()["mean_attitude"].iloc[week])

    # It lasts: its lift over doing nothing is clear at the horizon and has not faded
    # since week 78 (a fall of less than 3 SE).
    lift_78, lift_104 = (paired_advantage(culture, [], attitude_at(w)) for w in (78, 104))
    assert lift_104.mean() > MARGIN_SE * lift_104.std(ddof=1) / np.sqrt(REPLICATIONS)
    fade = lift_78 - lift_104
    assert fade.mean() < MARGIN_SE * fade.std(ddof=1) / np.sqrt(REPLICATIONS)

    satisfaction = final("mean_satisfaction")
    at_list_price = paired_advantage(culture, training, satisfaction)
    at_quarter_price = paired_advantage(cheap, training, satisfaction)
    error = np.sqrt(REPLICATIONS)
    assert at_list_price.mean() < -MARGIN_SE * at_list_price.std(ddof=1) / error
    assert at_quarter_price.mean() > MARGIN_SE * at_quarter_price.std(ddof=1) / error
    assert at_quarter_price.mean() - at_list_price.mean() > VERDICT_SWING


FOCUS_FALL = 0.05
"""Smallest fall of back-office focus below its neutral start that counts as "stays low"."""


def test_7_boss_only_evaluations_keep_back_office_focus_low_alignment_raises_every_level():
    boss_only = tuple(d.model_copy(update={"customer_weight": 0.0}) for d in DEFAULT_DEPARTMENTS)
    wrong_customer = ORG.replace(
        departments=boss_only,
        shareholder_pressure=0.9,
        disposition_mean=0.6,
        hire_attitude_mean=0.6,
    )
    aligned = [Intervention(kind="incentive_alignment", start=1, strength=0.6)]
    attitudes = replicate(wrong_customer, final("mean_attitude"))
    back_office = replicate(wrong_customer, final("focus_back_office"))
    assert attitudes.mean() > 0.1  # attitudes are positive...
    # ...yet back-office focus falls from its neutral start (half to the customer) by a
    # clear amount: more than FOCUS_FALL beyond 3 standard errors.
    fall = Params().initial_customer_focus - back_office
    assert fall.mean() - MARGIN_SE * fall.std(ddof=1) / np.sqrt(REPLICATIONS) > FOCUS_FALL
    for level in range(1, 6):
        column = f"focus_level_{level}"
        assert_greater(
            replicate(wrong_customer, final(column), interventions=aligned),
            replicate(wrong_customer, final(column)),
        )


DEPTH_EFFECT = 0.03
"""Smallest difference in mean attitude between a shallow and a deep organization of the
same size that counts as fact 8 (the attitude scale runs from -1 to 1)."""


def test_8_deeper_organizations_are_more_at_risk_through_distance():
    # What the model represents is depth: the same 1,000 people with 20 reports per
    # manager (4 levels) or 2 (10 levels), so that more of them sit far from customers. At
    # a fixed span, size alone changes little (MODEL.md fact 8; docs/ODD.md 11.3).
    def shallow_minus_deep(**changes: float) -> dict[str, np.ndarray]:
        shallow = Params(n_employees=1000, span_of_control=20, **changes)
        deep = Params(n_employees=1000, span_of_control=2, **changes)
        return {
            outcome: (replicate(shallow, final(outcome)), replicate(deep, final(outcome)))
            for outcome in ("mean_attitude", "mean_customer_focus")
        }

    gaps = shallow_minus_deep()
    for shallow, deep in gaps.values():
        assert_greater(shallow, deep)
    attitude_gap = gaps["mean_attitude"][0].mean() - gaps["mean_attitude"][1].mean()
    assert attitude_gap > DEPTH_EFFECT
    # Through distance: without the drift that distance drives, most of the gap goes.
    shallow, deep = shallow_minus_deep(drift_rate=0.0)["mean_attitude"]
    assert shallow.mean() - deep.mean() < attitude_gap / 2


def test_9_leadership_change_propagates_down_with_growing_lag():
    """Half-rise week of the focus gain grows by >= 3 weeks per level (10 paired runs)."""
    params = Params(n_employees=1000, span_of_control=4)
    new_leader = [
        Intervention(kind="leadership_tone", start=10, strength=0.8, coverage={"levels": (1,)})
    ]
    columns = [f"focus_level_{level}" for level in range(1, 6)]
    gains = []
    for seed in SEEDS[:10]:
        before = OrgModel(params, rng=seed).run()[columns].to_numpy()
        after = OrgModel(params, rng=seed, interventions=new_leader).run()[columns].to_numpy()
        gains.append(after - before)
    gain = np.mean(gains, axis=0)  # weeks x levels
    peak = gain[10:].max(axis=0)
    assert np.all(peak > 0.1)
    half_rise_week = np.argmax(gain >= peak / 2, axis=0)
    assert np.all(np.diff(half_rise_week) >= 3), half_rise_week


def test_10_a_very_bad_interaction_loses_customers_and_their_stories_lower_expectations():
    only_very_bad = ORG.replace(base_churn=0.0, dissatisfied_churn=0.0, loss_on_very_bad=1.0)
    lost = replicate(only_very_bad, final("customers_lost_total"))
    very_bad = replicate(only_very_bad, lambda m: float(m.outputs()["very_bad_interactions"].sum()))
    assert lost.min() > 0
    np.testing.assert_array_equal(lost, very_bad)  # every very bad interaction lost one

    def new_expectation(model: OrgModel) -> float:
        return float(model.outputs()["new_customer_expectation"].iloc[52:].mean())

    # Lost customers' stories: with them as loud as a happy customer's (lost_voice = 1),
    # new customers expect more. At the calibrated voice (about TARP's 2x) the effect is
    # small (about 0.015 on the -1..1 scale), so the comparison is paired (the same seeds),
    # over twice the replications, with every organization's offer alike (the offer's
    # spread between organizations is noise here, not the mechanism under test).
    same_offer = only_very_bad.replace(offer_quality_sd=0.0)
    seeds = replication_seeds(2024, 2 * REPLICATIONS)
    raised = replicate(same_offer.replace(lost_voice=1.0), new_expectation, seeds=seeds)
    raised -= replicate(same_offer, new_expectation, seeds=seeds)
    assert raised.mean() > MARGIN_SE * raised.std(ddof=1) / np.sqrt(len(seeds))


# --- Effect sizes at realistic contrasts (MODEL.md; docs/ODD.md 11.4) -------------------
# The contrasts are those of `eachcustomer.experiments.depth_contrasts` and `fact_contrasts`,
# whose table (`facts_at_contrasts`) the ODD records; each is judged by its paired 95%
# interval over CONTRAST_SEEDS, or over SEEDS where a mean is all that is compared.

CONTRAST_SEEDS = replication_seeds(2024, 2 * REPLICATIONS)
PER_LEVEL_EFFECT = 0.015
"""Smallest fall in mean attitude per extra level (same head count) that counts as fact 8 at a
realistic contrast: 0.026 to 0.052 are measured between 4 and 7 levels at 1,000 employees."""
LITTLE = 0.02
"""Bound on an effect the model does not show: the whole paired interval lies within +-0.02
(1% of the -1..1 scale)."""


def intervals(contrasts: list[Contrast]) -> dict[str, Interval]:
    """The paired intervals by outcome ("attitude", "focus", ...)."""
    return {c.outcome.split(",")[0]: c.interval for c in contrasts}


def within_little(interval: Interval) -> bool:
    return interval.low > -LITTLE and interval.high < LITTLE


def test_8_one_more_level_lowers_attitude_through_drift_but_not_focus():
    # 1,000 employees at span 10 (5 levels) against span 5 (6 levels).
    step = intervals(one_more_level(CONTRAST_SEEDS, Params(), 1000, 10, 5))
    assert step["attitude"].low > 0, step["attitude"]
    assert step["attitude"].mean > PER_LEVEL_EFFECT, step["attitude"]
    # Restated: one level in the middle of the range leaves focus where it is.
    assert within_little(step["focus"]), step["focus"]
    # Through the drift that distance drives: without it, less than half the fall is left.
    no_drift = intervals(one_more_level(SEEDS, Params(drift_rate=0.0), 1000, 10, 5))
    assert no_drift["attitude"].mean < step["attitude"].mean / 2, no_drift["attitude"]


def test_8_size_alone_does_not_put_an_organization_at_risk():
    # Restated: at the same span, ten times the head count (one level more) changes attitude
    # by less than LITTLE; at the same depth the larger firm, having wider spans, is the
    # more positive one (the seeds' "large organizations are more at risk" is not shown).
    small = Params(n_employees=300, span_of_control=6)
    larger = small.replace(n_employees=3000)
    same_span = intervals(organizations(8, small, larger, CONTRAST_SEEDS, ""))
    assert within_little(same_span["attitude"]), same_span["attitude"]
    wider = small.replace(n_employees=3000, span_of_control=10)
    assert levels(wider) == levels(small)
    same_depth = intervals(organizations(8, small, wider, SEEDS, ""))
    assert same_depth["attitude"].high < 0, same_depth["attitude"]


def test_8_twice_the_share_off_the_front_line_lowers_attitude_and_focus():
    # 30% against the default 60% of the staff off the front line (back office shrunk).
    fewer_far = Params(departments=back_office_scaled(BACK_OFFICE_HALVED))
    assert share_far(Params()) == pytest.approx(2 * share_far(fewer_far), rel=0.05)

    def gaps(**changes: float) -> dict[str, Interval]:
        base = Params(**changes)
        first = base.replace(departments=fewer_far.departments)
        return intervals(organizations(8, first, base, SEEDS, ""))

    full = gaps()
    for outcome in ("attitude", "focus"):
        assert full[outcome].low > 0 and full[outcome].mean > MIN_EFFECT, (outcome, full)
    # Attitude through drift (about half of it), focus through incentives (all of it).
    assert gaps(drift_rate=0.0)["attitude"].mean < 2 / 3 * full["attitude"].mean
    assert within_little(gaps(incentive_rate=0.0)["focus"])


FACT_10_SMALL = 0.02
"""Bound on how much the calibrated voice of lost customers lowers new customers'
expectations at the defaults (the -1..1 scale): about 0.008 is measured."""


def test_10_at_the_defaults_lost_customers_stories_lower_expectations_by_little():
    # Restated: every week's served customers speak too, so the few who left are a small
    # part of what newcomers hear; their stories lower expectations, by little.
    calibrated = lost_voice_effect(CONTRAST_SEEDS, Params(), Params().lost_voice).interval
    assert calibrated.mean > 0 and calibrated.high < FACT_10_SMALL, calibrated
    # The bound can fail: at 20, the voice before the calibration, the effect exceeds it.
    loud = lost_voice_effect(SEEDS, Params(), 20.0).interval
    assert loud.low > FACT_10_SMALL, loud
