"""The stylized facts' effect sizes at contrasts real organizations differ by.

MODEL.md asks for each fact's effect per realistic step (one more level at the same head
count, twice the share of staff far from customers, the fact's own contrast otherwise), not
only at extremes. Each contrast here runs both arms on the same seeds
(`eachcustomer.sim.replications.replication_seeds`), takes their difference replication by
replication (`eachcustomer.experiments.analysis.statistics.paired_difference`) and words it
with the one verdict vocabulary (`eachcustomer.experiments.analysis.verdicts.judge`). Each
difference is oriented so that a positive effect is the direction the fact states ("better"
then means: the interval lies wholly in the fact's direction); contrasts of two plans are
judged as plans against each other. docs/ODD.md 11.4 records the table and what it shows;
tests/test_stylized_facts.py tests the same contrasts (by calling these functions).

    python -m eachcustomer.experiments.facts_at_contrasts               # every fact, 40 seeds
    python -m eachcustomer.experiments.facts_at_contrasts --facts 8 10 --replications 20

Organizations of different structure (fact 8) draw different random ties from the same
seed, so their pairing removes less luck than that of two plans on one organization.
"""

from __future__ import annotations

import argparse
import sys
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
from eachcustomer.sim.organization import generate_organization
from eachcustomer.sim.params import DEFAULT_DEPARTMENTS, Department, Params
from eachcustomer.sim.replications import replication_seeds

MASTER_SEED = 2024
"""The stylized-fact tests' master seed."""
REPLICATIONS = 40
"""Paired replications per contrast by default."""
BACK_OFFICE_HALVED = 0.3
"""Back-office departments at this share of their default sizes (16% of staff instead of 52%)
leave 30% of the staff away from the front line (distance 2+), against 60% at the defaults:
fact 8's "twice the share of staff far from customers"."""


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


ONE_MORE_LEVEL = ((1000, 20, 10), (1000, 10, 5), (1000, 5, 3))
"""(head count, span of the shallower, span of the one-level-deeper organization): 4 vs 5,
5 vs 6 and 6 vs 7 levels."""
DEPTH_OUTCOMES = (("mean_attitude", "attitude"), ("mean_customer_focus", "focus"))


def back_office_scaled(factor: float) -> tuple[Department, ...]:
    """The default departments with the back office at `factor` of its share."""
    back = sum(d.share for d in DEFAULT_DEPARTMENTS if not d.customer_facing)
    front_factor = (1.0 - factor * back) / (1.0 - back)
    return tuple(
        d.model_copy(update={"share": d.share * (front_factor if d.customer_facing else factor)})
        for d in DEFAULT_DEPARTMENTS
    )


def levels(params: Params) -> int:
    """Levels of the generated hierarchy (its structure does not depend on the seed)."""
    return int(generate_organization(params, np.random.default_rng(0)).level.max())


def share_far(params: Params) -> float:
    """Share of the staff away from the front line (distance 2+, MODEL.md's bands 2 to 4+)."""
    org = generate_organization(params, np.random.default_rng(0))
    return float((org.distance_to_customer >= 2).mean())


def organizations(
    fact: int, first: Params, second: Params, seeds: Sequence[int], arms: str
) -> list[Contrast]:
    """Mean attitude and focus at week 104 of two organizations."""
    measures = [final(column) for column, _ in DEPTH_OUTCOMES]
    one, other = outcomes(first, seeds, measures), outcomes(second, seeds, measures)
    return [
        Contrast(fact, arms, f"{name}, week 104", a, b)
        for (_, name), a, b in zip(DEPTH_OUTCOMES, one, other, strict=True)
    ]


def one_more_level(
    seeds: Sequence[int], base: Params, size: int, shallow: int, deep: int
) -> list[Contrast]:
    """The shallower organization against one level deeper at the same head count."""
    first = base.replace(n_employees=size, span_of_control=shallow)
    second = base.replace(n_employees=size, span_of_control=deep)
    arms = f"{levels(first)} vs {levels(second)} levels ({size:,}; span {shallow} vs {deep})"
    return organizations(8, first, second, seeds, arms)


def fact_8(seeds: Sequence[int], base: Params) -> list[Contrast]:
    """One more level; ten times the head count; twice the share far from customers."""
    rows = [c for step in ONE_MORE_LEVEL for c in one_more_level(seeds, base, *step)]
    small, large_wide = (
        base.replace(n_employees=300, span_of_control=6),
        base.replace(n_employees=3000, span_of_control=10),
    )
    large = base.replace(n_employees=3000, span_of_control=6)
    rows += organizations(8, small, large_wide, seeds, "300 vs 3,000, both 5 levels (span 6 vs 10)")
    rows += organizations(8, small, large, seeds, "300 vs 3,000, span 6 (5 vs 6 levels)")
    fewer_far = base.replace(departments=back_office_scaled(BACK_OFFICE_HALVED))
    arms = (
        f"{share_far(fewer_far):.0%} vs {share_far(base):.0%} of staff off the front line "
        f"({levels(fewer_far)} vs {levels(base)} levels)"
    )
    rows += organizations(8, fewer_far, base, seeds, arms)
    rows += one_more_level(seeds, base, 1000, 20, 2)
    return rows


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


FACTS: dict[int, Callable[[Sequence[int], Params], list[Contrast]]] = {
    1: fact_1,
    2: fact_2,
    3: fact_3,
    4: fact_4,
    5: fact_5,
    6: fact_6,
    7: fact_7,
    8: fact_8,
    9: fact_9,
    10: fact_10,
}


def table(contrasts: Sequence[Contrast], master_seed: int) -> str:
    """The contrasts as a markdown table."""
    lines = [
        "| fact | contrast (first vs second) | outcome | effect | 95% paired interval | verdict "
        "| replications | seeds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in contrasts:
        i = c.interval
        lines.append(
            f"| {c.fact} | {c.contrast} | {c.outcome} | {i.mean:+.3f} | {i.low:+.3f} to "
            f"{i.high:+.3f} | {c.verdict.word} | {i.n} | "
            f"`replication_seeds({master_seed}, {i.n})` |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table of the chosen facts' contrasts."""
    parser = argparse.ArgumentParser(
        prog="python -m eachcustomer.experiments.facts_at_contrasts",
        description="Each stylized fact's effect at realistic contrasts, paired over seeds "
        "(positive: the direction the fact states).",
    )
    parser.add_argument(
        "--facts", type=int, nargs="+", choices=sorted(FACTS), default=sorted(FACTS)
    )
    parser.add_argument(
        "--replications", type=int, default=REPLICATIONS, help="paired seeds (>= 2)"
    )
    parser.add_argument("--seed", type=int, default=MASTER_SEED, help="master seed (>= 0)")
    args = parser.parse_args(argv)
    if args.replications < 2:
        parser.error(f"--replications must be at least 2, not {args.replications}")
    if args.seed < 0:
        parser.error(f"--seed must be a non-negative integer, not {args.seed}")
    seeds = replication_seeds(args.seed, args.replications)
    contrasts = [c for fact in args.facts for c in FACTS[fact](seeds, Params())]
    print(table(contrasts, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
