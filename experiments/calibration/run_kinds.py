"""The kinds of runs a calibration statistic is measured on, and what a statistic is.

`statistics` holds the registry of statistics (`STATISTICS`) and how most are measured;
`firm_statistics` those of a firm's own files. Both build on the types here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol, TypeAlias

import numpy as np
import pandas as pd

from eachcustomer.experiments.firmdata.observe import Observed, UnitSurvey

HORIZON_WEEKS = 104
MEASURED_WEEKS = (53, 104)
"""First and last week (inclusive) of the settled year statistics are taken over."""
TRAINING_WEEK = 27
"""The training day of the `training` runs: after a settled half-year (docs/CALIBRATION.md 1.3)."""
TRAINING_STRENGTH = 0.5
WEEKS_PER_YEAR = 52
UNIT_EMPLOYEES = 25
"""Harter et al. (2002): 198,514 respondents in 7,939 business units, 25 per unit."""


class OutputArrays(Protocol):
    """A run's weekly outputs as one array (`eachcustomer.experiments.running.runs.RunResult`)."""

    @property
    def columns(self) -> tuple[str, ...]:
        """The outputs' names, one per column of `values`."""
        ...

    @property
    def values(self) -> np.ndarray:
        """(weeks + 1, columns) floats, week 0 (the initial state) first."""
        ...


Weekly: TypeAlias = "pd.DataFrame | OutputArrays"
"""One run's weekly outputs: its output table, or its arrays (what the statistics read,
`eachcustomer.experiments.calibration.weekly`)."""

RunKind = Literal["organization", "training", "units", "surveyed_units", "practices", "observed"]


@dataclass(frozen=True)
class OrganizationRun:
    """One run of the calibration's organization.

    Attributes:
        series: the weekly outputs (`OrgModel.outputs()`, or their arrays), week 0 to the
            horizon.
        employees: head count.
        attitude: every employee's attitude each week, (weeks + 1, employees), when a
            statistic needs it (training lifts); else None.
        weeks_in_post: weeks since each position's holder was hired, at the end.
    """

    series: Weekly
    employees: int
    attitude: np.ndarray | None = None
    weeks_in_post: np.ndarray | None = None


@dataclass(frozen=True)
class Runs:
    """The runs of one parameter set that statistics are measured on.

    Attributes:
        baseline: runs of the organization without the training day.
        trained: runs with the training day; `trained[r]` has the seed of `baseline[r]`.
        units: weekly outputs of small generated organizations (their arrays, as the
            simulator makes them, or tables).
        surveyed: the same small organizations, surveyed at the end of the run.
        practices: small organizations practising culture change: the share of their staff
            it covers and their weekly outputs.
        observed: the organization as a firm observes it (`firm_statistics`).
    """

    baseline: tuple[OrganizationRun, ...] = ()
    trained: tuple[OrganizationRun, ...] = ()
    units: tuple[Weekly, ...] = ()
    practices: tuple[tuple[float, Weekly], ...] = ()
    surveyed: tuple[UnitSurvey, ...] = ()
    observed: tuple[Observed, ...] = ()


Measure = Callable[..., float]
"""(runs, department) -> value, or (runs, department, week) for a statistic that takes a week."""


@dataclass(frozen=True)
class Statistic:
    """Something the model produces that a target can be compared with.

    Attributes:
        name: the name targets use.
        meaning: what it is, in one line.
        unit: its unit.
        low, high: the values a target may state (inclusive).
        runs: the kind of runs it is measured on.
        replications: default runs (organization), pairs (training) or units.
        measure: (runs, option) -> value; option is the department for by-department ones;
            (runs, option, week) for those that take a week.
        outputs: weekly output columns it reads (checked against the model's before a fit).
        takes_department: whether a target must name a department.
        takes_week: whether a target must name a week (a survey wave's).
    """

    name: str
    meaning: str
    unit: str
    low: float
    high: float
    runs: RunKind
    replications: int
    measure: Measure
    outputs: tuple[str, ...] = ()
    takes_department: bool = False
    takes_week: bool = False

    def value(self, runs: Runs, department: str | None, week: int | None) -> float:
        """The statistic on these runs, for a department and week where it takes them."""
        if self.takes_week:
            return float(self.measure(runs, department, week))
        return float(self.measure(runs, department))
