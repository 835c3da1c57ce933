"""What each plan does, paired by seed: against doing nothing, per budget and per factor level.

The one pairing rule (`pair_runs`): a plan's run is matched with the baseline's run at the
same point, replication (so the same seed) and other lists and levers, and compared by
`eachcustomer.experiments.analysis.statistics.paired_difference`, so the interval reflects the
plan's effect, not the spread of luck.

- `plan_comparison`: each plan's outcomes at each budget, and its difference from the
  baseline plan;
- `plan_effects`: that difference at each level of each other factor (a sampled range cut
  into quantile bins): does a stronger negativity bias undo a training day? It answers a
  spec's own question per level, where pooled means would average it away.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from eachcustomer.experiments.analysis.statistics import paired_difference, t_interval
from eachcustomer.experiments.analysis.tables import (
    AnalysisError,
    Results,
    _outcomes,
    factor_levels,
    load_results,
)
from eachcustomer.experiments.loading.plans import NO_PLAN

ALL_RUNS = "all runs"
"""The one level of `plan_effects` when no factor is given: every run, pooled."""
EFFECT_COLUMNS = [
    "factor",
    "level",
    "order",
    "plan",
    "outcome",
    "n",
    "difference",
    "ci_low",
    "ci_high",
    "mean",
    "mean_ci_low",
    "mean_ci_high",
]
PLAN_COSTS = ("plan_cost", "spend_total")
"""What plans cost: kept beside the outcomes, not compared as outcomes."""


def plan_names(results: Results) -> list[str]:
    """The plans of the sweep's plan lever, in the spec's order."""
    if "plan" not in results.lists:
        raise AnalysisError(
            "no plan lever in this sweep: add [levers] plan = [...] to compare plans"
        )
    return [
        str(v)
        for item in results.manifest["lists"]
        if item["name"] == "plan"
        for v in item["values"]
    ]


def baseline_plan(results: Results, baseline: str = NO_PLAN) -> str:
    """The plan others are compared with: `baseline` if swept, else the first plan."""
    plans = plan_names(results)
    return baseline if baseline in plans else plans[0]


def pair_runs(results: Results, plan: str, baseline: str) -> pd.DataFrame:
    """`plan`'s ok runs beside the baseline's run with the same point, seed and levers.

    Every column of the baseline's run comes with the suffix `_base`; `row` is the plan's
    run's index in `results.ok`.
    """
    ok = results.ok.assign(row=results.ok.index)
    pair_on = ["point", "replication", *(name for name in results.lists if name != "plan")]
    return ok[ok["plan"] == plan].merge(
        ok[ok["plan"] == baseline], on=pair_on, suffixes=("", "_base")
    )


def _difference(paired: pd.DataFrame, outcome: str, confidence: float) -> tuple[float, ...]:
    gap = paired_difference(
        paired[outcome].to_numpy(dtype=float),
        paired[f"{outcome}_base"].to_numpy(dtype=float),
        confidence,
    )
    return gap.n, gap.mean, gap.low, gap.high


def plan_comparison(
    results: str | Path | Results,
    outcomes: list[str] | None = None,
    baseline: str = NO_PLAN,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Each plan's outcomes at each budget, and the paired difference from the baseline plan.

    Returns:
        One row per budget (if swept), plan and outcome: n, mean, ci_low, ci_high,
        difference, difference_ci_low, difference_ci_high (NaN for the baseline itself),
        expected_cost (mean planned cost) and spend (mean spent in the runs).
    """
    results = load_results(results)
    plans = plan_names(results)
    baseline = baseline_plan(results, baseline)
    chosen = [o for o in _outcomes(results, outcomes) if o != "plan_cost"]
    budgets = sorted(results.ok["budget"].unique()) if "budget" in results.ok else [None]
    rows = []
    for plan in plans:
        paired = pair_runs(results, plan, baseline)
        runs = results.ok[results.ok["plan"] == plan]
        for budget in budgets:
            here = runs if budget is None else runs[runs["budget"] == budget]
            pairs = paired if budget is None else paired[paired["budget"] == budget]
            for outcome in chosen:
                level = t_interval(here[outcome].to_numpy(dtype=float), confidence)
                difference = (
                    (np.nan,) * 3
                    if plan == baseline
                    else _difference(pairs, outcome, confidence)[1:]
                )
                rows.append(
                    {
                        "budget": budget,
                        "plan": plan,
                        "outcome": outcome,
                        "n": level.n,
                        "mean": level.mean,
                        "ci_low": level.low,
                        "ci_high": level.high,
                        "difference": difference[0],
                        "difference_ci_low": difference[1],
                        "difference_ci_high": difference[2],
                        "expected_cost": here["plan_cost"].mean()
                        if "plan_cost" in here
                        else np.nan,
                        "spend": here["spend_total"].mean() if "spend_total" in here else np.nan,
                    }
                )
    table = pd.DataFrame(rows).sort_values(["budget", "plan"], key=_spec_order(plans))
    table = table.reset_index(drop=True)
    return table.drop(columns="budget") if budgets == [None] else table


def _spec_order(plans: list[str]):
    rank = {name: index for index, name in enumerate(plans)}

    def key(column: pd.Series) -> pd.Series:
        return column.map(rank) if column.name == "plan" else column

    return key


def plan_effects(
    results: str | Path | Results,
    outcomes: list[str] | None = None,
    factors: list[str] | None = None,
    baseline: str = NO_PLAN,
    confidence: float = 0.95,
    bins: int = 5,
) -> pd.DataFrame:
    """Each plan's paired difference from the baseline at each level of each other factor.

    Args:
        results: a sweep's results with a plan lever.
        outcomes: what to compare; the sweep's outcomes (costs aside) by default.
        factors: the factors to split by; every swept factor but the plan by default. A
            range sampled at many values is cut into `bins` quantile bins. None at all
            (`[]`): one level, `ALL_RUNS`, every run pooled.
        baseline: the plan compared with ("none" when swept, else the first plan).
        confidence: level of the intervals.
        bins: quantile bins of a sampled range.

    Returns:
        One row per factor, level, plan and outcome: factor, level, order (of the level),
        plan, outcome, n (pairs), difference, ci_low, ci_high (NaN for the baseline itself),
        and the plan's own mean at that level (mean) with its interval (mean_ci_low,
        mean_ci_high): the interaction of plan and factor.
    """
    results = load_results(results)
    plans = plan_names(results)
    baseline = baseline_plan(results, baseline)
    chosen = [o for o in _outcomes(results, outcomes) if o not in PLAN_COSTS]
    names = [f for f in results.factors if f != "plan"] if factors is None else factors
    rows: list[list] = []
    for factor in names:
        if factor not in results.factors or factor == "plan":
            raise AnalysisError(
                f"no factor {factor!r} to split plans by; factors are "
                f"{', '.join(f for f in results.factors if f != 'plan') or 'none'}"
            )
        labels, order = factor_levels(results, factor, bins)
        rows += _effect_rows(results, plans, baseline, chosen, factor, labels, order, confidence)
    if not names:
        pooled = pd.Series(ALL_RUNS, index=results.ok.index)
        rows += _effect_rows(
            results, plans, baseline, chosen, ALL_RUNS, pooled, [ALL_RUNS], confidence
        )
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def _effect_rows(
    results: Results,
    plans: list[str],
    baseline: str,
    outcomes: list[str],
    factor: str,
    labels: pd.Series,
    order: list[str],
    confidence: float,
) -> list[list]:
    rows = []
    for plan in plans:
        paired = pair_runs(results, plan, baseline)
        level_of = labels.loc[paired["row"]].to_numpy()
        for position, level in enumerate(order):
            cell = paired[level_of == level]
            for outcome in outcomes:
                n, difference, low, high = (
                    (len(cell), np.nan, np.nan, np.nan)
                    if plan == baseline
                    else _difference(cell, outcome, confidence)
                )
                own = t_interval(cell[outcome].to_numpy(dtype=float), confidence)
                rows.append(
                    [
                        factor,
                        level,
                        position,
                        plan,
                        outcome,
                        n,
                        difference,
                        low,
                        high,
                        own.mean,
                        own.low,
                        own.high,
                    ]
                )
    return rows


def level_verdicts(effects: pd.DataFrame, baseline: str, confidence: float = 0.95) -> pd.DataFrame:
    """Each plan's verdict against the baseline at each level (`verdicts.judge`).

    The levels and plans of one factor are stated together, so on each outcome and factor
    they are one family of comparisons (plans other than the baseline x levels): each
    interval is widened to a Bonferroni interval (`multiplicity.widen`) before it is judged.
    An outcome with no better direction (`Outcome.higher_is_better` None) gets no verdict.

    Args:
        effects: a `plan_effects` table.
        baseline: the plan the others were compared with (`baseline_plan`).
        confidence: the family's level.

    Returns:
        The rows of the plans other than the baseline, with: comparisons (the family's
        size), adjusted_ci_low, adjusted_ci_high and verdict (a word of `verdicts.WORDS`,
        "" without a better direction).
    """
    from eachcustomer.experiments.analysis.multiplicity import widen
    from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of
    from eachcustomer.experiments.analysis.statistics import Interval
    from eachcustomer.experiments.analysis.verdicts import judge

    rows = effects[effects["plan"] != baseline].copy()
    family = rows.groupby(["outcome", "factor"], sort=False)["plan"].transform("size")
    lows, highs, words = [], [], []
    for (_, row), comparisons in zip(rows.iterrows(), family, strict=True):
        interval = widen(
            Interval(int(row["n"]), row["difference"], np.nan, row["ci_low"], row["ci_high"]),
            confidence,
            int(comparisons),
        )
        better = outcome_of(row["outcome"]).higher_is_better
        lows.append(interval.low)
        highs.append(interval.high)
        words.append("" if better is None else judge(interval, better, "nothing").word)
    return rows.assign(
        comparisons=family.to_numpy(),
        adjusted_ci_low=lows,
        adjusted_ci_high=highs,
        verdict=words,
    ).reset_index(drop=True)
