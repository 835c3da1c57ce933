"""A run's weekly outputs as the statistics read them: one column at a time, as arrays.

The calibration's many small runs come as arrays (`RunResult.columns` and `.values`: one
row per week, week 0 the initial state), so no table is built for them; runs that come as
an output table (`OrgModel.run`, hand-made tests) are read column by column. Means and
totals are taken exactly as pandas takes them (missing weeks skipped), so a statistic has
the same value, to the last bit, whichever form its runs came in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eachcustomer.experiments.calibration.run_kinds import MEASURED_WEEKS, Weekly


def column(outputs: Weekly, name: str) -> np.ndarray:
    """Output `name`, week by week, as floats.

    Raises:
        KeyError: the run has no such output.
    """
    if isinstance(outputs, pd.DataFrame):
        return outputs[name].to_numpy(dtype=float)
    try:
        return outputs.values[:, outputs.columns.index(name)]
    except ValueError:
        raise KeyError(name) from None


def in_measured_year(outputs: Weekly, name: str) -> np.ndarray:
    """Output `name` in the weeks of `MEASURED_WEEKS` (a copy, in week order)."""
    first, last = MEASURED_WEEKS
    week = column(outputs, "week")
    return column(outputs, name)[(week >= first) & (week <= last)]


def at_week(outputs: Weekly, name: str, week: int) -> float:
    """Output `name` in week `week` (the first such row).

    Raises:
        IndexError: the run has no row of that week.
    """
    return float(column(outputs, name)[column(outputs, "week") == week][0])


def total(values: np.ndarray) -> float:
    """The sum, missing values counted as 0 (pandas' `Series.sum`)."""
    missing = np.isnan(values)
    return float((np.where(missing, 0.0, values) if missing.any() else values).sum())


def mean(values: np.ndarray) -> float:
    """The mean of the values not missing, NaN if none (pandas' `Series.mean`).

    Pandas sums with the missing values set to 0 and divides by the count of the others;
    so does this, so that both give the same bits.
    """
    missing = np.isnan(values)
    count = len(values) - int(missing.sum())
    if count == 0:
        return float("nan")
    return total(values) / float(count)
