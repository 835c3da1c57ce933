"""A plan search spec is checked before anything runs; every mistake names the file and key."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest
import tomli_w
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.planfinder.checks import load_plan_search, parse_plan_search
from eachcustomer.experiments.planfinder.problem import PlanSpecError
from eachcustomer.sim.limits import DASHBOARD_SWEEP_LIMITS, LimitError

TINY = {
    "title": "tiny",
    "seed": 3,
    "weeks": 20,
    "replications": 2,
    "parameters": {"n_employees": 60},
    "budget": {"amount": 5000},
    "levers": {
        "training_day": {"coverage": ["all", "back office"], "start": {"low": 1, "high": 9}},
        "incentive_alignment": {"coverage": ["all", {"departments": ["finance"]}], "start": 5},
    },
    "objectives": [
        {"outcome": "recent_annual_customer_loss"},
        {"outcome": "net_revenue", "statistic": "percentile", "percentile": 10},
    ],
    "search": {"population": 6, "generations": 2, "validation_replications": 2},
}


def changed(path: str, value: object) -> dict:
    """TINY with the value at a dotted path replaced (None deletes it)."""
    data = copy.deepcopy(TINY)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is None:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


def refusal(data: dict) -> str:
    with pytest.raises(PlanSpecError) as caught:
        parse_plan_search(data, path=Path("spec.toml"))
    return str(caught.value)


def test_the_tiny_spec_is_accepted_as_written():
    problem = parse_plan_search(TINY)
    assert [lever.kind for lever in problem.encoding.levers] == [
        "training_day",
        "incentive_alignment",
    ]
    training, incentives = problem.encoding.levers
    assert training.starts == tuple(range(1, 10))
    assert [o.name for o in training.coverages] == ["all", "back office"]
    assert training.coverages[1].coverage.departments == (
        "marketing",
        "operations",
        "logistics",
        "purchasing",
        "finance",
        "human resources",
    )
    assert incentives.starts == (5,) and incentives.coverages[1].name == "finance"
    # The template comes from the library: training_day's prices and strength.
    assert training.template.hours_per_participant_week == 8.0
    assert training.template.coverage.share == 1.0
    assert [o.name for o in problem.objectives] == [
        "mean_recent_annual_customer_loss",
        "p10_net_revenue",
    ]
    assert problem.objectives[0].minimize and not problem.objectives[1].minimize
    assert problem.params.n_employees == 60 and problem.params.horizon_weeks == 20
    assert problem.outcomes == ("recent_annual_customer_loss", "net_revenue", "spend_total")


def test_seeds_are_the_replication_rule_and_fresh_ones_follow_them():
    from eachcustomer.sim.replications import replication_seeds

    problem = parse_plan_search(TINY)
    cap = problem.spec.search.replication_cap
    assert cap == 40  # the spec's default
    assert problem.seeds == replication_seeds(3, 2)
    # The selection's fresh seeds follow the search's; the confirming ones follow those.
    assert problem.selection_seeds == replication_seeds(3, 2 + cap)[2:]
    assert problem.validation_seeds == replication_seeds(3, 2 + cap + 2)[2 + cap :]


def test_the_primary_objective_is_the_most_weighted_outcome_never_the_cost():
    assert parse_plan_search(TINY).primary.outcome == "recent_annual_customer_loss"
    weighted = changed("search.weights", [1, 2])
    assert parse_plan_search(weighted).primary.name == "p10_net_revenue"
    spending = changed("budget.spend", "objective")
    spending["search"]["weights"] = [1, 1, 5]
    assert parse_plan_search(spending).primary.outcome == "recent_annual_customer_loss"


def test_the_selection_cannot_start_with_more_replications_than_its_cap():
    data = changed("search.first_replications", 12)
    data["search"]["replication_cap"] = 10
    assert "search.first_replications (12) is more than search.replication_cap (10)" in (
        refusal(data)
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            changed("levers.training_dya", {}),
            "spec.toml: levers.training_dya: unknown intervention kind; did you mean training_day?",
        ),
        (
            changed("budget.amount", 100),
            "spec.toml: budget.amount: 100 is less than the cheapest use of training_day",
        ),
        (
            changed("objectives.0.outcome", "customers_lost_per_year"),
            "spec.toml: objectives[0].outcome: the model produces no 'customers_lost_per_year'",
        ),
        (
            changed("budget.amount", math.nan),
            "spec.toml: budget.amount: Input should be a finite number",
        ),
        (
            changed("levers.training_day.share", {"low": 0.6}),
            None,  # fine alone: the next case adds a second low
        ),
        (
            changed("objectives.1.percentile", None),
            "spec.toml: objectives[1].percentile: a percentile statistic needs `percentile`",
        ),
        (
            changed("objectives.0", {"outcome": "final_contacts"}),
            "spec.toml: objectives[0].direction: neither direction is better",
        ),
        (
            changed("levers.incentive_alignment.coverage", [{"departments": ["Finance"]}]),
            "spec.toml: levers.incentive_alignment.coverage[0].departments: no department "
            "'Finance'",
        ),
        (
            changed("levers.incentive_alignment.coverage", ["managers"]),
            "spec.toml: levers.incentive_alignment.coverage[0]: no group 'managers'",
        ),
        (
            changed("levers.incentive_alignment.start", 30),
            "spec.toml: levers.incentive_alignment.start: week 30 is after the horizon (20 weeks)",
        ),
        (
            changed("levers.delight_week", {}),
            "spec.toml: levers.delight_week: no plan of the library has a delight_week",
        ),
        (
            changed("levers.training_day.share", {"high": 0.33}),
            "spec.toml: levers.training_day.share.high: 0.33 is not a multiple of budget.step",
        ),
        (
            changed("parameters.negativity_bias", [1, 2]),
            "spec.toml: parameters.negativity_bias: a plan search takes one value per parameter",
        ),
        (
            changed("parameters.negativity_bais", 2),
            "spec.toml: parameters.negativity_bais: unknown parameter; did you mean "
            "negativity_bias?",
        ),
        (
            changed("search.weights", [1, 2, 3]),
            "spec.toml: search.weights: give 2 weights >= 0",
        ),
    ],
)
def test_a_mistake_is_refused_with_the_file_and_key(data, message):
    if message is None:
        parse_plan_search(data)
        return
    assert message in refusal(data)


def test_shares_that_cannot_add_up_to_the_budget_are_refused():
    lows = copy.deepcopy(TINY)
    lows["levers"]["training_day"]["share"] = {"low": 0.6}
    lows["levers"]["incentive_alignment"]["share"] = {"low": 0.5}
    assert "spec.toml: levers: the shares' lows (levers.KIND.share.low) add up to 110%" in (
        refusal(lows)
    )
    highs = copy.deepcopy(TINY)
    highs["levers"]["training_day"]["share"] = {"high": 0.4}
    highs["levers"]["incentive_alignment"]["share"] = {"high": 0.4}
    assert "add up to 80% of the budget, so no plan can spend all of it" in refusal(highs)
    # Spending less being an objective, the same highs are fine.
    highs["budget"]["spend"] = "objective"
    problem = parse_plan_search(highs)
    assert problem.objectives[-1].outcome == "plan_cost"


def test_hiring_for_attitude_covers_every_hire_and_needs_one_hire_before_the_horizon():
    wrong = changed("levers.hiring_for_attitude", {"coverage": ["back office"]})
    assert "spec.toml: levers.hiring_for_attitude.coverage[0]: hiring for attitude acts on" in (
        refusal(wrong)
    )
    late = changed("levers.hiring_for_attitude", {"start": 19})
    assert "spec.toml: levers.hiring_for_attitude.start: fewer than one hire is expected" in (
        refusal(late)
    )


def test_sizes_over_the_limits_are_refused_before_anything_is_built():
    with pytest.raises(LimitError, match="employees is more than the limit of 5,000"):
        parse_plan_search(changed("parameters.n_employees", 6000), limits=DASHBOARD_SWEEP_LIMITS)
    big = changed("search", {"population": 40, "generations": 40})
    with pytest.raises(LimitError, match=r"search \(40 population x 40 generations x 2"):
        parse_plan_search(big, limits=DASHBOARD_SWEEP_LIMITS)


def calibration(folder: Path) -> Path:
    """A calibration folder with a two-point posterior of the negativity bias."""
    import pandas as pd

    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("{}")
    pd.DataFrame({"negativity_bias": [2.0, 4.0], "weight": [0.5, 0.5]}).to_parquet(
        folder / "posterior.parquet"
    )
    return folder


def test_a_posterior_gives_every_replication_its_own_draw(tmp_path):
    from eachcustomer.experiments.calibration.posterior import draw_parameters, load_posterior
    from eachcustomer.experiments.planfinder.finder import evaluation_context

    calibration(tmp_path / "calibration")
    spec = tmp_path / "spec.toml"
    spec.write_text(tomli_w.dumps(changed("posterior", "calibration")))
    problem = load_plan_search(spec)
    posterior = load_posterior(tmp_path / "calibration")
    seeds = problem.seeds + problem.selection_seeds + problem.validation_seeds
    assert sorted(problem.draws) == sorted(seeds)
    for seed in seeds:
        assert problem.draws[seed] == draw_parameters(posterior, seed)
    assert {d["negativity_bias"] for d in problem.draws.values()} == {2.0, 4.0}
    context = evaluation_context(problem)
    seed = seeds[0]
    assert context.params_for(seed).negativity_bias == problem.draws[seed]["negativity_bias"]
    assert problem.identity()["posterior_sha256"] == posterior.digest


def test_a_posterior_is_refused_outside_the_spec_folder_or_beside_its_own_parameter(tmp_path):
    calibration(tmp_path / "calibration")
    inside = tmp_path / "specs"
    inside.mkdir()
    spec = inside / "spec.toml"
    spec.write_text(tomli_w.dumps(changed("posterior", "../calibration")))
    with pytest.raises(PlanSpecError, match="posterior: '../calibration' is outside the folder"):
        load_plan_search(spec)
    both = changed("posterior", "calibration")
    both["parameters"]["negativity_bias"] = 3.0
    spec = tmp_path / "both.toml"
    spec.write_text(tomli_w.dumps(both))
    with pytest.raises(PlanSpecError, match="parameters.negativity_bias: drawn from the posterior"):
        load_plan_search(spec)


def test_the_command_line_refuses_a_bad_spec_without_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")
    spec = tmp_path / "spec.toml"
    spec.write_text(tomli_w.dumps(changed("levers.trainingday", {})))
    result = CliRunner().invoke(app, ["plan", str(spec), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"error: {spec}: levers.trainingday: unknown intervention kind" in " ".join(
        result.output.split()
    )
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_the_shipped_example_is_valid_and_within_ten_minutes_of_runs():
    problem = load_plan_search(Path(__file__).parents[1] / "experiments/specs/plan_finder.toml")
    search = problem.spec.search
    assert search.population * search.generations * problem.spec.replications <= 3000
    assert problem.params.n_employees == 500 and problem.weeks == 104


def test_the_experiments_page_offers_only_sweep_specs_as_examples():
    from eachcustomer.dashboard.sweeps.runner import spec_files

    names = spec_files()
    assert "plan_finder" not in names and "small" in names
    assert "published_targets" not in names  # a targets file is not a sweep either
