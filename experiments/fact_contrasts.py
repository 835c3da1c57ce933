"""The stylized facts' contrasts: both arms of each on the same seeds, paired.

Each `fact_N(seeds, base)` runs what fact N of MODEL.md needs at the contrasts real
organizations differ by (fact 8's are in `eachcustomer.experiments.depth_contrasts`) and
returns `Contrast`s: one outcome per replication in each arm, oriented so that first -
second is positive in the direction the fact states. `eachcustomer.experiments.facts_at_contrasts`
tables them (docs/ODD.md 11.4); tests/test_stylized_facts.py tests them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eachcustomer.experiments.analysis.statistics import Interval, paired_difference
from eachcustomer.experiments.analysis.verdicts import Against, Verdict, judge
from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.experiments.running.runs import run_replications
from eachcustomer.sim.budget import cost_basis, reprice_plan, scale_plan
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.metrics import distance_band
from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.params import Params


@dataclass(frozen=True)
class Contrast:
    """Paired values of one outcome in two arms; first - second is the fact's direction.

    Attributes:
        fact: the number of the fact in MODEL.md.
        contrast: the two arms in words, "first vs second".
        outcome: what is measured, in words.
        first: one value per replication of the first arm.
        second: the same replications (same seeds) of the second arm.
        against: "nothing" when the second arm is the status quo, "plan" for two plans.
    """

    fact: int
    contrast: str
    outcome: str
    first: np.ndarray
    second: np.ndarray
    against: Against = "nothing"

    @property
    def interval(self) -> Interval:
        """The paired difference first - second with its 95% interval."""
        return paired_difference(self.first, self.second)

    @property
    def verdict(self) -> Verdict:
        """The interval in the verdicts' words (positive: the fact's direction)."""
        return judge(self.interval, higher_is_better=True, against=self.against)


Series = Callable[[pd.DataFrame], float]


def final(column: str) -> Series:
    """The column's value at the last week."""
    return lambda series: float(series[column].iloc[-1])


def mean_from(column: str, week: int) -> Series:
    """The column's mean from `week` to the end."""
    return lambda series: float(series[column].iloc[week:].mean())


def at_week(column: str, week: int) -> Series:
    """The column's value at `week`."""
    return lambda series: float(series[column].iloc[week])


def outcomes(
    params: Params,
    seeds: Sequence[int],
    measures: Sequence[Series],
    interventions: list | None = None,
) -> list[np.ndarray]:
    """Each measure of each replication (batched runs, each exactly as alone)."""
    [runs] = run_replications(params, seeds, {"plan": interventions}).values()
    return [np.array([measure(run.series) for run in runs]) for measure in measures]


def model_values(
    params: Params,
    seeds: Sequence[int],
    measure: Callable[[OrgModel], np.ndarray],
    setup: Callable[[OrgModel], None] | None = None,
    weeks: int | None = None,
) -> np.ndarray:
    """(replications, k): `measure` of each run's model at its end (employee-level values)."""
    values = []
    for seed in seeds:
        model = OrgModel(params, rng=seed)
        if setup is not None:
            setup(model)
        model.run(weeks)
        values.append(measure(model))
    return np.array(values)


def fact_1(seeds: Sequence[int], base: Params) -> list[Contrast]:
    """Attitude one distance band closer to customers, outside the complaint desk."""

    def band_means(model: OrgModel) -> np.ndarray:
        band = distance_band(model.org.distance_to_customer)
        keep = ~model.org.handles_complaints
        attitude = model.employees.attitude
        return np.array([attitude[keep & (band == b)].mean() for b in range(4)])

    bands = model_values(base, seeds, band_means)
    names = ("band 1", "band 2", "band 3", "band 4+")
    return [
        Contrast(
            1, f"{names[b]} vs {names[b + 1]}", "attitude, week 104", bands[:, b], bands[:, b + 1]
        )
        for b in range(3)
    ]


def seed_minority(value: float) -> Callable[[OrgModel], None]:
    """A tenth of the employees, at random, start at `value` and are disposed to it."""

    def setup(model: OrgModel) -> None:
        chosen = model.rng.permutation(model.org.size)[: model.org.size // 10]
        model.employees.attitude[chosen] = value
        model.employees.disposition[chosen] = value

    return setup


NEUTRAL = {
    "disposition_mean": 0.0,
    "disposition_sd": 0.0,
    "encounter_impact": 0.0,
    "drift_rate": 0.0,
    "turnover_rate": 0.0,
}
"""Fact 2's neutral organization: nothing but contagion and the pull to disposition moves."""


def fact_2(seeds: Sequence[int], base: Params) -> list[Contrast]:
    """A 10% negative minority against an equal positive one, at the calibrated bias."""
    neutral = base.replace(**NEUTRAL)

    def mean(model: OrgModel) -> np.ndarray:
        return np.array([model.employees.attitude.mean()])

    down = -model_values(neutral, seeds, mean, seed_minority(-0.8), weeks=52)[:, 0]
    up = model_values(neutral, seeds, mean, seed_minority(0.8), weeks=52)[:, 0]
    bias = f"negativity bias {neutral.negativity_bias:g}"
    return [
        Contrast(
            2, f"10% at -0.8 vs 10% at +0.8 ({bias})", "shift of mean attitude, week 52", down, up
        )
    ]


def fact_3(seeds: Sequence[int], base: Params) -> list[Contrast]:
    """The complaint desk against the rest of the front line."""

    def front_line(model: OrgModel) -> np.ndarray:
        facing, desk = model.org.customer_facing, model.org.handles_complaints
        staff = model.employees
        return np.array(
            [
                staff.attitude[facing & ~desk].mean(),
                staff.attitude[desk].mean(),
                staff.strain[desk].mean(),
                staff.strain[facing & ~desk].mean(),
            ]
        )

    values = model_values(base, seeds, front_line)
    return [
        Contrast(
            3, "sales floor vs complaint desk", "attitude, week 104", values[:, 0], values[:, 1]
        ),
        Contrast(
            3, "complaint desk vs sales floor", "strain, week 104", values[:, 2], values[:, 3]
        ),
    ]


def fact_4(seeds: Sequence[int], base: Params) -> list[Contrast]:
    """Customers expecting one spread of expectations (0.3) worse than neutral."""
    measures = [mean_from("mean_quality", 1), final("attitude_band_1")]
    neutral = outcomes(base.replace(prior_expectation=0.0), seeds, measures)
    wary = outcomes(base.replace(prior_expectation=-0.3), seeds, measures)
    arms = "prior expectation 0 vs -0.3"
    return [
        Contrast(4, arms, "interaction quality, weeks 1-104", neutral[0], wary[0]),
        Contrast(4, arms, "band-1 attitude, week 104", neutral[1], wary[1]),
    ]


def fact_5(seeds: Sequence[int], base: Params) -> list[Contrast]:
    """A training day for everyone in week 26: its lift then and half a year later."""
    training = [Intervention(kind="training_day", start=26, strength=0.5)]
    weeks = (26, 52)
    measures = [at_week("mean_attitude", week) for week in weeks]
    trained = outcomes(base, seeds, measures, training)
    plain = outcomes(base, seeds, measures)
    lift = [after - before for after, before in zip(trained, plain, strict=True)]
    return [Contrast(5, "lift at week 26 vs week 52", "attitude lift lost", lift[0], lift[1])]


FACT_6_BUDGET = 120_000
"""Two years' budget per plan on the 300-employee organization, as fact 6's test."""


def fact_6(seeds: Sequence[int], base: Params) -> list[Contrast]:
    """Culture change at equal cost: against nothing, and against the training day."""
    params = base.replace(n_employees=300)
    library, org = plan_library(), cost_basis(params)
    levers = library["culture_change"].interventions

    def scaled(plan: Sequence[Intervention]) -> list[Intervention]:
        return list(scale_plan(plan, FACT_6_BUDGET, org, params))

    training = scaled(library["training_day"].interventions)
    culture, cheap = scaled(levers), scaled(reprice_plan(levers, 0.25))
    measures = [final("mean_attitude"), final("mean_satisfaction")]
    nothing = outcomes(params, seeds, measures)
    culture_values = outcomes(params, seeds, measures, culture)
    trained = outcomes(params, seeds, measures, training)
    cheap_values = outcomes(params, seeds, measures, cheap)
    return [
        Contrast(
            6, "culture change vs nothing", "attitude, week 104", culture_values[0], nothing[0]
        ),
        Contrast(
            6,
            "culture change vs training day, list prices",
            "satisfaction, week 104",
            culture_values[1],
            trained[1],
            "plan",
        ),
        Contrast(
            6,
            "culture change at 1/4 price vs training day",
            "satisfaction, week 104",
            cheap_values[1],
            trained[1],
            "plan",
        ),
    ]


def fact_7(seeds: Sequence[int], base: Params) -> list[Contrast]:
    """Incentive alignment at the defaults (not the boss-only setting of the test)."""
    aligned = [Intervention(kind="incentive_alignment", start=1, strength=0.6)]
    measures = [final("focus_back_office")]
    [with_alignment] = outcomes(base, seeds, measures, aligned)
    [without] = outcomes(base, seeds, measures)
    return [
        Contrast(7, "alignment 0.6 vs none", "back-office focus, week 104", with_alignment, without)
    ]


def fact_9(seeds: Sequence[int], base: Params) -> list[Contrast]:
    """Weeks per level by which the half-rise of a new leader's focus gain lags."""
    params = base.replace(n_employees=1000, span_of_control=4)
    tone = [Intervention(kind="leadership_tone", start=10, strength=0.8, coverage={"levels": (1,)})]
    columns = [f"focus_level_{level}" for level in (1, 5)]
    runs = run_replications(params, seeds, {"tone": tone, "none": None})
    half_rise = []
    for after, before in zip(runs["tone"], runs["none"], strict=True):
        gain = (after.series[columns] - before.series[columns]).to_numpy()[10:]
        half_rise.append(np.argmax(gain >= gain.max(axis=0) / 2, axis=0))
    weeks = np.array(half_rise, dtype=float) / 4.0
    return [
        Contrast(
            9,
            "level 5 vs level 1, per level",
            "half-rise week of focus gain",
            weeks[:, 1],
            weeks[:, 0],
        )
    ]


def lost_voice_effect(seeds: Sequence[int], base: Params, voice: float) -> Contrast:
    """New customers' expectations with lost customers as loud as happy ones vs at `voice`."""
    measures = [mean_from("new_customer_expectation", 52)]
    [quiet] = outcomes(base.replace(lost_voice=1.0), seeds, measures)
    [loud] = outcomes(base.replace(lost_voice=voice), seeds, measures)
    outcome = "new customers' expectation, weeks 52-104"
    return Contrast(10, f"lost voice 1 vs {voice:g}", outcome, quiet, loud)


def fact_10(seeds: Sequence[int], base: Params) -> list[Contrast]:
    """Lost customers' stories at TARP's 2x and at the calibrated voice, against none louder."""
    return [lost_voice_effect(seeds, base, voice) for voice in (2.0, base.lost_voice)]
