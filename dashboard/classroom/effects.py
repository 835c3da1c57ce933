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
from eachcustomer.experiments.analysis.statistics import paired_difference
from eachcustomer.experiments.analysis.verdicts import BETTER, Verdict, judge


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


def per_student(
    reports: Sequence[PlayerReport], value: Callable[[PlayerReport], float | None]
) -> tuple[list[float], list[float]]:
    """Each student who tried both ways, with a value for each: their mean `value` serving
    the boss, and serving the customer (two lists, a student per position). Comparing
    students with themselves keeps their seat out of it: a complaint desk's customers are
    less happy than a salesperson's whatever either chooses."""
    by_student: dict[str, list[PlayerReport]] = {}
    for report in reports:
        by_student.setdefault(report.name, []).append(report)
    boss, customer = [], []
    for own in by_student.values():
        means = mean_by_effort(own, value)
        if "boss" in means and "customer" in means:
            boss.append(means["boss"])
            customer.append(means["customer"])
    return boss, customer


def boss_against_customer(
    reports: Sequence[PlayerReport], value: Callable[[PlayerReport], float | None]
) -> Verdict | None:
    """The verdict (`eachcustomer.experiments.analysis.verdicts.judge`, the one vocabulary
    of verdicts) on serving the boss against serving the customer, the students who tried
    both ways as the pairs; None when no student did."""
    boss, customer = per_student(reports, value)
    if not boss:
        return None
    return judge(paired_difference(boss, customer), higher_is_better=True, against="plan")


def stated(verdict: Verdict, better: str, worse: str, topic: str, unit: str) -> str:
    """One clause: the way that did better with its paired interval, or the verdict's own
    words when the interval does not tell (too close to call, not enough replications)."""
    students = f"{verdict.interval.n} student{'s' * (verdict.interval.n != 1)} tried both"
    if not verdict.clear:
        return f"{topic}: {verdict.word} ({students})"
    low, high = sorted(abs(x) for x in (verdict.interval.low, verdict.interval.high))
    size = abs(verdict.interval.mean)
    return (
        f"{better if verdict.word == BETTER else worse} by {unit.format(size)} "
        f"({unit.format(low)} to {unit.format(high)}; {students})"
    )


QUESTION = "Bonus or business, who wins?"
"""S003's question, the title until a student has tried both ways."""


def bonus_business_sentence(reports: Sequence[PlayerReport]) -> str:
    """The session's answer to "bonus or business, who wins?" in one sentence: which way of
    spending effort (the boss's priorities or the customer in front of them) earned the
    larger bonus, and which kept the customers one met happier, each student who tried both
    ways a pair (`boss_against_customer`), stated only where the paired interval says so."""
    paid = boss_against_customer(reports, lambda r: r.bonus)
    if paid is None:
        return QUESTION
    parts = [
        stated(
            paid,
            "Serving the boss paid more",
            "Serving the customer paid more",
            "Bonus",
            "${:,.0f}",
        )
    ]
    happier = boss_against_customer(reports, lambda r: r.customer_satisfaction)
    if happier is not None:
        parts.append(
            stated(
                happier,
                "the boss's way kept customers happier",
                "the customer's way kept customers happier",
                "customers' satisfaction",
                "{:.2f}",
            )
        )
    return "; ".join(parts) + "."
