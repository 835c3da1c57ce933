"""The one vocabulary of verdicts: what a paired interval lets a page, report or file say.

Every statement of a finding (Compare, the plan finder, the sweep report's decision map and
break-even, PRIM's regions, the lessons) goes through `judge`, so the same interval gets the
same words everywhere:

- "better" or "worse": the paired interval (`statistics.paired_difference`, same seeds in
  both arms) lies wholly on one side of zero, in the outcome's good or bad direction;
- "no clear effect": a plan against doing nothing whose interval includes zero;
- "too close to call": two plans against each other whose interval includes zero;
- "not enough replications": fewer than two pairs, so luck cannot be told from effect.

`settle` says what would decide a verdict that is not clear: how many paired replications
would make an effect of the estimated size stand out, if it is real (a planning figure from
the interval's own width, not a promise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from eachcustomer.experiments.analysis.statistics import Interval

BETTER = "better"
WORSE = "worse"
NO_CLEAR_EFFECT = "no clear effect"
TOO_CLOSE = "too close to call"
TOO_FEW = "not enough replications"
WORDS = (BETTER, WORSE, NO_CLEAR_EFFECT, TOO_CLOSE, TOO_FEW)
"""Every verdict a finding can carry."""
MINIMUM_PAIRS = 2
"""Fewer paired replications than this give no interval at all."""

Against = Literal["nothing", "plan"]


@dataclass(frozen=True)
class Verdict:
    """A paired comparison judged: its word, whether it is clear, and the interval behind it.

    `interval` is the raw difference (first minus second); `advantage` is its mean in the
    outcome's good direction (positive: the first does better).
    """

    word: str
    interval: Interval
    advantage: float

    @property
    def clear(self) -> bool:
        """Whether the interval supports a direction ("better" or "worse")."""
        return self.word in (BETTER, WORSE)


def judge(
    interval: Interval, higher_is_better: bool | None = True, against: Against = "nothing"
) -> Verdict:
    """The verdict on a paired difference (first minus second).

    Args:
        interval: the paired difference's interval, first arm minus second.
        higher_is_better: the outcome's direction; False when lower is better (customers
            lost), None or True when higher is better.
        against: "nothing" when the second arm is doing nothing (an unclear result is
            "no clear effect"), "plan" when it is another plan ("too close to call").

    Returns:
        The verdict; `advantage` is the mean difference in the good direction.
    """
    sign = -1.0 if higher_is_better is False else 1.0
    advantage = sign * interval.mean
    if interval.n < MINIMUM_PAIRS or math.isnan(interval.low) or math.isnan(interval.high):
        word = TOO_FEW
    elif not interval.excludes_zero:
        word = NO_CLEAR_EFFECT if against == "nothing" else TOO_CLOSE
    else:
        word = BETTER if advantage > 0 else WORSE
    return Verdict(word, interval, advantage)


def pairs_to_separate(interval: Interval) -> int | None:
    """Paired replications at which an effect of the estimated size would exclude zero.

    The interval's half-width shrinks about as 1/sqrt(n), so n (h/|mean|)^2 pairs bring it
    within the mean, if the mean is real. None when there is no estimate (fewer than two
    pairs, or a mean of exactly zero).
    """
    if interval.n < MINIMUM_PAIRS or not interval.mean or math.isnan(interval.half_width):
        return None
    return max(interval.n + 1, math.ceil(interval.n * (interval.half_width / interval.mean) ** 2))


def settle(verdict: Verdict) -> str:
    """What would decide an unclear verdict, in words; "" for a clear one."""
    if verdict.clear:
        return ""
    if verdict.word == TOO_FEW:
        return "run at least two replications to tell luck from effect"
    needed = pairs_to_separate(verdict.interval)
    if needed is None:
        return "no difference at all was measured"
    return (
        f"about {needed:,} paired replications (now {verdict.interval.n}) would separate them "
        "if the difference is as large as estimated; a smaller true difference needs more"
    )
