"""Scenario TOML files: read, validate, and turn into what a run needs.

A scenario is one point: a title, a description citing the seed sentence it illustrates,
parameter overrides, the organization (generated, or an org chart) and an intervention
schedule. Every problem is reported with the file, the key and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from experiments.files import read_toml
from experiments.plans import PlanError, resolve_plan
from sim.interventions import Intervention
from sim.organization import Organization, OrganizationError
from sim.params import Department, Params, ParamsError, describe_validation_error, make_params
from sim.state import Individuals

DEFAULT_SCENARIO = "baseline"


class ScenarioError(ValueError):
    """A scenario that cannot be run; the message names the file, the key and the problem."""


class OrganizationSpec(BaseModel):
    """The [organization] table: a generated shape, or an org chart file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    employees: int | None = Field(None, description="head count of a generated organization")
    span_of_control: int | None = Field(None, description="reports per manager")
    departments: tuple[Department, ...] | None = Field(None, description="departments")
    chart: str | None = Field(
        None, description="org chart CSV or GraphML, relative to the scenario file"
    )
    departments_table: str | None = Field(None, description="departments CSV for the chart")
    staff_per_manager: int = Field(
        0,
        ge=0,
        le=1000,
        description="generated staff under each manager without reports in the chart",
    )


class ScenarioSpec(BaseModel):
    """A whole scenario file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1)
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=dict)
    organization: OrganizationSpec = Field(default_factory=OrganizationSpec)
    individuals: tuple[Individuals, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    plan: str | None = Field(
        None,
        min_length=1,
        description="a plan of the library (scenarios/plans/) run as the scenario's "
        "interventions, instead of listing them",
    )
    plans: dict[str, tuple[Intervention, ...]] = Field(
        default_factory=dict,
        description="alternative intervention schedules by name, for "
        "comparisons; `interventions` is the plan run by default",
    )

    @model_validator(mode="after")
    def _one_default_plan(self) -> ScenarioSpec:
        if self.plan is not None and self.interventions:
            raise ValueError(
                "give either `plan` (a plan of the library) or [[interventions]], not both"
            )
        return self


@dataclass(frozen=True)
class RunSetup:
    """Everything one run of a scenario needs."""

    name: str
    title: str
    description: str
    params: Params
    org: Organization | None
    interventions: tuple[Intervention, ...]
    path: Path | None
    individuals: tuple[Individuals, ...] = ()
    plans: dict[str, tuple[Intervention, ...]] = field(default_factory=dict)


def builtin_scenarios() -> dict[str, Path]:
    """The scenario files shipped with the package, by name (file stem)."""
    folder = resources.files("scenarios")
    return {
        Path(item.name).stem: Path(str(item))
        for item in folder.iterdir()
        if item.name.endswith(".toml")
    }


def resolve_scenario(name_or_path: str | Path | None) -> Path:
    """A scenario file from a path or the name of a built-in scenario."""
    if name_or_path is None:
        name_or_path = DEFAULT_SCENARIO
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise ScenarioError(f"{path}: no such scenario file")
        return path
    builtin = builtin_scenarios()
    if str(name_or_path) in builtin:
        return builtin[str(name_or_path)]
    raise ScenarioError(
        f"{name_or_path}: neither a .toml file nor a built-in scenario; "
        f"built-in scenarios: {', '.join(sorted(builtin))}"
    )


def read_scenario(path: Path) -> ScenarioSpec:
    """Parse and validate a scenario file's structure."""
    data, _ = read_toml(path, ScenarioError)
    try:
        return ScenarioSpec(**data)
    except ValidationError as error:
        raise ScenarioError(describe_validation_error(error, str(path))) from None


def scenario_params(spec: ScenarioSpec, path: Path, **overrides: Any) -> Params:
    """Params from the [parameters] table, the generated shape, and command-line overrides."""
    values = dict(spec.parameters)
    shape = spec.organization
    for key, value in (
        ("n_employees", shape.employees),
        ("span_of_control", shape.span_of_control),
        ("departments", shape.departments),
    ):
        if value is not None:
            values[key] = value
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return make_params(values)
    except ParamsError as error:
        lines = [f"{path}: parameters.{line}" for line in str(error).splitlines()]
        raise ScenarioError("\n".join(lines)) from None


def scenario_org(
    spec: ScenarioSpec, path: Path, params: Params, seed: int | None
) -> Organization | None:
    """The org chart named by the scenario, or None for a generated organization."""
    if spec.organization.chart is None:
        return None
    from sim.orgchart import load_org_chart

    chart = (path.parent / spec.organization.chart).resolve()
    table = spec.organization.departments_table
    table_path = (path.parent / table).resolve() if table else None
    for key, file in (
        ("organization.chart", chart),
        ("organization.departments_table", table_path),
    ):
        if file is not None and not file.is_file():
            raise ScenarioError(f"{path}: {key}: file {file} does not exist")
    return load_org_chart(
        chart,
        departments=table_path,
        params=params,
        rng=np.random.default_rng(seed),
        staff_per_manager=spec.organization.staff_per_manager,
    )


def check_interventions(
    spec: ScenarioSpec, path: Path, department_names: tuple[str, ...], levels: set[int]
) -> None:
    """Interventions and individuals may name only departments and levels the org has."""
    known = ", ".join(map(repr, department_names))
    schedules = {"interventions": spec.interventions}
    schedules.update({f"plans.{name}": plan for name, plan in spec.plans.items()})
    for where, schedule in schedules.items():
        for index, item in enumerate(schedule):
            for name in item.coverage.departments or ():
                if name not in department_names:
                    raise ScenarioError(
                        f"{path}: {where}.{index}.coverage.departments: no department "
                        f"{name!r}; the organization has {known}"
                    )
            for level in item.coverage.levels or ():
                if level not in levels:
                    raise ScenarioError(
                        f"{path}: {where}.{index}.coverage.levels: no level {level}; the "
                        f"organization has levels {sorted(levels)}"
                    )
    for index, group in enumerate(spec.individuals):
        if group.department not in department_names:
            raise ScenarioError(
                f"{path}: individuals.{index}.department: no department "
                f"{group.department!r}; the organization has {known}"
            )


def load_scenario(
    scenario: str | Path | None = None,
    *,
    employees: int | None = None,
    org_chart: Path | None = None,
    departments: Path | None = None,
    plan: str | None = None,
    seed: int | None = 0,
    **overrides: Any,
) -> RunSetup:
    """Read a scenario (the embedded baseline by default) and apply command-line overrides.

    Args:
        scenario: a scenario file, or the name of a built-in one.
        employees: head count of a generated organization, overriding the scenario's.
        org_chart: an org chart file replacing the scenario's organization.
        departments: the departments table for that org chart.
        plan: the name of one of the scenario's [plans] to run instead of its
            interventions ("none" runs no intervention).
        seed: seeds the org chart's generated peer ties.
        **overrides: parameter values, overriding the scenario's.
    """
    path = resolve_scenario(scenario)
    spec = read_scenario(path)
    params = scenario_params(spec, path, n_employees=employees, **overrides)
    if org_chart is not None:
        from sim.orgchart import load_org_chart

        org = load_org_chart(
            org_chart, departments=departments, params=params, rng=np.random.default_rng(seed)
        )
    else:
        org = scenario_org(spec, path, params, seed)
    if org is not None:
        names, levels = org.department_names, set(org.level.tolist())
    else:
        names = tuple(d.name for d in params.departments) + ("executive",)
        levels = set(range(1, 64))
    check_interventions(spec, path, names, levels)
    return RunSetup(
        name=path.stem,
        title=spec.title,
        description=spec.description.strip(),
        params=params,
        org=org,
        interventions=choose_plan(spec, path, plan),
        path=path,
        individuals=spec.individuals,
        plans=dict(spec.plans),
    )


def choose_plan(spec: ScenarioSpec, path: Path, plan: str | None) -> tuple[Intervention, ...]:
    """The interventions of the named plan, or the scenario's own when no plan is named.

    A plan name is looked up in the scenario's [plans], then in the plan library
    (`experiments.plans`); "none" runs no intervention.
    """
    if plan is None and spec.plan is None:
        return spec.interventions
    key = "plan" if plan is None else "--plan"
    try:
        return resolve_plan(plan if plan is not None else spec.plan, spec.plans)
    except PlanError as error:
        raise ScenarioError(f"{path}: {key}: {error}") from None


__all__ = [
    "OrganizationError",
    "RunSetup",
    "ScenarioError",
    "ScenarioSpec",
    "builtin_scenarios",
    "load_scenario",
    "read_scenario",
    "resolve_scenario",
]
