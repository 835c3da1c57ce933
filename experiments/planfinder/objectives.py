"""What a plan search optimizes: an outcome, a statistic over replications and a direction.

A statistic is the mean over a candidate's replications or a percentile of them (a low
percentile of something to maximize is the bad luck one should plan for). With a posterior,
replication r runs with parameters drawn with its own seed, so the same statistics are over
parameter draws as well as luck. Outcome names are those of
`eachcustomer.experiments.analysis.outcomes`: run summaries (`recent_annual_customer_loss`,
`net_revenue`, ...), `final_<output>`, and the plan's expected cost `plan_cost`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of

PLAN_COST = "plan_cost"
"""The plan's expected cost (`eachcustomer.sim.budget.plan_cost`): known before any run."""


@dataclass(frozen=True)
class Objective:
    """One objective of the search."""

    outcome: str
    statistic: str = "mean"
    percentile: float | None = None
    minimize: bool = True

    @property
    def name(self) -> str:
        """A column name: `mean_net_revenue`, `p10_net_revenue`."""
        return f"{self.statistic_short}_{self.outcome}"

    @property
    def statistic_short(self) -> str:
        return "mean" if self.statistic == "mean" else f"p{self.percentile:g}"

    @property
    def statistic_words(self) -> str:
        """ "mean", or "10th percentile over replications"."""
        if self.statistic == "mean":
            return "mean"
        return f"{_ordinal(self.percentile)} percentile over replications"

    @property
    def label(self) -> str:
        """What it is, in words: "customers lost per year, last quarter (mean)"."""
        return f"{outcome_of(self.outcome).label} ({self.statistic_words})"

    @property
    def goal(self) -> str:
        """ "minimize" or "maximize"."""
        return "minimize" if self.minimize else "maximize"

    def value(self, values: list[float] | np.ndarray) -> float:
        """The statistic of one candidate's values (one per replication); NaN ignored."""
        array = np.asarray(values, dtype=float)
        array = array[~np.isnan(array)]
        if not len(array):
            return float("nan")
        if self.statistic == "mean":
            return float(array.mean())
        assert self.percentile is not None, "a percentile statistic has its percentile"
        return float(np.percentile(array, self.percentile))

    def to_minimize(self, values: list[float] | np.ndarray) -> float:
        """The value with the sign the search minimizes."""
        value = self.value(values)
        return value if self.minimize else -value


def _ordinal(number: float | None) -> str:
    whole = f"{number:g}"
    if whole.endswith(("11", "12", "13")) or not whole.isdigit():
        return f"{whole}th"
    return whole + {"1": "st", "2": "nd", "3": "rd"}.get(whole[-1], "th")
