"""Intervention specifications: what, when, for whom, how strong, at what cost.

One-off programs change no structure: a training day or a customer delight week lifts
participants once, a slogan campaign pushes attitudes up only while it runs. Culture-wide
interventions change the structure the dynamics run on (S000: "woven into the fabric of
the entire organization"), permanently from their start unless a duration is given.
The effects themselves are in `sim.processes.interventions`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

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

KIND_MEANINGS = {
    "training_day": "lifts participants' attitude once, at the start",
    "delight_week": "lifts participants' attitude and customer focus once, at the start",
    "slogan_campaign": "pushes participants' attitude up a little each week while it runs",
    "language": "'our' and 'each customer' instead of 'the customer': slows distance drift",
    "incentive_alignment": "every covered evaluation counts customer outcomes",
    "leadership_tone": "leaders serve the real customer rather than shareholders only",
    "customer_exposure": "back-office staff spend time with customers: shorter distance",
    "frontline_support": "buffers hostile encounters and speeds recovery from strain",
    "hiring_for_attitude": "hires come from a more customer-minded distribution",
}

DEFAULT_DURATION = {"training_day": 1, "delight_week": 1}
"""Weeks a one-off program takes when no duration is given; culture-wide ones are permanent."""


class Coverage(BaseModel):
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


class Intervention(BaseModel):
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
    cost_per_participant_week: float = Field(
        0.0, ge=0.0, description="currency per participant per week it runs"
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
        return self

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
