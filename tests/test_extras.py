"""Extras: the plain install leaves out what only some users need, and says how to get it.

Each feature is tried with its optional package made unimportable (None in `sys.modules`,
as Python's import system reads it), the way a plain `pip install eachcustomer` leaves it.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import textwrap
import tomllib
import warnings
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from test_calibration_cli import TINY as TINY_TARGETS
from test_decisions import TINY_MAP
from test_sweeps import TINY, said, write_spec
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.extras import ExtraSkipped, MissingExtraError, require

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS = PROJECT["optional-dependencies"]
OPTIONAL_MODULES = (
    "ema_workbench",
    "statsmodels",
    "sklearn",
    "seaborn",
    "dask",
    "distributed",
    "pyabc",
    "kaleido",
    "ipykernel",
    "nbclient",
    "nbformat",
)
"""What the extras install (and, for ema_workbench, what it brings) as import names."""
runner = CliRunner()


def names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def hide(monkeypatch: pytest.MonkeyPatch, *packages: str) -> None:
    """Make `packages` unimportable for the test, submodules already imported included."""
    for package in packages:
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.setitem(sys.modules, package, None)


def says_how_to_install(text: str, extra: str) -> bool:
    return f"[{extra}] extra" in text and f"pip install 'eachcustomer[{extra}]'" in text


# --- what is declared ---------------------------------------------------------------------


def test_the_plain_install_declares_none_of_the_optional_packages():
    plain = names(PROJECT["dependencies"])
    for extra in ("discovery", "cluster", "calibrate", "notebook", "docs"):
        assert names(EXTRAS[extra]), extra
        assert plain.isdisjoint(names(EXTRAS[extra])), extra
    assert plain.isdisjoint({"statsmodels", "scikit-learn", "seaborn", "distributed"})


def test_the_test_extra_pulls_every_other_extra():
    (itself,) = [Requirement(r) for r in EXTRAS["test"] if Requirement(r).name == "eachcustomer"]
    assert itself.extras == set(EXTRAS) - {"test"}


def required_by(requirement: Requirement) -> set[str]:
    """The distribution a requirement names and those it requires with its extras."""
    found = {canonicalize_name(requirement.name)}
    for line in metadata.requires(requirement.name) or []:
        needed = Requirement(line)
        if needed.marker is None or any(
            needed.marker.evaluate({"extra": extra}) for extra in requirement.extras
        ):
            found.add(canonicalize_name(needed.name))
    return found


def test_every_optional_import_names_the_extra_that_installs_it():
    calls = []
    for folder in ("sim", "experiments", "dashboard", "eachcustomer"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            calls += re.findall(r'require\(\s*"([\w.]+)",\s*"(\w+)"', text)
    assert {extra for _, extra in calls} == {"discovery", "cluster", "calibrate", "docs"}
    providers = metadata.packages_distributions()
    for module, extra in calls:
        installed_by = set().union(*(required_by(Requirement(r)) for r in EXTRAS[extra]))
        distributions = {canonicalize_name(d) for d in providers[module.partition(".")[0]]}
        assert distributions & installed_by, (module, extra)


# --- the helper ---------------------------------------------------------------------------


def test_require_names_the_feature_the_extra_and_the_pip_command(monkeypatch):
    hide(monkeypatch, "ema_workbench")
    with pytest.raises(MissingExtraError) as caught:
        require("ema_workbench.analysis.prim", "discovery", "scenario discovery (PRIM)")
    message = str(caught.value)
    assert message.startswith("scenario discovery (PRIM) needs the [discovery] extra")
    assert "ema_workbench is not installed" in message
    assert says_how_to_install(message, "discovery")
    assert isinstance(caught.value, ImportError)


def test_a_broken_package_of_an_extra_is_named_with_its_error(monkeypatch, tmp_path):
    (tmp_path / "half_installed").mkdir()
    (tmp_path / "half_installed" / "__init__.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MissingExtraError) as caught:
        require("half_installed", "docs", "PNG export")
    message = str(caught.value)
    assert "half_installed cannot be imported" in message and "no_such_dependency_xyz" in message
    assert says_how_to_install(message, "docs")


def test_require_returns_the_module_when_it_is_there():
    assert require("json", "docs", "nothing") is sys.modules["json"]


# --- each feature without its extra -------------------------------------------------------


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A finished sweep of two plans, the kind whose report runs PRIM: 32 small runs."""
    folder = tmp_path_factory.mktemp("two-plans")
    spec = write_spec(folder, TINY_MAP)
    out = folder / "results"
    swept = runner.invoke(app, ["sweep", str(spec), "--out", str(out), "--workers", "1"])
    assert swept.exit_code == 0, swept.output
    return spec, out


def test_analyze_without_discovery_writes_the_rest_and_says_prim_was_skipped(
    two_plans, monkeypatch, tmp_path
):
    _, results = two_plans
    report = tmp_path / "report"
    report.mkdir()
    (report / "scenario_boxes.csv").write_text("from an earlier analysis\n")
    (report / "manifest.json").write_text('{"kind": "sweep report"}')  # an earlier report
    hide(monkeypatch, "ema_workbench")
    result = runner.invoke(app, ["analyze", str(results), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "Scenario discovery (PRIM) was skipped" in said(result)
    assert says_how_to_install(said(result), "discovery")
    assert (report / "decision_map.csv").is_file() and (report / "outcome_means.csv").is_file()
    assert not (report / "scenario_boxes.csv").exists()  # no stale boxes next to this report
    page = html.unescape((report / "index.html").read_text(encoding="utf-8"))
    assert "Where the verdict holds" in page and "Scenario discovery (PRIM) was skipped" in page
    assert says_how_to_install(page, "discovery")


def test_evidence_without_discovery_is_refused_and_writes_nothing(two_plans, monkeypatch, tmp_path):
    spec, results = two_plans
    hide(monkeypatch, "ema_workbench")
    out = tmp_path / "evidence"
    figures = tmp_path / "figures"
    result = runner.invoke(
        app,
        [
            "evidence",
            str(results),
            "--out",
            str(out),
            "--spec",
            str(spec),
            "--figures",
            str(figures),
        ],
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert said(result).startswith("error: scenario discovery (PRIM) needs the [discovery]")
    assert says_how_to_install(said(result), "discovery")
    assert not out.exists() and not figures.exists()


def test_png_export_without_docs_is_skipped_and_says_how_to_get_it(
    two_plans, monkeypatch, tmp_path
):
    spec, results = two_plans
    hide(monkeypatch, "kaleido")
    out, figures = tmp_path / "evidence", tmp_path / "figures"
    result = runner.invoke(
        app,
        [
            "evidence",
            str(results),
            "--out",
            str(out),
            "--spec",
            str(spec),
            "--figures",
            str(figures),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "PNG export was skipped" in said(result) and says_how_to_install(said(result), "docs")
    assert (out / "scenario_boxes.csv").is_file()
    assert not list(tmp_path.rglob("*.png"))


def test_a_dask_cluster_without_the_cluster_extra_is_refused_before_it_runs(monkeypatch, tmp_path):
    spec = write_spec(tmp_path, TINY)
    hide(monkeypatch, "distributed", "dask")
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(spec), "--out", str(out), "--dask-local"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "error: a Dask cluster (--dask-local, --dask-scheduler) needs" in said(result)
    assert says_how_to_install(said(result), "cluster")
    assert not out.exists()
    from eachcustomer.experiments.running.executors import DaskExecutor

    with pytest.raises(MissingExtraError, match=r"\[cluster\] extra"):
        DaskExecutor(workers=1)


def test_calibrate_without_pyabc_is_refused_before_it_runs(monkeypatch, tmp_path):
    targets = tmp_path / "tiny.toml"
    targets.write_text(textwrap.dedent(TINY_TARGETS), encoding="utf-8")
    hide(monkeypatch, "pyabc")
    out = tmp_path / "out"
    result = runner.invoke(app, ["calibrate", str(targets), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "error: calibration (ABC-SMC with pyabc) needs the [calibrate] extra" in said(result)
    assert says_how_to_install(said(result), "calibrate")
    assert not out.exists()
    dry = runner.invoke(app, ["calibrate", str(targets), "--out", str(out), "--dry-run"])
    assert dry.exit_code == 0, dry.output  # a dry run checks the file, not the installation


def test_the_experiments_page_says_on_the_page_that_prim_was_skipped(monkeypatch, tmp_path):
    from eachcustomer.dashboard.sweeps.runner import launch

    monkeypatch.setenv("EACHCUSTOMER_RESULTS", str(tmp_path))
    hide(monkeypatch, "ema_workbench")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ExtraSkipped)  # caught by the page, not left to warn
        result = launch(TINY_MAP)
    assert result["error"] is None
    assert result["message"].startswith("32 runs done, 0 failed")
    assert "Scenario discovery (PRIM) was skipped" in result["message"]
    assert says_how_to_install(result["message"], "discovery")
    assert (tmp_path / result["folder"] / "report" / "decision_map.csv").is_file()


# --- the plain features import no optional package ------------------------------------------

PLAIN_FEATURES = """
import sys
from typer.testing import CliRunner
from eachcustomer.cli import app

runner = CliRunner()
for arguments in (
    ["run", "--steps", "3", "--employees", "30"],
    ["sweep", "spec.toml", "--out", "results", "--workers", "1"],
    ["analyze", "results"],
):
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
from eachcustomer.dashboard.app import create_app

create_app()
print(" ".join(name for name in sys.argv[1:] if name in sys.modules))
"""


def test_the_model_the_cli_sweeps_and_the_dashboard_import_no_optional_package(tmp_path):
    write_spec(tmp_path, TINY)  # one plan besides "none": no PRIM in its report
    done = subprocess.run(
        [sys.executable, "-c", PLAIN_FEATURES, *OPTIONAL_MODULES],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []
    assert (tmp_path / "results" / "report" / "index.html").is_file()
