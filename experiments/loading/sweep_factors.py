"""What a sweep spec varies: its [parameters] as constants, ranges and lists, and its levers.

Each value is checked against `Params` (name, type, allowed range) and each lever against
the plans it names; a problem raises `SweepSpecError` with `FILE: KEY: problem`.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from eachcustomer.experiments.loading.plans import NO_PLAN, PlanError, known_plans, resolve_plan
from eachcustomer.experiments.loading.scenario_files import RunSetup
from eachcustomer.sim.params import Params

if TYPE_CHECKING:
    from eachcustomer.experiments.loading.sweep_spec import PriceLever, SweepFile
    from eachcustomer.sim.interventions import Intervention

NOT_SWEEPABLE = {
    "departments": "set departments in the scenario file",
    "horizon_weeks": "set the sweep's `weeks` instead",
}
CHART_FIXED = ("n_employees", "span_of_control")
"""Parameters that only shape a generated organization: meaningless with an org chart."""


class SweepSpecError(ValueError):
    """A sweep spec that cannot be run; the message names the file, the key and the problem."""


@dataclass(frozen=True)
class Factor:
    """Something that varies: a range (sampled by the design) or a list of values (crossed)."""

    name: str
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    steps: int | None = None
    integer: bool = False

    def grid(self) -> np.ndarray:
        """The `steps` evenly spaced values of a range (full factorial)."""
        assert self.low is not None and self.high is not None and self.steps is not None
        return np.linspace(self.low, self.high, self.steps)


def split_parameters(
    spec: SweepFile, setup: RunSetup, where: str
) -> tuple[dict[str, Any], tuple[Factor, ...], tuple[Factor, ...]]:
    """Split [parameters] into constants, ranges and lists, checking each against Params."""
    constants: dict[str, Any] = {}
    ranges: list[Factor] = []
    lists: list[Factor] = []
    fields = Params.model_fields
    for name, given in spec.parameters.items():
        key = f"{where}: parameters.{name}"
        if name not in fields:
            close = difflib.get_close_matches(name, fields, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise SweepSpecError(f"{key}: unknown parameter{hint}")
        if name in NOT_SWEEPABLE:
            raise SweepSpecError(f"{key}: cannot be set in a sweep; {NOT_SWEEPABLE[name]}")
        if name in CHART_FIXED and setup.org is not None:
            raise SweepSpecError(f"{key}: the scenario uses an org chart, which fixes it")
        low, high = _allowed(name)
        integer = fields[name].annotation is int
        if isinstance(given, dict):
            ranges.append(_range(name, given, low, high, integer, spec.design.kind, key))
        elif isinstance(given, list):
            if not given:
                raise SweepSpecError(f"{key}: empty list; give at least one value")
            values = tuple(
                _value(v, low, high, integer, f"{key}[{i}]") for i, v in enumerate(given)
            )
            _once_each(values, key)
            lists.append(Factor(name, values=values, integer=integer))
        else:
            constants[name] = _value(given, low, high, integer, key)
    return constants, tuple(ranges), tuple(lists)


def _once_each(values: tuple[Any, ...], key: str) -> None:
    """Refuse a list that gives a value twice: its points would be run twice, silently."""
    seen: dict[Any, int] = {}
    for index, value in enumerate(values):
        if value in seen:
            raise SweepSpecError(
                f"{key}[{index}]: {value!r} is listed twice (also at [{seen[value]}]); each "
                "value may be listed once (for more runs of a point, raise replications)"
            )
        seen[value] = index


def _allowed(name: str) -> tuple[float, float]:
    low, high = -np.inf, np.inf
    for item in Params.model_fields[name].metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def _value(value: Any, low: float, high: float, integer: bool, key: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SweepSpecError(f"{key}: expected a finite number, got {value!r}")
    if integer and value != int(value):
        raise SweepSpecError(f"{key}: expected a whole number, got {value!r}")
    if not low <= value <= high:
        raise SweepSpecError(f"{key}: {value!r} is outside the allowed range [{low}, {high}]")
    return int(value) if integer else float(value)


def _range(
    name: str, given: dict[str, Any], low: float, high: float, integer: bool, design: str, key: str
) -> Factor:
    unknown = set(given) - {"low", "high", "steps"}
    if unknown:
        raise SweepSpecError(
            f"{key}.{sorted(unknown)[0]}: unknown key; a range has low, high "
            "and (for a full_factorial design) steps"
        )
    if "low" not in given or "high" not in given:
        missing = "low" if "low" not in given else "high"
        raise SweepSpecError(f"{key}: a range needs bounds: {missing} is missing")
    first = _value(given["low"], -np.inf, np.inf, False, f"{key}.low")
    last = _value(given["high"], -np.inf, np.inf, False, f"{key}.high")
    if first >= last:
        raise SweepSpecError(
            f"{key}: empty range: low {first:g} must be below high {last:g}"
            " (give a single value for a constant)"
        )
    if first < low or last > high:
        raise SweepSpecError(
            f"{key}: range [{first:g}, {last:g}] is outside the allowed range [{low:g}, {high:g}]"
        )
    steps = given.get("steps")
    if design == "full_factorial":
        if steps is None:
            raise SweepSpecError(
                f"{key}: a full_factorial design needs `steps` for a range "
                "(or give a list of values)"
            )
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
            raise SweepSpecError(
                f"{key}.steps: expected a whole number of at least 2, got {steps!r}"
            )
    elif steps is not None:
        raise SweepSpecError(
            f"{key}.steps: only a full_factorial design uses steps; a "
            f"{design} design samples the range"
        )
    return Factor(name, low=first, high=last, steps=steps, integer=integer)


def lever_factors(spec: SweepFile, setup: RunSetup, where: str) -> tuple[Factor, ...]:
    """The plan and budget levers as list factors; plans must exist, budgets need plans."""
    levers = spec.levers
    factors: list[Factor] = []
    for name in spec.plans:
        if name == NO_PLAN or name in setup.plans:
            raise SweepSpecError(
                f"{where}: plans.{name}: the name is taken (by the scenario "
                f"or by the empty plan {NO_PLAN!r}); choose another"
            )
    if levers.plan is not None:
        own = {**setup.plans, **spec.plans}
        for index, name in enumerate(levers.plan):
            try:
                resolve_plan(name, own)
            except PlanError:
                known = ", ".join(known_plans(own))
                raise SweepSpecError(
                    f"{where}: levers.plan[{index}]: no plan {name!r}; define "
                    f"[plans.{name}] or use one of: {known}"
                ) from None
        if len(set(levers.plan)) != len(levers.plan):
            raise SweepSpecError(f"{where}: levers.plan: each plan may be listed once")
        factors.append(Factor("plan", values=levers.plan))
    if levers.budget is not None:
        if levers.plan is None:
            raise SweepSpecError(
                f"{where}: levers.budget: scaling to a budget needs plans to scale; add levers.plan"
            )
        budgets = levers.budget if isinstance(levers.budget, tuple) else (levers.budget,)
        if not budgets:
            raise SweepSpecError(f"{where}: levers.budget: empty list")
        for index, value in enumerate(budgets):
            if value < 0:
                raise SweepSpecError(
                    f"{where}: levers.budget[{index}]: must be at least 0, got {value!r}"
                )
        _once_each(tuple(float(b) for b in budgets), f"{where}: levers.budget")
        factors.append(Factor("budget", values=tuple(float(b) for b in budgets)))
    if levers.price_multiplier is not None:
        factors.append(price_factor(spec, setup, where))
    if levers.strength_multiplier is not None:
        factors.append(strength_factor(spec, setup, where))
    return tuple(factors)


def _swept_plan(
    spec: SweepFile, setup: RunSetup, lever: PriceLever, key: str, what: str
) -> tuple[Intervention, ...]:
    """The interventions of the plan a plan lever varies, checked to be a swept plan."""
    plans = spec.levers.plan
    if plans is None:
        raise SweepSpecError(
            f"{key}: varying a plan's {what} needs plans to compare; add levers.plan"
        )
    if lever.plan not in plans or lever.plan == NO_PLAN:
        swept = ", ".join(name for name in plans if name != NO_PLAN) or "none"
        raise SweepSpecError(
            f"{key}.plan: {lever.plan!r} is not a plan of levers.plan that does something; "
            f"plans: {swept}"
        )
    return resolve_plan(lever.plan, {**setup.plans, **spec.plans})


def _multipliers(lever: PriceLever, key: str) -> tuple[float, ...]:
    for index, value in enumerate(lever.values):
        if value <= 0:
            raise SweepSpecError(f"{key}.values[{index}]: must be above 0, got {value!r}")
    if len(set(lever.values)) != len(lever.values):
        raise SweepSpecError(f"{key}.values: each multiplier may be listed once")
    return tuple(float(v) for v in lever.values)


def strength_factor(spec: SweepFile, setup: RunSetup, where: str) -> Factor:
    """`[levers] strength_multiplier` as a list factor: no intervention above strength 1."""
    lever = spec.levers.strength_multiplier
    assert lever is not None
    key = f"{where}: levers.strength_multiplier"
    plan = _swept_plan(spec, setup, lever, key, "strength")
    values = _multipliers(lever, key)
    for index, value in enumerate(values):
        for item in plan:
            if item.strength * value > 1.0 + 1e-12:
                raise SweepSpecError(
                    f"{key}.values[{index}]: {item.name} has strength {item.strength}, so "
                    f"x {value:g} is {item.strength * value:g}, above 1, the most a lever can be"
                )
    return Factor("strength_multiplier", values=values)


def price_factor(spec: SweepFile, setup: RunSetup, where: str) -> Factor:
    """`[levers] price_multiplier` as a list factor: a swept plan that costs something."""
    lever = spec.levers.price_multiplier
    assert lever is not None
    key = f"{where}: levers.price_multiplier"
    priced = _swept_plan(spec, setup, lever, key, "price")
    if not any(item.price_per_participant_week(1.0, 1.0) for item in priced):
        raise SweepSpecError(
            f"{key}.plan: {lever.plan!r} costs nothing as specified, so its price cannot "
            "be multiplied; give its interventions hours or direct costs"
        )
    return Factor("price_multiplier", values=_multipliers(lever, key))
