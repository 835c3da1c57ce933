"""Comparing plans: replications on common random numbers, confidence bands, a verdict.

Everything here is the project's one implementation of each idea: plans come from the plan
library (`eachcustomer.experiments.loading.plans`) or the scenario, budgets are equalized with
`eachcustomer.sim.budget.equalize_plans`, replication seeds come from
`eachcustomer.sim.replications`, intervals and paired differences from
`eachcustomer.experiments.analysis.statistics`, outcome names from
`eachcustomer.experiments.analysis.outcomes`. So every comparison can be exported as a sweep spec
(`comparison_spec`) that `eachcustomer sweep` reproduces number for number.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from eachcustomer.dashboard.compare.coverage import (
    coverage_words,
    restrict_plan,
    restricted_name,
    restriction_words,
)
from eachcustomer.dashboard.compare.verdict import OUTCOMES, verdict
from eachcustomer.dashboard.money import money
from eachcustomer.dashboard.settings import build_setup, normalize, scenario_plans, user_message
from eachcustomer.experiments.analysis.statistics import t_interval
from eachcustomer.experiments.loading.plans import NO_PLAN, plan_library, resolve_plan
from eachcustomer.experiments.loading.scenario_files import check_coverage_names
from eachcustomer.experiments.running.runs import run_replications
from eachcustomer.sim.budget import cost_basis, equalize_plans, plan_costs
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.replications import replication_seeds

MAX_PLANS = 4
MAX_REPLICATIONS = 30
SCENARIO_SCHEDULE = "scenario"
"""The menu value of the scenario's own intervention schedule."""
SCENARIO_SCHEDULE_NAME = "scenario_schedule"
"""Its plan name in an exported sweep spec."""
DEFAULT_PLANS = ("plan:none", "plan:training_day", "plan:culture_change")
REFERENCE = "Do nothing"
"""Every plan is also stated against this one; it runs even when not chosen."""

SPEC_FINAL = tuple(o.column for o in OUTCOMES if o.column != "net_revenue")
"""The outcomes an exported spec keeps at the horizon (net revenue is a run summary)."""


# --- plans -------------------------------------------------------------------------------------


def plan_title(name: str) -> str:
    """How a plan is called on the page: the library's title, or its name in words."""
    library = plan_library()
    return library[name].title if name in library else name.replace("_", " ")


def plan_choices(scenario: str) -> list[dict[str, str]]:
    """Plans for the menu: the scenario's own schedule, then its [plans] and the library."""
    options = [{"label": "the scenario's own schedule", "value": SCENARIO_SCHEDULE}]
    names = [NO_PLAN, *scenario_plans(scenario)]
    return options + [{"label": plan_title(name), "value": f"plan:{name}"} for name in names]


def chosen_plans(
    keys: Sequence[str],
    settings: dict[str, Any],
    restrictions: Mapping[str, Mapping[str, Sequence]] | None = None,
    extra: Mapping[str, tuple[str, str, tuple]] | None = None,
) -> dict[str, tuple[str, tuple]]:
    """Menu values to {shown name: (plan name, interventions)}; unknown values are skipped.

    `restrictions` maps a menu value to the departments and levels its plan is restricted
    to (`eachcustomer.dashboard.compare.coverage`); a restricted plan's names say whom it reaches.
    `extra` holds more plans by menu value, as (shown name, plan name, interventions): those of an
    uploaded scenario file (`eachcustomer.dashboard.compare.uploads`).

    Raises:
        ValueError: a restriction, or an extra plan, names a department or level the
            organization lacks.
    """
    scenario = build_setup({**settings, "plan": None, "interventions": [], "timeline": []})
    plans: dict[str, tuple[str, tuple]] = {}
    for key in keys:
        kind, _, name = str(key).partition(":")
        if extra and str(key) in extra:
            shown, name, plan = extra[str(key)]
            # Written for another organization perhaps: it must name only groups this has.
            org = cost_basis(scenario.params, scenario.org)
            check_coverage_names(shown, plan, org.department_names, set(org.level.tolist()))
        elif kind == "plan":
            try:
                shown, plan = plan_title(name), resolve_plan(name, scenario.plans)
            except ValueError:
                continue
        elif kind == SCENARIO_SCHEDULE:
            shown, name = "the scenario's schedule", SCENARIO_SCHEDULE_NAME
            plan = tuple(scenario.interventions)
        else:
            continue
        chosen = (restrictions or {}).get(str(key)) or {}
        departments, levels = chosen.get("departments") or [], chosen.get("levels") or []
        if plan and (departments or levels):
            plan = restrict_plan(plan, departments, levels)
            shown = f"{shown} ({restriction_words(departments, levels)})"
            name = restricted_name(name, departments, levels)
            org = cost_basis(scenario.params, scenario.org)
            check_coverage_names(shown, plan, org.department_names, set(org.level.tolist()))
        plans[shown] = (name, tuple(plan))
    return plans


def resolve_plans(
    keys: Sequence[str],
    settings: dict[str, Any],
    extra: Mapping[str, tuple[str, str, tuple]] | None = None,
) -> dict[str, tuple]:
    """Shown names and interventions of the chosen menu values."""
    return {shown: plan for shown, (_, plan) in chosen_plans(keys, settings, None, extra).items()}


def describe_plan(plan: Sequence[Intervention]) -> str:
    """A plan in a few words: each intervention, when, for how long and whom it covers."""
    if not plan:
        return "no intervention"
    parts = []
    for item in plan:
        weeks = item.weeks
        span = "permanent" if weeks is None else f"{weeks} week{'s' * (weeks != 1)}"
        parts.append(f"{item.name} (week {item.start}, {span}, {coverage_words(item)})")
    return "; ".join(parts)


# --- series and bands --------------------------------------------------------------------------


def outcome_series(series: pd.DataFrame) -> pd.DataFrame:
    """The weekly outcomes of one run, with cumulative revenue net of spend.

    At the horizon `net_revenue` equals the run summary of the same name
    (`eachcustomer.experiments.running.runs.summarize`): revenue of weeks 1..horizon minus all
    spend.
    """
    frame = series[["week"] + [o.column for o in OUTCOMES if o.column in series]].copy()
    revenue = series["revenue"].to_numpy(dtype=float).copy()
    revenue[0] = 0.0  # week 0 is the starting state, not a week of trade
    frame["net_revenue"] = np.cumsum(revenue) - series["intervention_spend_total"]
    return frame


def summarize_runs(
    runs: Mapping[str, list[pd.DataFrame]], reference: str | None = None
) -> dict[str, Any]:
    """Bands per outcome and plan, and each plan's values at the horizon per replication.

    With a `reference` plan (doing nothing), also "paired": per outcome and plan, the weekly
    paired difference from the reference (replication r minus its replication r, same seed)
    with its t band; the reference's own is zero. At the horizon it is the interval the
    verdict states (`eachcustomer.dashboard.compare.verdict.against_reference`).
    """
    bands: dict[str, dict[str, dict[str, list]]] = {}
    paired: dict[str, dict[str, dict[str, list]]] = {}
    finals: dict[str, dict[str, list[float | None]]] = {}
    stacks = {
        plan: {
            item.column: np.stack([f[item.column].to_numpy(dtype=float) for f in frames])
            for item in OUTCOMES
        }
        for plan, frames in runs.items()
    }
    for plan, frames in runs.items():
        weeks = frames[0]["week"].to_numpy()
        for item in OUTCOMES:
            stack = stacks[plan][item.column]
            bands.setdefault(item.column, {})[plan] = _band(weeks, stack)
            finals.setdefault(item.column, {})[plan] = _clean(stack[:, -1], digits=None)
            if reference in stacks:
                gaps = stack - stacks[reference][item.column]
                paired.setdefault(item.column, {})[plan] = _band(weeks, gaps)
    summary: dict[str, Any] = {"bands": bands, "finals": finals}
    if reference in stacks:
        summary["paired"] = paired
    return summary


def _band(weeks: np.ndarray, stack: np.ndarray) -> dict[str, list]:
    """The weekly mean of replications (rows of `stack`) with its 95% t band."""
    _, mean, _, low, high = t_interval(stack, axis=0)
    return {"week": weeks.tolist(), "mean": _clean(mean), "low": _clean(low), "high": _clean(high)}


def _clean(values: np.ndarray, digits: int | None = 6) -> list[float | None]:
    """JSON-ready floats (None for NaN); `digits` rounds what is only drawn."""
    rounded = values if digits is None else np.round(values, digits)
    return [None if np.isnan(v) else float(v) + 0.0 for v in rounded]


def band_frame(bands: Mapping[str, Any]) -> pd.DataFrame:
    """One outcome's bands as a table: plan, week, mean, low, high."""
    rows = [
        pd.DataFrame({"plan": plan, **{k: band[k] for k in ("week", "mean", "low", "high")}})
        for plan, band in bands.items()
    ]
    if not rows:
        return pd.DataFrame(columns=["plan", "week", "mean", "low", "high"])
    return pd.concat(rows, ignore_index=True)


# --- running a comparison ----------------------------------------------------------------------


def run_comparison(
    settings: Any,
    plan_keys: Sequence[str],
    replications: int,
    budget_mode: str = "as specified",
    budget: float | None = None,
    on_run: Callable[[int, int], None] | None = None,
    restrictions: Mapping[str, Mapping[str, Sequence]] | None = None,
    extra: Mapping[str, tuple[str, str, tuple]] | None = None,
) -> dict[str, Any]:
    """Run every chosen plan, and doing nothing, `replications` times and summarize.

    Args:
        settings: the session's settings (scenario, parameters, org chart, seed).
        plan_keys: menu values of 2 to 4 plans.
        replications: runs per plan, 1 to MAX_REPLICATIONS.
        budget_mode: "as specified", "coverage" or "duration" (equalize the budget by it).
        budget: the common budget; when None, the cost of the cheapest plan that costs
            anything.
        on_run: called as on_run(done, total) after every run.
        restrictions: departments and levels each menu value's plan is restricted to.
        extra: more plans by menu value (`chosen_plans`), from an uploaded scenario file.
    """
    settings = normalize(settings)
    started = time.time()
    notes: list[str] = []
    if settings["timeline"]:
        settings = {**settings, "timeline": []}
        notes.append(
            "The changes made during the run on Explore are not part of this comparison: "
            "every plan runs from week 0 on the settings of week 0."
        )
    try:
        setup = build_setup(settings)
        chosen = chosen_plans(plan_keys, settings, restrictions, extra)
    except ValueError as error:
        return {"error": user_message(error)}
    if not 2 <= len(chosen) <= MAX_PLANS:
        return {"error": f"Choose two to four plans to compare (now {len(chosen)})."}
    reference = next((shown for shown, (_, plan) in chosen.items() if not plan), None)
    if reference is None:
        reference = REFERENCE
        chosen[reference] = (NO_PLAN, ())
        notes.append("Doing nothing was run as well, as the reference for every plan.")
    replications = int(min(max(replications, 1), MAX_REPLICATIONS))
    params = setup.params
    cost_org = cost_basis(params, setup.org)
    plans = {shown: plan for shown, (_, plan) in chosen.items()}
    if budget_mode in ("coverage", "duration"):
        plans, budget, scaling = equalize_plans(
            plans, cost_org, params, by=budget_mode, budget=budget
        )
        notes.insert(
            0,
            f"Every plan that costs something was scaled by {budget_mode} to a budget of "
            f"{money(budget)}.",
        )
        notes += scaling
    else:
        budget = None
    costs = plan_costs(plans, cost_org, params)
    seeds = replication_seeds(settings["seed"], replications)
    try:
        # Every plan on every seed, stepped together in batches: the same numbers as one
        # run at a time (and as the exported sweep), in a fraction of the time.
        results = run_replications(
            params,
            seeds,
            plans,
            org=setup.org,
            individuals=setup.individuals,
            on_run=on_run,
        )
    except ValueError as error:
        return {"error": user_message(error)}
    runs = {name: [outcome_series(r.series) for r in done] for name, done in results.items()}
    summary = summarize_runs(runs, reference)
    horizon = params.horizon_weeks
    spec, spec_note = comparison_spec(
        settings, chosen, setup, replications, budget_mode, budget, horizon
    )
    return {
        "error": None,
        "horizon": horizon,
        # As text: a browser holds numbers as doubles, and 63-bit seeds would come back
        # rounded (a seed copied from the page must reproduce its run).
        "seeds": [str(seed) for seed in seeds],
        "replications": replications,
        "reference": reference,
        "plans": [
            {"name": name, "cost": costs[name], "description": describe_plan(plan)}
            for name, plan in plans.items()
        ],
        "notes": notes,
        "title": setup.title,
        **summary,
        "verdict": verdict(summary["finals"], horizon, reference),
        "spec": spec,
        "spec_note": spec_note,
        "seconds": round(time.time() - started, 2),
    }


def comparison_spec(
    settings: dict[str, Any],
    chosen: Mapping[str, tuple[str, tuple]],
    setup: Any,
    replications: int,
    budget_mode: str,
    budget: float | None,
    horizon: int,
) -> tuple[str | None, str]:
    """The sweep spec (TOML text) that reproduces this comparison, or None and why not.

    `eachcustomer sweep` on it runs the same plans, budget rule, seeds and parameters, so
    its result rows hold the page's numbers at the horizon, run for run.
    """
    if settings.get("chart"):
        return None, (
            "This comparison runs on an uploaded org chart, which a sweep spec cannot carry: "
            "export the scenario (Explore) and name it in a spec's `scenario` key."
        )
    overrides = dict(settings["overrides"])
    weeks = int(overrides.pop("horizon_weeks", horizon))
    names = [name for name, _ in chosen.values()]
    spec: dict[str, Any] = {
        "title": "Compare: " + ", ".join(chosen),
        "description": (
            f"Exported from the dashboard's Compare page: {', '.join(chosen)} on the "
            f"scenario '{setup.title}', {replications} replications per plan on common random "
            "numbers. `eachcustomer sweep THIS_FILE --out DIR` reproduces the page's numbers."
        ),
        "scenario": settings["scenario"],
        "replications": replications,
        "seed": int(settings["seed"]),
        "weeks": weeks,
        "parameters": overrides,
        "levers": {"plan": names},
        "outcomes": {
            "final": list(SPEC_FINAL),
            "summary": ["net_revenue", "spend_total"],
            "series": ["mean_attitude", "mean_satisfaction", "active_customers"],
        },
    }
    if budget is not None:
        spec["levers"].update(budget=float(budget), scale_by=budget_mode)
    own = {}
    for name, plan in chosen.values():
        try:
            known = resolve_plan(name, setup.plans) == tuple(plan)
        except ValueError:
            known = False
        if not known:  # the scenario's schedule, or a plan restricted to some staff
            own[name] = [item.model_dump(mode="json", exclude_defaults=True) for item in plan]
    if own:
        spec["plans"] = own
    return tomli_w.dumps(spec), "A sweep spec that reproduces these numbers."
