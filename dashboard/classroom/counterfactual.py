"""What a lever did, as a controlled comparison: the session replayed with and without it.

The debrief's before/after table reads a lever off one session, where the culture keeps
drifting on its own and the class's choices change too. This asks the model instead: the
session's replay (the same organization, students in the same seats making the same
choices, the other levers as pulled) on `SEEDS` fresh seeds, once with the lever and once
without, paired by seed; the difference over the months the lever acted on, with its paired
interval, judged by the one vocabulary of verdicts
(`eachcustomer.experiments.analysis.verdicts.judge`), so the page says "better", "worse",
"no clear effect" or "not enough replications" exactly as Compare does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from eachcustomer.experiments.analysis.statistics import paired_difference
from eachcustomer.experiments.analysis.verdicts import Verdict, judge
from eachcustomer.experiments.running.runs import run_model
from eachcustomer.sim.replications import replication_seeds

SEEDS = 8
"""Fresh seeds per lever: 16 runs of the session's weeks at a class's size, about a second."""


@dataclass(frozen=True)
class LeverTest:
    """A lever's paired comparison over fresh seeds: with it minus without it.

    Attributes:
        lever: a key of `eachcustomer.dashboard.classroom.game.LEVERS`.
        first_week, last_week: the weeks compared (from the lever's start to the last week
            played).
        customers_lost: verdict on customers lost over those weeks (fewer is better).
        attitude: verdict on everyone's mean attitude at the last week (higher is better).
    """

    lever: str
    first_week: int
    last_week: int
    customers_lost: Verdict
    attitude: Verdict


def outcomes(setup: Any, seed: int, weeks: int, first_week: int) -> tuple[float, float]:
    """Customers lost from `first_week` to the end, and the mean attitude at the end."""
    result = run_model(
        setup.params,
        seed,
        org=setup.org,
        interventions=setup.interventions,
        individuals=setup.individuals,
        weeks=weeks,
        timeline=setup.timeline,
        players=setup.players,
    )
    column = {name: i for i, name in enumerate(result.columns)}
    values = result.values
    after = values[:, column["week"]] >= first_week
    lost = float(values[after, column["customers_lost"]].sum())
    return lost, float(values[-1, column["mean_attitude"]])


def compare_lever(game: Any, lever: str, seeds: int = SEEDS) -> LeverTest:
    """The session with `lever` against without it, on `seeds` fresh seeds (the session's
    seed as master, `eachcustomer.sim.replications.replication_seeds`)."""
    first_week = game.lever_interventions[lever][0].start
    weeks = game.week
    arms = (game.with_levers(), game.without_lever(lever))
    pairs = np.array(
        [
            [outcomes(setup, seed, weeks, first_week) for setup in arms]
            for seed in replication_seeds(game.seed, seeds)
        ]
    )  # seed, arm (with, without), outcome (lost, attitude)
    return LeverTest(
        lever=lever,
        first_week=first_week,
        last_week=weeks,
        customers_lost=judge(
            paired_difference(pairs[:, 0, 0], pairs[:, 1, 0]), higher_is_better=False
        ),
        attitude=judge(paired_difference(pairs[:, 0, 1], pairs[:, 1, 1]), higher_is_better=True),
    )


def lever_tests(game: Any) -> dict[str, LeverTest]:
    """Every lever that has acted on a month played, tested; kept on the game per month
    played, so a page redrawn in the same month does not run them again."""
    cache = game.__dict__.setdefault("_lever_tests", {})
    tests = {}
    for lever, items in game.lever_interventions.items():
        if items and items[0].start <= game.week:
            key = (lever, game.week)
            if key not in cache:
                cache[key] = compare_lever(game, lever)
            tests[lever] = cache[key]
    return tests


def verdict_cell(verdict: Verdict, number: str) -> str:
    """A verdict in a table cell: the paired mean, its interval and the verdict's word."""
    interval = verdict.interval
    if verdict.word == "not enough replications":
        return verdict.word
    return (
        f"{format(interval.mean, number)} ({format(interval.low, number)} to "
        f"{format(interval.high, number)}): {verdict.word}"
    )
