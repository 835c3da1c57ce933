"""One source of truth: the Compare page, its exported spec and the headline agree run for run.

The page, `eachcustomer sweep` and the headline spec share the replication seeds
(`eachcustomer.sim.replications`), the plan library, the budget rule
(`eachcustomer.sim.budget.scale_plan`) and the outcome definitions, so the same point gives the same
numbers, bit for bit.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.dashboard.compare.comparison import run_comparison
from eachcustomer.dashboard.settings import default_settings
from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.experiments.loading.sweeps import parse_sweep
from eachcustomer.experiments.running.executors import SerialExecutor, run_sweep
from eachcustomer.experiments.running.store import read_runs
from eachcustomer.sim.replications import replication_seeds

REPO = Path(__file__).resolve().parents[1]
REPLICATIONS = 3
BUDGET = 100_000.0
COMPARED = {  # outcome on the page: column of a sweep's result rows
    "mean_satisfaction": "final_mean_satisfaction",
    "active_customers": "final_active_customers",
    "net_promoter_score": "final_net_promoter_score",
    "net_revenue": "net_revenue",
}


@pytest.fixture(scope="module")
def page():
    """The Compare page's comparison at one point of the headline (its seed, budget, size)."""
    settings = {**default_settings("baseline"), "seed": 2024, "overrides": {"n_employees": 500}}
    result = run_comparison(
        settings,
        ["plan:none", "plan:training_day", "plan:culture_change"],
        REPLICATIONS,
        "coverage",
        BUDGET,
    )
    assert result["error"] is None
    return result


def page_finals(result: dict) -> pd.DataFrame:
    titles = {plan.title: name for name, plan in plan_library().items()}
    rows = []
    for column, per_plan in result["finals"].items():
        if column not in COMPARED:
            continue
        for shown, values in per_plan.items():
            for replication, value in enumerate(values):
                rows.append(
                    {
                        "plan": titles[shown],
                        "replication": replication,
                        "column": column,
                        "value": value,
                    }
                )
    table = pd.DataFrame(rows).pivot_table(
        index=["plan", "replication"], columns="column", values="value"
    )
    table.columns.name = None
    return table


def sweep_finals(folder: Path, budget: float | None = None) -> pd.DataFrame:
    runs = read_runs(folder)
    assert (runs["status"] == "ok").all()
    if budget is not None:
        runs = runs[runs["budget"] == budget]
    table = runs.set_index(["plan", "replication"])[list(COMPARED.values())]
    return table.rename(columns={v: k for k, v in COMPARED.items()}).sort_index()


def test_the_page_uses_the_one_seed_rule(page):
    assert page["seeds"] == [str(seed) for seed in replication_seeds(2024, REPLICATIONS)]


def test_the_exported_spec_reproduces_the_page_number_for_number(page, tmp_path):
    assert page["spec"] is not None, page["spec_note"]
    spec = tmp_path / "compare.toml"
    spec.write_text(page["spec"])
    written = tomllib.loads(page["spec"])
    assert written["levers"] == {
        "plan": ["none", "training_day", "culture_change"],
        "budget": BUDGET,
        "scale_by": "coverage",
    }
    outcome = CliRunner().invoke(
        app, ["sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "1"]
    )
    assert outcome.exit_code == 0, outcome.output
    expected = page_finals(page).sort_index()
    found = sweep_finals(tmp_path / "out")[expected.columns]
    pd.testing.assert_frame_equal(found, expected, check_exact=True, check_dtype=False)


def test_the_headline_spec_gives_the_same_numbers_at_the_same_point(page, tmp_path):
    data = tomllib.loads((REPO / "experiments/specs/headline.toml").read_text())
    assert BUDGET in data["levers"]["budget"]
    data.update(replications=REPLICATIONS)
    data["levers"]["budget"] = [BUDGET]
    sweep = parse_sweep(data, path=REPO / "experiments/specs/headline.toml")
    run_sweep(sweep, tmp_path / "headline", SerialExecutor())
    expected = page_finals(page).sort_index()
    found = sweep_finals(tmp_path / "headline", BUDGET)[expected.columns]
    pd.testing.assert_frame_equal(found, expected, check_exact=True, check_dtype=False)
    # The figure's table: each plan's gain over doing nothing is the page's paired gain.
    drawn = CliRunner().invoke(
        app, ["headline", str(tmp_path / "headline"), "--out", str(tmp_path / "figure")]
    )
    assert drawn.exit_code == 0, drawn.output
    table = pd.read_csv(tmp_path / "figure" / "headline_summary.csv")
    gain = table[(table["outcome"] == "net_revenue") & (table["plan"] == "culture_change")]
    nothing = expected.loc["none", "net_revenue"].to_numpy()
    culture = expected.loc["culture_change", "net_revenue"].to_numpy()
    assert gain["mean"].item() == pytest.approx((culture - nothing).mean(), rel=1e-12)
    # The verdicts beside it: the two plans paired by seed, in the one verdict's words.
    verdicts = pd.read_csv(tmp_path / "figure" / "headline_verdicts.csv")
    revenue = verdicts[verdicts["outcome"] == "net_revenue"].iloc[0]
    training = expected.loc["training_day", "net_revenue"].to_numpy()
    assert revenue["mean"] == pytest.approx((culture - training).mean(), rel=1e-12)
    assert revenue["verdict"] in ("training_day", "culture_change", "too close to call")


SHIPPED_HEADLINE = REPO / "docs" / "figures" / "headline_verdicts.csv"


def test_the_readmes_headline_says_what_the_shipped_paired_verdicts_say():
    verdicts = pd.read_csv(SHIPPED_HEADLINE).set_index(["outcome", "budget"])["verdict"]
    said = {
        ("recent_annual_customer_loss", 50000): "too close to call",
        ("recent_annual_customer_loss", 100000): "training_day",
        ("recent_annual_customer_loss", 200000): "training_day",
        ("recent_annual_customer_loss", 300000): "training_day",
        ("final_mean_satisfaction", 50000): "too close to call",
        ("final_mean_satisfaction", 100000): "training_day",
        ("final_mean_satisfaction", 200000): "training_day",
        ("final_mean_satisfaction", 300000): "training_day",
        **{("net_revenue", budget): "training_day" for budget in (50000, 100000, 200000, 300000)},
    }
    assert {key: verdicts[key] for key in said} == said
    readme = " ".join((REPO / "README.md").read_text().split())
    assert "At $50,000 the two are too close to call on customers lost and on satisfaction" in (
        readme
    )


def test_a_comparison_without_doing_nothing_runs_it_as_the_reference():
    settings = {
        **default_settings("baseline"),
        "overrides": {"n_employees": 60, "horizon_weeks": 30},
    }
    result = run_comparison(settings, ["plan:training_day", "plan:culture_change"], 3, "coverage")
    assert result["reference"] == "Do nothing"
    assert "Do nothing" in result["finals"]["mean_attitude"]
    lines = result["verdict"]["against_nothing"]
    assert len(lines) == len(result["verdict"]["lines"])
    assert all("One-off training day" in line["text"] for line in lines)
    assert "paired" in result["verdict"]["pairing"]
