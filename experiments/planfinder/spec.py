"""The plan search spec: a TOML file that states a budget, the levers and the objectives.

Structure only; `eachcustomer.experiments.planfinder.checks` checks it against the model and the
organization. Every key is described in experiments/specs/README.md ("Plan searches").
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from eachcustomer.sim.checked import CheckedModel

STATISTICS = ("mean", "percentile")
SPEND_MODES = ("constraint", "objective")
COVERAGE_NAMES = ("all", "front line", "back office", "leaders")
"""Named groups a lever may cover; tables {departments = [...], levels = [...]} name others."""


class Strict(CheckedModel):
    """Frozen, no unknown keys, no NaN or infinity."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class BudgetSpec(Strict):
    """The [budget] table: how much may be spent, and whether spending less is a goal."""

    amount: float = Field(gt=0, description="the most the plan may cost over the horizon")
    spend: Literal[SPEND_MODES] = Field(  # type: ignore[valid-type]
        "constraint",
        description="'constraint': every plan spends the budget (at most); 'objective': "
        "the share spent is chosen too, and the plan's cost is minimized",
    )
    step: float = Field(
        0.05, gt=0, le=0.5, description="budget shares move in steps of this share (5%)"
    )


class WeekRange(Strict):
    """Start weeks from `low` to `high`, every `step` weeks."""

    low: int = Field(ge=1)
    high: int = Field(ge=1)
    step: int = Field(1, ge=1)


class ShareBounds(Strict):
    """Bounds on a lever's share of the budget."""

    low: float = Field(0.0, ge=0, le=1)
    high: float = Field(1.0, ge=0, le=1)


class LeverSpec(Strict):
    """One [levers.KIND] table: an intervention kind the plan may spend on."""

    template: str | None = Field(
        None,
        description="a plan (the scenario's or the library's) whose intervention of this "
        "kind gives the strength, duration and prices; the library's first such plan "
        "when omitted",
    )
    coverage: tuple[Any, ...] | None = Field(
        None,
        description="whom it may cover: 'all', 'front line', 'back office', 'leaders' or "
        "{departments = [...], levels = [...]}; the template's coverage when omitted",
    )
    start: int | WeekRange | None = Field(
        None,
        description="start week, or {low, high, step}; weeks 1 to half the horizon "
        "every 4 weeks when omitted",
    )
    share: ShareBounds = Field(default_factory=ShareBounds)
    strength: float | None = Field(None, ge=0, le=1)
    duration: int | None = Field(None, ge=1)
    hours_per_participant_week: float | None = Field(None, ge=0)
    direct_cost_per_participant_week: float | None = Field(None, ge=0)


class ObjectiveSpec(Strict):
    """One [[objectives]] table: an outcome and the statistic over replications to optimize."""

    outcome: str = Field(min_length=1)
    statistic: Literal[STATISTICS] = "mean"  # type: ignore[valid-type]
    percentile: float | None = Field(None, gt=0, lt=100)
    direction: Literal["minimize", "maximize"] | None = None


class SearchSpec(Strict):
    """The [search] table: how hard to look, and how to check what was found."""

    population: int = Field(20, ge=4, le=1000)
    generations: int = Field(10, ge=1, le=1000)
    validation_replications: int = Field(
        20,
        ge=2,
        le=10_000,
        description="fresh replications that confirm the chosen plan against doing nothing "
        "(seeds neither the search nor the selection used)",
    )
    finalists: int = Field(
        6, ge=2, le=50, description="plans of the front (then near it) the selection compares"
    )
    first_replications: int = Field(
        10,
        ge=3,
        le=10_000,
        description="the selection's first stage: fresh replications of every finalist",
    )
    replication_cap: int = Field(
        40, ge=3, le=10_000, description="the most fresh replications the selection gives a plan"
    )
    indifference: float | None = Field(
        None,
        gt=0,
        description="the smallest difference on the primary objective worth telling apart, "
        "in its unit; a tenth of the best finalist's first-stage effect when omitted",
    )
    library_check: bool = Field(
        True, description="compare the front with the plan library at the same budget"
    )
    weights: tuple[float, ...] | None = Field(
        None, description="how the recommended plan trades the objectives off (equal)"
    )


class PlanSearchFile(Strict):
    """A whole plan search file, structurally validated."""

    title: str = Field(min_length=1)
    description: str = ""
    scenario: str = Field("baseline", description="built-in scenario, or a file beside the spec")
    seed: int = Field(ge=0, description="master seed: replication seeds and the search")
    weeks: int | None = Field(None, ge=1, le=5200)
    replications: int = Field(8, ge=2, le=10_000)
    posterior: str | None = Field(
        None, description="a calibration folder; replication r draws its parameters with its seed"
    )
    parameters: dict[str, Any] = Field(default_factory=dict)
    budget: BudgetSpec
    levers: dict[str, LeverSpec] = Field(min_length=1)
    objectives: tuple[ObjectiveSpec, ...] = Field(min_length=1)
    search: SearchSpec = Field(default_factory=SearchSpec)
