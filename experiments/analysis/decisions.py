"""Where the verdict holds: one plan against another over a sweep's factors.

For a sweep with two plans besides "none" (a challenger and a reference, in the order of
`[levers] plan`), every run of the challenger is paired with the reference's run at the same
point, replication (seed) and other levers, and the challenger's *advantage* is the
difference oriented so that positive means the challenger did better (fewer customers
lost, more net revenue):

- `decision_map`: the mean advantage with its paired t interval
  (`eachcustomer.experiments.analysis.statistics.paired_difference`) per cell of two factors (by
  default the price factor and the strength, else the fade rate, when swept), and a verdict per
  cell (`verdicts.judge`): the better plan, or "too close to call" when the interval
  straddles zero. The cells are many comparisons at once, so each interval is a Bonferroni
  simultaneous interval over the outcome's cells (`multiplicity`);
- `break_even`: where the verdict changes sign along the first factor: between a cell where
  one plan is clearly better and the next clear cell, where the other is (only "too close to
  call" between them), with the zero crossing of the means inside that bracket.

`eachcustomer.experiments.analysis.discovery` finds, with PRIM, the regions of all swept factors
where each plan comes out ahead in single paired runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eachcustomer.experiments.analysis.multiplicity import family_level, widen
from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of
from eachcustomer.experiments.analysis.plan_effects import pair_runs
from eachcustomer.experiments.analysis.statistics import Interval, paired_difference
from eachcustomer.experiments.analysis.tables import (
    MAX_LEVELS,
    AnalysisError,
    Results,
    load_results,
)
from eachcustomer.experiments.analysis.verdicts import (
    BETTER,
    WORSE,
    Verdict,
    judge,
    pairs_to_separate,
)
from eachcustomer.experiments.loading.plans import NO_PLAN

CUSTOMERS_KEPT = (
    "recent_annual_customer_loss",
    "final_active_customers",
    "annual_customer_loss",
    "annual_retention",
)
"""Outcomes that measure customers kept, in order of preference for the default map."""
NET_REVENUE = ("net_revenue",)
PRICE_FACTORS = ("price_multiplier", "wage_cost_per_hour")
SECOND_FACTORS = ("strength_multiplier", "disposition_pull")
"""The map's second axis by preference: how strong the lever is, else the fade rate."""


def matchup(
    results: Results, reference: str | None = None, challenger: str | None = None
) -> tuple[str, str]:
    """The reference and challenger plans: the first two plans besides "none" by default."""
    plans = [
        str(v)
        for item in results.manifest["lists"]
        if item["name"] == "plan"
        for v in item["values"]
    ]
    paying = [name for name in plans if name != NO_PLAN]
    if len(paying) < 2:
        raise AnalysisError(
            "a decision map needs two plans besides 'none' in [levers] plan; this sweep has "
            f"{', '.join(paying) or 'none'}"
        )
    chosen = (reference or paying[0], challenger or paying[1])
    for name in chosen:
        if name not in plans:
            raise AnalysisError(f"no plan {name!r}; plans are {', '.join(plans)}")
    if chosen[0] == chosen[1]:
        raise AnalysisError(f"compare two different plans, not {chosen[0]!r} with itself")
    return chosen


def priced_plan(results: Results, lever_name: str = "price_multiplier") -> str | None:
    """The plan whose price (or strength, `strength_multiplier`) the sweep's `[levers]`
    table varies, if any."""
    spec = results.manifest.get("identity", {}).get("spec", {})
    lever = (spec.get("levers") or {}).get(lever_name)
    return str(lever["plan"]) if lever else None


def factor_label(name: str, priced: str | None = None, strengthened: str | None = None) -> str:
    """A factor's name for axes and sentences."""
    if name == "price_multiplier":
        return f"price of {priced} (times its list price)" if priced else "price multiplier"
    if name == "strength_multiplier":
        plan = strengthened or priced
        return f"strength of {plan} (times the library's)" if plan else "strength multiplier"
    if name == "disposition_pull":
        return "disposition_pull (fade rate)"
    return name


def decision_outcomes(results: Results, outcomes: list[str] | None = None) -> list[str]:
    """The outcomes to compare on: by default customers kept and net revenue, if kept."""
    if outcomes is None:
        outcomes = [
            next(name for name in group if name in results.outcomes)
            for group in (CUSTOMERS_KEPT, NET_REVENUE)
            if any(name in results.outcomes for name in group)
        ]
        if not outcomes:
            raise AnalysisError(
                "the sweep kept no outcome on customers kept or net revenue; add "
                "summary = ['recent_annual_customer_loss', 'net_revenue'] to [outcomes]"
            )
    for name in outcomes:
        if name not in results.outcomes:
            raise AnalysisError(f"no outcome {name!r}; outcomes are {', '.join(results.outcomes)}")
        if outcome_of(name).higher_is_better is None:
            raise AnalysisError(f"{name!r} is neither better high nor low: no plan wins on it")
    return list(outcomes)


def swept_factors(results: Results) -> list[str]:
    """The factors besides the plan that take more than one value in the finished runs."""
    return [f for f in results.factors if f != "plan" and results.ok[f].nunique() > 1]


def map_factors(results: Results, factors: list[str] | None = None) -> list[str]:
    """The map's axes: as given, or the price factor and the strength (else the fade rate),
    else the most levels."""
    swept = swept_factors(results)
    if factors is not None:
        for name in factors:
            if name not in swept:
                raise AnalysisError(
                    f"{name!r} is not a swept factor; swept factors: {', '.join(swept) or 'none'}"
                )
        return list(factors)
    chosen = [
        next(name for name in group if name in swept)
        for group in (PRICE_FACTORS, SECOND_FACTORS)
        if any(name in swept for name in group)
    ]
    by_levels = sorted(swept, key=lambda name: -results.ok[name].nunique())
    chosen += [name for name in by_levels if name not in chosen]
    return chosen[:2]


def paired_advantages(
    results: Results, outcome: str, reference: str, challenger: str
) -> pd.DataFrame:
    """One row per pair of runs (same point, seed and other levers): factors and advantage.

    `challenger` and `reference` hold the two runs' values; `advantage` is their difference
    oriented so that positive means the challenger did better.
    """
    pair_on = ["point", "replication", *(f for f in results.lists if f != "plan")]
    ranges = [name for name in results.ranges if name not in pair_on]
    pairs = pair_runs(results, challenger, reference)[
        [*pair_on, *ranges, outcome, f"{outcome}_base"]
    ]
    pairs = pairs.rename(columns={outcome: "challenger", f"{outcome}_base": "reference"})
    sign = 1.0 if outcome_of(outcome).higher_is_better else -1.0
    pairs["advantage"] = sign * (pairs["challenger"] - pairs["reference"])
    return pairs.sort_values(pair_on, ignore_index=True)


def level_values(values: pd.Series, bins: int = 5) -> pd.Series:
    """Each value's level: itself, or the median of its quantile bin when there are many."""
    if values.nunique() <= MAX_LEVELS:
        return values.astype(float)
    cut = pd.qcut(values, q=bins, duplicates="drop")
    return values.groupby(cut, observed=True).transform("median").astype(float)


def decision_map(
    results: str | Path | Results,
    outcomes: list[str] | None = None,
    factors: list[str] | None = None,
    reference: str | None = None,
    challenger: str | None = None,
    confidence: float = 0.95,
    bins: int = 5,
) -> pd.DataFrame:
    """The challenger's paired advantage over the reference per cell of two factors.

    Args:
        results: a sweep's results with two plans besides "none".
        outcomes: what to compare on; customers kept and net revenue by default.
        factors: the map's axes (x, then y); by default the price factor and the strength
            (or the fade rate) when swept, else the factors with most levels. A range sampled
            at many values is cut into `bins` quantile bins, each at its median.
        reference, challenger: the plans; the first two besides "none" by default.
        confidence: the level at which all of an outcome's cells hold together; each
            cell's interval is at `multiplicity.family_level(confidence, cells)`.
        bins: bins of a factor with more than `MAX_LEVELS` values.

    Returns:
        One row per outcome and cell: outcome, reference, challenger, one column per factor
        (its level), n (pairs), mean (advantage), ci_low, ci_high (the cell's Bonferroni
        interval), comparisons (the outcome's number of cells), and verdict (the plan that
        does better when the interval excludes zero, else the words of `verdicts.judge`:
        "too close to call", or "not enough replications" below two pairs).
    """
    results = load_results(results)
    reference, challenger = matchup(results, reference, challenger)
    axes = map_factors(results, factors)
    columns = [
        "outcome", "reference", "challenger", *axes, "n", "mean", "ci_low", "ci_high",
        "comparisons",
    ]  # fmt: skip
    rows = []
    for outcome in decision_outcomes(results, outcomes):
        pairs = paired_advantages(results, outcome, reference, challenger)
        levels = pd.DataFrame({name: level_values(pairs[name], bins) for name in axes})
        sign = 1.0 if outcome_of(outcome).higher_is_better else -1.0
        grouped = list(pairs.groupby([levels[name] for name in axes]) if axes else [((), pairs)])
        each = family_level(confidence, len(grouped))
        for key, cell in grouped:
            key = key if isinstance(key, tuple) else (key,)
            first, second = cell["challenger"], cell["reference"]
            if sign < 0:
                first, second = second, first
            found = paired_difference(first, second, each)
            rows.append(
                [
                    outcome,
                    reference,
                    challenger,
                    *key,
                    found.n,
                    found.mean,
                    found.low,
                    found.high,
                    len(grouped),
                ]  # fmt: skip
            )
    table = pd.DataFrame(rows, columns=columns)
    table["verdict"] = [cell_word(row) for row in table.itertuples(index=False)]
    return table


def adjusted_map(table: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """A map whose cells' intervals were each at `confidence` alone, made simultaneous.

    For tables written before the cells were adjusted (no `comparisons` column): the mean and
    its standard error are kept, each interval is widened to the Bonferroni level over its
    outcome's cells (`multiplicity.widen`), and the verdicts are judged again. A table that
    has `comparisons` is returned unchanged.
    """
    if "comparisons" in table.columns:
        return table
    table = table.copy()
    cells = table.groupby("outcome")["outcome"].transform("size").astype(int)
    widened = [
        widen(Interval(int(n), float(mean), float("nan"), low, high), confidence, int(m))
        for n, mean, low, high, m in zip(
            table["n"], table["mean"], table["ci_low"], table["ci_high"], cells, strict=True
        )
    ]
    table["ci_low"] = [found.low for found in widened]
    table["ci_high"] = [found.high for found in widened]
    at = list(table.columns).index("ci_high") + 1
    table.insert(at, "comparisons", cells)
    table["verdict"] = [cell_word(row) for row in table.itertuples(index=False)]
    return table


def cell_verdict(row: Any) -> Verdict:
    """A cell's verdict (`verdicts.judge`) from its n, mean (the advantage) and interval."""
    interval = Interval(int(row.n), float(row.mean), float("nan"), row.ci_low, row.ci_high)
    return judge(interval, higher_is_better=True, against="plan")  # mean is the advantage


def cell_word(row: Any) -> str:
    """A cell's word in the map's `verdict` column: the plan that does better, else the
    verdict's words (`cell_verdict`)."""
    return _named(row, cell_verdict(row).word)


def _named(row: Any, word: str) -> str:
    """The plan that does better in a cell, else the verdict's words."""
    if word == BETTER:
        return str(row.challenger)
    if word == WORSE:
        return str(row.reference)
    return word


def break_even(table: pd.DataFrame, x: str, y: str | None = None) -> pd.DataFrame:
    """Where the verdict changes sign along `x`, per outcome and level of `y`.

    A break-even is stated only between two cells whose verdicts are clear in opposite
    directions (`cell_verdict`), with no clear cell between them (only cells too close to
    call): the break-even lies between their levels of `x`. Inside that bracket the means'
    zero crossing is interpolated linearly between the two levels whose means have opposite
    signs (a level with mean exactly 0 is a crossing itself): a point estimate, no more.
    Means that change sign between cells too close to call give no row.

    Returns:
        One row per break-even: outcome, `y` (if given), `x` (the means' crossing),
        challenger_better ("below" or "above": the side where the challenger's clear cell
        is), clear_below and clear_above (the levels of `x` of the two clear cells).
    """
    rows = []
    groups = table.groupby(["outcome", y] if y else ["outcome"], sort=True)
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        part = part.sort_values(x)
        values, means = part[x].to_numpy(float), part["mean"].to_numpy(float)
        signs = [_clear_sign(row) for row in part.itertuples(index=False)]
        clear = [index for index, sign in enumerate(signs) if sign]
        for start, end in zip(clear, clear[1:], strict=False):
            if signs[start] == signs[end]:
                continue
            at = _zero_crossing(values[start : end + 1], means[start : end + 1])
            side = "above" if signs[end] > 0 else "below"
            rows.append([*key, at, side, values[start], values[end]])
    return pd.DataFrame(
        rows,
        columns=["outcome", *([y] if y else []), x, "challenger_better", *BRACKET],
    )


BRACKET = ("clear_below", "clear_above")
"""The columns of `break_even` with the levels of the two clear cells around a break-even."""


def _clear_sign(row: Any) -> int:
    """+1 where the challenger is clearly better, -1 where clearly worse, 0 otherwise."""
    found = cell_verdict(row)
    return 0 if not found.clear else (1 if found.word == BETTER else -1)


def _zero_crossing(values: np.ndarray, means: np.ndarray) -> float:
    """Where the means first change sign (linear between levels); NaN if they never do."""
    for index in range(len(values) - 1):
        low, high = means[index], means[index + 1]
        if np.isnan(low) or np.isnan(high) or low * high > 0 or low == high:
            continue
        if low == 0 and index > 0:
            continue
        return float(values[index] + (values[index + 1] - values[index]) * low / (low - high))
    return float("nan")


def closest_to_a_verdict(cells: pd.DataFrame) -> tuple[Any, Verdict] | None:
    """Of cells none of which is clear, the one nearest to separating (fewest pairs needed):
    its row and verdict. None when no cell has an estimate to plan from."""
    best: tuple[int, Any, Verdict] | None = None
    for row in cells.itertuples(index=False):
        found = cell_verdict(row)
        needed = pairs_to_separate(found.interval)
        if needed is not None and (best is None or needed < best[0]):
            best = (needed, row, found)
    return best[1:] if best else None
