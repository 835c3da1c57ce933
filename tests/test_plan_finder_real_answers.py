"""Known answers on the real model: the whole plan finder, end to end, at the page's settings.

tests/test_plan_finder_known_answers.py checks the search, the selection and the
confirmation on a stand-in whose noise is known; here the same `find_plan` runs the real
simulation (`evaluation_context`), on a spec parsed by `parse_plan_search`, at the dashboard
page's shipped sizes and selection (`eachcustomer.dashboard.plan_finder.search`: 8 plans x 4
generations x 3 replications; 4 finalists on 5 to 20 fresh replications; 20 confirming
ones), on an organization of 150 employees over 52 weeks, so each case takes a few seconds.

The case: support for the front line (strength 1.0, covering everyone, from week 1 to 17)
beside back-office time with customers at strength 0, which changes nothing in the model
(`sim/processes/interventions.py`: the effective distance D -> 1 + (D - 1)(1 - 0) = D), so
every dollar on it is wasted. The budget, 28,000, buys support for about half of the
organization: where its effect still grows in proportion to the money. Measured before
writing the test (20 paired replications, all from week 1): covering 25% of the
organization cuts customers lost per year by 2.3 points, 50% by 4.7, 75% by 7.0, with a
standard deviation of 2.4 to 3.4 points per paired replication. At the page's 5% budget
steps, two steps on the useless lever cost about 0.5 points, which 20 replications cannot
tell from noise (nor can Kim and Nelson's guarantee, whose indifference zone is a tenth of
the best effect); so the budget moves in steps of 25% here: two steps on the useless lever
halve the support, 2.3 points, several standard errors at 20 replications. On these seeds
the search's own pick already puts no money on the useless lever; the test checks the whole
finder's answer, not that the selection corrects the search (the stand-in's file does that).

The master seeds are 1, 2 and 3, as in the stand-in's file, chosen before any outcome of
these cases was seen. "Nothing beats doing nothing" is a 95% statement: with every lever
at strength 0, a seed on which noise makes the best of the useless plans look "better"
happens with probability about 2.5% (more, for the best of the finalists), and would be
reported as such, not swapped for another seed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_plan_finder_known_answers import DASHBOARD  # the page's shipped settings as a spec

from eachcustomer.experiments.planfinder.checks import parse_plan_search
from eachcustomer.experiments.planfinder.finder import find_plan
from eachcustomer.experiments.running.executors import SerialExecutor

MASTER_SEEDS = (1, 2, 3)
BUDGET = 28_000
"""Support for about half of 150 employees over 52 weeks (all of them cost 57,861)."""
STEP = 0.25


def spec(seed: int, support: float, exposure: float) -> dict[str, Any]:
    """Support for the front line and back-office time with customers, with these strengths."""
    start = {"low": 1, "high": 17, "step": 8}
    return {
        "title": "known answer on the real model",
        "seed": seed,
        "weeks": 52,
        "parameters": {"n_employees": 150},
        "budget": {"amount": BUDGET, "step": STEP},
        "levers": {
            "frontline_support": {"coverage": ["all"], "start": start, "strength": support},
            "customer_exposure": {"start": start, "strength": exposure},
        },
        "objectives": [
            {"outcome": "recent_annual_customer_loss"},
            {"outcome": "recent_annual_customer_loss", "statistic": "percentile", "percentile": 90},
        ],
        **DASHBOARD,
    }


def run(tmp_path: Path, data: dict[str, Any]) -> Any:
    return find_plan(parse_plan_search(data), tmp_path / "out", SerialExecutor())


def units(report: Any) -> dict[str, int]:
    chosen = report.result.candidates[report.recommended_key].choice
    return {part.kind: part.units for part in chosen.parts}


@pytest.mark.slow
@pytest.mark.parametrize("seed", MASTER_SEEDS)
def test_the_real_model_puts_at_most_one_step_on_a_useless_lever(tmp_path, seed):
    report = run(tmp_path, spec(seed, support=1.0, exposure=0.0))
    assert units(report).get("customer_exposure", 0) <= 1, report.sentence
    assert units(report).get("frontline_support", 0) >= 3, report.sentence
    assert report.recommended and report.confirmation.verdict.word == "better", report.sentence
    assert report.heading == "Recommended plan"


@pytest.mark.slow
@pytest.mark.parametrize("seed", MASTER_SEEDS)
def test_the_real_model_with_every_lever_at_zero_beats_nothing_by_nothing(tmp_path, seed):
    report = run(tmp_path, spec(seed, support=0.0, exposure=0.0))
    assert not report.recommended
    assert report.heading == "No plan found reliably beats doing nothing"
    said = " ".join(report.paragraphs)
    assert "No plan the finder found reliably beats doing nothing" in said
    assert "The best candidate: " + report.sentence in said
    assert (
        "## No plan found reliably beats doing nothing"
        in (tmp_path / "out" / "recommended.md").read_text()
    )
