"""The targets file's tables as models (`TargetsFile`), and their validated form (`Calibration`).

`eachcustomer.experiments.calibration.targets.load_targets` reads a file into these, after
the checks of `target_checks`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator
from scipy.special import expit, logit

from eachcustomer.experiments.calibration.posterior import Posterior
from eachcustomer.experiments.calibration.simulate import Request
from eachcustomer.experiments.calibration.statistics import (
    HORIZON_WEEKS,
    UNIT_EMPLOYEES,
    Statistic,
)
from eachcustomer.experiments.loading.scenario_files import RunSetup
from eachcustomer.sim.checked import CheckedModel


class Prior(CheckedModel):
    """A parameter to fit and what is believed about it before the targets."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    distribution: Literal["uniform", "log_uniform"] = "uniform"
    low: float
    high: float
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> Prior:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.distribution == "log_uniform" and self.low <= 0:
            raise ValueError(f"a log_uniform prior needs low > 0 (got {self.low})")
        return self

    @property
    def scale(self) -> tuple[float, float]:
        """The prior's support on the scale it is uniform on (log10 for log-uniform)."""
        if self.distribution == "log_uniform":
            return math.log10(self.low), math.log10(self.high)
        return self.low, self.high

    def to_sampler(self, value: float) -> float:
        """The value in the sampler's coordinates: the logit of its place in the support.

        ABC samples every prior as a standard logistic distribution on the whole real
        line, the exact image of the uniform prior: its proposals never fall outside the
        support, and particles near an edge are not over-weighted by kernels cut off there.
        """
        low, high = self.scale
        shown = math.log10(value) if self.distribution == "log_uniform" else value
        return float(logit((shown - low) / (high - low)))

    def from_sampler(self, value: float) -> float:
        """Back from the sampler's coordinates to the parameter's own units."""
        low, high = self.scale
        shown = low + (high - low) * float(expit(value))
        return 10.0**shown if self.distribution == "log_uniform" else shown


class TargetEntry(CheckedModel):
    """One [targets.KEY] table."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    statistic: str | None = Field(None, description="the statistic; the key when omitted")
    value: float = Field(description="the observed or published value")
    tolerance: float | None = Field(None, gt=0, description="accepted range: value +- this")
    accepted: tuple[float, float] | None = Field(None, description="accepted range [low, high]")
    source: str = ""
    use: Literal["fit", "check"] = "fit"
    replications: int | None = Field(None, ge=1, le=100_000)
    department: str | None = None
    week: int | None = Field(
        None, ge=1, le=HORIZON_WEEKS, description="the run's week a survey wave was taken in"
    )

    @model_validator(mode="after")
    def _one_range(self) -> TargetEntry:
        if (self.tolerance is None) == (self.accepted is None):
            raise ValueError("give either tolerance (value +- tolerance) or accepted = [low, high]")
        return self

    @property
    def accepted_range(self) -> tuple[float, float]:
        """The accepted range [low, high]."""
        if self.accepted is not None:
            return self.accepted
        assert self.tolerance is not None
        return self.value - self.tolerance, self.value + self.tolerance


class AbcSettings(CheckedModel):
    """The [abc] table: how long and how wide ABC-SMC searches."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    population_size: int = Field(300, ge=5, le=100_000, description="particles per population")
    populations: int = Field(8, ge=1, le=100, description="most populations (generations)")
    min_epsilon: float = Field(
        1.0, ge=0, description="stop once every particle is this close (1 = inside every range)"
    )
    min_acceptance_rate: float = Field(0.01, ge=0, le=1, description="stop below this rate")
    max_minutes: float | None = Field(None, gt=0, description="stop starting populations after")
    check_draws: int = Field(
        20, ge=0, le=10_000, description="posterior draws the check targets are measured at"
    )
    unit_employees: int = Field(
        UNIT_EMPLOYEES, ge=2, le=10_000, description="head count of the small organizations"
    )


class TargetsFile(CheckedModel):
    """A whole targets file, structurally validated."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    title: str = Field(min_length=1)
    description: str = ""
    scenario: str = "baseline"
    seed: int = Field(ge=0, description="master seed")
    parameters: dict[str, Any] = Field(default_factory=dict)
    priors: dict[str, Prior] | None = None
    targets: dict[str, TargetEntry] = Field(min_length=1)
    abc: AbcSettings = Field(default_factory=AbcSettings)
    posterior: str | None = Field(
        None,
        description="an earlier calibration folder, relative to this file: every simulation "
        "draws its parameters from that posterior (a staged calibration)",
    )


@dataclass(frozen=True)
class Target:
    """A validated target: its statistic, value, accepted range and use."""

    key: str
    statistic: Statistic
    value: float
    low: float
    high: float
    source: str
    use: str
    replications: int
    department: str | None
    week: int | None = None

    def scaled_deviation(self, model_value: float) -> float:
        """(model - target) / the distance from the target to the range's edge on that side.

        Inside the accepted range exactly when its absolute value is at most 1.
        """
        deviation = model_value - self.value
        return deviation / ((self.high - self.value) if deviation > 0 else (self.value - self.low))

    def request(self) -> Request:
        """What the simulator measures for this target."""
        return Request(self.key, self.statistic.name, self.replications, self.department, self.week)


@dataclass(frozen=True)
class Calibration:
    """A validated targets file: the organization, fixed values, priors, targets, settings."""

    spec: TargetsFile
    path: Path | None
    setup: RunSetup
    base: dict[str, Any]
    priors: dict[str, Prior]
    targets: tuple[Target, ...]
    text: str = ""
    drawn_from: Posterior | None = None
    """An earlier calibration whose parameters every simulation draws, or None."""

    @property
    def fitted(self) -> tuple[Target, ...]:
        """The targets ABC fits."""
        return tuple(t for t in self.targets if t.use == "fit")

    @property
    def checked(self) -> tuple[Target, ...]:
        """The targets only measured, at posterior draws, after the fit."""
        return tuple(t for t in self.targets if t.use == "check")
