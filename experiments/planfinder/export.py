"""The recommended plan as a scenario file that `eachcustomer run` accepts.

The file is the spec's base scenario with the search's parameters written out in full
(every value that differs from the defaults, the horizon included), the recommended plan as
its `interventions` and again as `[plans.recommended]`, for pages and sweeps that compare
a scenario's named plans. `eachcustomer run recommended.toml --seed SEED` repeats one
replication of the search with that seed, number for number. An org chart named by the
base scenario is copied beside the file.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import tomli_w

from eachcustomer.experiments.loading.files import read_toml
from eachcustomer.experiments.loading.scenario_files import ScenarioError
from eachcustomer.experiments.planfinder.problem import PlanProblem
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.params import Params

PLAN_NAME = "recommended"
CHART_KEYS = ("chart", "departments_table")
SHAPE_KEYS = ("employees", "span_of_control", "departments")
"""Organization keys that parameters say too: written as parameters instead."""
CHART_FIXED = ("n_employees", "span_of_control")


def interventions_data(plan: tuple[Intervention, ...]) -> list[dict[str, Any]]:
    """Interventions as TOML tables (every field given, so nothing depends on defaults)."""
    return [item.model_dump(mode="json", exclude_none=True) for item in plan]


def scenario_document(
    problem: PlanProblem, plan: tuple[Intervention, ...], description: str, folder: Path | None
) -> dict[str, Any]:
    """The scenario as a dict; with `folder`, an org chart of the base scenario is copied
    there (without it, a chart scenario is refused)."""
    base: dict[str, Any] = {}
    if problem.setup.path is not None:
        base, _ = read_toml(problem.setup.path, ScenarioError)
    document = {key: value for key, value in base.items() if key not in ("plan", "plans")}
    organization = dict(document.pop("organization", {}))
    for key in SHAPE_KEYS:
        organization.pop(key, None)
    chart = organization.get("chart") is not None
    if chart and problem.setup.path is not None:
        for key in CHART_KEYS:
            if organization.get(key):
                source = _chart_source(problem.setup.path, organization[key])
                organization[key] = _place_chart(source, folder)
    defaults = Params().model_dump(mode="json")
    parameters = {
        name: value
        for name, value in problem.params.model_dump(mode="json").items()
        if value != defaults[name] and not (chart and name in CHART_FIXED)
    }
    document.update(
        title=f"Recommended plan: {problem.spec.title}",
        description=description,
        parameters=parameters,
        interventions=interventions_data(plan),
        plans={PLAN_NAME: interventions_data(plan)},
    )
    if organization:
        document["organization"] = organization
    return document


def _place_chart(source: Path, folder: Path | None) -> str:
    """How the exported scenario names a chart: copied beside it, or (without a folder) a
    chart shipped in scenarios/data/ by its full path, which scenarios may name."""
    from eachcustomer.experiments.loading.scenario_files import DATA_FOLDER

    if folder is not None:
        shutil.copyfile(source, folder / source.name)
        return source.name
    if source.resolve().is_relative_to(DATA_FOLDER.resolve()):
        return str(source.resolve())
    raise ValueError(f"{source}: an org chart is exported with a folder to copy it into")


def _chart_source(scenario: Path, name: str) -> Path:
    from eachcustomer.experiments.loading.scenario_files import DATA_FOLDER

    beside = (scenario.resolve().parent / name).resolve()
    return beside if beside.is_file() else (DATA_FOLDER / Path(name).name)


def scenario_text(document: dict[str, Any]) -> str:
    """The scenario as TOML text."""
    return tomli_w.dumps(document)
