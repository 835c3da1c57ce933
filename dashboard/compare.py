"""Comparing plans: replications with common random numbers, confidence bands, a verdict.

Every plan runs with the same replication seeds (numpy `SeedSequence(seed).spawn`), so
replication r of every plan meets the same luck and the plans' differences are paired.
Bands are 95% t-intervals of the mean over replications; the verdict compares the two
best plans on each outcome at the horizon by their paired difference.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.budget import equalize_plans, plan_costs
from dashboard.settings import build_setup, normalize, scenario_plans, user_message
from experiments.runs import run_model
from sim.interventions import Intervention
from sim.organization import generate_organization

MAX_PLANS = 4
MAX_REPLICATIONS = 30
CULTURE_COST = 0.4747
"""Per participant-week: four culture-wide levers for 500 people from week 26 cost what
a 150-a-head training day does (the equal_budget scenario's arithmetic)."""


def _culture(start: int = 26) -> tuple[Intervention, ...]:
    return tuple(
        Intervention(
            kind=kind,
            start=start,
            strength=0.5,
            cost_per_participant_week=CULTURE_COST,
            label=label,
        )
        for kind, label in (
            ("language", "'each customer' language"),
            ("incentive_alignment", "customer outcomes in evaluations"),
            ("customer_exposure", "back office meets customers"),
            ("frontline_support", "front-line support"),
        )
    )


PRESET_PLANS: dict[str, tuple[Intervention, ...]] = {
    "do nothing": (),
    "training day": (
        Intervention(
            kind="training_day",
            start=26,
            strength=0.5,
            cost_per_participant_week=150.0,
            label="training day",
        ),
    ),
    "slogan campaign": (
        Intervention(
            kind="slogan_campaign",
            start=26,
            duration=12,
            strength=0.5,
            cost_per_participant_week=12.0,
            label="slogan campaign",
        ),
    ),
    "culture change": _culture(),
    "aligned incentives": (
        Intervention(
            kind="incentive_alignment",
            start=26,
            strength=0.6,
            cost_per_participant_week=1.9,
            label="customer outcomes in every evaluation",
        ),
    ),
    "new leadership tone": (
        Intervention(
            kind="leadership_tone",
            start=26,
            strength=0.8,
            cost_per_participant_week=100.0,
            label="leaders serve the real customer",
        ),
    ),
    "hiring for attitude": (
        Intervention(
            kind="hiring_for_attitude",
            start=26,
            strength=0.5,
            cost_per_participant_week=600.0,
            label="hire for attitude",
        ),
    ),
}
"""Plans anyone can compare, starting in week 26 so the first half-year is the baseline."""
DEFAULT_PLANS = ("preset:do nothing", "preset:training day", "preset:culture change")


@dataclass(frozen=True)
class Outcome:
    """A number to compare plans on."""

    column: str
    label: str
    unit: str
    fmt: str
    higher_is_better: bool = True


OUTCOMES = (
    Outcome("mean_attitude", "mean attitude", "on the -1 to +1 scale", "+.3f"),
    Outcome("mean_satisfaction", "customer satisfaction", "on the -1 to +1 scale", "+.3f"),
    Outcome("net_promoter_score", "net-promoter-style score", "points", "+.1f"),
    Outcome("active_customers", "active customers", "customers", ",.0f"),
    Outcome("net_revenue", "revenue net of spend (total)", "currency", ",.0f"),
    Outcome(
        "customers_lost_total",
        "customers lost (total)",
        "customers",
        ",.0f",
        higher_is_better=False,
    ),
    Outcome("focus_back_office", "back-office customer focus", "on the 0 to 1 scale", ".3f"),
)
OUTCOME_BY_COLUMN = {o.column: o for o in OUTCOMES}


def plan_choices(scenario: str) -> list[dict[str, str]]:
    """Plans for the dropdown: the scenario's own, its [plans], then the presets."""
    options = [{"label": "the scenario's own schedule", "value": "scenario"}]
    options += [
        {"label": f"scenario plan: {name.replace('_', ' ')}", "value": f"plan:{name}"}
        for name in scenario_plans(scenario)
    ]
    options += [{"label": name, "value": f"preset:{name}"} for name in PRESET_PLANS]
    return options


def resolve_plans(keys: Sequence[str], settings: dict[str, Any]) -> dict[str, tuple]:
    """Plan names and interventions for the chosen dropdown values (unknown ones skipped)."""
    plans: dict[str, tuple] = {}
    for key in keys:
        kind, _, name = str(key).partition(":")
        if kind == "preset" and name in PRESET_PLANS:
            plans[name] = PRESET_PLANS[name]
        elif kind == "plan" and name in scenario_plans(settings["scenario"]):
            setup = build_setup({**settings, "plan": name, "interventions": []})
            plans[f"scenario plan: {name.replace('_', ' ')}"] = tuple(setup.interventions)
        elif kind == "scenario":
            setup = build_setup({**settings, "plan": None, "interventions": []})
            plans["the scenario's schedule"] = tuple(setup.interventions)
    return plans


def replication_seeds(master: int, count: int) -> list[int]:
    """One seed per replication, spawned from the master seed (the same for every plan)."""
    return [
        int(child.generate_state(1)[0]) for child in np.random.SeedSequence(master).spawn(count)
    ]


def outcome_series(series: pd.DataFrame) -> pd.DataFrame:
    """The weekly outcomes of one run, with cumulative revenue net of spend."""
    frame = series[["week"] + [o.column for o in OUTCOMES if o.column in series]].copy()
    revenue = series["revenue"].to_numpy(dtype=float).copy()
    revenue[0] = 0.0  # week 0 is the starting state, not a week of trade
    frame["net_revenue"] = np.cumsum(revenue) - series["intervention_spend_total"]
    return frame


def mean_band(values: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, ...]:
    """Mean and t-interval over replications (axis 0); the band is the mean with one run."""
    values = np.asarray(values, dtype=float)
    mean = values.mean(axis=0)
    count = values.shape[0]
    if count < 2:
        return mean, mean, mean
    half = (
        stats.t.ppf(0.5 + confidence / 2, count - 1) * values.std(axis=0, ddof=1) / np.sqrt(count)
    )
    return mean, mean - half, mean + half


def summarize_runs(runs: Mapping[str, list[pd.DataFrame]]) -> dict[str, Any]:
    """Bands per outcome and plan, and each plan's values at the horizon per replication."""
    bands: dict[str, dict[str, dict[str, list]]] = {}
    finals: dict[str, dict[str, list[float]]] = {}
    for plan, frames in runs.items():
        weeks = frames[0]["week"].to_numpy()
        for outcome in OUTCOMES:
            stack = np.stack([f[outcome.column].to_numpy(dtype=float) for f in frames])
            mean, low, high = mean_band(stack)
            bands.setdefault(outcome.column, {})[plan] = {
                "week": weeks.tolist(),
                "mean": _clean(mean),
                "low": _clean(low),
                "high": _clean(high),
            }
            finals.setdefault(outcome.column, {})[plan] = _clean(stack[:, -1])
    return {"bands": bands, "finals": finals}


def _clean(values: np.ndarray) -> list[float | None]:
    return [None if np.isnan(v) else float(v) + 0.0 for v in np.round(values, 6)]


def band_frame(bands: Mapping[str, Any]) -> pd.DataFrame:
    """One outcome's bands as a table: plan, week, mean, low, high."""
    rows = [
        pd.DataFrame({"plan": plan, **{k: band[k] for k in ("week", "mean", "low", "high")}})
        for plan, band in bands.items()
    ]
    return (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["plan", "week", "mean", "low", "high"])
    )


# --- the verdict -------------------------------------------------------------------------------


def _number(value: float, outcome: Outcome, signed: bool = False) -> str:
    fmt = outcome.fmt if signed else outcome.fmt.lstrip("+")
    return format(value, fmt)


def compare_two(
    first: np.ndarray, second: np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Mean paired difference first - second and its t-interval."""
    difference = np.asarray(first, dtype=float) - np.asarray(second, dtype=float)
    mean, low, high = mean_band(difference[:, None], confidence)
    return float(mean[0]), float(low[0]), float(high[0])


def outcome_verdict(
    outcome: Outcome, finals: Mapping[str, Sequence[float]], horizon: int
) -> dict[str, Any]:
    """Which plan wins on one outcome at the horizon, by how much, and whether it is clear.

    Returns a dict: outcome, winner, runner_up, difference, low, high, clear, text.
    """
    values = {plan: np.asarray(v, dtype=float) for plan, v in finals.items()}
    sign = 1.0 if outcome.higher_is_better else -1.0
    ranked = sorted(values, key=lambda plan: -sign * float(np.mean(values[plan])))
    best = ranked[0]
    if len(ranked) < 2:
        return {
            "outcome": outcome.column,
            "winner": best,
            "runner_up": None,
            "clear": False,
            "difference": 0.0,
            "low": 0.0,
            "high": 0.0,
            "text": f"Only one plan: {best}.",
        }
    second = ranked[1]
    difference, low, high = compare_two(values[best], values[second])
    count = len(values[best])
    better = difference * sign  # how much better the winner is, in the outcome's direction
    gain_low, gain_high = sorted((low * sign, high * sign))
    interval = (
        f"95% interval {_number(gain_low, outcome, True)} to "
        f"{_number(gain_high, outcome, True)}, {count} replications"
    )
    clear = count >= 2 and (low > 0 if sign > 0 else high < 0)
    best_value, second_value = np.mean(values[best]), np.mean(values[second])
    relative = ""
    if outcome.unit in ("customers", "currency") and second_value:
        relative = f" ({abs(difference) / abs(second_value):.1%})"
    if clear:
        word = "higher" if sign > 0 else "lower"
        text = (
            f"On {outcome.label} at week {horizon}, {best} wins: "
            f"{_number(best_value, outcome, True)} against "
            f"{_number(second_value, outcome, True)} for {second}, {word} by "
            f"{_number(abs(better), outcome)} {outcome.unit}{relative} ({interval})."
        )
    elif count < 2:
        text = (
            f"On {outcome.label} at week {horizon}, {best} is ahead of {second} by "
            f"{_number(abs(better), outcome)} {outcome.unit}, but one replication "
            "cannot tell luck from effect: run more."
        )
    else:
        text = (
            f"On {outcome.label} at week {horizon}, {best} and {second} are too close "
            f"to call: {best} is ahead by {_number(abs(better), outcome)} "
            f"{outcome.unit} ({interval}); more replications may separate them."
        )
    return {
        "outcome": outcome.column,
        "winner": best,
        "runner_up": second,
        "clear": clear,
        "difference": difference,
        "low": low,
        "high": high,
        "text": text,
    }


def verdict(finals: Mapping[str, Mapping[str, Sequence[float]]], horizon: int) -> dict[str, Any]:
    """The verdict on every outcome and a one-line headline."""
    lines = [
        outcome_verdict(OUTCOME_BY_COLUMN[column], per_plan, horizon)
        for column, per_plan in finals.items()
        if column in OUTCOME_BY_COLUMN
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
    return {"headline": headline, "lines": lines}


# --- running a comparison ----------------------------------------------------------------------


def describe_plan(plan: Sequence[Intervention]) -> str:
    """A plan in a few words."""
    if not plan:
        return "no intervention"
    parts = []
    for item in plan:
        weeks = item.weeks
        span = "permanent" if weeks is None else f"{weeks} week{'s' * (weeks != 1)}"
        parts.append(
            f"{item.name} (week {item.start}, {span}, {item.coverage.share:.0%} of those covered)"
        )
    return "; ".join(parts)


def run_comparison(
    settings: Any,
    plan_keys: Sequence[str],
    replications: int,
    budget_mode: str = "as specified",
    budget: float | None = None,
    on_run: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run every chosen plan `replications` times and summarize.

    Args:
        settings: the session's settings (scenario, parameters, org chart, seed).
        plan_keys: dropdown values of 2 to 4 plans.
        replications: runs per plan, 1 to MAX_REPLICATIONS.
        budget_mode: "as specified", "coverage" or "duration" (equalize the budget by it).
        budget: the common budget; the cheapest paying plan's when None.
        on_run: called as on_run(done, total) after every run.
    """
    settings = normalize(settings)
    started = time.time()
    try:
        setup = build_setup(settings)
        plans = resolve_plans(plan_keys, settings)
    except ValueError as error:
        return {"error": user_message(error)}
    if not 2 <= len(plans) <= MAX_PLANS:
        return {"error": f"Choose two to four plans to compare (now {len(plans)})."}
    replications = int(min(max(replications, 1), MAX_REPLICATIONS))
    params = setup.params
    cost_org = (
        setup.org
        if setup.org is not None
        else generate_organization(params, np.random.default_rng(settings["seed"]))
    )
    notes: list[str] = []
    if budget_mode in ("coverage", "duration"):
        plans, budget, notes = equalize_plans(
            plans, cost_org, params, by=budget_mode, budget=budget
        )
        notes.insert(
            0,
            f"Every plan that costs something was scaled by {budget_mode} to a "
            f"budget of {budget:,.0f}.",
        )
    costs = plan_costs(plans, cost_org, params)
    seeds = replication_seeds(settings["seed"], replications)
    runs: dict[str, list[pd.DataFrame]] = {}
    total, done = len(plans) * replications, 0
    try:
        for name, plan in plans.items():
            for seed in seeds:
                result = run_model(
                    params, seed, org=setup.org, interventions=plan, individuals=setup.individuals
                )
                runs.setdefault(name, []).append(outcome_series(result.series))
                done += 1
                if on_run is not None:
                    on_run(done, total)
    except ValueError as error:
        return {"error": user_message(error)}
    summary = summarize_runs(runs)
    horizon = params.horizon_weeks
    return {
        "error": None,
        "horizon": horizon,
        "seeds": seeds,
        "replications": replications,
        "plans": [
            {"name": name, "cost": costs[name], "description": describe_plan(plan)}
            for name, plan in plans.items()
        ],
        "notes": notes,
        "title": setup.title,
        **summary,
        "verdict": verdict(summary["finals"], horizon),
        "seconds": round(time.time() - started, 2),
    }
