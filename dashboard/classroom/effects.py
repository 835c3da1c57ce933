"""The debrief's numbers: what changed after each of the teacher's levers, and what each way of
spending effort paid and did to customers. Pure functions of a session's history
(`RoundSummary` list) and its students' reports (`PlayerReport` list).

A lever's effect is read as a before/after comparison of round means: the rounds from the
one it was pulled before up to the next lever (its "after") against the rounds since the
previous lever (its "before"). Cutting at the levers keeps one lever's rounds out of
another's comparison; it is a class's reading of its own session, not a causal estimate
(the culture keeps drifting on its own, and the class's choices change too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from eachcustomer.dashboard.classroom.game import LEVERS, PlayerReport, RoundSummary


@dataclass(frozen=True)
class LeverEffect:
    """Round means after a lever minus round means before it (None: no round before it).

    Attributes:
        lever: a key of `LEVERS`; together: the other levers pulled before the same round.
        round: the first round it acted on.
        before, after: the rounds compared, (first, last); before is None when the lever was
            pulled before round 1.
        attitude: change in everyone's mean attitude at the rounds' ends (attitude units).
        class_focus: change in the students' mean customer focus (0 to 1).
        simulated_focus: change in the simulated employees' mean customer focus (0 to 1).
        customers_lost: change in customers lost per round (customers a month).
    """

    lever: str
    round: int
    together: tuple[str, ...]
    before: tuple[int, int] | None
    after: tuple[int, int]
    attitude: float | None
    class_focus: float | None
    simulated_focus: float | None
    customers_lost: float | None


def lever_rounds(history: Sequence[RoundSummary]) -> dict[int, tuple[str, ...]]:
    """The rounds played that had levers pulled before them, with those levers."""
    return {summary.round: summary.levers for summary in history if summary.levers}


def mean_of(
    history: Sequence[RoundSummary], rounds: range, value: Callable[[RoundSummary], float]
) -> float:
    """The mean of `value` over the summaries of `rounds`."""
    chosen = [value(summary) for summary in history if summary.round in rounds]
    return sum(chosen) / len(chosen)


def change(
    history: Sequence[RoundSummary],
    before: range,
    after: range,
    value: Callable[[RoundSummary], float],
) -> float | None:
    """The mean of `value` over the rounds `after` minus its mean over the rounds `before`
    (None when there is no round before)."""
    if not before:
        return None
    return mean_of(history, after, value) - mean_of(history, before, value)


def lever_effects(history: Sequence[RoundSummary]) -> list[LeverEffect]:
    """Each lever pulled before a round played, in the order pulled, with its before/after."""
    if not history:
        return []
    cuts = sorted(lever_rounds(history))
    last = max(summary.round for summary in history)
    effects = []
    for index, first in enumerate(cuts):
        previous = cuts[index - 1] if index else 1
        following = cuts[index + 1] if index + 1 < len(cuts) else last + 1
        after = range(first, following)
        before = range(previous, first)
        levers = lever_rounds(history)[first]
        for lever in levers:
            effects.append(
                LeverEffect(
                    lever=lever,
                    round=first,
                    together=tuple(other for other in levers if other != lever),
                    before=(before[0], before[-1]) if before else None,
                    after=(after[0], after[-1]),
                    attitude=change(history, before, after, lambda s: s.mean_attitude),
                    class_focus=change(history, before, after, lambda s: s.student_focus),
                    simulated_focus=change(history, before, after, lambda s: s.simulated_focus),
                    customers_lost=change(history, before, after, lambda s: s.customers_lost),
                )
            )
    return effects


def lever_label(levers: Sequence[str]) -> str:
    """Levers in words ("Customer outcomes in every evaluation + One-off training day")."""
    return " + ".join(LEVERS.get(lever, lever) for lever in levers)


def mean_by_effort(
    reports: Sequence[PlayerReport], value: Callable[[PlayerReport], float | None]
) -> dict[str, float]:
    """The mean of `value` over the student-rounds played with each effort (efforts with no
    value left out; a None value, a student who met no customer, is skipped)."""
    sums: dict[str, list[float]] = {}
    for report in reports:
        number = value(report)
        if number is not None:
            sums.setdefault(report.effort, []).append(number)
    return {effort: sum(numbers) / len(numbers) for effort, numbers in sums.items()}


SAME_BONUS = 10.0
"""Dollars a month: a smaller difference between the two ways' bonuses is called the same
(1% of the bonus pool; a class would read it as noise)."""
SAME_SATISFACTION = 0.05
"""Satisfaction units (-1 to +1): a smaller difference is called the same."""


def boss_minus_customer(
    reports: Sequence[PlayerReport], value: Callable[[PlayerReport], float | None]
) -> float | None:
    """How much more `value` serving the boss gave than serving the customer, each student
    who tried both ways compared with themselves, averaged over those students (None: no
    student tried both, with a value for each). Comparing students with themselves keeps
    their seat out of it: a complaint desk's customers are less happy than a salesperson's
    whatever either chooses."""
    by_student: dict[str, list[PlayerReport]] = {}
    for report in reports:
        by_student.setdefault(report.name, []).append(report)
    differences = []
    for own in by_student.values():
        means = mean_by_effort(own, value)
        if "boss" in means and "customer" in means:
            differences.append(means["boss"] - means["customer"])
    return sum(differences) / len(differences) if differences else None


def winner(difference: float | None, same: float) -> str | None:
    """ "boss" or "customer", whichever way gave more; "tie" within `same`; None: unknown."""
    if difference is None:
        return None
    if abs(difference) < same:
        return "tie"
    return "boss" if difference > 0 else "customer"


PAID_MORE = {
    "boss": "Serving the boss paid more",
    "customer": "Serving the customer paid more",
    "tie": "Both ways paid about the same",
}
HAPPIER = {
    "boss": "the boss's way kept customers happier",
    "customer": "the customer's way kept customers happier",
    "tie": "customers were about as happy either way",
}
QUESTION = "Bonus or business, who wins?"
"""S003's question, the title until a student has tried both ways."""


def bonus_business_sentence(reports: Sequence[PlayerReport]) -> str:
    """The session's answer to "bonus or business, who wins?" in one sentence: which way of
    spending effort (the boss's priorities or the customer in front of them) earned the
    larger bonus, and which kept the customers one met happier, over the whole session,
    each student who tried both ways compared with themselves (`boss_minus_customer`)."""
    paid = winner(boss_minus_customer(reports, lambda r: r.bonus), SAME_BONUS)
    if paid is None:
        return QUESTION
    mood = boss_minus_customer(reports, lambda r: r.customer_satisfaction)
    happier = winner(mood, SAME_SATISFACTION)
    if happier is None:
        return f"{PAID_MORE[paid]}."
    return f"{PAID_MORE[paid]}; {HAPPIER[happier]}."
