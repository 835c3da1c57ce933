"""The tests whose behaviour can differ between Python versions, on the newest one here.

The README's test command ends here: `.venv` (Python 3.11) has run the whole suite; this
script finds the newest Python that pyproject.toml's classifiers declare and that is on this
machine (`python3.X` on the PATH, or under pyenv), gives it its own virtual environment
(`.venv-3.X`), installs the project with its test extras and runs there the test modules of
`ON_NEWEST` below: those whose outcome can change with what resolves on that Python (Mesa,
EMA Workbench, numpy, scipy, networkx at their newest versions) or with Python itself.
The modules of `DEFAULT_ONLY` test the project's own rules on the same code path whatever
the versions, and run once, on the default Python; tests/test_project.py fails when a test
module is in neither list, so a new module is placed on purpose. It exits with pytest's
code; with 0 and a note when this machine has no newer Python than the one running it.

`--alongside COMMAND...` runs COMMAND (the default Python's suite) in the foreground while
this script's own work runs beside it at a lower priority (`nice`), its output kept and
printed after COMMAND's so the two do not interleave. On two cores the newer Python's
install and tests then overlap the default suite instead of following it, which keeps the
README's test command well inside CI's time. The exit code is COMMAND's if it failed, else
this script's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# On Python 3.11 pip resolves Mesa 3.3, EMA Workbench 2.5, numpy 2.4, scipy 1.17 and
# networkx 3.6; on 3.12 and newer Mesa 3.5, EMA Workbench 3.0, numpy 2.5, scipy 1.18 and
# networkx 3.7 (pandas, pyarrow, numba, Dash and pyabc resolve alike today, but are the
# first to drop an old Python). A module runs on the newest Python when what it checks
# goes through one of those, or through a part of Python that changes between versions.
ON_NEWEST: dict[str, tuple[str, ...]] = {
    # Mesa 3.3 against 3.5: the model through Mesa's own API (Model, AgentSet,
    # DataCollector, batch_run), the plain-Mesa reference it is checked against, and
    # Mesa's SolaraViz on it.
    "Mesa's API": ("test_model", "test_reference", "test_batch", "test_mesa_viz"),
    # A replication's numbers must be the same on every version (numpy's streams, scipy's
    # distributions and Sobol sequences, SALib on them, numba's compiled kernels and their
    # per-version cache).
    "numbers pinned on every version": (
        "test_golden_outputs",
        "test_organization",
        "test_processes",
        "test_invariants",
        "test_compiled",
        "test_warmup",
        "test_statistics",
        "test_multiplicity",
        "test_analysis",
        "test_sweeps",
    ),
    # EMA Workbench 2.5 against 3.0: its evaluators, PRIM, and the optional imports.
    "EMA Workbench": ("test_ema", "test_discovery", "test_extras"),
    # Files written and read through pyarrow and networkx (GraphML), the command line as
    # the README types it, and what each command imports (the libraries' import graphs).
    "files and the command line": (
        "test_store_resume",
        "test_orgchart",
        "test_cli",
        "test_readme_commands",
        "test_cli_imports",
        "test_class_replay",
    ),
    # Processes and servers: fork and forkserver (Python 3.12 started warning about fork in
    # a threaded process), Dask, the dashboard's jobs and its HTTP callbacks under Dash and
    # Flask, pyabc's workers fed with cloudpickle.
    "processes and servers": (
        "test_executors",
        "test_dask",
        "test_dashboard_jobs",
        "test_dashboard_requests",
        "test_calibration_cli",
        "test_class_sessions",
        "test_class_web",
        "test_class_exports",
    ),
    # Python's own `ast`, whose node types change between versions.
    "Python's syntax tree": ("test_architecture",),
}

DEFAULT_ONLY: dict[str, tuple[str, ...]] = {
    # A real browser, and the wheel in a virtual environment of its own: once is enough.
    "browser and wheel": (
        "test_dashboard_browser",
        "test_dashboard_browser_exports",
        "test_dashboard_browser_firm",
        "test_class_browser",
        "test_class_debrief_browser",
        "test_wheel",
    ),
    # A served dashboard under forty clients at once: the same Flask, Dash and werkzeug
    # resolve on every version, and test_class_web checks the same API on the newest.
    "load": ("test_class_load",),
    # Long statistical checks over replications and whole runs: the golden outputs and the
    # reference already show the newest Python gives the same numbers, so these would
    # repeat the same comparisons for minutes.
    "behaviour over replications": (
        "test_stylized_facts",
        "test_lessons",
        "test_facts_at_contrasts",
        "test_leadership_tone",
        "test_interventions",
        "test_survey",
        "test_firm_recovery",
        "test_calibration_mechanisms",
        "test_plan_finder_known_answers",
        "test_plan_finder_real_answers",
        "test_plan_finder_search",
        "test_plan_effects",
        "test_notebook",
        "test_players",
        "test_class_game",
        "test_class_counterfactual",
    ),
    # Input checks, messages and folder rules: the project's own code on plain values.
    "input checks and messages": (
        "test_faults",
        "test_hardening",
        "test_file_modes",
        "test_params",
        "test_scenarios",
        "test_catalogue",
        "test_calibration_targets",
        "test_calibration_budget",
        "test_plan_finder_spec",
        "test_firm_data",
        "test_fit_firm",
    ),
    # Documents and the project's promises, read as text.
    "documents in step with the code": (
        "test_odd",
        "test_calibration_doc",
        "test_plan_evidence",
        "test_palette",
        "test_project",
        "test_class_lesson",
    ),
    # The project's own logic on its own tables and arrays (pages, verdicts, budgets).
    "the project's logic on its own tables": (
        "test_benchmarks_smoke",
        "test_budget",
        "test_verdicts",
        "test_decisions",
        "test_evidence",
        "test_one_source",
        "test_timeline",
        "test_compare",
        "test_compare_evidence",
        "test_compare_file_plans",
        "test_compare_pictures",
        "test_dashboard_exports",
        "test_dashboard_figures",
        "test_dashboard_firm",
        "test_dashboard_forms",
        "test_dashboard_logic",
        "test_calibration_statistics",
        "test_calibration_verdict",
        "test_calibration_levers",
        "test_calibration_firm_statistics",
        "test_plan_finder_encoding",
        "test_plan_finder_selection",
        "test_plan_finder_page",
        "test_plan_coverage",
        "test_class_debrief",
    ),
}


def newest_python_arguments() -> list[str]:
    """pytest's arguments for the newest Python: the ON_NEWEST modules, no browser."""
    modules = [f"tests/{name}.py" for group in ON_NEWEST.values() for name in group]
    return ["-m", "not browser", "-p", "no:cacheprovider", *modules]


def declared_versions() -> list[tuple[int, int]]:
    """The Python versions pyproject.toml's classifiers name, newest first."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    found = re.findall(r'"Programming Language :: Python :: 3\.(\d+)"', text)
    return sorted({(3, int(minor)) for minor in found}, reverse=True)


def find_python(version: tuple[int, int]) -> Path | None:
    """An interpreter of this version that runs: a pyenv build of it, else one on the PATH
    (pyenv's shims are on the PATH too, but fail for a version that is not selected)."""
    name = f"python{version[0]}.{version[1]}"
    builds = sorted(
        (Path.home() / ".pyenv" / "versions").glob(f"{version[0]}.{version[1]}.*/bin/{name}"),
        key=lambda path: [int(part) for part in path.parts[-3].split(".") if part.isdigit()],
        reverse=True,
    )
    on_path = shutil.which(name)
    for candidate in [*builds, *([Path(on_path)] if on_path else [])]:
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 and probe.stdout.split() == [str(part) for part in version]:
            return candidate
    return None


def run(command: list[str | Path]) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run(command, cwd=REPO, check=True)


def alongside(command: list[str]) -> int:
    """COMMAND in the foreground, this script's own work beside it at a lower priority."""
    with tempfile.TemporaryFile() as log:
        newest = subprocess.Popen(
            ["nice", "-n", "10", sys.executable, __file__],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            foreground = subprocess.run(command, cwd=REPO).returncode
        finally:
            newest_code = newest.wait()
            log.seek(0)
            sys.stdout.flush()
            sys.stdout.buffer.write(log.read())
            sys.stdout.flush()
    return foreground or newest_code


def main() -> int:
    running = sys.version_info[:2]
    for version in declared_versions():
        if version <= running:
            break
        python = find_python(version)
        if python is None:
            continue
        venv = REPO / f".venv-{version[0]}.{version[1]}"
        try:
            if not (venv / "bin" / "python").exists():
                run([python, "-m", "venv", venv])
            run([venv / "bin" / "python", "-m", "pip", "install", "-q", "-e", ".[test]"])
        except subprocess.CalledProcessError as error:
            print(f"Setting up Python {version[0]}.{version[1]} failed: {error}", file=sys.stderr)
            return 1
        print(
            f"Python {version[0]}.{version[1]}: the tests whose behaviour can differ by "
            f"version ({', '.join(ON_NEWEST)})",
            flush=True,
        )
        tests = subprocess.run(
            [venv / "bin" / "python", "-m", "pytest", *newest_python_arguments()], cwd=REPO
        )
        return tests.returncode
    newest = ".".join(map(str, declared_versions()[0]))
    print(
        f"No Python newer than {running[0]}.{running[1]} here (declared up to {newest}): skipped."
    )
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--alongside"]:
        sys.exit(alongside(sys.argv[2:]))
    sys.exit(main())
