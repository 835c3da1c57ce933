"""Known answers: cases whose best plan follows from an argument, at the shipped settings.

A stand-in for the model (`Response`) goes through exactly the same search, selection and
confirmation code. Customers lost = 20% - (each lever's gain) + luck: the luck has a part
every plan shares on a seed (common random numbers, sd 2 points) and a part of its own for
each plan and seed (sd 0.5 points), so paired differences are noisy, as the model's are.
A lever's gain is proportional to its strength, so strength 0 switches it off exactly.

Each case runs at the CLI's shipped settings (experiments/specs/plan_finder.toml's search
sizes and the spec's selection defaults) and at the dashboard page's defaults
(`eachcustomer.dashboard.plan_finder.search`), on three master seeds. On seed 4 the
search's own best compromise puts 10% of the budget on the useless lever at both settings
(`test_the_search_alone_would_waste_money_on_the_useless_lever`): the selection on fresh
seeds is what keeps it to one step.

"Nothing beats doing nothing" is a 95% statement: a plan with no effect at all is called
"better" on its confirming replications with probability 2.5%, by construction of the
interval. Master seed 4 at the dashboard's settings is such a run (the best of four useless
plans lands 0.28 points below doing nothing, 95% interval -0.52 to -0.04, on 20 confirming
replications); the seeds here are 1, 2 and 3, chosen before that was seen.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from eachcustomer.dashboard.plan_finder.search import SELECTION, SIZES
from eachcustomer.experiments.planfinder.checks import parse_plan_search
from eachcustomer.experiments.planfinder.evaluation import plan_key
from eachcustomer.experiments.planfinder.finder import find_plan
from eachcustomer.experiments.planfinder.findings import forest_effects
from eachcustomer.experiments.running.executors import SerialExecutor
from eachcustomer.sim.budget import intervention_cost

REPO = Path(__file__).resolve().parents[1]
SHIPPED = tomllib.loads((REPO / "experiments" / "specs" / "plan_finder.toml").read_text())
CLI = {
    "replications": SHIPPED["replications"],
    "search": {**SHIPPED["search"], "library_check": False},
}
DASHBOARD = {
    "replications": SIZES["replications"][2],
    "search": {
        "population": SIZES["population"][2],
        "generations": SIZES["generations"][2],
        **SELECTION,
        "library_check": False,
    },
}
SETTINGS = {"cli": CLI, "dashboard": DASHBOARD}
MASTER_SEEDS = (1, 2, 3)
BASE_LOSS = 0.20
SHARED_LUCK = 0.02
OWN_LUCK = 0.005


def spec(settings: dict[str, Any], seed: int, language: float, incentives: float) -> dict:
    """Two levers (language, incentives) with the given strengths, at the given settings."""
    return {
        "title": "known answer",
        "seed": seed,
        "weeks": 40,
        "parameters": {"n_employees": 100},
        "budget": {"amount": 5000},
        # The case prices its levers itself, so that its answer does not move with the
        # library's prices (docs/CALIBRATION.md 1.10): the same hours for both levers.
        "levers": {
            "language": {
                "start": {"low": 1, "high": 17, "step": 8},
                "strength": language,
                "hours_per_participant_week": 0.1625,
                "direct_cost_per_participant_week": 0.0,
            },
            "incentive_alignment": {
                "start": {"low": 1, "high": 17, "step": 8},
                "strength": incentives,
                "hours_per_participant_week": 0.19,
                "direct_cost_per_participant_week": 0.0,
            },
        },
        "objectives": [
            {"outcome": "recent_annual_customer_loss"},
            {"outcome": "recent_annual_customer_loss", "statistic": "percentile", "percentile": 90},
        ],
        **copy.deepcopy(settings),
    }


@dataclass(frozen=True)
class Response:
    """Customers lost for a plan: 20% minus its levers' gains, plus luck.

    `gains` maps a kind to a function of the share of the budget spent on it; the gain is
    multiplied by the intervention's strength, and by 1 - (start - 1) / 80 (earlier is a
    little better), so strength 0 gives exactly nothing.
    """

    problem: Any
    gains: dict[str, Any]

    def gain(self, plan: Any) -> float:
        problem, total = self.problem, 0.0
        for item in plan:
            spent = intervention_cost(item, problem.org, problem.params, problem.weeks)
            share = spent / problem.spec.budget.amount
            total += self.gains[item.kind](share) * item.strength * (1 - (item.start - 1) / 80)
        return total

    def execute(self, task: dict[str, Any]) -> tuple[dict[str, Any], None]:
        identity = int(plan_key(task["plan"], [])[:8], 16)
        gain = self.gain(task["plan"])
        values = []
        for seed in task["seeds"]:
            shared = np.random.default_rng([int(seed), 1]).normal(0, SHARED_LUCK)
            own = np.random.default_rng([int(seed), identity]).normal(0, OWN_LUCK)
            values.append(BASE_LOSS - gain + shared + own)
        row = {
            "run_id": task["run_id"],
            "key": task["key"],
            "status": "ok",
            "error": None,
            "values": {
                "recent_annual_customer_loss": values,
                "spend_total": [0.0] * len(values),
            },
        }
        return row, None


def linear(scale: float) -> Any:
    return lambda share: scale * share


def run(tmp_path: Path, data: dict, gains: dict[str, Any]) -> Any:
    problem = parse_plan_search(data)
    return find_plan(
        problem, tmp_path / "out", SerialExecutor(), context=Response(problem, gains)
    ), problem


def units(report: Any) -> dict[str, int]:
    chosen = report.result.candidates[report.recommended_key].choice
    return {part.kind: part.units for part in chosen.parts}


@pytest.mark.slow
@pytest.mark.parametrize("seed", MASTER_SEEDS)
@pytest.mark.parametrize("where", SETTINGS)
def test_a_useless_lever_gets_at_most_one_budget_step(tmp_path, where, seed):
    # Language cuts losses by 3 points with the whole budget; incentives have strength 0.
    data = spec(SETTINGS[where], seed, language=0.5, incentives=0.0)
    gains = {"language": linear(0.06), "incentive_alignment": linear(0.06)}
    report, problem = run(tmp_path, data, gains)
    assert units(report).get("incentive_alignment", 0) <= 1, report.sentence
    assert report.recommended and report.confirmation.verdict.word == "better"
    assert report.heading == "Recommended plan"
    # The forest rows: the chosen plan on its confirming replications, then each finalist.
    forest = pd.read_csv(tmp_path / "out" / "forest.csv")
    for objective in problem.objectives:
        rows = forest_effects(forest, objective.name)
        assert len(rows) == 1 + len(report.selection.finalists)
        assert rows[0].verdict == "better" and rows[0].n == len(problem.validation_seeds)
        assert (tmp_path / "out" / f"forest_{objective.name}.html").is_file()


@pytest.mark.parametrize("where", SETTINGS)
def test_the_search_alone_would_waste_money_on_the_useless_lever(tmp_path, where):
    # What the useless-lever check guards against: the search's own pick (its front's best
    # compromise on its own replications) puts two steps on the lever that does nothing.
    from eachcustomer.experiments.planfinder.findings import recommend

    data = spec(SETTINGS[where], 4, language=0.5, incentives=0.0)
    gains = {"language": linear(0.06), "incentive_alignment": linear(0.06)}
    report, problem = run(tmp_path, data, gains)
    searched = recommend(problem, [report.result.candidates[k] for k in report.result.front])
    assert {p.kind: p.units for p in searched.choice.parts}.get("incentive_alignment") == 2
    assert units(report).get("incentive_alignment", 0) <= 1


@pytest.mark.slow
@pytest.mark.parametrize("seed", MASTER_SEEDS)
@pytest.mark.parametrize("where", SETTINGS)
def test_when_nothing_works_the_finder_says_nothing_beats_doing_nothing(tmp_path, where, seed):
    data = spec(SETTINGS[where], seed, language=0.0, incentives=0.0)
    gains = {"language": linear(0.06), "incentive_alignment": linear(0.06)}
    report, problem = run(tmp_path, data, gains)
    assert not report.recommended
    assert report.heading == "No plan found reliably beats doing nothing"
    said = " ".join(report.paragraphs)
    assert "No plan the finder found reliably beats doing nothing" in said
    assert "The best candidate: " + report.sentence in said
    assert "What would settle it:" in said and "bigger budget" in said
    text = (tmp_path / "out" / "recommended.md").read_text()
    assert "## No plan found reliably beats doing nothing" in text
    assert "Not a recommendation" in (tmp_path / "out" / "recommended.toml").read_text()
    # Every lever's money is named as money whose effect cannot be told from zero (or the
    # plan's single lever is the plan itself, whose effect is not clear).
    for check in report.confirmation.levers:
        assert not check.verdict.clear or check.verdict.word == "worse"


@pytest.mark.slow
@pytest.mark.parametrize("seed", MASTER_SEEDS)
@pytest.mark.parametrize("where", SETTINGS)
def test_the_finder_reaches_a_split_derived_by_argument(tmp_path, where, seed):
    # Language saves 8 points per budget share up to 60% of the budget and nothing beyond;
    # incentives 2 points per share. A share moved from incentives to language gains 6 up to
    # 60%, and loses 2 beyond: the best split is 60% language, 40% incentives, from week 1
    # (a gain of 4.8 + 0.8 = 5.6 points).
    data = spec(SETTINGS[where], seed, language=1.0, incentives=1.0)
    gains = {
        "language": lambda share: 0.08 * min(share, 0.6),
        "incentive_alignment": linear(0.02),
    }
    report, problem = run(tmp_path, data, gains)
    assert report.recommended
    best = 0.08 * 0.6 + 0.02 * 0.4
    chosen = Response(problem, gains).gain(report.recommended_plan)
    # Kim and Nelson's guarantee: the chosen plan is the best or within the indifference zone
    # of it (and the search must have found a plan that close).
    assert chosen >= best - report.selection.indifference - 1e-12, report.sentence
    if where == "cli":
        # 360 plans of the search come within two steps of the split; the page's 32 plans
        # may stop further off (80% / 20%, 0.4 points short, within the indifference zone).
        assert abs(units(report).get("language", 0) - 12) <= 2, report.sentence
