"""Lever strengths a calibration may fit: numbers of the plan library, not model parameters.

A targets file may name these under [priors] beside the model's parameters. The simulator
takes them out before it builds the parameters and uses them where the statistic that needs
them builds its plan (`practice_performance_r`: the library's culture change at this
strength). A posterior that holds one keeps it in its table for reading, and never draws it
into a run's parameters.
"""

from __future__ import annotations

from collections.abc import Mapping

from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.sim.interventions import Intervention

PRACTICE_PLAN = "culture_change"
"""The library plan whose adoption the organization-level practice studies stand for."""

LEVER_PRIORS: dict[str, tuple[float, float, str]] = {
    "culture_change_strength": (
        0.0,
        1.0,
        "strength of each of the four levers of the library's culture_change plan",
    ),
}
"""Name: (lowest, highest, meaning)."""


def lever_values(values: Mapping[str, float]) -> dict[str, float]:
    """The lever strengths among `values`."""
    return {name: float(value) for name, value in values.items() if name in LEVER_PRIORS}


def model_values(values: Mapping[str, float]) -> dict[str, float]:
    """`values` without the lever strengths: what goes into the model's parameters."""
    return {name: value for name, value in values.items() if name not in LEVER_PRIORS}


def practice_plan(levers: Mapping[str, float], share: float) -> tuple[Intervention, ...]:
    """The library's culture change from week 1 for a random `share` of the staff, each lever
    at the fitted strength (the library's own when none is fitted)."""
    strength = levers.get("culture_change_strength")
    plan = []
    for item in plan_library()[PRACTICE_PLAN].interventions:
        update: dict[str, object] = {
            "start": 1,
            "coverage": item.coverage.model_copy(update={"share": share}),
        }
        if strength is not None:
            update["strength"] = strength
        plan.append(item.model_copy(update=update))
    return tuple(plan)


def values_before(
    names: list[str] | tuple[str, ...], base: Mapping[str, object]
) -> dict[str, float]:
    """Each fitted name's value before the fit: the scenario's parameter, or for a lever
    strength the library's own."""
    library = {
        "culture_change_strength": float(plan_library()[PRACTICE_PLAN].interventions[0].strength)
    }
    return {name: library[name] if name in LEVER_PRIORS else float(base[name]) for name in names}  # type: ignore[arg-type]
