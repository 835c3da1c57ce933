"""The levers of a plan search: each intervention kind the plan may spend on, resolved.

A lever's intervention comes from a template: a plan of the scenario or of the library with
an intervention of that kind (the library's first by default), whose strength, duration and
prices the spec may override. Its coverage options are named groups ('all', 'front line',
'back office', 'leaders') or departments and levels; its start weeks a list or a range.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import numpy as np
from pydantic import ValidationError

from eachcustomer.experiments.loading.plans import PlanError, kind_template, resolve_plan
from eachcustomer.experiments.planfinder.encoding import CoverageOption, Lever
from eachcustomer.experiments.planfinder.problem import PlanSpecError
from eachcustomer.experiments.planfinder.spec import (
    COVERAGE_NAMES,
    LeverSpec,
    PlanSearchFile,
    WeekRange,
)
from eachcustomer.sim.budget import expected_participants, intervention_cost
from eachcustomer.sim.interventions import KINDS, Coverage, Intervention
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.params import Params, describe_validation_error

DEFAULT_START_EVERY = 4
"""Weeks between the start weeks a lever may choose when the spec gives none."""
OVERRIDES = (
    "strength",
    "duration",
    "hours_per_participant_week",
    "direct_cost_per_participant_week",
)


def check_lever_names(spec: PlanSearchFile, where: str) -> None:
    """Every [levers.KIND] must name an intervention kind."""
    for kind in spec.levers:
        if kind not in KINDS:
            close = difflib.get_close_matches(kind, KINDS, n=2)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            raise PlanSpecError(
                f"{where}: levers.{kind}: unknown intervention kind; {hint}kinds are "
                f"{', '.join(KINDS)}"
            )


def levers_of(
    spec: PlanSearchFile,
    own_plans: dict[str, tuple[Intervention, ...]],
    org: Organization,
    params: Params,
    weeks: int,
    where: str,
) -> tuple[Lever, ...]:
    """Every lever, checked: template, coverage options, starts, share bounds, minimum cost."""
    step = spec.budget.step
    levers = []
    for kind, given in spec.levers.items():
        key = f"{where}: levers.{kind}"
        template = lever_template(kind, given, own_plans, params, key)
        coverages = coverage_options(kind, given, template, org, key)
        starts = start_weeks(given.start, weeks, key)
        low, high = _share_units(given, step, key)
        lever = Lever(kind, template, coverages, starts, low, high)
        _check_minimum(lever, spec.budget.amount, step, org, params, weeks, key, where)
        levers.append(lever)
    return tuple(levers)


def lever_template(
    kind: str, given: LeverSpec, own: dict[str, tuple[Intervention, ...]], params: Params, key: str
) -> Intervention:
    """The lever's intervention at full coverage, with the spec's overrides."""
    base: Intervention | None = None
    if given.template is not None:
        try:
            plan = resolve_plan(given.template, own)
        except PlanError as error:
            raise PlanSpecError(f"{key}.template: {error}") from None
        base = next((item for item in plan if item.kind == kind), None)
        if base is None:
            raise PlanSpecError(f"{key}.template: plan {given.template!r} has no {kind}")
    else:
        base = kind_template(kind, own)
    overrides = {
        name: getattr(given, name) for name in OVERRIDES if getattr(given, name) is not None
    }
    if base is None and not overrides:
        raise PlanSpecError(
            f"{key}: no plan of the library has a {kind}; give its strength and price "
            "(hours_per_participant_week, direct_cost_per_participant_week)"
        )
    data: dict[str, Any] = base.model_dump() if base is not None else {"kind": kind}
    if {"hours_per_participant_week", "direct_cost_per_participant_week"} & set(overrides):
        data["cost_per_participant_week"] = None  # priced in hours and spend instead
    data.update(overrides)
    data["coverage"] = {**data.get("coverage", {}), "share": 1.0}
    try:
        template = Intervention(**data)
    except ValidationError as error:
        raise PlanSpecError(describe_validation_error(error, key)) from None
    if (
        template.price_per_participant_week(params.wage_cost_per_hour, params.leader_wage_ratio)
        <= 0
    ):
        raise PlanSpecError(
            f"{key}: costs nothing as specified, so no budget can be spent on it; give "
            "hours_per_participant_week or direct_cost_per_participant_week"
        )
    return template


def coverage_options(
    kind: str, given: LeverSpec, template: Intervention, org: Organization, key: str
) -> tuple[CoverageOption, ...]:
    """The groups the lever may cover, each with at least one employee."""
    if given.coverage is None:
        return (CoverageOption(_coverage_name(template.coverage), template.coverage),)
    if not given.coverage:
        raise PlanSpecError(f"{key}.coverage: empty list; give at least one group")
    options: list[CoverageOption] = []
    for index, item in enumerate(given.coverage):
        where = f"{key}.coverage[{index}]"
        if isinstance(item, str):
            option = named_group(item, org, where)
        elif isinstance(item, dict):
            option = _group_table(item, org, where)
        else:
            raise PlanSpecError(
                f"{where}: expected one of {', '.join(map(repr, COVERAGE_NAMES))} or a table "
                f"{{departments = [...], levels = [...]}}, got {item!r}"
            )
        if kind == "hiring_for_attitude" and option.name != "all":
            raise PlanSpecError(
                f"{where}: hiring for attitude acts on every hire; its only coverage is 'all'"
            )
        eligible = option.coverage.eligible(org.department_names, org.department, org.level)
        if not eligible.any():
            raise PlanSpecError(f"{where}: {option.name} has no employees in this organization")
        if option.name in (o.name for o in options):
            raise PlanSpecError(f"{where}: {option.name} is listed twice")
        options.append(option)
    return tuple(options)


def named_group(name: str, org: Organization, where: str) -> CoverageOption:
    """'all', 'front line' (customer-facing departments), 'back office' (the others, but the
    chief's own department), 'leaders' (levels 1 and 2)."""
    if name == "all":
        return CoverageOption(name, Coverage())
    if name == "leaders":
        return CoverageOption(name, Coverage(levels=(1, 2)))
    if name in ("front line", "back office"):
        facing = []
        for index, department in enumerate(org.department_names):
            members = org.department == index
            if not members.any() or (org.level[members] == 1).all():
                continue  # the chief's own department is neither
            facing.append((department, org.customer_facing[members].mean() >= 0.5))
        wanted = name == "front line"
        chosen = tuple(department for department, front in facing if front == wanted)
        if not chosen:
            raise PlanSpecError(f"{where}: this organization has no {name}")
        return CoverageOption(name, Coverage(departments=chosen))
    raise PlanSpecError(
        f"{where}: no group {name!r}; named groups are {', '.join(map(repr, COVERAGE_NAMES))}, "
        "or give a table {departments = [...], levels = [...]}"
    )


def _group_table(item: dict[str, Any], org: Organization, where: str) -> CoverageOption:
    if "share" in item:
        raise PlanSpecError(f"{where}.share: the share covered follows from the budget")
    try:
        coverage = Coverage(**item)
    except ValidationError as error:
        raise PlanSpecError(describe_validation_error(error, where)) from None
    if coverage.departments is None and coverage.levels is None:
        return CoverageOption("all", coverage)
    for name in coverage.departments or ():
        if name not in org.department_names:
            raise PlanSpecError(
                f"{where}.departments: no department {name!r}; the organization has "
                f"{', '.join(map(repr, org.department_names))}"
            )
    levels = sorted(set(org.level.tolist()))
    for level in coverage.levels or ():
        if level not in levels:
            raise PlanSpecError(f"{where}.levels: no level {level}; the organization has {levels}")
    return CoverageOption(_coverage_name(coverage), coverage)


def _coverage_name(coverage: Coverage) -> str:
    parts = []
    if coverage.departments is not None:
        parts.append(" and ".join(coverage.departments))
    if coverage.levels is not None:
        parts.append("levels " + ", ".join(str(level) for level in coverage.levels))
    return " at ".join(parts) if parts else "all"


def start_weeks(given: int | WeekRange | None, weeks: int, key: str) -> tuple[int, ...]:
    """The start weeks a lever may choose, all within the horizon."""
    if given is None:
        return tuple(range(1, max(1, weeks // 2) + 1, DEFAULT_START_EVERY))
    if isinstance(given, int):
        if given < 1:
            raise PlanSpecError(f"{key}.start: must be at least week 1, got {given}")
        starts: tuple[int, ...] = (given,)
    else:
        if given.low > given.high:
            raise PlanSpecError(
                f"{key}.start: low {given.low} is after high {given.high}; give low <= high"
            )
        starts = tuple(range(given.low, given.high + 1, given.step))
    if starts[-1] > weeks:
        raise PlanSpecError(f"{key}.start: week {starts[-1]} is after the horizon ({weeks} weeks)")
    return starts


def _share_units(given: LeverSpec, step: float, key: str) -> tuple[int, int]:
    units = []
    for name in ("low", "high"):
        value = getattr(given.share, name)
        count = round(value / step)
        if not np.isclose(count * step, value, rtol=0, atol=1e-9):
            raise PlanSpecError(
                f"{key}.share.{name}: {value:g} is not a multiple of budget.step ({step:g})"
            )
        units.append(count)
    if units[0] > units[1]:
        raise PlanSpecError(
            f"{key}.share: low {given.share.low:g} is above high {given.share.high:g}"
        )
    return units[0], units[1]


def cheapest_use(lever: Lever, org: Organization, params: Params, weeks: int) -> float:
    """What the smallest use of a lever costs: one participant from its latest start (for
    hiring for attitude, the weeks of one expected hire); infinite when even that does not
    fit before the horizon."""
    latest = lever.template.model_copy(update={"start": lever.starts[-1]})
    if lever.by_duration:
        hires_per_week = expected_participants(latest, org, params)
        needed = math.ceil(1.0 / hires_per_week) if hires_per_week > 0 else math.inf
        if needed > latest.weeks_within(weeks):
            return math.inf
        return needed * intervention_cost(
            latest.model_copy(update={"duration": 1}), org, params, weeks
        )
    price = latest.price_per_participant_week(params.wage_cost_per_hour, params.leader_wage_ratio)
    return price * latest.weeks_within(weeks)


def _check_minimum(
    lever: Lever,
    budget: float,
    step: float,
    org: Organization,
    params: Params,
    weeks: int,
    key: str,
    where: str,
) -> None:
    smallest = cheapest_use(lever, org, params, weeks)
    most = lever.high_units * step * budget
    if math.isinf(smallest):
        raise PlanSpecError(
            f"{key}.start: fewer than one hire is expected between week {lever.starts[-1]} and "
            f"the horizon ({weeks} weeks), so hiring for attitude cannot be paid for; start "
            "it earlier or remove the lever"
        )
    if smallest > budget:
        raise PlanSpecError(
            f"{where}: budget.amount: {budget:,.0f} is less than the cheapest use of "
            f"{lever.kind} ({smallest:,.0f}: "
            f"{'one expected hire' if lever.by_duration else 'one participant'} from week "
            f"{lever.starts[-1]}); raise the budget or remove levers.{lever.kind}"
        )
    if smallest > most:
        raise PlanSpecError(
            f"{key}.share.high: at most {most:,.0f} may go to {lever.kind}, less than its "
            f"cheapest use ({smallest:,.0f}); raise the share or remove the lever"
        )
