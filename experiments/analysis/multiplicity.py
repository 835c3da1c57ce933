"""Many comparisons at once: the one place that accounts for them (Bonferroni).

A decision map makes one paired comparison per cell. At 95% each, about one cell in twenty
would look clear by luck alone, and a map of 30 cells would show one or two such verdicts
even where the plans do exactly the same. So every cell's interval is a Bonferroni
simultaneous interval: with m cells on one outcome, each cell's t interval is taken at the
level 1 - (1 - confidence) / m, and then all m intervals hold together with probability at
least `confidence` (the family-wise error rate is at most 1 - confidence).

Why Bonferroni and not Holm or Sidak: the report, Compare and the CSV state a verdict and
the interval behind it, so the adjustment has to widen the interval itself, and Bonferroni
gives one interval per cell that carries its verdict (Holm's step-down adjusts p-values, and
its compatible intervals say nothing beyond the sign for the cells it rejects). Sidak's
slightly narrower level assumes independent cells; the cells of a sweep share their seeds
(common random numbers), and Bonferroni holds under any dependence. The price is
conservatism: a cell that is clear at 95% alone may be "too close to call" in a big map.
"""

from __future__ import annotations

from scipy import stats

from eachcustomer.experiments.analysis.statistics import Interval

METHOD = "Bonferroni"


def family_level(confidence: float, comparisons: int) -> float:
    """The level of each of `comparisons` intervals so that all hold at `confidence` together.

    Args:
        confidence: the family's level, between 0 and 1 (0.95).
        comparisons: how many intervals are stated at once (at least 1).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    if comparisons < 1:
        raise ValueError(f"the number of comparisons must be at least 1, not {comparisons}")
    return 1.0 - (1.0 - confidence) / comparisons


def widen(interval: Interval, confidence: float, comparisons: int) -> Interval:
    """A t interval stated at `confidence` alone, restated as one of `comparisons` at once.

    The mean and its standard error are kept; only the t quantile changes, so a table that
    kept n, mean and the interval can be adjusted without its runs.
    """
    if interval.n < 2 or comparisons == 1:
        return interval
    degrees = interval.n - 1
    alone = stats.t.ppf((1.0 + confidence) / 2.0, degrees)
    together = stats.t.ppf((1.0 + family_level(confidence, comparisons)) / 2.0, degrees)
    half = interval.half_width * together / alone
    middle = (interval.low + interval.high) / 2.0
    return Interval(interval.n, interval.mean, interval.sd, middle - half, middle + half)


def family_note(confidence: float, comparisons: int, what: str = "cells") -> str:
    """How the several comparisons are accounted for, in one sentence."""
    if comparisons <= 1:
        return f"One comparison: its interval is a plain {confidence:.0%} interval."
    each = family_level(confidence, comparisons)
    return (
        f"The {comparisons} {what} are {comparisons} comparisons at once: each interval is "
        f"a {METHOD} interval at {each:.2%} (1 - {1 - confidence:.2g}/{comparisons}), so all "
        f"{comparisons} hold together with at least {confidence:.0%} probability and a "
        "verdict is stated only where its adjusted interval excludes 0."
    )
