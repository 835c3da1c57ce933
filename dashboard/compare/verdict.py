"""The verdict of a comparison: which plan is best on each outcome, and each against nothing.

Every statement rests on paired differences
(`eachcustomer.experiments.analysis.statistics.paired_difference`): replication r of every plan has
the same seed, so the luck the plans share cancels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from eachcustomer.dashboard.money import money_unit
from eachcustomer.experiments.analysis.outcomes import Outcome, outcome
from eachcustomer.experiments.analysis.statistics import PAIRING_NOTE, paired_difference
from eachcustomer.experiments.analysis.verdicts import TOO_FEW, judge, settle

OUTCOMES = tuple(
    outcome(column)
    for column in (
        "mean_attitude",
        "mean_satisfaction",
        "net_promoter_score",
        "active_customers",
        "net_revenue",
        "customers_lost_total",
        "focus_back_office",
    )
)
OUTCOME_BY_COLUMN = {o.column: o for o in OUTCOMES}

# --- numbers in words -----------------------------------------------------------------------------


def _number(value: float, item: Outcome, signed: bool = False) -> str:
    fmt = item.fmt if signed else item.fmt.lstrip("+")
    text = format(value, fmt)
    if text.startswith("-") and not any(digit in text for digit in "123456789"):
        text = format(0.0, fmt)  # a tiny negative rounds to zero: no "-0.000"
    return text


def _unit(item: Outcome) -> str:
    return f" {money_unit(item.unit, words=True)}" if item.unit in ("customers", "currency") else ""


def outcome_verdict(
    item: Outcome, finals: Mapping[str, Sequence[float]], horizon: int
) -> dict[str, Any]:
    """Which plan is best on one outcome at the horizon, by how much, and whether it is clear.

    The best plan is compared with the runner-up by their paired difference (same seeds).

    Returns:
        A dict: outcome, winner, runner_up, difference, low, high, clear, text.
    """
    values = {plan: np.asarray(v, dtype=float) for plan, v in finals.items()}
    sign = -1.0 if item.higher_is_better is False else 1.0
    ranked = sorted(values, key=lambda plan: -sign * float(np.mean(values[plan])))
    best = ranked[0]
    if len(ranked) < 2:
        return {
            "outcome": item.column,
            "winner": best,
            "runner_up": None,
            "clear": False,
            "difference": 0.0,
            "low": 0.0,
            "high": 0.0,
            "text": f"Only one plan: {best}.",
        }
    second = ranked[1]
    gap = paired_difference(values[best], values[second])
    judged = judge(gap, item.higher_is_better, against="plan")
    count = gap.n
    better = judged.advantage  # how much better the winner is, in the outcome's direction
    gain_low, gain_high = sorted((gap.low * sign, gap.high * sign))
    interval = (
        f"95% interval {_number(gain_low, item, True)} to {_number(gain_high, item, True)}, "
        f"{count} paired replications"
    )
    clear = judged.clear
    best_value, second_value = np.mean(values[best]), np.mean(values[second])
    relative = ""
    if item.unit in ("customers", "currency") and second_value:
        relative = f" ({abs(gap.mean) / abs(second_value):.1%})"
    unit = _unit(item)
    if clear:
        word = "higher" if sign > 0 else "lower"
        text = (
            f"On {item.label} at week {horizon}, {best} wins: "
            f"{_number(best_value, item, True)} against {_number(second_value, item, True)} "
            f"for {second}, {word} by {_number(abs(better), item)}{unit}{relative} ({interval})."
        )
    elif judged.word == TOO_FEW:
        text = (
            f"On {item.label} at week {horizon}, {best} is ahead of {second} by "
            f"{_number(abs(better), item)}{unit}, but one replication cannot tell luck from "
            "effect: run more."
        )
    else:
        text = (
            f"On {item.label} at week {horizon}, {best} and {second} are {judged.word}: "
            f"{best} is ahead by {_number(abs(better), item)}{unit} ({interval}); "
            f"{settle(judged)}."
        )
    return {
        "outcome": item.column,
        "winner": best,
        "runner_up": second,
        "clear": clear,
        "difference": gap.mean,
        "low": gap.low,
        "high": gap.high,
        "text": text,
    }


def against_reference(
    item: Outcome, finals: Mapping[str, Sequence[float]], reference: str
) -> dict[str, Any]:
    """Each plan against doing nothing on one outcome: paired differences in words.

    Returns:
        A dict: outcome, effects ({plan: difference, low, high, verdict, n}: the numbers the
        text states, and the forest plot draws) and text.
    """
    base = np.asarray(finals[reference], dtype=float)
    parts, effects = [], {}
    for plan, values in finals.items():
        if plan == reference:
            continue
        gap = paired_difference(values, base)
        judged = judge(gap, item.higher_is_better, against="nothing")
        effects[plan] = {
            "difference": gap.mean,
            "low": gap.low,
            "high": gap.high,
            "verdict": judged.word,
            "n": gap.n,
        }
        if judged.word == TOO_FEW:
            parts.append(f"{plan} {_number(gap.mean, item, True)}")
            continue
        parts.append(
            f"{plan} {_number(gap.mean, item, True)}{_unit(item)} ({judged.word}; 95% interval "
            f"{_number(gap.low, item, True)} to {_number(gap.high, item, True)})"
        )
    text = f"Against doing nothing, on {item.label}: " + "; ".join(parts) + "."
    return {"outcome": item.column, "effects": effects, "text": text}


def verdict(
    finals: Mapping[str, Mapping[str, Sequence[float]]], horizon: int, reference: str | None = None
) -> dict[str, Any]:
    """The verdict on every outcome, each plan against doing nothing, and a one-line headline."""
    lines = [
        outcome_verdict(OUTCOME_BY_COLUMN[column], per_plan, horizon)
        for column, per_plan in finals.items()
        if column in OUTCOME_BY_COLUMN
    ]
    baseline = []
    if reference is not None:
        baseline = [
            against_reference(OUTCOME_BY_COLUMN[column], per_plan, reference)
            for column, per_plan in finals.items()
            if column in OUTCOME_BY_COLUMN and reference in per_plan and len(per_plan) > 1
        ]
    wins: dict[str, int] = {}
    for line in lines:
        if line["clear"]:
            wins[line["winner"]] = wins.get(line["winner"], 0) + 1
    if wins:
        leader = max(wins, key=lambda plan: wins[plan])
        headline = (
            f"{leader[:1].upper()}{leader[1:]} wins clearly on {wins[leader]} of "
            f"{len(lines)} outcomes at week {horizon}."
        )
    else:
        headline = f"No plan wins clearly on any outcome at week {horizon}."
    return {
        "headline": headline,
        "lines": lines,
        "against_nothing": baseline,
        "pairing": f"95% t intervals; {PAIRING_NOTE}.",
    }
