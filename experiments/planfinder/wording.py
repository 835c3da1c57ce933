"""A plan in a sentence a leader can read, and its expected effects with their intervals.

"Of a budget of 60,000 over 104 weeks, spend 60% on customer outcomes in evaluations for
all staff from week 4, reaching 45% of them, and 40% on back-office time with customers in
Finance and Purchasing from week 12." Money is in the model's one currency (US dollars at
the shipped defaults and plan prices).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of
from eachcustomer.experiments.analysis.statistics import Interval
from eachcustomer.experiments.planfinder.encoding import BuiltPart, Encoding
from eachcustomer.sim.interventions import Intervention


@dataclass(frozen=True)
class KindLabel:
    """How a kind of intervention is named: in a list of choices, and inside a sentence."""

    title: str
    """Capitalized, for a list, a check box or a heading: "One-off training day"."""
    phrase: str
    """With its article where it needs one, for a sentence: "a one-off customer-care training
    day"."""


KIND_LABELS = {
    "training_day": KindLabel("One-off training day", "a one-off customer-care training day"),
    "delight_week": KindLabel("One-off customer delight week", "a one-off customer delight week"),
    "slogan_campaign": KindLabel("Slogan campaign", "a slogan campaign"),
    "language": KindLabel("'Each customer' language", "'each customer' language"),
    "incentive_alignment": KindLabel(
        "Customer outcomes in evaluations", "customer outcomes in evaluations"
    ),
    "leadership_tone": KindLabel(
        "Leaders who serve the real customer", "leaders who serve the real customer"
    ),
    "customer_exposure": KindLabel(
        "Back-office time with customers", "back-office time with customers"
    ),
    "frontline_support": KindLabel("Support for the front line", "support for the front line"),
    "hiring_for_attitude": KindLabel("Hiring for attitude", "hiring for attitude"),
}
"""Every intervention kind's name for people: the one table that the plan finder's sentences
and the dashboard's Plan finder page read. What each kind does is `KIND_MEANINGS` of
`eachcustomer.sim.interventions`."""

GROUP_PHRASES = {
    "all": "for all staff",
    "front line": "for the front line",
    "back office": "for the back office",
    "leaders": "for the chief and the department heads",
}
UNSPENT_SHOWN = 0.005
"""Unspent money below this share of the budget is not worth a clause."""


def money(value: float) -> str:
    """An amount in the model's currency, rounded to whole units."""
    return f"{value:,.0f}"


def whom(option_name: str, departments: Sequence[str] | None, levels: Sequence[int] | None) -> str:
    """Who a coverage option reaches, as a phrase."""
    if option_name in GROUP_PHRASES:
        return GROUP_PHRASES[option_name]
    parts = []
    if departments:
        names = [name.title() for name in departments]
        parts.append("in " + join_words(names))
    if levels:
        parts.append(f"at level{'s' * (len(levels) > 1)} " + join_words([str(v) for v in levels]))
    return " ".join(parts) or "for all staff"


def when(item: Intervention) -> str:
    """When an intervention runs, as a phrase."""
    weeks = item.weeks
    if weeks is None:
        return f"from week {item.start}"
    if weeks == 1:
        return f"in week {item.start}"
    return f"for {weeks} weeks from week {item.start}"


def join_words(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def describe_part(built: BuiltPart, encoding: Encoding) -> str:
    """One part of a plan: its share of the budget, what, for whom, when, how many."""
    lever = encoding.lever(built.part.kind)
    item = built.intervention
    assert item is not None, "dropped parts are described as unspent money"
    option = lever.coverages[built.part.coverage]
    # What it costs, not what was allotted: a part that covers its whole group for less than
    # its allotment leaves the rest unspent, which the plan's sentence says.
    share = built.cost / encoding.budget
    text = (
        f"{share:.0%} on {KIND_LABELS[item.kind].phrase} "
        f"{whom(option.name, option.coverage.departments, option.coverage.levels)} {when(item)}"
    )
    if lever.by_duration:
        return text + f" (about {built.participants:,.0f} hires)"
    if item.coverage.share < 0.995:
        return text + f", reaching {item.coverage.share:.0%} of them ({built.participants:,.0f})"
    return text


def plan_sentence(parts: Sequence[BuiltPart], encoding: Encoding, weeks: int) -> str:
    """The whole plan as one sentence."""
    spent = [part for part in parts if part.intervention is not None]
    unspent = encoding.budget - sum(part.cost for part in spent)
    opening = f"Of a budget of {money(encoding.budget)} over {weeks} weeks, "
    if not spent:
        return opening + "spend nothing: no intervention."
    clauses = [describe_part(part, encoding) for part in spent]
    if unspent > UNSPENT_SHOWN * encoding.budget:
        clauses.append(f"keep {unspent / encoding.budget:.0%} ({money(unspent)}) unspent")
    return opening + "spend " + join_words(clauses) + "."


def describe_plan(plan: Sequence[Intervention]) -> str:
    """Any plan (a library plan, say) in a few words."""
    if not plan:
        return "no intervention"
    parts = []
    for item in plan:
        coverage = item.coverage
        group = whom("", coverage.departments, coverage.levels)
        covered = f", {coverage.share:.0%} of them" if coverage.share < 0.995 else ""
        parts.append(f"{KIND_LABELS[item.kind].phrase} {group} {when(item)}{covered}")
    return join_words(parts)


@dataclass(frozen=True)
class Effect:
    """An objective's outcome for a plan and against doing nothing, on the same seeds."""

    outcome: str
    level: Interval
    difference: Interval
    statistic_label: str = ""
    statistic: float = float("nan")
    statistic_base: float = float("nan")


def effect_sentence(effect: Effect) -> str:
    """ "customers lost per year, last quarter: 8.1% (95% interval 7.6% to 8.6%), 2.9 points
    fewer than doing nothing (2.3 to 3.5)"."""
    info = outcome_of(effect.outcome)
    level, change = effect.level, effect.difference
    percent = info.fmt.endswith("%")
    text = (
        f"{info.label}: {format(level.mean, info.fmt)} (95% interval "
        f"{format(level.low, info.fmt)} to {format(level.high, info.fmt)}), "
        f"{_change(change.mean, percent, info.fmt)} than doing nothing "
        f"({_change(change.low, percent, info.fmt, bare=True)} to "
        f"{_change(change.high, percent, info.fmt, bare=True)})"
    )
    if effect.statistic_label:
        text += (
            f"; its {effect.statistic_label}: {format(effect.statistic, info.fmt)} (doing "
            f"nothing: {format(effect.statistic_base, info.fmt)})"
        )
    return text


def _change(value: float, percent: bool, fmt: str, bare: bool = False) -> str:
    if percent:
        number = f"{value * 100:+.1f}" if bare else f"{abs(value) * 100:.1f} points"
    else:
        plain = fmt.lstrip("+")
        number = format(value, "+" + plain) if bare else format(abs(value), plain)
    if bare:
        return number
    return f"{number} {'higher' if value >= 0 else 'lower'}"


def amount(value: float, outcome: str, signed: bool = False) -> str:
    """A difference on an outcome in its unit: "1.2 points" for shares, "+3,400" for money."""
    info = outcome_of(outcome)
    if info.fmt.endswith("%"):
        return f"{value * 100:{'+' if signed else ''}.1f} points"
    plain = info.fmt.lstrip("+")
    return format(value, ("+" if signed else "") + plain)
