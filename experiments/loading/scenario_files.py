"""Scenario TOML files: read, validate, and turn into what a run needs.

A scenario is one point: a title, a description citing the seed sentence it illustrates,
parameter overrides, the organization (generated, or an org chart) and an intervention
schedule. Every problem is reported with the file, the key and what is allowed. The file's
tables are the models of `eachcustomer.experiments.loading.scenario_spec`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from eachcustomer.experiments.loading import catalogue
from eachcustomer.experiments.loading.files import named_file, read_toml
from eachcustomer.experiments.loading.plans import PlanError, resolve_plan
from eachcustomer.experiments.loading.scenario_spec import OrganizationSpec, ScenarioSpec
from eachcustomer.experiments.loading.timeline import TimelineEntry, check_timeline
from eachcustomer.sim.individuals import Individuals
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.limits import DEFAULT_LIMITS, LimitError, Limits
from eachcustomer.sim.organization import Organization, OrganizationError
from eachcustomer.sim.params import Params, ParamsError, describe_validation_error, make_params
from eachcustomer.sim.players import Player, check_players

DEFAULT_SCENARIO = "baseline"
DATA_FOLDER = catalogue.folder("scenario") / "data"
"""Data shipped with the package that any scenario may name (e.g. the Krackhardt chart)."""


class ScenarioError(ValueError):
    """A scenario that cannot be run; the message names the file, the key and the problem."""


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
    seed: int = 0
    timeline: tuple[TimelineEntry, ...] = ()
    players: tuple[Player, ...] = ()


def read_scenario(path: Path) -> ScenarioSpec:
    """Parse and validate a scenario file's structure."""
    data, _ = read_toml(path, ScenarioError)
    catalogue.check_kind("scenario", data, str(path), ScenarioError)
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
        # A value from [organization] is named by its own key, not the parameter's.
        keys = {"n_employees": "employees", "span_of_control": "span_of_control"}
        lines = []
        for line in str(error).splitlines():
            name = line.split(":", 1)[0]
            table = "organization" if name in keys and getattr(shape, keys[name]) else ""
            key = f"organization.{keys[name]}" if table else f"parameters.{name}"
            key = "parameters" if name == "parameters" else key
            lines.append(f"{path}: {key}{line[len(name) :]}")
        raise ScenarioError("\n".join(lines)) from None


def scenario_org(
    spec: ScenarioSpec, path: Path, params: Params, seed: int | None, limits: Limits
) -> Organization | None:
    """The org chart named by the scenario, or None for a generated organization.

    The chart and its departments table are read relative to the scenario file and must be
    in its folder (or the package's scenarios/data/); errors name the file and the key.
    """
    shape = spec.organization
    if shape.chart is None:
        return None
    chart = named_file(path, "organization.chart", shape.chart, ScenarioError, (DATA_FOLDER,))
    table = shape.departments_table
    table_path = (
        named_file(path, "organization.departments_table", table, ScenarioError, (DATA_FOLDER,))
        if table
        else None
    )
    try:
        return read_org_chart(chart, table_path, params, seed, limits, shape.staff_per_manager)
    except OrganizationError as error:
        raise ScenarioError(f"{path}: organization.chart: {error}") from None
    except LimitError as error:
        raise LimitError(f"{path}: organization.chart: {error}") from None


def read_org_chart(
    chart: Path,
    departments: Path | None,
    params: Params,
    seed: int | None,
    limits: Limits,
    staff_per_manager: int = 0,
) -> Organization:
    """An org chart file as an organization, refused when it is bigger than the limits."""
    from eachcustomer.sim.orgchart import OrgChartError, load_org_chart

    # Each listed employee brings at most staff_per_manager generated staff: bounding the
    # rows read bounds the organization before it is built.
    most = max(1, limits.employees // (1 + staff_per_manager))
    try:
        org = load_org_chart(
            chart,
            departments=departments,
            params=params,
            rng=np.random.default_rng(seed),
            staff_per_manager=staff_per_manager,
            max_rows=most,
        )
    except OrgChartError as error:
        if f"max_rows={most}" not in str(error):
            raise
        name, advice = Path(chart).name, limits.advice("employees")
        if staff_per_manager:
            raise LimitError(
                f"{name}: more than {most:,} employees listed, each with up to "
                f"{staff_per_manager} generated staff, can exceed the limit of "
                f"{limits.employees:,} employees{advice}"
            ) from None
        raise LimitError(
            f"{name}: more than {most:,} employees listed; the limit is "
            f"{limits.employees:,} employees{advice}"
        ) from None
    limits.check_run(org.size, params.customers_per_employee, Path(chart).name)
    return org


def check_coverage_names(
    where: str,
    schedule: tuple[Intervention, ...],
    department_names: tuple[str, ...],
    levels: set[int] | None,
) -> None:
    """Every intervention of `schedule` names only departments and levels the org has.

    `levels` None leaves the levels unchecked: a generated organization's levels follow from
    parameters a sweep may vary.

    Raises:
        ValueError: naming `where`, the intervention's index and the unknown name.
    """
    known = ", ".join(map(repr, department_names))
    for index, item in enumerate(schedule):
        for name in item.coverage.departments or ():
            if name not in department_names:
                raise ValueError(
                    f"{where}.{index}.coverage.departments: no department {name!r}; the "
                    f"organization has {known}"
                )
        for level in item.coverage.levels or ():
            if levels is not None and level not in levels:
                raise ValueError(
                    f"{where}.{index}.coverage.levels: no level {level}; the organization "
                    f"has levels {sorted(levels)}"
                )


def check_interventions(
    spec: ScenarioSpec, path: Path, department_names: tuple[str, ...], levels: set[int]
) -> None:
    """Interventions and individuals may name only departments and levels the org has."""
    known = ", ".join(map(repr, department_names))
    schedules = {"interventions": spec.interventions}
    schedules.update({f"plans.{name}": plan for name, plan in spec.plans.items()})
    schedules.update(
        {
            f"timeline.{i}.interventions": entry.interventions
            for i, entry in enumerate(spec.timeline)
        }
    )
    try:
        for where, schedule in schedules.items():
            check_coverage_names(where, schedule, department_names, levels)
    except ValueError as error:
        raise ScenarioError(f"{path}: {error}") from None
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
    seed: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    **overrides: Any,
) -> RunSetup:
    """Read a scenario (the embedded baseline by default) and apply command-line overrides.

    Args:
        scenario: a scenario file, or the name of a built-in one.
        employees: head count of a generated organization, overriding the scenario's.
        org_chart: an org chart file replacing the scenario's organization.
        departments: the departments table for that org chart (only with `org_chart`).
        plan: the name of one of the scenario's [plans] to run instead of its
            interventions ("none" runs no intervention).
        seed: the run's seed, which also seeds an org chart's generated peer ties; the
            scenario's own `seed` when None, and 0 when it has none.
        limits: the largest organization and horizon allowed (`eachcustomer.sim.limits`).
        **overrides: parameter values, overriding the scenario's.

    Raises:
        ScenarioError, ParamsError, OrganizationError: a mistake in the scenario or the
            arguments, named with the file and the key.
        LimitError: the organization or the horizon is bigger than `limits`.
    """
    path = catalogue.resolve(
        "scenario", DEFAULT_SCENARIO if scenario is None else scenario, ScenarioError
    )
    spec = read_scenario(path)
    if departments is not None and org_chart is None:
        raise ScenarioError(
            f"departments table {departments}: it applies to an org chart given with it "
            "(--org-chart); without one it would be ignored"
        )
    from_chart = org_chart is not None or spec.organization.chart is not None
    check_generated_shape(spec, path, from_chart, employees, overrides)
    params = scenario_params(spec, path, n_employees=employees, **overrides)
    limits.check("weeks", params.horizon_weeks, f"{path}: horizon_weeks")
    try:
        check_timeline(spec.timeline, params.horizon_weeks, params, spec.players)
    except ValueError as error:
        raise ScenarioError(f"{path}: {error}") from None
    if seed is None:
        seed = spec.seed if spec.seed is not None else 0
    org: Organization | None
    if org_chart is not None:
        org = read_org_chart(Path(org_chart), departments, params, seed, limits)
    else:
        if not from_chart:
            where = size_source(spec, path, employees, overrides)
            limits.check_run(params.n_employees, params.customers_per_employee, where, str(path))
        org = scenario_org(spec, path, params, seed, limits)
    if org is not None:
        names, levels = org.department_names, set(org.level.tolist())
    else:
        names = tuple(d.name for d in params.departments) + ("executive",)
        levels = set(range(1, 64))
    check_interventions(spec, path, names, levels)
    try:
        check_players(spec.players, org.size if org is not None else params.n_employees)
    except ValueError as error:
        raise ScenarioError(f"{path}: {error}") from None
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
        seed=seed,
        timeline=spec.timeline,
        players=spec.players,
    )


def size_source(spec: ScenarioSpec, path: Path, employees: int | None, overrides: dict) -> str:
    """Where a generated organization's head count comes from, for a refusal to name."""
    if employees is not None:
        return "--employees"
    if overrides.get("n_employees") is not None:
        return "n_employees"
    if spec.organization.employees is not None:
        return f"{path}: organization.employees"
    if "n_employees" in spec.parameters:
        return f"{path}: parameters.n_employees"
    return str(path)


def check_generated_shape(
    spec: ScenarioSpec, path: Path, from_chart: bool, employees: int | None, overrides: dict
) -> None:
    """With an org chart, a head count or span of control would be silently ignored: refuse it."""
    if not from_chart:
        return
    if employees is not None:
        raise ScenarioError(
            f"--employees {employees}: the organization comes from an org chart, which "
            "fixes the head count; leave the head count out"
        )
    for key in ("n_employees", "span_of_control"):
        if key in spec.parameters:
            raise ScenarioError(
                f"{path}: parameters.{key}: the organization comes from an org chart, "
                "which fixes it; remove it"
            )
        if overrides.get(key) is not None:
            raise ScenarioError(f"{key}: an org chart fixes it; leave it out")


def choose_plan(spec: ScenarioSpec, path: Path, plan: str | None) -> tuple[Intervention, ...]:
    """The interventions of the named plan, or the scenario's own when no plan is named.

    A plan name is looked up in the scenario's [plans], then in the plan library
    (`eachcustomer.experiments.loading.plans`); "none" runs no intervention.
    """
    if plan is None and spec.plan is None:
        return spec.interventions
    key, name = ("plan", spec.plan) if plan is None else ("--plan", plan)
    assert name is not None  # one of the two is set, see above
    try:
        return resolve_plan(name, spec.plans)
    except PlanError as error:
        raise ScenarioError(f"{path}: {key}: {error}") from None


__all__ = [
    "OrganizationError",
    "OrganizationSpec",
    "RunSetup",
    "ScenarioError",
    "ScenarioSpec",
    "load_scenario",
    "read_scenario",
]
