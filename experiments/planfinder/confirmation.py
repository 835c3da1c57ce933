"""The chosen plan confirmed on seeds nobody picked it on, and what may honestly be said.

The plan the selection chose (`eachcustomer.experiments.planfinder.selection`) runs again
with doing nothing on `validation_replications` seeds that neither the search nor the
selection used (`PlanProblem.validation_seeds`). It is recommended only if it beats doing
nothing there on the primary objective: `verdicts.judge` says "better" of its paired
interval. Otherwise the finder says that no plan it found reliably beats doing nothing, and
what would settle it. The same seeds run the plan without each of its levers, so money on a
lever whose effect cannot be told from zero is named as such; and the search's own estimate
of the plan's effect is set beside the fresh one (the shrinkage: the winner's curse).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eachcustomer.experiments.analysis.statistics import Interval, paired_difference
from eachcustomer.experiments.analysis.verdicts import BETTER, WORSE, Verdict, judge, settle
from eachcustomer.experiments.planfinder.evaluator import Evaluator
from eachcustomer.experiments.planfinder.findings import effects
from eachcustomer.experiments.planfinder.problem import PlanProblem
from eachcustomer.experiments.planfinder.search import Candidate
from eachcustomer.experiments.planfinder.wording import (
    KIND_LABELS,
    Effect,
    amount,
    effect_sentence,
    money,
)


@dataclass(frozen=True)
class LeverCheck:
    """What a lever's money adds to the chosen plan: the plan against the plan without it."""

    kind: str
    share: float
    cost: float
    verdict: Verdict


@dataclass
class Confirmation:
    """The chosen plan on fresh seeds against doing nothing, and its levers' worth."""

    key: str
    verdict: Verdict
    """The primary objective's paired difference from doing nothing, judged."""
    effects: list[Effect]
    search_estimate: Interval
    """The same difference on the search's seeds (what the search believed)."""
    levers: list[LeverCheck] = field(default_factory=list)
    values: dict[str, list[float]] = field(default_factory=dict)
    nothing: dict[str, list[float]] = field(default_factory=dict)

    @property
    def beats_nothing(self) -> bool:
        return self.verdict.word == BETTER


def primary_difference(
    problem: PlanProblem, first: dict[str, Any], second: dict[str, Any]
) -> Interval:
    outcome = problem.primary.outcome
    return paired_difference(first["values"][outcome], second["values"][outcome])


def confirm(
    problem: PlanProblem, evaluator: Evaluator, chosen: Candidate, nothing_searched: dict[str, Any]
) -> Confirmation:
    """Run the chosen plan, doing nothing and the plan without each lever on fresh seeds."""
    seeds = problem.validation_seeds
    kinds = list(dict.fromkeys(item.kind for item in chosen.plan))
    without = [tuple(i for i in chosen.plan if i.kind != kind) for kind in kinds]
    runs = evaluator.evaluate(
        [(chosen.plan, seeds), ((), seeds), *((plan, seeds) for plan in without)]
    )
    fresh, nothing = runs[:2]
    better = not problem.primary.minimize
    verdict = judge(primary_difference(problem, fresh, nothing), better, "nothing")
    levers = []
    if len(kinds) > 1:
        for kind, plan, record in zip(kinds, without, runs[2:], strict=True):
            cost = problem.plan_cost(chosen.plan) - problem.plan_cost(plan)
            difference = primary_difference(problem, fresh, record)
            levers.append(
                LeverCheck(
                    kind,
                    cost / problem.encoding.budget,
                    cost,
                    judge(difference, better, "plan"),
                )
            )
    else:
        for kind in kinds:
            levers.append(
                LeverCheck(kind, chosen.cost / problem.encoding.budget, chosen.cost, verdict)
            )
    return Confirmation(
        key=chosen.key,
        verdict=verdict,
        effects=effects(problem, fresh, nothing),
        search_estimate=primary_difference(problem, chosen.record, nothing_searched),
        levers=levers,
        values=fresh["values"],
        nothing=nothing["values"],
    )


def shrinkage_sentence(problem: PlanProblem, confirmation: Confirmation) -> str:
    """The search's estimate of the effect beside the fresh one."""
    outcome = problem.primary.outcome
    sign = -1.0 if problem.primary.minimize else 1.0
    searched = sign * confirmation.search_estimate.mean
    fresh = confirmation.verdict.advantage
    text = (
        f"The search estimated its advantage over doing nothing on "
        f"{_label(outcome)} at {amount(searched, outcome)} on its own "
        f"{confirmation.search_estimate.n} replications; on "
        f"{confirmation.verdict.interval.n} fresh ones it is {amount(fresh, outcome)}"
    )
    if searched > 0 and fresh < searched:
        text += (
            f": it shrank to {fresh / searched:.0%} of the search's estimate (the winner's curse)"
        )
    elif searched > 0:
        text += f" ({fresh / searched:.0%} of the search's estimate: no shrinkage this time)"
    return text + "."


def lever_sentences(problem: PlanProblem, confirmation: Confirmation) -> list[str]:
    """What each lever's money adds, in words; money on a lever that cannot be told from
    zero is named as such."""
    outcome = problem.primary.outcome
    said = []
    for check in confirmation.levers:
        interval = check.verdict.interval
        what = (
            f"{check.share:.0%} of the budget ({money(check.cost)}) on "
            f"{KIND_LABELS[check.kind].phrase}"
        )
        bounds = f"{amount(interval.low, outcome, signed=True)} to " + amount(
            interval.high, outcome, signed=True
        )
        if check.verdict.word == BETTER:
            said.append(f"{what}: pays its way on {_label(outcome)} (95% interval {bounds}).")
        elif check.verdict.word == WORSE:
            said.append(f"{what}: the plan does better without it ({bounds}).")
        else:
            said.append(
                f"{what}: its effect on {_label(outcome)} cannot be told from zero on these "
                f"replications ({bounds}); that money may be wasted."
            )
    return said


def headline(
    problem: PlanProblem, confirmation: Confirmation, sentence: str
) -> tuple[str, list[str]]:
    """The heading and the paragraph a leader reads first."""
    primary = problem.primary
    main = next((e for e in confirmation.effects if e.outcome == primary.outcome), None)
    said = effect_sentence(main) if main is not None else ""
    if confirmation.beats_nothing:
        return "Recommended plan", [
            sentence,
            f"On {confirmation.verdict.interval.n} fresh replications it does better than "
            f"doing nothing: {said}.",
        ]
    budget = money(problem.encoding.budget)
    what = settle(confirmation.verdict) or "more replications"
    return "No plan found reliably beats doing nothing", [
        f"No plan the finder found reliably beats doing nothing on {_label(primary.outcome)} "
        f"at a budget of {budget} with these replications ({problem.spec.replications} per plan "
        f"in the search, up to {problem.spec.search.replication_cap} fresh ones in the "
        f"selection, {confirmation.verdict.interval.n} to confirm).",
        f"The best candidate: {sentence}",
        f"On fresh replications: {said} ({confirmation.verdict.word}).",
        f"What would settle it: {what}; or a bigger budget, which buys larger effects.",
    ]


def _label(outcome: str) -> str:
    from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of

    return outcome_of(outcome).label
