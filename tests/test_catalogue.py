"""Built-in names: one entry point resolves a name or a path for every kind, honestly."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.calibration import CalibrationError
from eachcustomer.experiments.calibration.posterior import load_posterior
from eachcustomer.experiments.calibration.targets import TargetsFile, load_targets
from eachcustomer.experiments.loading import catalogue
from eachcustomer.experiments.loading.catalogue import CatalogueError, builtins, resolve
from eachcustomer.experiments.loading.plans import PlanFile
from eachcustomer.experiments.loading.scenario_files import ScenarioError, load_scenario
from eachcustomer.experiments.loading.scenario_spec import ScenarioSpec
from eachcustomer.experiments.loading.sweep_checks import SweepSpecError
from eachcustomer.experiments.loading.sweep_spec import SweepFile
from eachcustomer.experiments.loading.sweeps import load_sweep
from eachcustomer.experiments.planfinder.checks import load_plan_search
from eachcustomer.experiments.planfinder.problem import PlanSpecError
from eachcustomer.experiments.planfinder.spec import PlanSearchFile

runner = CliRunner()
PACKAGE = Path(str(resources.files("eachcustomer")))
SPECS = Path(__file__).resolve().parents[1] / "experiments" / "specs"
MODELS = {
    "scenario": ScenarioSpec,
    "plan": PlanFile,
    "sweep": SweepFile,
    "targets": TargetsFile,
    "plan_finder": PlanSearchFile,
}


def said(result) -> str:
    return " ".join(result.output.split())


@pytest.mark.parametrize("kind", list(MODELS))
def test_each_kind_knows_exactly_the_tables_of_its_file_model(kind):
    assert catalogue.KINDS[kind].keys == set(MODELS[kind].model_fields)


def test_the_shipped_built_ins_by_kind():
    assert set(builtins("scenario")) >= {"baseline", "equal_budget", "krackhardt"}
    assert set(builtins("plan")) >= {"none", "training_day", "culture_change"}
    assert list(builtins("sweep")) == [
        "decision_map",
        "decision_posterior",
        "headline",
        "small",
        "sobol",
    ]
    assert list(builtins("targets")) == [
        "published_levers",
        "published_targets",
        "published_units",
    ]
    assert list(builtins("plan_finder")) == ["plan_finder"]
    assert list(builtins("posterior")) == ["published", "published_levers", "published_units"]
    assert list(builtins("evidence")) == ["decision_map", "decision_posterior"]


def test_every_shipped_spec_is_of_exactly_one_kind():
    """experiments/specs/ holds three kinds of file, told apart by their tables alone."""
    import tomllib

    for path in sorted(SPECS.glob("*.toml")):
        data = tomllib.loads(path.read_text())
        assert len(catalogue.kinds_of(data)) == 1, (path.name, catalogue.kinds_of(data))
    listed = [name for kind in ("sweep", "targets", "plan_finder") for name in builtins(kind)]
    assert sorted(listed) == sorted(path.stem for path in SPECS.glob("*.toml"))


@pytest.mark.parametrize("kind", list(catalogue.KINDS))
def test_built_ins_are_package_data_with_a_title(kind):
    for name, path in builtins(kind).items():
        assert path.is_relative_to(PACKAGE), path
        assert resolve(kind, name) == path
        assert catalogue.describe(kind, path), (kind, name)


def test_a_path_still_works_and_an_existing_folder_does_not_shadow_a_name(tmp_path, monkeypatch):
    mine = tmp_path / "mine.toml"
    mine.write_text((SPECS / "small.toml").read_text())
    assert resolve("sweep", mine) == mine
    assert resolve("sweep", str(mine)) == mine
    monkeypatch.chdir(tmp_path)
    (tmp_path / "small").mkdir()  # say, the results folder of `eachcustomer sweep small`
    assert resolve("sweep", "small") == builtins("sweep")["small"]
    (tmp_path / "published").mkdir()  # a folder is what a posterior is: the user's wins
    assert resolve("posterior", "published") == Path("published")


def test_a_missing_path_says_so_and_points_at_the_built_in_of_that_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # as from an installed wheel: no experiments/ folder here
    with pytest.raises(CatalogueError) as raised:
        resolve("sweep", "experiments/specs/small.toml")
    assert str(raised.value) == (
        "experiments/specs/small.toml: no such sweep spec file; small is a built-in sweep "
        "spec, named without a path: `eachcustomer sweep small --out results/small`"
    )
    with pytest.raises(ScenarioError, match="no such scenario file$"):
        load_scenario(tmp_path / "nope.toml")
    with pytest.raises(CalibrationError, match="no such calibration folder$"):
        load_posterior(tmp_path / "nowhere")


def test_an_unknown_name_lists_the_built_ins_of_its_kind():
    with pytest.raises(SweepSpecError) as raised:
        load_sweep("smal")
    assert str(raised.value) == (
        "smal: neither a sweep spec file nor a built-in one; built-in sweep specs: "
        "decision_map, decision_posterior, headline, small, sobol"
    )
    with pytest.raises(CalibrationError, match="built-in calibration targets: published_"):
        load_targets("stage_two")
    with pytest.raises(CalibrationError, match="built-in calibration posteriors: published, "):
        load_posterior("nope")
    with pytest.raises(CalibrationError, match="published: a built-in calibration folder, not"):
        load_targets("published")


def test_a_name_of_another_kind_says_which_kind_it_is():
    with pytest.raises(SweepSpecError) as raised:
        load_sweep("published_targets")
    assert str(raised.value).startswith(
        "published_targets: a built-in targets file, not a sweep spec; use it with "
        "`eachcustomer calibrate published_targets --out results/published_targets`. "
        "Built-in sweep specs: decision_map,"
    )
    with pytest.raises(PlanSpecError, match="small: a built-in sweep spec, not a plan-finder"):
        load_plan_search("small")
    with pytest.raises(CalibrationError, match="plan_finder: a built-in plan-finder spec, not"):
        load_targets("plan_finder")
    with pytest.raises(ScenarioError, match="sobol: a built-in sweep spec, not a scenario"):
        load_scenario("sobol")


def test_a_file_of_another_kind_is_named_by_its_tables():
    with pytest.raises(SweepSpecError) as raised:
        load_sweep(SPECS / "plan_finder.toml")
    assert str(raised.value) == (
        f"{SPECS / 'plan_finder.toml'}: this is a plan-finder spec, not a sweep spec (it has "
        f"budget, objectives, search); use it with `eachcustomer plan "
        f"{SPECS / 'plan_finder.toml'} --out results/plan_finder`"
    )
    with pytest.raises(CalibrationError, match="this is a sweep spec, not a targets file"):
        load_targets(SPECS / "small.toml")
    with pytest.raises(PlanSpecError, match="this is a targets file, not a plan-finder spec"):
        load_plan_search(SPECS / "published_units.toml")
    with pytest.raises(ScenarioError, match=r"this is a sweep spec, not a scenario \(it has"):
        load_scenario(SPECS / "headline.toml")


def test_built_in_names_load_with_their_own_files_from_the_package():
    sweep = load_sweep("decision_posterior")
    assert sweep.path == builtins("sweep")["decision_posterior"]
    assert sweep.posterior is not None
    assert sweep.posterior.folder.resolve() == builtins("posterior")["published_units"].resolve()
    calibration = load_targets("published_units")
    assert calibration.drawn_from is not None
    assert calibration.drawn_from.folder.resolve() == builtins("posterior")["published"].resolve()
    assert load_plan_search("plan_finder").path == builtins("plan_finder")["plan_finder"]
    assert load_posterior("published_units").folder == builtins("posterior")["published_units"]


def test_commands_take_built_in_names(tmp_path):
    for command in (
        ["sweep", "small", "--out", str(tmp_path / "small"), "--dry-run"],
        ["calibrate", "published_targets", "--out", str(tmp_path / "cal"), "--dry-run"],
        ["plan", "plan_finder", "--out", str(tmp_path / "plan"), "--dry-run"],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, (command, result.output)
    assert "Negativity bias against two plans" in said(
        runner.invoke(app, ["sweep", "small", "--out", str(tmp_path / "s"), "--dry-run"])
    )
    ran = runner.invoke(
        app, ["run", "--steps", "2", "--employees", "30", "--posterior", "published_units"]
    )
    assert ran.exit_code == 0, ran.output
    assert "Parameters drawn from the posterior in " in said(ran)
    assert "published_units" in said(ran)


def test_a_command_refuses_another_kinds_name_without_a_traceback(tmp_path):
    result = runner.invoke(app, ["sweep", "published_targets", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert (
        "published_targets: a built-in targets file, not a sweep spec; use it with "
        "`eachcustomer calibrate published_targets" in said(result)
    )
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


def test_list_shows_every_built_in_by_kind_with_its_title_and_command():
    result = runner.invoke(app, ["list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = said(result)
    for kind in catalogue.KINDS.values():
        assert kind.plural in text
        for name, path in builtins(kind.name).items():
            assert catalogue.describe(kind.name, path) in text
            assert catalogue.use(kind.name, name) in text
    assert "eachcustomer sweep small --out results/small" in text
    assert "eachcustomer calibrate published_targets --out results/published_targets" in text
    assert "eachcustomer plan plan_finder --out results/plan_finder" in text
    assert "eachcustomer run --posterior published_units" in text
    only = said(runner.invoke(app, ["list", "sweeps"], env={"COLUMNS": "200"}))
    assert "Sweep specs" in only and "Scenarios" not in only and "published_targets" not in only
    wrong = runner.invoke(app, ["list", "nothing"])
    assert wrong.exit_code == 2 and "kinds: scenarios, plans, sweeps" in said(wrong)


def test_the_dashboard_offers_the_built_in_sweep_specs_and_names_a_pasted_targets_file():
    from eachcustomer.dashboard.sweeps.runner import check_spec, spec_files

    assert spec_files() == builtins("sweep")
    sweep, message = check_spec(builtins("targets")["published_targets"].read_text())
    assert sweep is None
    assert message.startswith("sweep: this is a targets file, not a sweep spec (it has abc,")


def test_the_evidence_command_writes_the_shipped_folder_by_default():
    from eachcustomer.experiments.reports import evidence
    from eachcustomer.reports import EVIDENCE_FOLDER

    assert EVIDENCE_FOLDER == evidence.FOLDER
    assert evidence.shipped_folder() == builtins("evidence")[evidence.SPEC]
    assert (Path(__file__).resolve().parents[1] / evidence.FOLDER / "manifest.json").is_file()
