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
import contextlib
import errno
import io
import os
import time
import zipfile
from pathlib import Path
from typing import Any

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


# --- 1. one writer per folder: a lock that names its holder ---------------------------------

SWEEP = SPEC.replace("replications = 1", "replications = 2") + (
    "[parameters]\nn_employees = 30\nnegativity_bias = [1.0, 2.0]\n"
    '[outcomes]\nfinal = ["mean_attitude"]\nseries = ["mean_attitude"]\n'
)
"""4 runs of 3 weeks of 30 employees: a sweep in well under a second once compiled."""

CALIBRATION = """
title = "tiny"
seed = 11
[parameters]
n_employees = 20
customers_per_employee = 6
[priors.base_churn]
distribution = "log_uniform"
low = 0.0005
high = 0.01
[targets.annual_customer_loss]
value = 0.15
accepted = [0.08, 0.30]
replications = 1
[abc]
population_size = 5
populations = 1
check_draws = 1
"""


def said(result) -> str:
    """What a command said, on one line per message, without rich's wrapping."""
    return " ".join(result.output.split())


@pytest.fixture
def holder():
    """A live process of this host that holds a lock: `sleep`, ended after the test."""
    import subprocess

    process = subprocess.Popen(["sleep", "120"])
    yield process.pid
    process.kill()
    process.wait()


def lock_held_by(folder: Path, pid: int, host: str | None = None) -> None:
    import json
    import socket

    folder.mkdir(parents=True, exist_ok=True)
    holder = {
        "pid": pid,
        "host": host or socket.gethostname(),
        "since": "2026-01-02T03:04:05+00:00",
        "command": "a sweep's results",
    }
    (folder / ".eachcustomer.lock").write_text(json.dumps(holder))


def commands(tmp_path: Path) -> dict[str, list[str]]:
    spec = write(tmp_path / "spec.toml", SWEEP)
    targets = write(tmp_path / "targets.toml", CALIBRATION)
    return {
        "sweep": ["sweep", str(spec), "--workers", "1"],
        "plan": ["plan", "plan_finder", "--workers", "1"],
        "calibrate": ["calibrate", str(targets), "--workers", "1"],
    }


@pytest.mark.parametrize("command", ["sweep", "plan", "calibrate"])
def test_a_second_writer_of_a_folder_is_refused_at_once_naming_the_holder(
    tmp_path, holder, command, monkeypatch
):
    import socket

    from eachcustomer.experiments.running import executors

    def no_work(*args, **kwargs):
        raise AssertionError("the second command did work")

    monkeypatch.setattr(executors.ProcessExecutor, "map", no_work)
    monkeypatch.setattr(executors.SerialExecutor, "map", no_work)
    out = tmp_path / "out"
    lock_held_by(out, holder)
    result = runner.invoke(app, [*commands(tmp_path)[command], "--out", str(out)])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    message = said(result)
    assert f"error: {out}: in use by eachcustomer a sweep's results (process {holder} on " in (
        message
    )
    assert f"on {socket.gethostname()}, since 2026-01-02T03:04:05+00:00" in message
    assert [path.name for path in out.iterdir()] == [".eachcustomer.lock"]  # nothing written


def test_a_lock_held_on_another_host_is_refused_and_says_how_to_free_it(tmp_path):
    out = tmp_path / "out"
    lock_held_by(out, 1, host="elsewhere.example")
    result = runner.invoke(app, [*commands(tmp_path)["sweep"], "--out", str(out)])
    assert result.exit_code != 0
    assert "on elsewhere.example" in said(result)
    assert f"remove {out / '.eachcustomer.lock'}" in said(result)


def test_a_lock_whose_process_is_gone_is_stale_and_taken_over(tmp_path):
    import subprocess

    from eachcustomer.experiments.running.store import read_runs

    gone = subprocess.Popen(["true"])
    gone.wait()  # its id names no process now
    out = tmp_path / "out"
    lock_held_by(out, gone.pid)
    result = runner.invoke(app, [*commands(tmp_path)["sweep"], "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(read_runs(out)) == 4
    assert not (out / ".eachcustomer.lock").exists()  # released at the end


def test_two_sweeps_into_one_folder_at_once_the_second_is_refused(tmp_path):
    import os
    import subprocess
    import sys

    from eachcustomer.experiments.running.store import read_runs

    spec = write(
        tmp_path / "long.toml",
        SWEEP.replace("weeks = 3", "weeks = 104").replace("replications = 2", "replications = 30"),
    )
    out = tmp_path / "out"
    first = subprocess.Popen(
        [sys.executable, "-m", "eachcustomer", "sweep", str(spec), "--out", str(out)]
        + ["--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "1000"},
    )
    try:
        deadline = time.monotonic() + 120
        while not (out / "manifest.json").exists() and first.poll() is None:
            assert time.monotonic() < deadline, "the first sweep never started"
            time.sleep(0.05)
        assert first.poll() is None, first.stdout.read().decode() if first.stdout else ""
        before = {path.name for path in (out / "runs").iterdir()}
        result = runner.invoke(app, ["sweep", str(spec), "--out", str(out), "--workers", "1"])
        assert result.exit_code != 0, result.output
        assert f"in use by eachcustomer a sweep's results (process {first.pid} on" in said(result)
        output, _ = first.communicate(timeout=600)
    finally:
        first.kill()
    assert first.returncode == 0, output.decode()
    assert before <= {path.name for path in (out / "runs").iterdir()}
    assert len(read_runs(out)) == 60 and read_runs(out)["status"].eq("ok").all()


def test_the_lock_is_reentrant_in_one_process_and_released_after(tmp_path):
    from eachcustomer.experiments.loading.folders import SWEEP as KIND
    from eachcustomer.experiments.loading.folders import claim_folder

    with claim_folder(tmp_path / "f", KIND), claim_folder(tmp_path / "f", KIND):
        assert (tmp_path / "f" / ".eachcustomer.lock").exists()
    assert not (tmp_path / "f" / ".eachcustomer.lock").exists()


# --- 2. each command writes only into a folder it recognizes ---------------------------------


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> Path:
    """A finished sweep's results folder."""
    folder = tmp_path_factory.mktemp("swept")
    spec = write(folder / "spec.toml", SWEEP)
    out = folder / "out"
    result = runner.invoke(app, ["sweep", str(spec), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return out


def user_files(folder: Path, *names: str) -> dict[str, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"the user's own " + name.encode())
    return {path.name: path.read_bytes() for path in folder.iterdir()}


@pytest.mark.parametrize(
    "command, files",
    [
        ("sweep", ["design.parquet"]),  # named like the store's own file
        ("sweep", ["notes.txt"]),
        ("plan", ["evaluations"]),
        ("calibrate", ["notes.txt"]),
        ("calibrate", ["summary.html"]),
    ],
)
def test_a_folder_of_other_files_is_refused_and_left_as_it_was(tmp_path, command, files):
    out = tmp_path / "mine"
    before = user_files(out, *files)
    result = runner.invoke(app, [*commands(tmp_path)[command], "--out", str(out)])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert f"error: {out}: holds files that are not " in said(result)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_a_sweep_refuses_the_folder_of_a_plan_search_or_a_calibration(tmp_path, swept):
    import json

    for kind in ("plan search", "calibration"):
        out = tmp_path / kind.replace(" ", "_")
        out.mkdir()
        (out / "manifest.json").write_text(json.dumps({"kind": kind}))
        result = runner.invoke(app, [*commands(tmp_path)["sweep"], "--out", str(out)])
        assert "holds files that are not a sweep's results" in said(result)
    result = runner.invoke(app, [*commands(tmp_path)["plan"], "--out", str(swept)])
    assert f"error: {swept}: holds files that are not a plan search's results" in said(result)


def test_analyze_writes_its_own_report_again_but_not_into_other_files(tmp_path, swept):
    first = runner.invoke(app, ["analyze", str(swept)])
    assert first.exit_code == 0, first.output
    assert (swept / "report" / "manifest.json").exists()
    again = runner.invoke(app, ["analyze", str(swept)])
    assert again.exit_code == 0, again.output
    elsewhere = tmp_path / "docs"
    before = user_files(elsewhere, "index.html", "thesis.tex")
    result = runner.invoke(app, ["analyze", str(swept), "--report", str(elsewhere)])
    assert result.exit_code != 0
    assert f"error: {elsewhere}: holds files that are not a sweep's report" in said(result)
    assert {path.name: path.read_bytes() for path in elsewhere.iterdir()} == before


def test_a_figures_folder_is_written_only_where_its_manifest_lists_the_files(tmp_path):
    from eachcustomer.experiments.loading.files import OutputPathError
    from eachcustomer.experiments.loading.folders import claim_figures

    folder = tmp_path / "figures"
    with claim_figures(folder, "headline") as files:
        files.path("headline.png").write_text("a figure")
    with claim_figures(folder, "headline") as files:  # its own file: written again
        files.path("headline.png").write_text("the figure again")
    (folder / "headline.html").write_text("the user's page")
    with (
        pytest.raises(OutputPathError, match="headline.html: exists and was not written"),
        claim_figures(folder, "headline") as files,
    ):
        files.path("headline.html")
    assert (folder / "headline.html").read_text() == "the user's page"
    other = tmp_path / "other"
    user_files(other, "photo.png")
    result = runner.invoke(app, ["headline", str(tmp_path), "--out", str(other)])
    assert f"error: {other}: holds files that are not figures" in said(result)


def test_a_sweep_killed_before_its_manifest_starts_again(tmp_path):
    from eachcustomer.experiments.running.store import read_runs

    spec = commands(tmp_path)["sweep"]
    out = tmp_path / "out"
    from eachcustomer.experiments.loading.folders import SWEEP as KIND
    from eachcustomer.experiments.loading.folders import mark_started

    mark_started(out, KIND)
    (out / "runs").mkdir()
    (out / "design.parquet").write_bytes(b"half of a design")
    result = runner.invoke(app, [*spec, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(read_runs(out)) == 4
    assert not (out / ".eachcustomer-start").exists()


# --- 4. a full or read-only disk: a message, and the work resumes -----------------------------

DISK_ERRORS = [
    (errno.ENOSPC, "no space left on", "free space and run the same command again to resume"),
    (errno.EDQUOT, "no space left on", "free space and run the same command again to resume"),
    (
        errno.EROFS,
        "cannot write in",
        "make the folder writable and run the same command again to resume",
    ),
    (
        errno.EACCES,
        "cannot write in",
        "make the folder writable and run the same command again to resume",
    ),
]


def failing_after(count: int, code: int, write: Any) -> Any:
    """`write` that raises OSError(code) from its `count`-th call on, as a full disk does."""
    calls = [0]

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] >= count:
            raise OSError(code, os.strerror(code))
        return write(*args, **kwargs)

    return failing


@pytest.mark.parametrize("code, what, advice", DISK_ERRORS)
def test_a_full_disk_during_a_sweep_is_an_error_line_and_the_sweep_resumes(
    tmp_path, monkeypatch, code, what, advice
):
    import pyarrow.parquet as pq

    from eachcustomer.experiments.running import store
    from eachcustomer.experiments.running.store import read_runs, read_series

    spec = commands(tmp_path)["sweep"]
    clean, out = tmp_path / "clean", tmp_path / "out"
    assert runner.invoke(app, [*spec, "--out", str(clean)]).exit_code == 0
    monkeypatch.setattr(store.pq, "write_table", failing_after(4, code, pq.write_table))
    result = runner.invoke(app, [*spec, "--out", str(out)])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    message = said(result)
    assert f"error: {what} {out} (" in message and message.endswith(advice), message
    assert not list(out.rglob("*.tmp"))  # nothing half-written
    monkeypatch.undo()
    assert 0 < len(read_runs(out)) < 4  # what was finished is kept
    again = runner.invoke(app, [*spec, "--out", str(out)])
    assert again.exit_code == 0, again.output
    columns = ["run_id", "seed", "status", "final_mean_attitude"]
    assert read_runs(out)[columns].equals(read_runs(clean)[columns])
    assert read_series(out).equals(read_series(clean))


def test_a_full_disk_during_a_plan_search_is_an_error_line(tmp_path, monkeypatch):
    from eachcustomer.experiments.planfinder.folder import SearchFolder

    monkeypatch.setattr(SearchFolder, "write", failing_after(1, errno.ENOSPC, SearchFolder.write))
    out = tmp_path / "out"
    result = runner.invoke(app, [*commands(tmp_path)["plan"], "--out", str(out)])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert f"error: no space left on {out} (" in said(result)
    assert "run the same command again to resume" in said(result)


def test_a_full_disk_during_a_calibration_is_an_error_line(tmp_path, monkeypatch):
    pytest.importorskip("pyabc")
    from eachcustomer.experiments.calibration import runner as calibration

    monkeypatch.setattr(
        calibration, "write_calibration", failing_after(1, errno.ENOSPC, lambda *a: None)
    )
    out = tmp_path / "out"
    result = runner.invoke(app, [*commands(tmp_path)["calibrate"], "--out", str(out)])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert f"error: no space left on {out} (" in said(result)


def test_a_full_sqlite_database_during_a_calibration_is_a_disk_error(tmp_path):
    import sqlite3

    from eachcustomer.experiments.loading.files import disk_error

    found = disk_error(sqlite3.OperationalError("database or disk is full"), tmp_path)
    assert found is not None and "no space left on" in str(found)
    assert disk_error(ValueError("a bad value"), tmp_path) is None
    assert disk_error(OSError("Error writing bytes. Detail: [errno 28] ..."), tmp_path)


def test_a_full_disk_while_analyzing_is_an_error_line(tmp_path, monkeypatch, swept):
    import shutil

    from eachcustomer.experiments.reports import report

    copy = tmp_path / "swept"
    shutil.copytree(swept, copy, ignore=shutil.ignore_patterns("report"))
    monkeypatch.setattr(report, "write_table", failing_after(2, errno.ENOSPC, report.write_table))
    result = runner.invoke(app, ["analyze", str(copy)])
    assert result.exit_code != 0 and "Traceback" not in result.output, result.output
    assert f"error: no space left on {copy / 'report'} (" in said(result)


def test_a_full_disk_under_the_dashboards_sweeps_is_a_message(tmp_path, monkeypatch):
    from eachcustomer.dashboard.sweeps import runner as sweeps

    monkeypatch.setattr(sweeps, "results_root", lambda: tmp_path / "root")
    monkeypatch.setattr(sweeps, "new_folder", failing_after(1, errno.ENOSPC, sweeps.new_folder))
    answer = sweeps.launch(SWEEP)
    assert answer["folder"] is None and "no space left on" in answer["error"]
    monkeypatch.undo()
    monkeypatch.setattr(sweeps, "results_root", lambda: tmp_path / "root")
    import pyarrow.parquet as pq

    from eachcustomer.experiments.running import store

    monkeypatch.setattr(store.pq, "write_table", failing_after(2, errno.ENOSPC, pq.write_table))
    answer = sweeps.launch(SWEEP)
    assert "no space left on" in answer["error"]
    assert "run the same command again" in answer["error"] or "free space" in answer["error"]


# --- 5. workers end with the process that started them ----------------------------------------


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, their children, ...), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may leave zombies unreaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(
    not Path("/proc/self/stat").exists(),
    reason="reads the process table in /proc, which only Linux has",
)
def test_killing_only_the_main_process_of_a_sweep_ends_its_workers(tmp_path):
    import signal
    import subprocess
    import sys

    spec = write(
        tmp_path / "long.toml",
        # Enough work that a pool pays (experiments/running/executors.py starts one only
        # then): 800 runs of 500 employees over ten years; the test ends it early.
        SWEEP.replace("weeks = 3", "weeks = 520")
        .replace("replications = 2", "replications = 400")
        .replace("n_employees = 30", "n_employees = 500"),
    )
    main = subprocess.Popen(
        [sys.executable, "-m", "eachcustomer", "sweep", str(spec), "--out", str(tmp_path / "o")]
        + ["--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        workers: set[int] = set()
        while len(workers) < 3:  # the forkserver and its two workers
            assert main.poll() is None, "the sweep ended before its workers started"
            assert time.monotonic() < deadline, "the workers never started"
            time.sleep(0.1)
            workers = {pid for pid in descendants(main.pid) if running(pid)}
        os.kill(main.pid, signal.SIGKILL)
        main.wait()
        deadline = time.monotonic() + 60
        while any(running(pid) for pid in workers):
            assert time.monotonic() < deadline, f"still running: {workers}"
            time.sleep(0.1)
    finally:
        main.kill()
        for pid in workers if "workers" in locals() else ():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# --- 8. cluster addresses, damaged results folders, unbounded numbers ---------------------------


@pytest.mark.parametrize("address", ["not an address", "http://", "tcp://host", "host:99999"])
def test_a_scheduler_address_that_is_not_one_is_refused_before_anything(tmp_path, address):
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", "small", "--out", str(out), "--dask-scheduler", address])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert said(result).startswith(f"error: --dask-scheduler {address!r}: not a scheduler")
    assert not out.exists()


def test_a_scheduler_that_does_not_answer_is_an_error_line_within_its_timeout(
    tmp_path, monkeypatch
):
    import socket

    pytest.importorskip("distributed")
    from eachcustomer.experiments.running import executors

    monkeypatch.setattr(executors, "CONNECT_SECONDS", 2)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # nothing listens there once closed
    address = f"tcp://127.0.0.1:{port}"
    out = tmp_path / "out"
    start = time.monotonic()
    result = runner.invoke(
        app, [*commands(tmp_path)["sweep"], "--out", str(out), "--dask-scheduler", address]
    )
    assert time.monotonic() - start < 30
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert f"error: --dask-scheduler {address}: no Dask scheduler answered within 2 s" in (
        said(result)
    )
    assert not out.exists()  # nothing was started


def test_the_connect_timeout_is_documented_in_help():
    result = runner.invoke(app, ["sweep", "--help"], env={"COLUMNS": "200"})
    assert "within 10 s" in said(result)


@pytest.mark.parametrize(
    "damage, named, advice",
    [
        ("manifest.json", "manifest.json: damaged", "run the sweep again into a new --out"),
        ("design.parquet", "design.parquet: damaged", "run the sweep again into a new --out"),
        ("runs/part", "runs/part-00000002.parquet: damaged", "delete runs/part-00000002"),
        ("series/part", "series/part-00000001.parquet: damaged", "delete runs/part-00000001"),
    ],
)
def test_analyze_on_a_damaged_file_names_it_and_says_what_to_do(
    tmp_path, swept, damage, named, advice
):
    import shutil

    copy = tmp_path / "swept"
    shutil.copytree(swept, copy, ignore=shutil.ignore_patterns("report"))
    target = {
        "manifest.json": copy / "manifest.json",
        "design.parquet": copy / "design.parquet",
        "runs/part": copy / "runs" / "part-00000002.parquet",
        "series/part": copy / "series" / "part-00000001.parquet",
    }[damage]
    target.write_bytes(target.read_bytes()[: len(target.read_bytes()) // 2])
    result = runner.invoke(app, ["analyze", str(copy)])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    message = said(result)
    assert message.startswith(f"error: {copy}/{named}"), message
    assert advice in message
    if damage.endswith("part"):  # deleting what it says and resuming repairs the folder
        run = target.name.removeprefix("part-").removesuffix(".parquet")
        for path in [*copy.glob(f"runs/part-{run}*.parquet"), copy / "series" / target.name]:
            path.unlink()
        spec = commands(tmp_path)["sweep"]
        assert runner.invoke(app, [*spec, "--out", str(copy)]).exit_code == 0
        assert runner.invoke(app, ["analyze", str(copy)]).exit_code == 0


@pytest.mark.parametrize(
    "arguments",
    [
        ["calibrate", "published_targets", "--out", "{out}", "--populations", "1000000000"],
        ["calibrate", "published_targets", "--out", "{out}", "--population-size", "1000000000"],
        ["dashboard", "--max-jobs", "1000000000"],
    ],
)
def test_unbounded_numbers_are_refused(tmp_path, arguments):
    out = tmp_path / "out"
    result = runner.invoke(app, [part.format(out=out) for part in arguments])
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_a_huge_max_jobs_in_the_environment_is_refused(monkeypatch):
    from eachcustomer.dashboard import app as dashboard_app

    def no_server(**kwargs):
        raise AssertionError("the dashboard started")

    monkeypatch.setattr(dashboard_app, "create_app", no_server)
    result = runner.invoke(app, ["dashboard"], env={"EACHCUSTOMER_MAX_JOBS": "1000000000"})
    assert result.exit_code == 2
    assert said(result).startswith("error: EACHCUSTOMER_MAX_JOBS 1000000000 is more")
    assert "at most 64" in said(result)


def test_a_full_temporary_folder_under_an_uploaded_chart_is_a_message(monkeypatch):
    from eachcustomer.dashboard import settings as dashboard_settings
    from eachcustomer.dashboard.settings import SettingsError, build_setup, default_settings

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(dashboard_settings.tempfile, "TemporaryDirectory", full)
    chart = {"filename": "c.csv", "text": HEADER + "1,,a,true\n2,1,a,true\n"}
    with pytest.raises(SettingsError, match="the org chart cannot be read: no space left on"):
        build_setup({**default_settings(), "chart": chart})
