"""Scenario discovery: the regions of a sweep's factors where one plan does better.

Each pair of runs of two plans (same point, seed and other levers:
`eachcustomer.experiments.analysis.decisions.paired_advantages`) is one case, with every swept
factor as input and, as its class, whether the plan did better. PRIM, the patient rule induction
method of Friedman & Fisher (1999) as implemented for scenario discovery in EMA Workbench's
`analysis.prim` (Kwakkel 2017), peels the factor space into a box; of the boxes on its
peeling trajectory with density of at least `MIN_DENSITY` and at least `MIN_CASES` runs,
the one with the best balance of coverage and density is kept. `box_sentence` states it in
words:

- coverage: the share of all runs where the plan came out ahead that lie in the box;
- density: the share of the runs in the box where the plan came out ahead.

A case is one pair of runs, and "came out ahead" is that pair's sign: a region is a
statement about single paired runs, not a verdict (`verdicts.judge` on the decision map's
cells gives those), and the sentences say so. With fewer than `MIN_CASES` paired runs in the
sweep, or in every candidate region, the sentence is "not enough runs to say".
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eachcustomer.experiments.analysis.decisions import (
    decision_outcomes,
    factor_label,
    matchup,
    paired_advantages,
    swept_factors,
)
from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of
from eachcustomer.experiments.analysis.tables import Results, load_results

MIN_DENSITY = 0.5
"""A region is stated only if the plan came out ahead in at least this share of its runs."""
MIN_CASES = 100
"""The fewest paired runs PRIM is run on, and the fewest a stated region may hold.

Coverage and density are shares of runs; with n runs a share's 95% binomial margin is up to
1.96 sqrt(0.25 / n): about 10 percentage points at 100 runs, 28 at 12. Below 100 a density
of 66% cannot be told from a coin toss's 50%, and PRIM's 5% peels remove fewer than five
runs at a time, so the region's edges are set by a handful of runs."""
NOT_ENOUGH = "not enough runs to say"


@dataclass(frozen=True)
class Limit:
    """One restricted factor of a box: low and/or high bound (None when not restricted)."""

    factor: str
    low: float | None
    high: float | None
    quasi_p: float
    """Bryant & Lempert's quasi-p value of the restriction (largest over its sides)."""


@dataclass(frozen=True)
class ScenarioBox:
    """A region of the swept factors where `plan` does better than `other` on `outcome`.

    When `found` is False no region reached the density asked for; the statistics are NaN.
    """

    outcome: str
    plan: str
    other: str
    found: bool
    limits: tuple[Limit, ...]
    coverage: float
    """Share of all runs where `plan` does better that lie in the box."""
    density: float
    """Share of the runs in the box where `plan` does better."""
    mass: float
    """Share of all runs that lie in the box."""
    runs: int
    """Runs in the box."""
    base_rate: float
    """Share of all runs where `plan` came out ahead."""
    min_density: float
    """The density a region had to reach."""
    cases: int
    """All the paired runs PRIM was given."""
    min_cases: int
    """The runs a region (and the sweep) had to hold."""

    @property
    def enough(self) -> bool:
        """Whether the sweep had enough paired runs for PRIM to say anything."""
        return self.cases >= self.min_cases


def scenario_boxes(
    results: str | Path | Results,
    outcomes: list[str] | None = None,
    reference: str | None = None,
    challenger: str | None = None,
    min_density: float = MIN_DENSITY,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    min_cases: int = MIN_CASES,
) -> list[ScenarioBox]:
    """PRIM boxes where the challenger does better, and where it does worse, per outcome.

    Each pair of runs is one case; its inputs are every swept factor, its class whether the
    challenger did better (then, separately, worse). PRIM (EMA Workbench) peels the factor
    space; of the boxes on its peeling trajectory with density of at least `min_density`,
    the one with the best balance of coverage and density (their harmonic mean) is kept.

    Returns:
        Per outcome, the challenger's box, then the reference's; a box is not `found` when
        no region reaches `min_density`.
    """
    results = load_results(results)
    reference, challenger = matchup(results, reference, challenger)
    factors = swept_factors(results)
    _prim()  # a missing extra is said even when there are too few runs to run it
    boxes: list[ScenarioBox] = []
    for outcome in decision_outcomes(results, outcomes):
        pairs = paired_advantages(results, outcome, reference, challenger)
        inputs = pairs[factors].astype(float)
        for plan, other, better in (
            (challenger, reference, pairs["advantage"] > 0),
            (reference, challenger, pairs["advantage"] < 0),
        ):
            boxes.append(
                prim_box(
                    inputs,
                    better.to_numpy(),
                    min_density=min_density,
                    peel_alpha=peel_alpha,
                    mass_min=mass_min,
                    min_cases=min_cases,
                    labels=(outcome, plan, other),
                )
            )
    return boxes


def prim_box(
    inputs: pd.DataFrame,
    interesting: np.ndarray,
    *,
    min_density: float = MIN_DENSITY,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    min_cases: int = MIN_CASES,
    labels: tuple[str, str, str] = ("", "", ""),
) -> ScenarioBox:
    """The PRIM box of the cases of interest, chosen on the peeling trajectory.

    Args:
        inputs: one row per case, one numeric column per factor.
        interesting: one boolean per case.
        min_density: the least share of cases of interest a box may hold.
        min_cases: the fewest cases PRIM is run on, and the fewest a box may hold.
        peel_alpha, mass_min: PRIM's share peeled per step and smallest box (EMA's defaults).
        labels: outcome, plan and other plan, copied into the box.
    """
    outcome, plan, other = labels
    interesting = np.asarray(interesting, dtype=bool)
    base_rate = float(interesting.mean()) if len(interesting) else float("nan")
    nan = float("nan")
    cases = len(interesting)
    missing = ScenarioBox(
        outcome, plan, other, False, (), nan, nan, nan, 0, base_rate, min_density, cases, min_cases
    )
    if cases < min_cases or not interesting.any():
        return missing
    if interesting.all() or inputs.shape[1] == 0:  # PRIM needs both classes and a factor
        if base_rate < min_density:
            return missing
        return ScenarioBox(
            outcome, plan, other, True, (), 1.0, base_rate, 1.0, cases, base_rate, min_density,
            cases, min_cases,
        )  # fmt: skip
    peeling = _peel(inputs, interesting.astype(int), peel_alpha, mass_min)
    trajectory = peeling.trajectory
    dense = trajectory[(trajectory["density"] >= min_density) & (trajectory["n"] >= min_cases)]
    if dense.empty:
        return missing
    balance = 2 * dense["coverage"] * dense["density"] / (dense["coverage"] + dense["density"])
    best = int(
        dense.assign(balance=balance)
        .sort_values(["balance", "res_dim"], ascending=[False, True], kind="stable")
        .index[0]
    )
    chosen = trajectory.loc[best]
    limits = _limits(peeling.box_lims[best], peeling.whole, peeling.quasi_p[best])
    return ScenarioBox(
        outcome,
        plan,
        other,
        True,
        limits,
        float(chosen["coverage"]),
        float(chosen["density"]),
        float(chosen["mass"]),
        int(chosen["n"]),
        base_rate,
        min_density,
        cases,
        min_cases,
    )


@dataclass(frozen=True)
class _Peeling:
    """PRIM's peeling and pasting trajectory, as EMA Workbench 2.5 and 3.x both compute it."""

    trajectory: pd.DataFrame
    """One row per box: coverage, density, mass, n (runs in it), res_dim (factors restricted)."""
    box_lims: list[pd.DataFrame]
    """Per box, its low and high limit of each factor (rows 0 and 1)."""
    quasi_p: list[dict[str, list[float]]]
    """Per box, each restricted factor's quasi-p values (lower and upper side; -1 if not cut)."""
    whole: pd.DataFrame
    """The limits of the whole factor space."""


def _peel(inputs: pd.DataFrame, y: np.ndarray, peel_alpha: float, mass_min: float) -> _Peeling:
    # The one place that knows EMA Workbench's API. 2.x takes a required `threshold` (y at or
    # above it is a case of interest, and a final box whose mean is below it is replaced by the
    # whole space) and keeps the quasi-p values in `qp`; 3.x takes y as the 0/1 class itself and
    # names them `p_values`. Here y is 0/1 and every peel and paste raises the box's mean, so a
    # positive threshold below 1/len(y) counts exactly the 1s and never replaces the box: both
    # versions then peel the same trajectory, and the choice along it is `prim_box`'s.
    #
    # EMA Workbench warns at import that optional ipyparallel and altair are missing (used for
    # distributed runs and interactive plots, not here), and pandas 3.1 deprecates the
    # `drop(inplace=True)` PRIM calls on a copy of the inputs (harmless: the copy is PRIM's).
    # Only these three warnings are silenced, only around PRIM.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
        warnings.filterwarnings(
            "ignore", message="altair based interactive", category=ImportWarning
        )
        warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame.drop")
        prim = _prim()
        settings: dict[str, Any] = {
            "peel_alpha": peel_alpha,
            "paste_alpha": peel_alpha,
            "mass_min": mass_min,
        }
        if "threshold" in inspect.signature(prim.Prim).parameters:  # EMA Workbench 2.x
            settings["threshold"] = 1 / (len(y) + 1)
        finder = prim.Prim(inputs.reset_index(drop=True), y, **settings)
        box = finder.find_box()
    quasi_p = box.p_values if hasattr(box, "p_values") else box.qp
    return _Peeling(
        box.peeling_trajectory.reset_index(drop=True), list(box.box_lims), quasi_p, finder.box_init
    )


def _prim() -> Any:
    """EMA Workbench's PRIM module (the [discovery] extra; `MissingExtraError` without it)."""
    from eachcustomer.extras import require

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
        warnings.filterwarnings(
            "ignore", message="altair based interactive", category=ImportWarning
        )
        return require("ema_workbench.analysis.prim", "discovery", "scenario discovery (PRIM)")


def _limits(box: pd.DataFrame, whole: pd.DataFrame, quasi_p: dict) -> tuple[Limit, ...]:
    limits = []
    for factor in box.columns:
        low, high = float(box[factor].iloc[0]), float(box[factor].iloc[1])
        floor, ceiling = float(whole[factor].iloc[0]), float(whole[factor].iloc[1])
        lower, upper = low > floor, high < ceiling
        if not (lower or upper):
            continue
        p_values = [p for p in quasi_p.get(factor, []) if p is not None and p >= 0]
        limits.append(
            Limit(
                factor,
                low if lower else None,
                high if upper else None,
                max(p_values) if p_values else float("nan"),
            )
        )
    return tuple(limits)


def _condition(limit: Limit, priced: str | None) -> str:
    name = factor_label(limit.factor, priced)
    plan_levers = ("price_multiplier", "strength_multiplier")
    name = f"the {name}" if limit.factor in plan_levers else name
    if limit.low is not None and limit.high is not None:
        return f"{name} is between {limit.low:.3g} and {limit.high:.3g}"
    if limit.high is not None:
        return f"{name} is at most {limit.high:.3g}"
    return f"{name} is at least {limit.low:.3g}"


def box_sentence(
    box: ScenarioBox, titles: dict[str, str] | None = None, priced: str | None = None
) -> str:
    """The box in words: where the plan came out ahead in single paired runs, with coverage,
    density and the runs behind them; "not enough runs to say" below `min_cases` runs.

    Args:
        box: a box of `scenario_boxes`.
        titles: plan names to show (e.g. the library's titles); the names otherwise.
        priced: the plan whose price the sweep's price_multiplier varies.
    """
    titles = titles or {}
    label = outcome_of(box.outcome).label
    first, second = titles.get(box.plan, box.plan), titles.get(box.other, box.other)
    if not box.enough:
        return (
            f"Where {first} comes out ahead of {second} on {label}: {NOT_ENOUGH} "
            f"({box.cases:,} paired runs; a region is stated from at least {box.min_cases:,})."
        )
    if not box.found:
        return (
            f"{first} came out ahead of {second} on {label} in {box.base_rate:.0%} of all "
            f"{box.cases:,} paired runs, and in no region of the swept factors holding at least "
            f"{box.min_cases:,} runs in at least {box.min_density:.0%} of them."
        )
    where = (
        "where " + " and ".join(_condition(limit, priced) for limit in box.limits)
        if box.limits
        else "anywhere in the swept ranges"
    )
    return (
        f"{first} came out ahead of {second} on {label} in {box.density:.0%} of the "
        f"{box.runs:,} paired runs {where} (density); they hold {box.coverage:.0%} of all the "
        f"runs where it came out ahead (coverage) and {box.mass:.0%} of all {box.cases:,} "
        f"runs, in {box.base_rate:.0%} of which it came out ahead. These are single runs, "
        "not a verdict: the decision map's cells say where the difference is clear."
    )


BOX_COLUMNS = (
    "outcome",
    "plan",
    "other",
    "found",
    "coverage",
    "density",
    "mass",
    "runs",
    "base_rate",
    "min_density",
    "cases",
    "min_cases",
    "factor",
    "low",
    "high",
    "quasi_p",
)


def boxes_table(boxes: list[ScenarioBox]) -> pd.DataFrame:
    """The boxes as a table: one row per box and restricted factor (one row if none).

    `boxes_from_table` reads it back.
    """
    rows = []
    for box in boxes:
        common = {
            "outcome": box.outcome,
            "plan": box.plan,
            "other": box.other,
            "found": box.found,
            "coverage": box.coverage,
            "density": box.density,
            "mass": box.mass,
            "runs": box.runs,
            "base_rate": box.base_rate,
            "min_density": box.min_density,
            "cases": box.cases,
            "min_cases": box.min_cases,
        }
        for limit in box.limits or (Limit("", None, None, float("nan")),):
            rows.append(
                {
                    **common,
                    "factor": limit.factor,
                    "low": limit.low,
                    "high": limit.high,
                    "quasi_p": limit.quasi_p,
                }
            )
    return pd.DataFrame(rows, columns=list(BOX_COLUMNS))


def boxes_from_table(table: pd.DataFrame) -> list[ScenarioBox]:
    """The boxes of a `boxes_table` (read back from its CSV), in the table's order.

    Raises:
        ValueError: a column is missing or a value is not of its kind.
    """
    missing = [name for name in BOX_COLUMNS if name not in table.columns]
    if missing:
        raise ValueError(f"the boxes table has no column {', '.join(missing)}")

    def bound(value: object) -> float | None:
        return None if pd.isna(value) else float(value)  # type: ignore[arg-type]

    boxes = []
    keys = ["outcome", "plan", "other"]
    for _, rows in table.groupby(keys, sort=False):
        first = rows.iloc[0]
        limits = tuple(
            Limit(str(row["factor"]), bound(row["low"]), bound(row["high"]), float(row["quasi_p"]))
            for _, row in rows.iterrows()
            if isinstance(row["factor"], str) and row["factor"]
        )
        boxes.append(
            ScenarioBox(
                str(first["outcome"]),
                str(first["plan"]),
                str(first["other"]),
                _flag(first["found"]),
                limits,
                float(first["coverage"]),
                float(first["density"]),
                float(first["mass"]),
                int(first["runs"]),
                float(first["base_rate"]),
                float(first["min_density"]),
                int(first["cases"]),
                int(first["min_cases"]),
            )
        )
    return boxes


def _flag(value: object) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if str(value).strip().lower() in ("true", "false"):
        return str(value).strip().lower() == "true"
    raise ValueError(f"found is {value!r}, not True or False")
