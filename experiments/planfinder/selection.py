"""Which finalist is best, decided on fresh seeds by a ranking-and-selection procedure.

The search's numbers are the best of many noisy estimates and flatter the plans on its front
(the winner's curse), so they do not decide the recommendation. The finalists (the front,
then the plans nearest it by the search's compromise) are compared again on replications
the search did not use (`PlanProblem.selection_seeds`), on the primary objective, by the
fully sequential indifference-zone procedure of Kim and Nelson (2001), "KN":

1. Every finalist runs `first_replications` (n0) fresh replications, all on the same seeds
   (common random numbers). S2(i, l) is the sample variance of the per-seed difference of
   finalists i and l over them.
2. With k finalists, a probability of correct selection 1 - alpha and the indifference zone
   delta, h2 = 2 eta (n0 - 1), eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2.
3. After r replications, finalist i is dropped when some other survivor l leads it by more
   than W(i, l, r) = max(0, delta / (2 r) (h2 S2(i, l) / delta**2 - r)) on the mean of the
   primary objective (in its good direction). Survivors get `SELECTION_STEP` more fresh
   replications each, and the screening repeats.
4. It stops when one finalist is left (it is separated from the rest: with probability at
   least 1 - alpha it is the best, or within delta of it), or when the survivors reach
   `replication_cap` replications; then the survivor with the best mean is chosen and the
   others are reported as too close to call.

Screening every `SELECTION_STEP` replications instead of after each one can only keep a
plan longer, never drop it sooner, so the guarantee stays (conservatively) valid. Doing
nothing runs on the same seeds, so every finalist's effect is a paired difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from eachcustomer.experiments.planfinder.evaluator import Evaluator
from eachcustomer.experiments.planfinder.problem import PlanProblem
from eachcustomer.experiments.planfinder.search import Candidate

SELECTION_STEP = 5
"""Fresh replications added to each surviving finalist between two screenings."""
INDIFFERENCE_SHARE = 0.1
"""Without a stated indifference zone: this share of the largest first-stage effect of a
finalist against doing nothing (a difference a tenth of what the best plan does is not worth
telling apart)."""
CONFIDENCE = 0.95
"""The procedure's probability of correct selection, 1 - alpha."""


@dataclass
class Finalist:
    """A finalist's fresh replications: its values per outcome, one per seed."""

    candidate: Candidate
    values: dict[str, list[float]]
    dropped_after: int | None = None
    """The replications after which the procedure dropped it; None if it survived."""

    @property
    def key(self) -> str:
        return self.candidate.key

    @property
    def replications(self) -> int:
        return len(next(iter(self.values.values()), []))


@dataclass
class Selection:
    """What the procedure decided, and the fresh replications behind it."""

    finalists: list[Finalist]
    nothing: dict[str, list[float]]
    """Doing nothing on the selection's seeds (as many as the most any finalist got)."""
    best: str
    separated: bool
    """True when the best was left alone; False when the replication cap stopped it."""
    indifference: float
    indifference_given: bool
    cap: int
    first: int

    @property
    def replications(self) -> int:
        """The most fresh replications any finalist got."""
        return max(finalist.replications for finalist in self.finalists)

    @property
    def survivors(self) -> list[Finalist]:
        return [f for f in self.finalists if f.dropped_after is None]

    def finalist(self, key: str) -> Finalist:
        return next(f for f in self.finalists if f.key == key)

    def nothing_on(self, count: int) -> dict[str, list[float]]:
        """Doing nothing on the first `count` selection seeds (a finalist's own)."""
        return {name: values[:count] for name, values in self.nothing.items()}


def kn_constant(finalists: int, first: int, confidence: float = CONFIDENCE) -> float:
    """KN's h2 for k finalists, n0 first-stage replications and 1 - alpha."""
    if finalists < 2:
        return 0.0
    alpha = 1.0 - confidence
    eta = 0.5 * ((2.0 * alpha / (finalists - 1)) ** (-2.0 / (first - 1)) - 1.0)
    return 2.0 * eta * (first - 1)


def allowance(delta: float, h2: float, variance: float, replications: int) -> float:
    """KN's W(i, l, r): how far behind another plan a plan may be and stay in."""
    if variance <= 0.0 or delta <= 0.0:
        return 0.0
    return max(0.0, delta / (2.0 * replications) * (h2 * variance / delta**2 - replications))


def screen(
    means: dict[str, float], variances: dict[tuple[str, str], float], alive: list[str], **kn: Any
) -> list[str]:
    """The finalists no other survivor leads by more than its allowance."""
    return [
        i
        for i in alive
        if all(
            means[i] >= means[other] - allowance(variance=variances[i, other], **kn)
            for other in alive
            if other != i
        )
    ]


def select(problem: PlanProblem, evaluator: Evaluator, finalists: Sequence[Candidate]) -> Selection:
    """Run KN on the finalists' fresh replications; the best on the primary objective."""
    search = problem.spec.search
    seeds = problem.selection_seeds
    first, cap = search.first_replications, search.replication_cap
    primary = problem.primary
    sign = -1.0 if primary.minimize else 1.0
    gathered = {c.key: Finalist(c, {name: [] for name in problem.outcomes}) for c in finalists}
    nothing: dict[str, list[float]] = {name: [] for name in problem.outcomes}

    def extend(keys: list[str], done: int, upto: int) -> None:
        chunk = seeds[done:upto]
        plans = [(gathered[key].candidate.plan, chunk) for key in keys]
        if len(nothing[primary.outcome]) < upto:
            plans.append(((), chunk))
        records = evaluator.evaluate(plans)
        for key, record in zip(keys, records, strict=False):
            for name in problem.outcomes:
                gathered[key].values[name] += record["values"].get(name, [np.nan] * len(chunk))
        if len(records) > len(keys):
            for name in problem.outcomes:
                nothing[name] += records[-1]["values"].get(name, [np.nan] * len(chunk))

    def good(values: dict[str, list[float]], count: int) -> np.ndarray:
        return sign * np.asarray(values[primary.outcome][:count], dtype=float)

    alive = list(gathered)
    extend(alive, 0, first)
    base = good(nothing, first)
    variances = {
        (i, other): float(
            np.nanvar(good(gathered[i].values, first) - good(gathered[other].values, first), ddof=1)
        )
        for i in alive
        for other in alive
        if i != other
    }
    delta = search.indifference
    if delta is None:
        effects = [np.nanmean(good(gathered[key].values, first) - base) for key in alive]
        largest = float(np.nanmax(np.abs(effects))) if effects else 0.0
        delta = INDIFFERENCE_SHARE * largest if largest > 0 else 0.0
    h2 = kn_constant(len(alive), first)
    done = first
    while True:
        means = {key: float(np.nanmean(good(gathered[key].values, done))) for key in alive}
        kept = screen(means, variances, alive, delta=delta, h2=h2, replications=done)
        for key in alive:
            if key not in kept:
                gathered[key].dropped_after = done
        alive = kept
        if len(alive) <= 1 or done >= cap:
            break
        upto = min(cap, done + SELECTION_STEP)
        extend(alive, done, upto)
        done = upto
    best = max(alive, key=lambda key: means[key])
    return Selection(
        finalists=list(gathered.values()),
        nothing=nothing,
        best=best,
        separated=len(alive) == 1,
        indifference=float(delta),
        indifference_given=search.indifference is not None,
        cap=cap,
        first=first,
    )
