"""The wheel holds everything a feature reads at run time, and the loaders find it there.

The wheel is built from the checkout's files (tracked or new, not ignored), as a fresh clone
would build it. Its contents list must hold the shipped evidence, the calibration posteriors,
the specs, the lessons, the scenarios and the plans; unpacked and imported on its own from an
empty folder, every loader must read them from the package, never from the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from dash_client import DashTab, served_dashboard

from eachcustomer.experiments.loading import catalogue
from eachcustomer.experiments.running.store import read_design, read_runs

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "eachcustomer"


def checkout_files() -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the wheel is built from the checkout's files")
    return [name for name in listed.decode().split("\0") if name]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the checkout (symbolic links kept as links)."""
    source = tmp_path_factory.mktemp("source")
    for name in checkout_files():
        origin, copy = REPO / name, source / name
        if not origin.is_symlink() and not origin.is_file():
            continue  # listed but deleted in the working tree
        copy.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_symlink():
            copy.symlink_to(os.readlink(origin))
        else:
            shutil.copy2(origin, copy)
    dist = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (path,) = dist.glob("eachcustomer-*.whl")
    return path


def shipped_files() -> list[str]:
    """Every file of every built-in, as the wheel names it (eachcustomer/...)."""
    names = []
    for kind in catalogue.KINDS.values():
        for path in catalogue.builtins(kind.name).values():
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            names += [f"eachcustomer/{p.relative_to(PACKAGE).as_posix()}" for p in files]
    return names


def test_the_wheel_holds_every_built_in_and_what_the_pages_read(wheel):
    inside = set(zipfile.ZipFile(wheel).namelist())
    expected = shipped_files()
    for required in (
        "eachcustomer/experiments/specs/evidence/decision_map/manifest.json",
        "eachcustomer/experiments/specs/evidence/decision_map/decision_map.csv",
        "eachcustomer/experiments/specs/evidence/decision_map/break_even.csv",
        "eachcustomer/experiments/specs/evidence/decision_map/scenario_boxes.csv",
        "eachcustomer/experiments/specs/evidence/decision_posterior/decision_map.csv",
        "eachcustomer/experiments/specs/calibration/published/posterior.parquet",
        "eachcustomer/experiments/specs/calibration/published_units/posterior.parquet",
        "eachcustomer/experiments/specs/calibration/published_units/manifest.json",
        "eachcustomer/experiments/specs/small.toml",
        "eachcustomer/experiments/specs/published_targets.toml",
        "eachcustomer/experiments/specs/plan_finder.toml",
        "eachcustomer/scenarios/equal_budget.toml",
        "eachcustomer/scenarios/plans/culture_change.toml",
    ):
        assert required in expected, required  # the catalogue lists it ...
    missing = [name for name in expected if name not in inside]
    assert not missing, f"not in {wheel.name}: {missing}"  # ... and the wheel ships it
    for data in (
        "eachcustomer/dashboard/learn/lessons.toml",
        "eachcustomer/scenarios/data/krackhardt_high_tech.csv",
        "eachcustomer/scenarios/data/krackhardt_departments.csv",
        "eachcustomer/dashboard/assets/style.css",
        "eachcustomer/dashboard/classroom/web/join.html",
        "eachcustomer/dashboard/classroom/web/join.js",
        "eachcustomer/dashboard/classroom/web/join.css",
    ):
        assert data in inside, data
    tops = {name.split("/")[0] for name in inside if not name.startswith("eachcustomer-")}
    assert tops == {"eachcustomer"}


FROM_THE_WHEEL = """
import json, sys
from pathlib import Path

unpacked = Path(sys.argv[1]).resolve()
sys.path.insert(0, str(unpacked))
import eachcustomer
from eachcustomer.experiments.loading import catalogue
from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.experiments.loading.scenario_files import load_scenario
from eachcustomer.experiments.loading.sweeps import load_sweep
from eachcustomer.experiments.calibration.targets import load_targets
from eachcustomer.experiments.calibration.posterior import load_posterior
from eachcustomer.experiments.planfinder.checks import load_plan_search
from eachcustomer.experiments.reports.evidence import read_evidence
from eachcustomer.dashboard.compare.evidence import EVIDENCE_FOLDER, evidence_section
from eachcustomer.dashboard.learn.lessons import load_lessons

read = {"package": eachcustomer.__file__}
for kind in catalogue.KINDS:
    for name in catalogue.builtins(kind):
        read[f"{kind} {name}"] = str(catalogue.resolve(kind, name))
read["plan library"] = [str(plan.name) for plan in plan_library().values()]
read["krackhardt, with its org chart"] = str(load_scenario("krackhardt").path)
read["decision_posterior's posterior"] = str(load_sweep("decision_posterior").posterior.folder)
read["published_units' posterior"] = str(load_targets("published_units").drawn_from.folder)
read["plan_finder"] = str(load_plan_search("plan_finder").path)
read["posterior"] = str(load_posterior("published_units").folder)
read["evidence"] = str(read_evidence().folder)
read["Compare's evidence"] = str(EVIDENCE_FOLDER)
section = evidence_section()
read["Compare draws"] = [getattr(c, "id", None) for c in section if getattr(c, "id", None)]
read["lessons"] = len(load_lessons())
print(json.dumps(read))
"""


def test_every_loader_reads_from_the_unpacked_wheel_not_the_repository(wheel, tmp_path):
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    empty = tmp_path / "empty"
    empty.mkdir()
    ran = subprocess.run(
        [sys.executable, "-c", FROM_THE_WHEEL, str(unpacked)],
        cwd=empty,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert ran.returncode == 0, ran.stderr
    read = json.loads(ran.stdout.splitlines()[-1])
    root = str(unpacked.resolve())
    paths = {key: value for key, value in read.items() if isinstance(value, str)}
    assert len(paths) > 20
    for key, value in paths.items():
        assert value.startswith(root), (key, value)
    assert "compare-evidence-map-recent_annual_customer_loss" in read["Compare draws"]
    assert "compare-evidence-missing" not in read["Compare draws"]
    assert read["lessons"] > 0 and "culture_change" in read["plan library"]


# --- the wheel installed as users get it ----------------------------------------------------
# A fresh virtual environment with the plain wheel (its dependencies from the package index),
# used from a directory of look-alike packages: a `sim.py`, an `experiments/` and a
# `dashboard/` package of the user's own, which `python -m` and Jupyter put first on the path.

LOOK_ALIKE = "raise ImportError(\"the user's own {name} was imported instead of eachcustomer's\")\n"
"""What each look-alike holds: importing it fails loudly, naming itself."""


def _run(command: list[str], cwd: Path, **options) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=environment, **options
    )


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the plain wheel installed: its bin folder."""
    venv = tmp_path_factory.mktemp("venv")
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=venv)
    assert made.returncode == 0, made.stderr
    install = _run([str(venv / "bin/python"), "-m", "pip", "install", "-q", str(wheel)], cwd=venv)
    assert install.returncode == 0, install.stderr[-3000:]
    return venv / "bin"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """A user's working directory whose own modules shadow every old top-level name."""
    folder = tmp_path_factory.mktemp("scratch")
    (folder / "sim.py").write_text(LOOK_ALIKE.format(name="sim.py"))
    for package in ("experiments", "dashboard", "scenarios"):
        (folder / package).mkdir()
        (folder / package / "__init__.py").write_text(LOOK_ALIKE.format(name=package))
    return folder


def test_the_package_imports_from_a_directory_of_look_alikes(installed, scratch):
    modules = (
        "eachcustomer",
        "eachcustomer.sim.model",
        "eachcustomer.experiments.running.runs",
        "eachcustomer.dashboard.app",
        "eachcustomer.scenarios",
    )
    code = "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    # `python -c` puts the current directory first on the path, as Jupyter and -m do.
    result = _run([str(installed / "python"), "-c", code], cwd=scratch)
    assert result.returncode == 0, result.stderr[-3000:]


def test_run_and_sweep_work_from_the_look_alike_directory(installed, scratch):
    ran = _run(
        [
            str(installed / "python"),
            "-m",
            "eachcustomer",
            "run",
            "equal_budget",
            "--out",
            "run.csv",
        ],
        cwd=scratch,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert (scratch / "run.csv").read_text().count("\n") > 10
    swept = _run(
        [str(installed / "eachcustomer"), "sweep", "small", "--out", "results/small"], cwd=scratch
    )
    assert swept.returncode == 0, swept.stderr[-3000:]
    runs = read_runs(scratch / "results/small")
    assert len(runs) == len(read_design(scratch / "results/small")) > 0
    assert set(runs["status"]) == {"ok"}


def test_the_dashboard_answers_with_compares_shipped_evidence(installed, scratch):
    with served_dashboard(scratch, python=str(installed / "python"), cwd=scratch) as (url, _):
        tab = DashTab(url)
        evidence = tab.update("compare-evidence.children", {"presentation.data": False})
    text = json.dumps(evidence)
    assert "compare-evidence-missing" not in text
    assert "compare-evidence-map-" in text


def test_analyze_needs_the_discovery_extra_only_for_prim(installed, scratch, wheel):
    folder = scratch / "results/small"
    if not folder.exists():
        test_run_and_sweep_work_from_the_look_alike_directory(installed, scratch)
    plain = _run([str(installed / "eachcustomer"), "analyze", str(folder)], cwd=scratch)
    assert "eachcustomer[discovery]" in plain.stdout + plain.stderr
    assert "Traceback" not in plain.stdout + plain.stderr
    assert plain.returncode == 0, plain.stderr[-3000:]  # the rest of the report is written
    assert (folder / "report" / "decision_map.csv").is_file()
    assert not (folder / "report" / "scenario_boxes.csv").exists()
    extra = _run(
        [str(installed / "python"), "-m", "pip", "install", "-q", f"{wheel}[discovery]"],
        cwd=scratch,
    )
    assert extra.returncode == 0, extra.stderr[-3000:]
    full = _run([str(installed / "eachcustomer"), "analyze", str(folder)], cwd=scratch)
    assert full.returncode == 0, full.stderr[-3000:]
    assert "eachcustomer[discovery]" not in full.stdout + full.stderr
    assert (folder / "report" / "scenario_boxes.csv").is_file()
