"""The plan finder from the dashboard: a small search on the session's scenario.

The page's choices (budget, kinds, objectives, sizes) become a plan search spec, checked by
`eachcustomer.experiments.planfinder.checks` against the dashboard's sweep limits
(`eachcustomer.sim.limits.DASHBOARD_SWEEP_LIMITS`: at most 400 runs of at most 5,000 employees), and
run by `eachcustomer.experiments.planfinder.finder.find_plan` in one process, into a temporary
folder; what comes back to the browser is the finalists on fresh seeds, the recommended plan in
words (or that no plan found reliably beats doing nothing, with the best candidate), the forest
rows (`forest`: each finalist's and the chosen plan's paired effect against doing nothing per
objective, the fields of `eachcustomer.experiments.reports.forest.Effect` with the objective,
role and key) and its scenario TOML. Larger searches belong to `eachcustomer plan`.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from eachcustomer.dashboard.settings import normalize, user_message
from eachcustomer.experiments.planfinder.charts import front_figure
from eachcustomer.experiments.planfinder.objectives import Objective
from eachcustomer.sim.limits import DASHBOARD_SWEEP_LIMITS

KIND_COVERAGES = {
    "training_day": ["all", "front line", "back office"],
    "language": ["all", "back office"],
    "incentive_alignment": ["all", "back office"],
    "customer_exposure": ["back office"],
    "frontline_support": ["front line"],
    "leadership_tone": ["leaders"],
    "hiring_for_attitude": ["all"],
    "slogan_campaign": ["all"],
}
"""Kinds the page offers (each has a template in the plan library), with whom each may cover;
their names are the plan finder's (`eachcustomer.experiments.planfinder.wording.KIND_LABELS`)."""
DEFAULT_KINDS = ("training_day", "incentive_alignment", "customer_exposure")
OBJECTIVE_CHOICES = {
    "loss": ("Customers lost per year at the horizon (mean)", "recent_annual_customer_loss", None),
    "revenue": ("Revenue net of spend (mean)", "net_revenue", None),
    "bad_year": ("Revenue net of spend in a bad year (10th percentile)", "net_revenue", 10.0),
    "satisfaction": (
        "Customer satisfaction at the horizon (mean)",
        "final_mean_satisfaction",
        None,
    ),
    "spend": ("Spend as little as possible", None, None),
}
DEFAULT_OBJECTIVES = ("loss", "bad_year")
START_EVERY = 8
"""Weeks between the start weeks the page lets the search choose."""
SELECTION = {
    "finalists": 4,
    "first_replications": 5,
    "replication_cap": 20,
    "validation_replications": 20,
}
"""The page's selection among finalists (Kim and Nelson's procedure on fresh seeds) and the
confirmation of the chosen plan: at the default sizes, 96 runs of the search, at most 100
of the selection and 100 of the confirmation (the plan, doing nothing, the plan without each
of its levers), within the dashboard's 400."""
LIMITS = DASHBOARD_SWEEP_LIMITS
SIZES = {"population": (4, 16, 8), "generations": (1, 10, 4), "replications": (2, 6, 3)}
"""Sliders: (least, most, default)."""
SIZE_LABELS = {
    "replications": "Replications per plan",
    "population": "Plans per generation",
    "generations": "Generations",
}


def size_problem(**sizes: Any) -> str | None:
    """What is wrong with the search's sizes (each a whole number within its slider's
    range), or None."""
    for name, value in sizes.items():
        least, most, _ = SIZES[name]
        whole = isinstance(value, int | float) and not isinstance(value, bool)
        if not (whole and float(value).is_integer() and least <= value <= most):
            return (
                f"{SIZE_LABELS[name]} must be a whole number from {least} to {most}, not {value!r}"
            )
    return None


def search_runs(replications: int, population: int, generations: int) -> int:
    """Runs of the search itself: every plan of every generation on every replication."""
    return int(replications) * int(population) * int(generations)


def search_spec(
    settings: Any,
    budget: Any,
    kinds: Sequence[str],
    objectives: Sequence[str],
    population: int,
    generations: int,
    replications: int,
) -> dict[str, Any]:
    """The page's choices as a plan search spec on the session's scenario."""
    from eachcustomer.experiments.loading.scenario_files import load_scenario

    settings = normalize(settings)
    overrides = dict(settings["overrides"])
    weeks = int(overrides.pop("horizon_weeks", 0)) or None
    horizon = weeks or load_scenario(settings["scenario"]).params.horizon_weeks
    chosen = [key for key in OBJECTIVE_CHOICES if key in objectives]
    spec: dict[str, Any] = {
        "title": "Plan finder (dashboard)",
        "scenario": settings["scenario"],
        "seed": int(settings["seed"]),
        "replications": int(replications),
        "parameters": overrides,
        "budget": {
            "amount": float(budget) if isinstance(budget, int | float) else 0.0,
            "spend": "objective" if "spend" in chosen else "constraint",
        },
        "levers": {},
        "objectives": [],
        "search": {
            "population": int(population),
            "generations": int(generations),
            **SELECTION,
            "library_check": False,
        },
    }
    if weeks is not None:
        spec["weeks"] = weeks
    for kind in kinds:
        if kind in KIND_COVERAGES:
            spec["levers"][kind] = {
                "coverage": KIND_COVERAGES[kind],
                "start": start_weeks(horizon),
            }
    for key in chosen:
        _, outcome, percentile = OBJECTIVE_CHOICES[key]
        if outcome is None:
            continue
        objective: dict[str, Any] = {"outcome": outcome}
        if percentile is not None:
            objective.update(statistic="percentile", percentile=percentile)
        spec["objectives"].append(objective)
    return spec


def start_weeks(horizon: int) -> dict[str, int]:
    """Start weeks 1 to half the horizon, every 8 weeks."""
    return {"low": 1, "high": max(1, horizon // 2), "step": START_EVERY}


def find(spec: dict[str, Any], on_progress: Callable[[int, int], None] | None = None) -> dict:
    """Run a search for the page; a JSON-ready result, or {"error": ...}."""
    from eachcustomer.experiments.planfinder.checks import parse_plan_search
    from eachcustomer.experiments.planfinder.export import scenario_document, scenario_text
    from eachcustomer.experiments.planfinder.finder import find_plan
    from eachcustomer.experiments.planfinder.report import explanation
    from eachcustomer.experiments.running.executors import SerialExecutor

    started = time.time()
    if not spec["levers"]:
        return {"error": "Choose at least one kind of intervention."}
    if not spec["objectives"]:
        return {"error": "Choose at least one objective besides spending less."}
    try:
        problem = parse_plan_search(spec, limits=LIMITS)
    except ValueError as error:
        return {"error": user_message(error)}
    generations = problem.spec.search.generations

    def report(progress: Any) -> None:
        if on_progress is not None:
            on_progress(progress.generation, generations)

    with tempfile.TemporaryDirectory(prefix="eachcustomer-plan-") as folder:
        try:
            found = find_plan(problem, folder, SerialExecutor(), on_progress=report)
        except ValueError as error:
            return {"error": user_message(error)}
        description = f"{found.sentence}\n\nFound by the dashboard's Plan finder."
        if not found.recommended:
            description = (
                "Not a recommendation: no plan the finder found reliably beats doing nothing; "
                f"this is the best candidate. {description}"
            )
        toml = scenario_text(scenario_document(problem, found.recommended_plan, description, None))
    return {
        "error": None,
        "recommended": found.recommended,
        "heading": found.heading,
        "paragraphs": found.paragraphs,
        "sentence": found.sentence,
        "effects": found.effect_lines(),
        "explanation": explanation(found),
        "forest": found.forest.to_dict("records"),
        "objectives": [
            {
                "outcome": o.outcome,
                "statistic": o.statistic,
                "percentile": o.percentile,
                "minimize": o.minimize,
            }
            for o in problem.objectives
        ],
        "front": found.front.to_dict("records"),
        "references": found.references.to_dict("records"),
        "evaluations": len(found.result.candidates),
        "hypervolume": float(found.result.convergence["hypervolume"].iloc[-1]),
        "toml": toml,
        "seconds": round(time.time() - started, 1),
        "runs": problem.spec.replications * len(found.result.candidates),
        "fresh_runs": fresh_runs(found),
    }


def fresh_runs(found: Any) -> int:
    """Runs on fresh seeds: the selection's (finalists and doing nothing) and the
    confirmation's."""
    selection, confirmation = found.selection, found.confirmation
    runs = sum(f.replications for f in selection.finalists) + selection.replications
    checked = 2 + (len(confirmation.levers) if len(confirmation.levers) > 1 else 0)
    return runs + checked * confirmation.verdict.interval.n


def result_figure(result: Any) -> go.Figure:
    """The finalists of a finished search on fresh seeds, interactive."""
    objectives = [Objective(**item) for item in result["objectives"]]
    return front_figure(
        pd.DataFrame(result["front"]),
        objectives,
        pd.DataFrame(result["references"]),
        chosen="recommended"
        if result.get("recommended", True)
        else "best candidate (not recommended)",
    )
