"""Sweep specs: every mistake named by its key, designs from SALib, seeds from SeedSequence."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.loading.sweeps import SweepSpecError, load_sweep, parse_sweep
from eachcustomer.experiments.running.executors import SerialExecutor, run_sweep
from eachcustomer.experiments.running.runs import run_model
from eachcustomer.experiments.running.store import read_runs, read_series
from eachcustomer.sim.params import Params
from eachcustomer.sim.replications import replication_seeds

SPECS = Path(__file__).resolve().parent.parent / "experiments" / "specs"

TINY = """
title = "tiny"
seed = 11
replications = 2
weeks = 12

[parameters]
n_employees = 60
negativity_bias = [1.0, 4.0]

[levers]
plan = ["none", "training"]

[[plans.training]]
kind = "training_day"
start = 2
strength = 0.8
cost_per_participant_week = 10

[outcomes]
final = ["mean_attitude", "share_negative"]
mean = ["mean_attitude"]
window = [6, 12]
summary = ["spend_total", "net_revenue"]
series = ["mean_attitude"]
"""


def said(result) -> str:
    """A command's output with line breaks (rich wraps at the terminal width) as spaces."""
    return " ".join(result.output.split())


def write_spec(folder: Path, text: str = TINY, name: str = "spec.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_example_specs_load_with_the_documented_sizes():
    small = load_sweep(SPECS / "small.toml")
    assert len(small.design()) == 3 * 3 * 4  # biases x plans x replications
    sobol = load_sweep(SPECS / "sobol.toml")
    assert len(sobol.design()) == 64 * (4 + 2) * 2  # Saltelli N(D + 2), 2 replications
    decision = load_sweep(SPECS / "decision_map.toml")
    assert decision.runs == 5 * 5 * 2 * 30  # prices x strengths x plans x replications


BASE = 'title = "t"\nseed = 1\nweeks = 5\n'


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "[parameters]\nnegativity_bais = 2.0\n",
            r"parameters\.negativity_bais: unknown parameter; did you mean negativity_bias",
        ),
        (
            "[parameters]\nboss_weight = { low = 2.0, high = 2.0, steps = 3 }\n",
            r"parameters\.boss_weight: empty range: low 2 must be below high 2",
        ),
        ("[parameters]\nboss_weight = []\n", r"parameters\.boss_weight: empty list"),
        (
            "[parameters]\nnegativity_bias = { low = 0.5, high = 3.0, steps = 2 }\n",
            r"parameters\.negativity_bias: range \[0\.5, 3\] is outside the allowed range "
            r"\[1, 10\]",
        ),
        (
            "[parameters]\ncontagion_rate = [0.1, 1.5]\n",
            r"parameters\.contagion_rate\[1\]: 1\.5 is outside the allowed range \[0\.0, 1\.0\]",
        ),
        (
            "[parameters]\nn_employees = [60, 80.5]\n",
            r"parameters\.n_employees\[1\]: expected a whole number",
        ),
        (
            "[parameters]\nboss_weight = { low = 1.0 }\n",
            r"parameters\.boss_weight: a range needs bounds: high is missing",
        ),
        (
            "[parameters]\nboss_weight = { low = 1.0, high = 2.0 }\n",
            r"parameters\.boss_weight: a full_factorial design needs `steps`",
        ),
        (
            '[design]\nkind = "sobol"\nsamples = 8\n[parameters]\nboss_weight = [1.0, 2.0]\n',
            r"design\.kind: a sobol design samples ranges, but no parameter has bounds",
        ),
        (
            '[design]\nkind = "sobol"\nsamples = 12\n[parameters]\n'
            "boss_weight = { low = 1.0, high = 2.0 }\n",
            r"design\.samples: .*power of 2",
        ),
        (
            '[design]\nkind = "latin_hypercube"\n[parameters]\n'
            "boss_weight = { low = 1.0, high = 2.0 }\n",
            r"design\.samples: a latin_hypercube design "
            r"needs `samples`",
        ),
        (
            '[design]\nkind = "latin_hypercube"\nsamples = 4\n[parameters]\n'
            "boss_weight = { low = 1.0, high = 2.0, steps = 3 }\n",
            r"parameters\.boss_weight\.steps: only a full_factorial design uses steps",
        ),
        ('[design]\nkind = "grid"\n', r"design\.kind: Input should be"),
        (
            '[levers]\nplan = ["none", "traning"]\n',
            r"levers\.plan\[1\]: no plan 'traning'; define \[plans\.traning\]",
        ),
        ("[levers]\nbudget = 100.0\n", r"levers\.budget: scaling to a budget needs plans"),
        (
            '[outcomes]\nfinal = ["mean_atitude"]\n',
            r"outcomes\.final\[0\]: no output 'mean_atitude'; did you mean mean_attitude",
        ),
        ('[outcomes]\nsummary = ["profit"]\n', r"outcomes\.summary\[0\]: no summary 'profit'"),
        ('[outcomes]\nmean = ["mean_attitude"]\nwindow = [3, 9]\n', r"outcomes\.window"),
        ("[parameters]\nhorizon_weeks = 10\n", r"parameters\.horizon_weeks: .*sweep's `weeks`"),
        (
            "[parameters]\ncontagion_rate = 0.5\n",
            r"parameters\..*contagion_rate \* negativity_bias",
        ),
        ("replicates = 3\n", r"replicates: unknown key"),
        ('scenario = "no_such_scenario"\n', r"scenario: .*no_such_scenario"),
    ],
)
def test_invalid_specs_are_rejected_naming_the_file_and_key(tmp_path, body, message):
    path = write_spec(tmp_path, BASE + body, "mine.toml")
    with pytest.raises(SweepSpecError, match=message) as caught:
        load_sweep(path)
    assert str(caught.value).startswith(str(path))


def test_missing_master_seed_is_an_error(tmp_path):
    with pytest.raises(SweepSpecError, match=r"seed: Field required"):
        load_sweep(write_spec(tmp_path, 'title = "t"\n'))


def test_budget_a_plan_cannot_reach_is_an_error_before_any_run(tmp_path):
    text = TINY.replace('plan = ["none", "training"]', 'plan = ["none", "training"]\nbudget = 1e9')
    with pytest.raises(SweepSpecError, match=r"levers\.budget: plan 'training'.*coverage"):
        load_sweep(write_spec(tmp_path, text))


def test_full_factorial_crosses_every_list_and_step(tmp_path):
    text = TINY.replace(
        "negativity_bias = [1.0, 4.0]",
        "negativity_bias = [1.0, 4.0]\nboss_weight = { low = 1, high = 3, steps = 3 }",
    )
    sweep = load_sweep(write_spec(tmp_path, text))
    design = sweep.design()
    assert len(design) == 3 * 2 * 2 * 2
    combos = set(
        zip(
            design["boss_weight"],
            design["negativity_bias"],
            design["plan"],
            design["replication"],
            strict=True,
        )
    )
    assert combos == set(
        itertools.product([1.0, 2.0, 3.0], [1.0, 4.0], ["none", "training"], [0, 1])
    )
    assert list(design["run_id"]) == list(range(len(design)))


def test_replication_seeds_are_spawned_and_shared_across_points_and_plans(tmp_path):
    sweep = load_sweep(write_spec(tmp_path))
    design = sweep.design()
    children = np.random.SeedSequence(11).spawn(2)
    expected = [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]
    assert replication_seeds(11, 2) == expected
    for replication, seeds in design.groupby("replication")["seed"]:
        assert set(seeds) == {expected[replication]}  # common random numbers
    assert expected[0] != expected[1]
    more = load_sweep(
        write_spec(tmp_path, TINY.replace("replications = 2", "replications = 3"), "more.toml")
    )
    assert more.replication_seeds()[:2] == expected  # adding replications keeps the others


@pytest.mark.parametrize(
    ("design", "points"),
    [
        ('[design]\nkind = "full_factorial"\n', 3),
        ('[design]\nkind = "latin_hypercube"\nsamples = 4\n', 4),
    ],
)
def test_every_sampled_point_shares_the_replication_seeds(tmp_path, design, points):
    ranged = TINY.replace(
        "n_employees = 60", "n_employees = 60\nboss_weight = { low = 1, high = 3, steps = 3 }"
    )
    if "latin" in design:
        ranged = ranged.replace(", steps = 3", "")
    sweep = load_sweep(write_spec(tmp_path, ranged + design))
    table = sweep.design()
    assert table["point"].nunique() == points and table["arm"].nunique() == 4
    expected = replication_seeds(11, 2)
    for replication, seeds in table.groupby("replication")["seed"]:
        assert set(seeds) == {expected[replication]}


def test_latin_hypercube_comes_from_salib_and_is_stratified(tmp_path):
    text = BASE + (
        'replications = 1\n[design]\nkind = "latin_hypercube"\nsamples = 10\n'
        "[parameters]\nboss_weight = { low = 0.0, high = 10.0 }\n"
        "n_employees = { low = 40, high = 90 }\n"
    )
    sweep = load_sweep(write_spec(tmp_path, text))
    design = sweep.design()
    assert len(design) == 10
    # One value in each of the 10 equal strata: the Latin hypercube property.
    assert sorted(np.floor(design["boss_weight"]).astype(int)) == list(range(10))
    again = load_sweep(write_spec(tmp_path, text, "again.toml")).design()
    pd.testing.assert_frame_equal(design, again)
    other = load_sweep(write_spec(tmp_path, text.replace("seed = 1", "seed = 2"), "o.toml"))
    assert not np.allclose(other.design()["boss_weight"], design["boss_weight"])


@pytest.mark.parametrize(
    "kind, extra, rows",
    [
        ("sobol", "samples = 8\nsecond_order = false", 8 * (2 + 2)),
        ("sobol", "samples = 8\nsecond_order = true", 8 * (2 * 2 + 2)),
        ("morris", "samples = 5\nlevels = 4", 5 * (2 + 1)),
    ],
)
def test_sampling_design_sizes_follow_salib(tmp_path, kind, extra, rows):
    text = BASE + (
        f'[design]\nkind = "{kind}"\n{extra}\n[parameters]\n'
        "boss_weight = { low = 0.5, high = 4.0 }\n"
        "drift_rate = { low = 0.0, high = 0.02 }\n"
    )
    design = load_sweep(write_spec(tmp_path, text)).design()
    assert len(design) == rows
    assert design["boss_weight"].between(0.5, 4.0).all()
    assert design["drift_rate"].between(0.0, 0.02).all()


def test_a_run_can_be_reproduced_from_its_row(tmp_path):
    sweep = load_sweep(write_spec(tmp_path))
    run_sweep(sweep, tmp_path / "out", SerialExecutor())
    runs = read_runs(tmp_path / "out")
    row = runs[(runs["plan"] == "none") & (runs["negativity_bias"] == 4.0)].iloc[1]
    alone = run_model(Params(n_employees=60, negativity_bias=4.0), int(row["seed"]), weeks=12)
    assert row["final_mean_attitude"] == alone.record["final_mean_attitude"]
    window = alone.series[(alone.series["week"] >= 6) & (alone.series["week"] <= 12)]
    assert row["mean_mean_attitude"] == pytest.approx(window["mean_attitude"].mean(), rel=1e-12)


def test_integer_parameters_sampled_from_a_range_run_as_whole_numbers(tmp_path):
    text = BASE + (
        '[design]\nkind = "latin_hypercube"\nsamples = 3\n[parameters]\n'
        "n_employees = { low = 30.0, high = 50.0 }\n"
        '[outcomes]\nfinal = ["hires"]\nsummary = []\nseries = []\n'
    )
    sweep = load_sweep(write_spec(tmp_path, text))
    run_sweep(sweep, tmp_path / "out", SerialExecutor())
    runs = read_runs(tmp_path / "out")
    assert runs["status"].eq("ok").all()
    assert runs["n_employees"].dtype == np.int64
    raw = sweep.design()["n_employees"]
    assert list(runs["n_employees"]) == [int(round(v)) for v in raw]


def test_plans_scaled_to_a_budget_cost_that_budget(tmp_path):
    text = TINY.replace(
        'plan = ["none", "training"]', 'plan = ["none", "training"]\nbudget = [100.0, 300.0]'
    )
    sweep = load_sweep(write_spec(tmp_path, text))
    run_sweep(sweep, tmp_path / "out", SerialExecutor())
    runs = read_runs(tmp_path / "out")
    training = runs[runs["plan"] == "training"]
    np.testing.assert_allclose(training["plan_cost"], training["budget"], rtol=1e-9)
    assert (runs[runs["plan"] == "none"]["spend_total"] == 0).all()
    # Coverage shrinks with the budget: the bigger budget buys more of the lift.
    lift = training.groupby("budget")["final_mean_attitude"].mean()
    assert lift[300.0] > lift[100.0]


def test_a_sweep_can_name_the_scenarios_own_plans_and_the_librarys(tmp_path):
    text = (
        'title = "t"\nseed = 3\nweeks = 4\nscenario = "wrong_customer"\n'
        '[levers]\nplan = ["none", "aligned", "culture_change"]\n'
    )
    sweep = load_sweep(write_spec(tmp_path, text))
    assert [f.values for f in sweep.lists] == [("none", "aligned", "culture_change")]
    plans = sweep.context().plans
    assert plans["none"] == () and len(plans["culture_change"]) == 4
    assert [item.kind for item in plans["aligned"]] == ["incentive_alignment"]
    wrong = text.replace('"aligned"', '"nope"')
    with pytest.raises(SweepSpecError, match=r"levers\.plan\[1\]: no plan 'nope'.*training_day"):
        load_sweep(write_spec(tmp_path, wrong))


def test_parse_sweep_takes_a_dict_for_notebooks():
    sweep = parse_sweep(
        {
            "title": "d",
            "seed": 2,
            "weeks": 3,
            "parameters": {"n_employees": 40, "boss_weight": [1.0, 2.0]},
        }
    )
    assert len(sweep.design()) == 2


def test_a_plan_naming_an_unknown_department_is_refused_naming_the_plan_and_item():
    spec = {
        "title": "d",
        "seed": 2,
        "levers": {"plan": ["none", "mine"]},
        "plans": {"mine": [{"kind": "training_day", "coverage": {"departments": ["nowhere"]}}]},
    }
    with pytest.raises(SweepSpecError) as caught:
        parse_sweep(spec)
    assert str(caught.value).startswith(
        "sweep: plans.mine.0.coverage.departments: no department 'nowhere'; "
        "the organization has 'sales', 'customer service',"
    )


def test_cli_dry_run_counts_runs_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["sweep", str(write_spec(tmp_path)), "--out", str(out), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "8 runs of 12 weeks" in said(result)
    assert not out.exists()


def test_cli_reports_an_invalid_spec_without_a_traceback(tmp_path):
    path = write_spec(tmp_path, BASE + "[parameters]\nnegativity_bais = 2.0\n")
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "negativity_bais: unknown parameter" in said(result)
    assert "Traceback" not in result.output


def test_cli_sweep_shows_progress_and_writes_results(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["sweep", str(write_spec(tmp_path)), "--out", str(out), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "8/8 runs 0 failed" in said(result) and " left " in said(result)  # time left
    assert len(read_runs(out)) == 8


def test_results_do_not_depend_on_how_runs_are_batched(tmp_path):
    from eachcustomer.experiments.running.executors import ProcessExecutor, point_chunks

    sweep = load_sweep(write_spec(tmp_path, TINY.replace("replications = 2", "replications = 3")))
    design = sweep.design()
    tasks = [
        {
            "run_id": int(row.run_id),
            "point": int(row.point),
            "arm": int(row.arm),
            "replication": int(row.replication),
            "seed": int(row.seed),
            "values": {"negativity_bias": row.negativity_bias, "plan": row.plan},
        }
        for row in design.itertuples(index=False)
    ]
    # A chunk is one point: both plans of a bias, at most `size` runs, in design order.
    chunks = list(point_chunks(tasks, 4))
    assert [len(c) for c in chunks] == [4, 2, 4, 2]
    assert all(len({t["values"]["negativity_bias"] for t in c}) == 1 for c in chunks)
    assert [t["run_id"] for c in chunks for t in c] == list(design["run_id"])
    outcomes = ["final_mean_attitude", "mean_mean_attitude", "net_revenue", "plan_cost"]
    tables, series = [], []
    for name, executor in (
        ("serial", SerialExecutor()),
        ("one by one", ProcessExecutor(2, chunk_size=1, start="at_once")),
        ("in threes", ProcessExecutor(2, chunk_size=3, start="at_once")),
        ("one worker", ProcessExecutor(1, chunk_size=3, start="at_once")),
        ("in this process (a pool would not pay)", ProcessExecutor(2)),
    ):
        run_sweep(sweep, tmp_path / name, executor)
        tables.append(read_runs(tmp_path / name).sort_values("run_id")[outcomes])
        series.append(read_series(tmp_path / name))
        if isinstance(executor, ProcessExecutor):
            assert executor.pools_started == (executor.start == "at_once")
    for table, weekly in zip(tables[1:], series[1:], strict=True):
        pd.testing.assert_frame_equal(
            table.reset_index(drop=True), tables[0].reset_index(drop=True), check_exact=True
        )
        pd.testing.assert_frame_equal(weekly, series[0], check_exact=True)
    assert tables[0]["final_mean_attitude"].nunique() == len(design)


# --- [levers] price_multiplier: one plan's price against the others' -----------------------

PRICED = BASE + (
    '[parameters]\nn_employees = 40\n[levers]\nplan = ["none", "training", "culture"]\n'
    "{lever}\n"
    '[[plans.training]]\nkind = "training_day"\nstart = 2\n'
    "hours_per_participant_week = 8\ndirect_cost_per_participant_week = 300\n"
    '[[plans.culture]]\nkind = "language"\nstart = 2\nhours_per_participant_week = 0.5\n'
    '[[plans.free]]\nkind = "language"\nstart = 2\n'
)


@pytest.mark.parametrize(
    "lever, message",
    [
        (
            'price_multiplier = { plan = "culture", values = [0.5, 0] }',
            r"levers\.price_multiplier\.values\[1\]: must be above 0, got 0",
        ),
        (
            'price_multiplier = { plan = "culture", values = [] }',
            r"levers\.price_multiplier\.values: .*at least 1 item",
        ),
        (
            'price_multiplier = { plan = "culture", values = [1, 1] }',
            r"levers\.price_multiplier\.values: each multiplier may be listed once",
        ),
        (
            'price_multiplier = { plan = "culture", values = [1, inf] }',
            r"levers\.price_multiplier\.values\.1: Input should be a finite number",
        ),
        (
            'price_multiplier = { plan = "culture", value = [1, 2] }',
            r"levers\.price_multiplier\.value: unknown key",
        ),
        (
            'price_multiplier = { plan = "cultur", values = [1, 2] }',
            r"levers\.price_multiplier\.plan: 'cultur' is not a plan of levers\.plan that "
            r"does something; plans: training, culture",
        ),
        (
            'price_multiplier = { plan = "none", values = [1, 2] }',
            r"levers\.price_multiplier\.plan: 'none' is not a plan of levers\.plan",
        ),
        (
            'price_multiplier = { plan = "culture", values = [0.01, 1] }\nbudget = 3000',
            r"levers\.budget: plan 'culture' at 0\.01 times its price at 3,000: .*coverage",
        ),
    ],
)
def test_a_price_lever_is_checked_naming_its_key(tmp_path, lever, message):
    path = write_spec(tmp_path, PRICED.format(lever=lever), "mine.toml")
    with pytest.raises(SweepSpecError, match=message) as caught:
        load_sweep(path)
    assert str(caught.value).startswith(str(path))


def test_a_price_lever_needs_plans_and_a_plan_that_costs_something(tmp_path):
    alone = BASE + '[levers]\nprice_multiplier = { plan = "training_day", values = [1, 2] }\n'
    with pytest.raises(SweepSpecError, match=r"price_multiplier: varying a plan's price needs"):
        load_sweep(write_spec(tmp_path, alone))
    free = PRICED.format(lever='price_multiplier = { plan = "free", values = [1, 2] }')
    free = free.replace('"training", "culture"]', '"training", "free"]')
    with pytest.raises(SweepSpecError, match=r"'free' costs nothing as specified"):
        load_sweep(write_spec(tmp_path, free))


def test_a_price_lever_reprices_one_plan_and_budgets_still_hold(tmp_path):
    lever = 'price_multiplier = { plan = "culture", values = [0.5, 2.0] }\nbudget = 1500'
    sweep = load_sweep(write_spec(tmp_path, PRICED.format(lever=lever)))
    assert [f.name for f in sweep.lists] == ["plan", "budget", "price_multiplier"]
    assert len(sweep.design()) == 3 * 2 * 1  # plans x multipliers x one replication
    run_sweep(sweep, tmp_path / "out", SerialExecutor())
    runs = read_runs(tmp_path / "out").set_index(["plan", "price_multiplier"])
    # Every paying plan is scaled to the budget, whatever its price ...
    np.testing.assert_allclose(runs.loc[["training", "culture"], "plan_cost"], 1500.0)
    # ... so the dearer culture change reaches a quarter of the employees the cheaper does,
    # while the training day (not repriced) runs identically at both multipliers.
    context = sweep.context()
    params = sweep.setup.params.replace(n_employees=40, horizon_weeks=5)
    cheap, _ = context.schedule(params, "culture", 1500.0, 0.5)
    dear, _ = context.schedule(params, "culture", 1500.0, 2.0)
    assert cheap[0].coverage.share == pytest.approx(4 * dear[0].coverage.share)
    assert dear[0].hours_per_participant_week == 1.0
    day = runs.loc["training"]
    assert day.loc[0.5, "final_mean_attitude"] == day.loc[2.0, "final_mean_attitude"]
