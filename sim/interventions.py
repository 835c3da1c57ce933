"""Intervention specifications: what, when, for whom, how strong, at what cost.

Prices are per participant per week it runs, in the model's currency (the currency of
`Params.revenue_per_customer`; US dollars for the shipped defaults and plans): hours of
staff time x `Params.wage_cost_per_hour` + direct spend, or an all-in
`cost_per_participant_week` (what plan files written before the split mean).

One-off programs change no structure: a training day or a customer delight week lifts
participants once, a slogan campaign pushes attitudes up only while it runs. Culture-wide
interventions change the structure the dynamics run on (S000: "woven into the fabric of
the entire organization"), permanently from their start unless a duration is given.
The effects themselves are in `eachcustomer.sim.processes.interventions`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import ConfigDict, Field, model_validator

from eachcustomer.sim.checked import CheckedModel

ONE_OFF = ("training_day", "delight_week", "slogan_campaign")
CULTURE_WIDE = (
    "language",
    "incentive_alignment",
    "leadership_tone",
    "customer_exposure",
    "frontline_support",
    "hiring_for_attitude",
)
KINDS = ONE_OFF + CULTURE_WIDE
LEADERS_ONLY = ("leadership_tone",)
"""Kinds only leaders (employees with reports) take part in; their hours are leaders' hours."""

KIND_MEANINGS = {
    "training_day": "lifts participants' attitude once, at the start",
    "delight_week": "lifts participants' attitude and customer focus once, at the start",
    "slogan_campaign": "pushes participants' attitude up a little each week while it runs",
    "language": "'our' and 'each customer' instead of 'the customer': slows distance drift",
    "incentive_alignment": "every covered evaluation counts customer outcomes",
    "leadership_tone": "covered leaders serve the real customer rather than shareholders "
    "only; the tone reaches their people down the hierarchy",
    "customer_exposure": "back-office staff spend time with customers: shorter distance",
    "frontline_support": "buffers hostile encounters and speeds recovery from strain",
    "hiring_for_attitude": "hires come from a more customer-minded distribution",
}

DEFAULT_DURATION = {"training_day": 1, "delight_week": 1}
"""Weeks a one-off program takes when no duration is given; culture-wide ones are permanent."""


class Coverage(CheckedModel):
    """Who takes part: everyone, named departments, hierarchy levels, or a random share.

    Departments and levels may be combined (employees in both); `share` then draws that
    share of them with the model's generator.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    departments: tuple[str, ...] | None = None
    levels: tuple[int, ...] | None = None
    share: float = Field(1.0, ge=0.0, le=1.0)

    def eligible(
        self, department_names: tuple[str, ...], department: np.ndarray, level: np.ndarray
    ) -> np.ndarray:
        """Mask of employees in the named departments and levels (before the share)."""
        mask = np.ones(len(department), dtype=bool)
        if self.departments is not None:
            wanted = [department_names.index(name) for name in self.departments]
            mask &= np.isin(department, wanted)
        if self.levels is not None:
            mask &= np.isin(level, list(self.levels))
        return mask


class Intervention(CheckedModel):
    """One scheduled intervention."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    kind: Literal[KINDS] = Field(description="what the intervention does")  # type: ignore[valid-type]
    start: int = Field(1, ge=1, description="week it starts (the first step is week 1)")
    duration: int | None = Field(
        None,
        ge=1,
        description="weeks it runs; None is permanent (one-off programs default to 1 week)",
    )
    coverage: Coverage = Field(default_factory=Coverage, description="who takes part")
    strength: float = Field(0.5, ge=0.0, le=1.0, description="how strong, 0 does nothing")
    hours_per_participant_week: float = Field(
        0.0,
        ge=0.0,
        description="hours of staff time each participant gives it in a week it runs, "
        "priced at the parameter wage_cost_per_hour",
    )
    direct_cost_per_participant_week: float = Field(
        0.0,
        ge=0.0,
        description="currency spent directly (trainers, materials, fees) per participant "
        "per week it runs",
    )
    cost_per_participant_week: float | None = Field(
        None,
        ge=0.0,
        description="an all-in price in currency per participant per week, instead of "
        "hours and direct cost (the meaning it had before prices were split)",
    )
    label: str = Field("", description="a name for charts; the kind when empty")

    @model_validator(mode="before")
    @classmethod
    def _leaders_by_default(cls, data: object) -> object:
        # A new tone comes from the top: without a coverage, the chief and the heads.
        if (
            isinstance(data, dict)
            and data.get("kind") == "leadership_tone"
            and "coverage" not in data
        ):
            return {**data, "coverage": {"levels": (1, 2)}}
        return data

    @model_validator(mode="after")
    def _check(self) -> Intervention:
        if self.kind == "slogan_campaign" and self.duration is None:
            raise ValueError("a slogan_campaign needs a duration: it helps only while it runs")
        split = self.hours_per_participant_week or self.direct_cost_per_participant_week
        if self.cost_per_participant_week is not None and split:
            raise ValueError(
                "cost_per_participant_week is an all-in price: give it alone, or give "
                "hours_per_participant_week and direct_cost_per_participant_week instead"
            )
        return self

    def price_per_participant_week(
        self, wage_cost_per_hour: float, leader_wage_ratio: float
    ) -> float:
        """Currency per participant per week it runs.

        hours x wage cost per hour + direct cost, or the all-in `cost_per_participant_week`
        when one is given (then the wage does not enter). Leadership tone's participants are
        leaders, so its hours cost `leader_wage_ratio` times the average hour.

        Args:
            wage_cost_per_hour: what an hour of staff time costs (`Params.wage_cost_per_hour`),
                in the currency of the direct costs.
            leader_wage_ratio: what a leader's hour costs against the average hour
                (`Params.leader_wage_ratio`).
        """
        if self.cost_per_participant_week is not None:
            return self.cost_per_participant_week
        hour = wage_cost_per_hour * (leader_wage_ratio if self.kind in LEADERS_ONLY else 1.0)
        return self.hours_per_participant_week * hour + self.direct_cost_per_participant_week

    def repriced(self, multiplier: float) -> Intervention:
        """A copy whose price is `multiplier` times this one's (hours, direct and all-in)."""
        if not (np.isfinite(multiplier) and multiplier >= 0):
            raise ValueError(f"a price multiplier must be a finite number >= 0, got {multiplier}")
        update: dict[str, float] = {
            "hours_per_participant_week": self.hours_per_participant_week * multiplier,
            "direct_cost_per_participant_week": self.direct_cost_per_participant_week * multiplier,
        }
        if self.cost_per_participant_week is not None:
            update["cost_per_participant_week"] = self.cost_per_participant_week * multiplier
        return self.model_copy(update=update)

    def strengthened(self, multiplier: float) -> Intervention:
        """A copy whose strength is `multiplier` times this one's (at most 1)."""
        strength = self.strength * multiplier
        if not (np.isfinite(multiplier) and multiplier >= 0):
            raise ValueError(
                f"a strength multiplier must be a finite number >= 0, got {multiplier}"
            )
        if strength > 1.0 + 1e-12:
            raise ValueError(
                f"{self.name}: strength {self.strength} x {multiplier} = {strength:g} is above 1, "
                "the most a lever can be"
            )
        return self.model_copy(update={"strength": min(strength, 1.0)})

    @property
    def weeks(self) -> int | None:
        """Weeks it runs, None for permanent."""
        return self.duration if self.duration is not None else DEFAULT_DURATION.get(self.kind)

    @property
    def name(self) -> str:
        """Its label, or its kind."""
        return self.label or self.kind

    def active_at(self, week: int) -> bool:
        """Whether it runs in `week` (weeks count from 1, the first step)."""
        weeks = self.weeks
        return week >= self.start and (weeks is None or week < self.start + weeks)

    def weeks_within(self, horizon: int) -> int:
        """Weeks it runs within weeks 1..horizon."""
        first = self.start
        last = horizon if self.weeks is None else min(horizon, self.start + self.weeks - 1)
        return max(0, last - first + 1)
