"""The search itself: it recovers a known best split, replays from its seed, resumes after a
fault or a kill to the same front, and its recommended plan re-runs to the same numbers."""

from __future__ import annotations

import copy
import math
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import tomli_w
from test_plan_finder_spec import TINY
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.loading.scenario_files import load_scenario
from eachcustomer.experiments.planfinder.checks import load_plan_search, parse_plan_search
from eachcustomer.experiments.planfinder.finder import find_plan
from eachcustomer.experiments.running.executors import ProcessExecutor, SerialExecutor
from eachcustomer.experiments.running.runs import run_model
from eachcustomer.experiments.running.store import StoreError
from eachcustomer.sim.budget import intervention_cost
from eachcustomer.sim.interventions import Intervention

REPO = Path(__file__).resolve().parents[1]

# --- a stand-in with a known best split ------------------------------------------------------

KNOWN = {
    "title": "known best split",
    "seed": 11,
    "weeks": 40,
    "replications": 4,
    "parameters": {"n_employees": 100},
    "budget": {"amount": 5000},
    "levers": {
        "language": {
            "coverage": ["all", "back office"],
            "start": {"low": 1, "high": 17, "step": 8},
        },
        "incentive_alignment": {"start": {"low": 1, "high": 17, "step": 8}},
    },
    "objectives": [
        {"outcome": "recent_annual_customer_loss"},
        {"outcome": "recent_annual_customer_loss", "statistic": "percentile", "percentile": 90},
    ],
    "search": {
        "population": 16,
        "generations": 15,
        "validation_replications": 3,
        "library_check": False,
    },
}


@dataclass(frozen=True)
class KnownResponse:
    """A stand-in for the model, evaluated through the same search code.

    Customers lost = 1 - 3 sqrt(a) g_a - 2 sqrt(b) g_b + luck(seed), where a and b are the
    shares of the budget spent on language and incentive alignment. Language works fully
    in the back office from week 9 (g_a = 1; 0.6 for all staff, less for other weeks);
    incentive alignment best from week 1. The best split maximizes 3 sqrt(a) + 2 sqrt(1 - a):
    a = 9 / 13 = 0.69, which on steps of 5% is 70% / 30% (3.6054 against 3.6019 at 65% and
    3.5981 at 75%). The luck is the same for every plan on a seed (common random numbers).
    """

    problem: Any

    def execute(self, task: dict[str, Any]) -> tuple[dict[str, Any], None]:
        problem = self.problem
        budget = problem.spec.budget.amount
        gain = 0.0
        for item in task["plan"]:
            spent = intervention_cost(item, problem.org, problem.params, problem.weeks) / budget
            if item.kind == "language":
                where = 1.0 if item.coverage.departments else 0.6
                gain += 3 * math.sqrt(spent) * where * (1 - abs(item.start - 9) / 40)
            elif item.kind == "incentive_alignment":
                gain += 2 * math.sqrt(spent) * (1 - (item.start - 1) / 40)
        luck = [np.random.default_rng(seed).normal(0, 0.05) for seed in task["seeds"]]
        values = {
            "recent_annual_customer_loss": [1.0 - gain + noise for noise in luck],
            "spend_total": [budget] * len(luck),
        }
        return {
            "run_id": task["run_id"],
            "key": task["key"],
            "status": "ok",
            "error": None,
            "values": values,
        }, None


def test_the_search_recovers_a_known_best_split(tmp_path):
    problem = parse_plan_search(KNOWN)
    report = find_plan(problem, tmp_path / "out", SerialExecutor(), context=KnownResponse(problem))
    chosen = report.result.candidates[report.recommended_key]
    parts = {part.kind: part for part in chosen.choice.parts}
    assert parts["language"].units == 14 and parts["incentive_alignment"].units == 6  # 70/30
    language = problem.encoding.lever("language")
    assert language.coverages[parts["language"].coverage].name == "back office"
    assert parts["language"].start == 9 and parts["incentive_alignment"].start == 1
    assert "70% on 'each customer' language for the back office from week 9" in report.sentence
    assert "30% on customer outcomes in evaluations for all staff from week 1" in report.sentence
    # The hypervolume never falls: it measures everything found so far.
    hypervolume = report.result.convergence["hypervolume"].to_numpy()
    assert (np.diff(hypervolume) >= 0).all() and hypervolume[-1] > hypervolume[0]


def test_without_the_search_a_random_plan_of_equal_effort_misses_the_split(tmp_path):
    # The check can fail: one generation of random plans does not find the best one.
    one = copy.deepcopy(KNOWN)
    one["search"]["generations"] = 1
    problem = parse_plan_search(one)
    report = find_plan(problem, tmp_path / "out", SerialExecutor(), context=KnownResponse(problem))
    chosen = report.result.candidates[report.recommended_key].choice
    found = {(p.kind, p.units, p.coverage, p.start) for p in chosen.parts}
    assert found != {("language", 14, 1, 9), ("incentive_alignment", 6, 0, 1)}


# --- the real model on a tiny organization ---------------------------------------------------

SMALL = copy.deepcopy(TINY)
SMALL["search"] = {
    "population": 6,
    "generations": 3,
    "validation_replications": 2,
    "finalists": 3,
    "first_replications": 3,
    "replication_cap": 6,
}
SMALL["parameters"]["n_employees"] = 40
SMALL["weeks"] = 12


def small_problem() -> Any:
    return parse_plan_search(SMALL)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("search") / "whole"
    report = find_plan(small_problem(), out, SerialExecutor())
    return out, report


def outputs(folder: Path) -> dict[str, pd.DataFrame]:
    return {
        "front": pd.read_parquet(folder / "front.parquet"),
        "generations": pd.read_parquet(folder / "generations.parquet"),
        "convergence": pd.read_csv(folder / "convergence.csv"),
    }


def assert_same_search(first: Path, second: Path) -> None:
    for name, table in outputs(first).items():
        pd.testing.assert_frame_equal(outputs(second)[name], table, obj=name)
    assert (first / "recommended.toml").read_text() == (second / "recommended.toml").read_text()


def test_the_whole_search_writes_its_outputs(uninterrupted):
    out, report = uninterrupted
    for name in (
        "front.parquet",
        "front.html",
        "convergence.csv",
        "convergence.html",
        "candidates.parquet",
        "generations.parquet",
        "recommended.toml",
        "recommended.md",
        "plotly.min.js",
        "manifest.json",
    ):
        assert (out / name).is_file(), name
    front = pd.read_parquet(out / "front.parquet")
    assert front["recommended"].sum() == 1
    assert (front["plan_cost"] <= 5000 * (1 + 1e-9)).all()
    assert len(pd.read_csv(out / "convergence.csv")) == 3
    generations = pd.read_parquet(out / "generations.parquet")
    assert sorted(generations["generation"].unique()) == [1, 2, 3]
    text = (out / "recommended.md").read_text()
    assert report.sentence in text and "95% interval" in text
    assert "plotly" in (out / "front.html").read_text()[:5000].lower()


def test_the_same_seed_replays_the_same_search(uninterrupted, tmp_path):
    first, _ = uninterrupted
    find_plan(small_problem(), tmp_path / "again", SerialExecutor())
    assert_same_search(first, tmp_path / "again")


def test_a_process_pool_finds_what_one_process_finds_and_starts_once(uninterrupted, tmp_path):
    first, _ = uninterrupted
    executor = ProcessExecutor(2, start="at_once")
    find_plan(small_problem(), tmp_path / "pool", executor)
    assert_same_search(first, tmp_path / "pool")
    # One pool served every generation and check (each an `evaluate` call of its own).
    generations = pd.read_parquet(tmp_path / "pool" / "generations.parquet")["generation"]
    assert generations.nunique() > 1
    assert executor.pools_started == 1 and executor.pool is None  # started once, closed


def test_a_pool_that_starts_partway_finds_what_one_process_finds(
    uninterrupted, tmp_path, monkeypatch
):
    from eachcustomer.experiments.running import executors

    first, _ = uninterrupted
    # A pool that starts for free pays as soon as one candidate has been timed here.
    monkeypatch.setattr(executors, "POOL_START_S", 0.0)
    executor = ProcessExecutor(2)
    find_plan(small_problem(), tmp_path / "partway", executor)
    assert_same_search(first, tmp_path / "partway")
    assert executor.pools_started == 1 and executor.tasks_here == 1


def test_a_dask_cluster_finds_what_one_process_finds(uninterrupted, tmp_path):
    distributed = pytest.importorskip("distributed")
    from eachcustomer.experiments.running.executors import DaskExecutor

    first, _ = uninterrupted
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        find_plan(small_problem(), tmp_path / "dask", DaskExecutor(client=client))
        assert client.status == "running"  # one client for every generation, not closed
    assert_same_search(first, tmp_path / "dask")


class InjectedError(RuntimeError):
    pass


def test_a_fault_at_an_evaluation_resumes_to_the_same_front(uninterrupted, tmp_path):
    first, whole = uninterrupted
    out = tmp_path / "faulty"

    def fail_at_seventh(tally):
        if tally.fresh == 7:
            raise InjectedError("the seventh evaluation dies")

    with pytest.raises(InjectedError):
        find_plan(small_problem(), out, SerialExecutor(), on_evaluated=fail_at_seventh)
    assert len(list((out / "evaluations").glob("*.json"))) == 7
    report = find_plan(small_problem(), out, SerialExecutor())
    assert report.tally.cached == 7 + (whole.tally.cached)
    assert report.tally.fresh == whole.tally.fresh - 7
    assert_same_search(first, out)


def test_a_folder_of_another_search_is_refused(uninterrupted):
    first, _ = uninterrupted
    other = copy.deepcopy(SMALL)
    other["seed"] = 4
    with pytest.raises(StoreError, match="holds another plan search .* the spec changed"):
        find_plan(parse_plan_search(other), first, SerialExecutor())


def test_a_killed_command_resumes_to_the_same_front(uninterrupted, tmp_path):
    first, whole = uninterrupted
    spec = tmp_path / "spec.toml"
    spec.write_text(tomli_w.dumps(SMALL))
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "eachcustomer", "plan", str(spec), "--out", str(out)]
    process = subprocess.Popen([*command, "--workers", "1"], cwd=REPO, stdout=subprocess.DEVNULL)
    evaluations = out / "evaluations"
    deadline = time.monotonic() + 120
    while not (evaluations.is_dir() and len(list(evaluations.glob("*.json"))) >= 3):
        assert process.poll() is None, "the search ended before it could be killed"
        assert time.monotonic() < deadline, "no evaluation was written"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    done = len(list(evaluations.glob("*.json")))
    assert 3 <= done < len(list((first / "evaluations").glob("*.json")))
    assert not (out / "front.parquet").exists()
    rerun = subprocess.run(
        [*command, "--workers", "1"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    said = " ".join(rerun.stdout.split())
    assert "from the cache" in said and f"{whole.heading}:" in said
    assert_same_search(first, out)


# --- the recommended plan as a scenario ---------------------------------------------------------


def test_the_exported_scenario_reruns_to_the_searchs_numbers(uninterrupted, tmp_path):
    out, report = uninterrupted
    problem = report.problem
    setup = load_scenario(out / "recommended.toml")
    assert setup.params == problem.params
    assert setup.interventions == report.recommended_plan
    assert setup.plans["recommended"] == report.recommended_plan
    from eachcustomer.experiments.planfinder.evaluation import plan_key
    from eachcustomer.experiments.planfinder.folder import SearchFolder

    folder = SearchFolder(out)
    fresh = folder.read(plan_key(report.recommended_plan, problem.validation_seeds))
    seed = problem.validation_seeds[1]
    again = run_model(setup.params, seed, interventions=setup.interventions)
    for name, values in fresh["values"].items():
        assert again.record[name] == values[1], name
    # And through the command line, as a user would.
    weekly = tmp_path / "weekly.csv"
    result = CliRunner().invoke(
        app, ["run", str(out / "recommended.toml"), "--seed", str(seed), "--out", str(weekly)]
    )
    assert result.exit_code == 0, result.output
    from eachcustomer.experiments.running.runs import summarize

    record = summarize(pd.read_csv(weekly))
    assert record["recent_annual_customer_loss"] == pytest.approx(
        fresh["values"]["recent_annual_customer_loss"][1], rel=1e-12
    )
    assert record["net_revenue"] == pytest.approx(fresh["values"]["net_revenue"][1], rel=1e-12)


def test_the_exported_interventions_keep_every_field(uninterrupted):
    out, report = uninterrupted
    text = (out / "recommended.toml").read_text()
    assert "[[interventions]]" in text and "[[plans.recommended]]" in text
    reread = load_scenario(out / "recommended.toml").interventions
    assert all(isinstance(item, Intervention) for item in reread)
    assert [i.model_dump() for i in reread] == [i.model_dump() for i in report.recommended_plan]


def test_the_shipped_example_names_a_spec_the_command_checks(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")
    spec = REPO / "experiments" / "specs" / "plan_finder.toml"
    result = CliRunner().invoke(app, ["plan", str(spec), "--out", str(tmp_path / "o"), "--dry-run"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "NSGA-II, 24 plans x 15 generations, each on 8 replications" in said
    assert load_plan_search(spec).spec.budget.amount == 60000


def assert_matches_dominate(problem, library: pd.DataFrame, front: pd.DataFrame) -> int:
    """Every library plan's match is at least as good on every objective on the search's
    seeds (the front's `search_*` columns); how many matched."""
    names = [o.name for o in problem.objectives]
    signs = np.array([1.0 if o.minimize else -1.0 for o in problem.objectives])
    matched = library[library["matched_by"].notna() & (library["matched_by"] != "")]
    for _, row in matched.iterrows():
        searched = [f"search_{name}" for name in names]
        found = front.loc[row["matched_by"], searched].to_numpy(dtype=float) * signs
        assert (found <= row[names].to_numpy(dtype=float) * signs).all(), row["plan"]
    return len(matched)


def test_the_library_check_matches_plans_at_least_as_good_and_rechecks_them(tmp_path):
    spec = copy.deepcopy(KNOWN)
    spec["search"]["library_check"] = True
    problem = parse_plan_search(spec)
    report = find_plan(problem, tmp_path / "out", SerialExecutor(), context=KnownResponse(problem))
    library = pd.read_csv(tmp_path / "out" / "library.csv")
    front = pd.read_parquet(tmp_path / "out" / "front.parquet").set_index("key")
    # The stand-in rewards only language and incentives: every library plan is beaten.
    assert assert_matches_dominate(problem, library, front) == len(library)
    best = library[library["library_front"]]
    assert len(best) >= 1 and best["fresh_at_least_as_good"].astype(bool).all()
    for name in best["plan"]:
        [said] = [s for s in report.library_notes if f"library's {name} " in s]
        assert "and on fresh seeds it does better on every objective" in said
        assert "customers lost per year, last quarter" in said and "95% interval" in said


def test_the_library_check_compares_like_with_like(tmp_path):
    spec = copy.deepcopy(SMALL)
    spec["weeks"] = 30  # the library's plans start in week 26
    spec["levers"]["training_day"]["start"] = {"low": 1, "high": 26, "step": 5}
    spec["search"]["library_check"] = True
    problem = parse_plan_search(spec)
    report = find_plan(problem, tmp_path / "out", SerialExecutor())
    library = pd.read_csv(tmp_path / "out" / "library.csv")
    assert set(library["plan"]) >= {"training_day", "culture_change"}
    assert (library["plan_cost"] - 5000).abs().max() <= 50  # within 1% of the budget
    assert any(
        "aligned_incentives cannot be brought to a budget" in n for n in report.library_notes
    )
    front = pd.read_parquet(tmp_path / "out" / "front.parquet").set_index("key")
    assert_matches_dominate(problem, library, front)
    for _, row in library[library["library_front"]].iterrows():
        said = [s for s in report.library_notes if f"library's {row['plan']} " in s]
        assert len(said) == 1
        if isinstance(row["matched_by"], str):
            assert "95% interval" in said[0] and isinstance(row["fresh_at_least_as_good"], bool)


def test_with_a_posterior_the_recommended_plan_reruns_with_its_draw(tmp_path):
    from test_plan_finder_spec import calibration

    from eachcustomer.experiments.planfinder.evaluation import plan_key
    from eachcustomer.experiments.planfinder.folder import SearchFolder
    from eachcustomer.experiments.running.runs import summarize

    calibration(tmp_path / "calibration")
    spec = tmp_path / "spec.toml"
    spec.write_text(tomli_w.dumps({**SMALL, "posterior": "calibration"}))
    problem = load_plan_search(spec)
    out = tmp_path / "out"
    report = find_plan(problem, out, SerialExecutor())
    fresh = SearchFolder(out).read(plan_key(report.recommended_plan, problem.validation_seeds))
    seed = problem.validation_seeds[0]
    weekly = tmp_path / "weekly.csv"
    arguments = ["run", str(out / "recommended.toml"), "--seed", str(seed), "--out", str(weekly)]
    result = CliRunner().invoke(app, [*arguments, "--posterior", str(tmp_path / "calibration")])
    assert result.exit_code == 0, result.output
    record = summarize(pd.read_csv(weekly))
    assert record["net_revenue"] == pytest.approx(fresh["values"]["net_revenue"][0], rel=1e-12)
    # The draw matters: the same seed without it gives other attitudes.
    drawn = problem.params.model_copy(update=problem.draws[seed])
    assert drawn.negativity_bias != problem.params.negativity_bias
    with_draw = run_model(drawn, seed, interventions=report.recommended_plan).record
    plain = run_model(problem.params, seed, interventions=report.recommended_plan).record
    assert record["final_mean_attitude"] == pytest.approx(with_draw["final_mean_attitude"])
    assert plain["final_mean_attitude"] != with_draw["final_mean_attitude"]
