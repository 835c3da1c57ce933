"""Confidence intervals, the one implementation every report, page and figure uses.

Intervals are Student t intervals of a mean over replications: mean +- t(n-1) sd / sqrt(n),
with t from scipy for any number of replications. Plans compared on common random numbers
(replication r of each plan has the same seed, `eachcustomer.sim.replications`) are compared by
`paired_difference`: the interval of the mean of the per-seed differences, which removes
the luck both arms share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

PAIRING_NOTE = (
    "differences are paired: each replication of one plan is compared with the replication "
    "of the other that has the same seed"
)
"""How paired comparisons are stated in reports and verdicts."""


@dataclass(frozen=True)
class Interval:
    """A mean over n values with its t confidence interval (NaN bounds below two values)."""

    n: int
    mean: float
    sd: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        """Half the interval's width."""
        return (self.high - self.low) / 2.0

    @property
    def excludes_zero(self) -> bool:
        """Whether the whole interval lies on one side of zero (False when it is NaN)."""
        return bool(self.low > 0 or self.high < 0)


def t_interval(values: Any, confidence: float = 0.95, axis: int = 0) -> Any:
    """Mean and t interval of `values` along `axis`, ignoring NaN.

    Returns an `Interval` for one-dimensional input; for more dimensions, a tuple of arrays
    (n, mean, sd, low, high) over the remaining axes (weekly bands over replications).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    array = np.asarray(values, dtype=float)
    valid = ~np.isnan(array)
    n = valid.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(valid, array, 0.0).sum(axis=axis)
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        deviation = np.where(valid, array - np.expand_dims(mean, axis), 0.0)
        sd = np.where(n > 1, np.sqrt((deviation**2).sum(axis=axis) / np.maximum(n - 1, 1)), np.nan)
        quantile = stats.t.ppf((1.0 + confidence) / 2.0, np.maximum(n - 1, 1))
        half = np.where(n > 1, quantile * sd / np.sqrt(np.maximum(n, 1)), np.nan)
    low, high = mean - half, mean + half
    if array.ndim == 1:
        return Interval(int(n), float(mean), float(sd), float(low), float(high))
    return n, mean, sd, low, high


def paired_difference(first: Any, second: Any, confidence: float = 0.95) -> Interval:
    """The mean of first - second over paired replications (same seeds), with its interval.

    Args:
        first: one value per replication of the first plan.
        second: the same replications (same order, same seeds) of the second plan.
        confidence: level of the interval.
    """
    first, second = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if first.shape != second.shape:
        raise ValueError(
            f"paired values need one value per replication in each arm: {first.shape} "
            f"against {second.shape}"
        )
    return t_interval(first - second, confidence)
