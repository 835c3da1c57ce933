"""What a command imports: each loads what it uses and nothing else (issue 22, many small runs).

Imports are most of the cost of a short run (benchmarks/RESULTS.md, "Issue 22"). Each check runs
in a fresh interpreter and reads `sys.modules` at the end, so it pins what was imported
without timing anything; each also checks that the command did its work, so a command
that failed early cannot pass by importing little.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from test_timeline import SCENARIO as TIMELINE_SCENARIO
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.loading.files import write_table
from eachcustomer.experiments.loading.scenario_files import load_scenario
from eachcustomer.experiments.running.runs import run_model

SWEEPS_AND_DASHBOARD = (
    "dash",
    "plotly",
    "dask",
    "distributed",
    "SALib",
    "pymoo",
    "scipy.stats",
    "matplotlib",
    "pyabc",
    "ema_workbench",
    "solara",
)
"""Packages of sweeps, analyses and the dashboard: no run or model needs one."""

MESA_ONLY = ("mesa", "scipy.spatial", "networkx", "tqdm")
"""What Mesa 3.3 loads with its own package (its spaces and batch runner): a run without
the Mesa model needs none of them."""

REPORT = """
import json, sys
from eachcustomer.cli import app

code = 0
try:
    app(sys.argv[2:])
except SystemExit as stop:
    code = stop.code
imported = [name for name in json.loads(sys.argv[1]) if name in sys.modules]
print(json.dumps({"code": code, "imported": imported}))
"""


def command_imports(arguments: list[str], watched: tuple[str, ...], tmp_path) -> dict:
    """Run `eachcustomer ARGUMENTS` in a fresh interpreter: its exit code and the `watched`
    modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", REPORT, json.dumps(watched), *arguments],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "output": done.stdout}


def test_help_loads_neither_numpy_nor_the_model(tmp_path):
    heavy = ("numpy", "numba", "pandas", "pydantic", "scipy", "eachcustomer.sim.params")
    reported = command_imports(["--help"], heavy + SWEEPS_AND_DASHBOARD + MESA_ONLY, tmp_path)
    assert reported["code"] == 0
    assert "dashboard" in reported["output"]  # the help was printed
    assert reported["imported"] == []


TABLES = ("pandas", "pyarrow")
"""What a table loads: a run keeps its weekly outputs as an array, prints its summary from
it and writes a CSV from it; only a Parquet file needs them (pyarrow writes it)."""


@pytest.mark.parametrize("out", [None, "weekly.csv"])
def test_a_run_loads_neither_mesa_nor_pandas_nor_the_sweeps_and_dashboard(tmp_path, out):
    watched = ("eachcustomer.sim.batch", "defusedxml", *TABLES, *SWEEPS_AND_DASHBOARD, *MESA_ONLY)
    arguments = ["run", "--steps", "3", "--employees", "30"]
    reported = command_imports(
        arguments + ([] if out is None else ["--out", out]), watched, tmp_path
    )
    assert reported["code"] == 0
    assert "Mean attitude by distance" in reported["output"]
    if out is not None:
        assert len(pd.read_csv(tmp_path / out)) == 4  # week 0 and three weeks run
    # the model did run; the org chart reader (defusedxml) is for GraphML files only
    assert reported["imported"] == ["eachcustomer.sim.batch"]


def test_a_parquet_file_is_what_loads_pandas_and_pyarrow(tmp_path):
    arguments = ["run", "--steps", "3", "--employees", "30", "--out", "weekly.parquet"]
    reported = command_imports(arguments, ("eachcustomer.sim.batch", *TABLES), tmp_path)
    assert reported["code"] == 0
    assert len(pd.read_parquet(tmp_path / "weekly.parquet")) == 4
    assert reported["imported"] == ["eachcustomer.sim.batch", *TABLES]


def test_the_mesa_model_loads_no_sweep_or_dashboard_package():
    probe = (
        "import json, sys\n"
        "from eachcustomer.sim.model import OrgModel\n"
        "OrgModel(n_employees=20, rng=1).step()\n"
        "print(json.dumps([m for m in json.loads(sys.argv[1]) if m in sys.modules]))"
    )
    watched = ("mesa", *SWEEPS_AND_DASHBOARD)
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(watched)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["mesa"]


def test_listing_the_scenarios_reads_them_without_the_kernels(tmp_path):
    """`eachcustomer scenarios` reads every built-in scenario file (its individuals too,
    `eachcustomer.sim.individuals`) and compiles nothing: no numba, no simulation state."""
    watched = ("numba", "eachcustomer.sim.state", "eachcustomer.sim.individuals", "pandas")
    reported = command_imports(["scenarios"], watched + SWEEPS_AND_DASHBOARD + MESA_ONLY, tmp_path)
    assert reported["code"] == 0
    assert "equal_budget" in reported["output"]  # the table was printed
    assert reported["imported"] == ["eachcustomer.sim.individuals"]


@pytest.mark.parametrize(
    ("scenario", "options", "feature"),
    [
        (
            "equal_budget",
            ["--plan", "culture_change", "--steps", "9", "--seed", "5"],
            "interventions",
        ),
        ("timeline.toml", ["--steps", "20"], "timeline"),  # run by the Mesa model
        ("krackhardt", ["--steps", "6", "--seed", "2"], "org"),  # an org chart's departments
    ],
)
def test_the_command_writes_the_mesa_models_table_byte_for_byte(
    tmp_path, scenario, options, feature
):
    """`eachcustomer run` steps a batch of one, not `OrgModel`, and writes its CSV from the
    array, without pandas: the same file, byte for byte, as the Mesa model's table through
    pandas (`write_table`)."""
    if scenario == "timeline.toml":
        scenario = str(tmp_path / scenario)
        (tmp_path / "timeline.toml").write_text(TIMELINE_SCENARIO)
    out = tmp_path / "command.csv"
    result = CliRunner().invoke(app, ["run", scenario, *options, "--out", str(out)])
    assert result.exit_code == 0, result.output
    plan = options[options.index("--plan") + 1] if "--plan" in options else None
    seed = int(options[options.index("--seed") + 1]) if "--seed" in options else None
    setup = load_scenario(scenario, plan=plan, seed=seed)
    assert getattr(setup, feature)  # what the case is there for is in it
    by_model = run_model(
        setup.params,
        setup.seed,
        org=setup.org,
        interventions=setup.interventions,
        individuals=setup.individuals,
        weeks=int(options[options.index("--steps") + 1]),
        timeline=setup.timeline,
    )
    expected = tmp_path / "model.csv"
    write_table(by_model.series, expected)
    assert out.read_bytes() == expected.read_bytes()
