"""The sweep file's tables as pydantic models: structure and types, checked as the file is read.

What the values mean against the model (parameter names and ranges, plans, outcome names)
is checked after, by `eachcustomer.experiments.loading.sweep_factors` and
`eachcustomer.experiments.loading.sweep_checks`; the module docstring of
`eachcustomer.experiments.loading.sweeps` says what a sweep is.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from eachcustomer.sim.checked import CheckedModel
from eachcustomer.sim.interventions import Intervention

DESIGNS = ("full_factorial", "latin_hypercube", "sobol", "morris")
DEFAULT_FINAL = (
    "mean_attitude",
    "share_negative",
    "mean_customer_focus",
    "active_customers",
    "mean_satisfaction",
    "net_promoter_score",
)
DEFAULT_SERIES = ("mean_attitude", "share_negative", "active_customers")


class DesignSpec(CheckedModel):
    """The [design] table."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    kind: Literal[DESIGNS] = "full_factorial"  # type: ignore[valid-type]
    samples: int | None = Field(
        None,
        ge=1,
        description="latin_hypercube: points; sobol: "
        "base sample N (a power of 2); morris: trajectories",
    )
    levels: int = Field(4, ge=2, description="morris: grid levels (even)")
    second_order: bool = Field(False, description="sobol: also second-order indices")


class OutcomeSpec(CheckedModel):
    """The [outcomes] table: which numbers each run keeps."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    final: tuple[str, ...] = Field(
        DEFAULT_FINAL, description="outputs at the horizon, kept as final_<name>"
    )
    mean: tuple[str, ...] = Field(
        (), description="outputs averaged over `window`, kept as mean_<name>"
    )
    window: tuple[int, int] | None = Field(
        None, description="first and last week of the means, inclusive; weeks 1..weeks when omitted"
    )
    summary: tuple[str, ...] | None = Field(
        None,
        description=(
            "run summaries of eachcustomer.experiments.running.runs.summarize; all when omitted"
        ),
    )
    series: tuple[str, ...] = Field(DEFAULT_SERIES, description="outputs kept week by week")


class PriceLever(CheckedModel):
    """`[levers] price_multiplier` or `strength_multiplier`: one plan's prices (or the
    strengths of its interventions) times each value, the others' as listed."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    plan: str = Field(min_length=1, description="the plan whose price varies")
    values: tuple[float, ...] = Field(
        min_length=1,
        description="multipliers of its prices (hours, direct and all-in) or of its "
        "interventions' strengths, > 0",
    )


class LeverSpec(CheckedModel):
    """The [levers] table: what we choose."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    plan: tuple[str, ...] | None = Field(None, min_length=1)
    budget: float | tuple[float, ...] | None = Field(
        None, description="expected cost every plan is scaled to (a list compares several budgets)"
    )
    scale_by: Literal["coverage", "duration"] = "coverage"
    price_multiplier: PriceLever | None = Field(
        None, description="vary one plan's price relative to the others' (a decision map's axis)"
    )
    strength_multiplier: PriceLever | None = Field(
        None,
        description="vary the strength of one plan's interventions (a decision map's axis: "
        "what the evidence leaves open about how much a lever does)",
    )

    @field_validator("budget", mode="before")
    @classmethod
    def _finite_budgets(cls, given: Any) -> Any:
        # Said here once: the union's own messages would name both of its branches.
        for value in given if isinstance(given, list | tuple) else (given,):
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError("a budget must be a finite number")
        return given


class SweepFile(CheckedModel):
    """A whole sweep file, structurally validated."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    title: str = Field(min_length=1)
    description: str = ""
    scenario: str = Field(
        "baseline", description="built-in scenario name, or a file relative to the sweep file"
    )
    replications: int = Field(1, ge=1, le=100_000)
    seed: int = Field(ge=0, description="master seed")
    weeks: int | None = Field(
        None, ge=1, le=5200, description="horizon; the scenario's when omitted"
    )
    design: DesignSpec = Field(default_factory=DesignSpec)
    parameters: dict[str, Any] = Field(default_factory=dict)
    levers: LeverSpec = Field(default_factory=LeverSpec)
    plans: dict[str, tuple[Intervention, ...]] = Field(
        default_factory=dict,
        description="intervention schedules by name, as in scenario "
        "files ([[plans.NAME]] tables); the scenario's own plans can be named too",
    )
    outcomes: OutcomeSpec = Field(default_factory=OutcomeSpec)
    posterior: str | None = Field(
        None,
        description="a calibration folder, relative to the sweep file: each replication "
        "draws the fitted parameters from its posterior",
    )
