"""Faults and bad input (issue 21): each ends in one `error:` line, a non-zero exit, nothing
half-written and nothing lost.

Output folders: one writer at a time (a lock that names its holder), and only into a folder
the command recognizes as its own; duplicate levels and self-managers; a full disk; workers
that outlive their sweep; oversized and deeply nested TOML; a byte-order mark; text and
true/false where numbers belong; Dask addresses, corrupt results folders and unbounded
options; the CSV formula guard on a round trip.
"""

from __future__ import annotations

import base64
import io
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.loading.files import MAX_TOML_BYTES, MAX_TOML_DEPTH, toml_depth
from eachcustomer.experiments.loading.scenario_files import ScenarioError, load_scenario
from eachcustomer.experiments.loading.sweeps import SweepSpecError, load_sweep
from eachcustomer.sim.orgchart import OrgChartError, load_org_chart

runner = CliRunner()
SPEC = 'title = "t"\nseed = 1\nweeks = 3\nreplications = 1\n'
HEADER = "employee_id,manager_id,department,customer_facing\n"


@pytest.fixture(autouse=True)
def wide(monkeypatch):
    """Messages on one line (rich wraps at the terminal's width, 80 without one)."""
    monkeypatch.setenv("COLUMNS", "1000")


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(arguments: list[str], message: str) -> str:
    """Run the command; it must end in one `error:` line naming `message`, exit 2."""
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("error: "), result.output
    assert message in result.output, result.output
    return result.output


# --- 3. duplicate levels, self-managers ---------------------------------------------------


@pytest.mark.parametrize(
    "body, key",
    [
        ("[parameters]\nboss_weight = [1, 1]\n", "parameters.boss_weight[1]"),
        ("[parameters]\nn_employees = [50, 60, 50]\n", "parameters.n_employees[2]"),
        (
            '[levers]\nplan = ["none", "t"]\nbudget = [100, 100.0]\n'
            '[[plans.t]]\nkind = "training_day"\n',
            "levers.budget[1]",
        ),
    ],
)
def test_a_level_listed_twice_is_refused_naming_file_and_key(tmp_path, body, key):
    path = write(tmp_path / "spec.toml", SPEC + body)
    with pytest.raises(SweepSpecError, match="listed twice") as error:
        load_sweep(path)
    assert str(error.value).startswith(f"{path}: {key}: ")


def test_an_employee_who_manages_themself_is_named_with_file_and_line(tmp_path):
    for chart in (HEADER + "1,1,a,yes\n2,1,a,no\n", HEADER + "1,,a,yes\n2,1,a,no\n3,3,a,no\n"):
        path = write(tmp_path / "org.csv", chart)
        with pytest.raises(OrgChartError) as error:
            load_org_chart(path)
        line, employee = ("line 2", "1") if chart.count(",1,a") == 2 else ("line 4", "3")
        assert str(error.value).startswith(
            f"org.csv: {line}: employee {employee} is listed as their own manager"
        )
        assert "no root" not in str(error.value) and "cycle" not in str(error.value)


# --- 6. TOML size and depth bounded before parsing -----------------------------------------


def test_a_key_thousands_of_levels_deep_is_refused_at_once(tmp_path):
    path = write(tmp_path / "deep.toml", 'title = "x"\n' + "a" + ".a" * 20_000 + " = 1\n")
    start = time.monotonic()
    with pytest.raises(
        ScenarioError, match=r"deep\.toml: keys nested 20,001 levels deep.*at most 32"
    ):
        load_scenario(path)
    assert time.monotonic() - start < 5  # tomllib alone takes over 30 s on this file


def test_nesting_counts_inline_tables_and_arrays_but_not_strings_or_headers():
    assert toml_depth('a.b.c = 1\n[x.y]\nz = {q = [1, [2]]}\ns = "a.b.c.d.e.f"\nf = 1.5\n') == 4
    assert toml_depth("[[t.u.v]]\n# a.b.c.d.e.f.g\n") == 3
    assert toml_depth("x = " + "[" * 40 + "]" * 40 + "\n") == 41
    assert toml_depth("k." * (MAX_TOML_DEPTH - 1) + "k = 1\n") == MAX_TOML_DEPTH


def test_the_shipped_toml_files_are_well_inside_the_bounds():
    root = Path(__file__).resolve().parent.parent
    for path in [*root.glob("scenarios/**/*.toml"), *root.glob("experiments/specs/**/*.toml")]:
        text = path.read_text(encoding="utf-8")
        assert toml_depth(text) <= 8, path
        assert len(text.encode()) < MAX_TOML_BYTES / 20, path


def test_a_huge_scenario_is_refused_without_being_read_whole(tmp_path, monkeypatch):
    path = tmp_path / "big.toml"
    with path.open("w") as handle:
        handle.write('title = "x"\ndescription = """')
        handle.write("x" * (MAX_TOML_BYTES + 10))
        handle.write('"""\n')
    refused(["run", str(path), "--steps", "1"], "big.toml: too large for a TOML file")


@pytest.mark.parametrize(
    "command",
    [
        ["run", "{file}", "--steps", "1"],
        ["sweep", "{file}", "--out", "{out}", "--dry-run"],
        ["plan", "{file}", "--out", "{out}", "--dry-run"],
        ["calibrate", "{file}", "--out", "{out}", "--dry-run"],
    ],
)
def test_every_toml_reader_applies_the_bounds(tmp_path, command):
    path = write(tmp_path / "deep.toml", SPEC + "x = " + "{a = " * 50 + "1" + "}" * 50 + "\n")
    out = tmp_path / "out"
    arguments = [part.format(file=path, out=out) for part in command]
    refused(arguments, "deep.toml: keys nested 51 levels deep")
    assert not out.exists()


# --- 7. byte-order marks, numbers that are text or true/false ------------------------------


def test_a_scenario_with_a_byte_order_mark_runs(tmp_path):
    path = write(
        tmp_path / "bom.toml", b'\xef\xbb\xbftitle = "BOM"\n[organization]\nemployees = 40\n'
    )
    assert load_scenario(path).params.n_employees == 40
    spec = write(
        tmp_path / "spec.toml", b"\xef\xbb\xbf" + SPEC.encode() + b'scenario = "bom.toml"\n'
    )
    assert load_sweep(spec).runs == 1


@pytest.mark.parametrize(
    "text, key, kind",
    [
        ('[organization]\nemployees = "500"\n', "organization.employees", "text"),
        ("[parameters]\nnegativity_bias = true\n", "parameters.negativity_bias", "true or false"),
        ('[parameters]\nn_employees = "50"\n', "parameters.n_employees", "text"),
        (
            '[[interventions]]\nkind = "training_day"\nstrength = "0.5"\n',
            "interventions.0.strength",
            "text",
        ),
        (
            '[[interventions]]\nkind = "training_day"\ncoverage = { levels = [1, true] }\n',
            "interventions.0.coverage.levels",
            "true or false",
        ),
        ("seed = false\n", "seed", "true or false"),
    ],
)
def test_text_or_true_where_a_number_belongs_is_refused_naming_the_key(tmp_path, text, key, kind):
    path = write(tmp_path / "s.toml", 'title = "x"\n' + text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert f"s.toml: {key}: Input should be " in str(error.value)
    assert kind in str(error.value)


@pytest.mark.parametrize(
    "body, key",
    [
        ('replications = "2"\n', "replications"),
        (
            '[design]\nkind = "lhs"\nsamples = true\n'
            "[parameters]\nboss_weight = {low = 1, high = 2}\n",
            "design.samples",
        ),
        ("[parameters]\nboss_weight = true\n", "parameters.boss_weight"),
        (
            '[levers]\nplan = ["none", "t"]\nbudget = "100"\n[[plans.t]]\nkind = "training_day"\n',
            "levers.budget",
        ),
    ],
)
def test_sweep_specs_refuse_text_or_true_for_numbers(tmp_path, body, key):
    text = SPEC.replace("replications = 1\n", "") if body.startswith("replications") else SPEC
    path = write(tmp_path / "spec.toml", text + body)
    with pytest.raises(SweepSpecError, match=rf"spec\.toml: {key}"):
        load_sweep(path)


def test_plan_search_specs_refuse_text_for_numbers(tmp_path):
    from eachcustomer.experiments.loading.catalogue import builtins
    from eachcustomer.experiments.planfinder.checks import load_plan_search
    from eachcustomer.experiments.planfinder.problem import PlanSpecError

    text = builtins("plan_finder")["plan_finder"].read_text(encoding="utf-8")
    text = text.replace("replications = ", 'replications = "', 1)
    line = next(line for line in text.splitlines() if line.startswith('replications = "'))
    text = text.replace(line, line + '"')
    path = write(tmp_path / "plan.toml", text)
    with pytest.raises(PlanSpecError, match=r"plan\.toml: replications: Input should be a number"):
        load_plan_search(path)


# --- 9. the formula guard does not change what a re-run reads ---------------------------------


def test_an_exported_department_named_like_a_formula_reruns_identically(tmp_path):
    from eachcustomer.dashboard.exports import scenario_download
    from eachcustomer.dashboard.runs import advance
    from eachcustomer.dashboard.settings import build_setup, default_settings
    from eachcustomer.dashboard.uploads import check_chart
    from eachcustomer.experiments.running.runs import run_model

    rows = "".join(f"{i},1,{'=X' if i % 2 else 'sales'},true\n" for i in range(2, 40))
    chart = HEADER + "1,,=X,false\n" + rows
    upload = "data:text/csv;base64," + base64.b64encode(chart.encode()).decode()
    check = check_chart(upload, "c.csv", settings=default_settings())
    settings = {
        **default_settings(),
        "chart": check.chart,
        "seed": 3,
        "overrides": {"horizon_weeks": 12},
        "interventions": [{"kind": "language", "coverage": {"departments": ["=X"]}}],
    }
    assert build_setup(settings).org.department_names == ("=X", "sales")
    download = scenario_download(settings)
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(download["content"]))) as archive:
        archive.extractall(tmp_path)
    [csv_file] = tmp_path.glob("*/c.csv")
    assert "'=X" in csv_file.read_text()  # the guard is written ...
    [toml] = tmp_path.glob("*/scenario.toml")
    exported = load_scenario(toml, seed=3)
    assert exported.org.department_names == ("=X", "sales")  # ... and read back without it
    run = run_model(exported.params, 3, org=exported.org, interventions=exported.interventions)
    shown = advance(settings, None, "run")["table"]
    np.testing.assert_allclose(
        run.series[list(shown)].to_numpy(float), np.array(list(shown.values()), float).T, atol=1e-8
    )
    result = runner.invoke(app, ["run", str(toml), "--seed", "3", "--out", str(tmp_path / "w.csv")])
    assert result.exit_code == 0, result.output
