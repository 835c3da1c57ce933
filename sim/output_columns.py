"""The weekly output table's columns: their names, which are counts, and the typed table.

Every replication's weekly row (`eachcustomer.sim.recording.Recorder`) has these columns in
this order: the week, the group means (named per organization), the attitude shares, the
customer figures, the week's tallies, the running figures and the attribution of change.
`output_columns` types one replication's rows (counts as integers) without pandas;
`output_table` makes the DataFrame of them.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas loads where a table is built: a run keeps its outputs as arrays
    import pandas as pd

SHARE_COLUMNS = ("share_negative", "share_positive")
CUSTOMER_COLUMNS = (
    "active_customers",
    "mean_satisfaction",
    "net_promoter_score",
    "reputation",
)
WEEK_TALLIES = (
    "contacts",
    "complaints",
    "mean_quality",
    "bad_interactions",
    "very_bad_interactions",
    "walkouts",
    "customers_lost",
    "customers_arrived",
    "new_customer_expectation",
    "hires",
    "intervention_spend",
)
(
    CONTACTS,
    COMPLAINTS,
    MEAN_QUALITY,
    BAD,
    VERY_BAD,
    WALKOUTS,
    LOST,
    ARRIVED,
    NEW_EXPECTATION,
    HIRES,
    SPEND,
) = range(len(WEEK_TALLIES))
"""Columns of `Recorder.tallies`; CONTACTS to LOST come from `metrics.tally_contacts`."""
RUNNING_COLUMNS = (
    "customers_lost_total",
    "revenue",
    "bonus_success",
    "business_success",
    "intervention_spend_total",
)
COUNT_COLUMNS = (
    "week",
    "active_customers",
    "contacts",
    "complaints",
    "bad_interactions",
    "very_bad_interactions",
    "walkouts",
    "customers_lost",
    "customers_arrived",
    "hires",
    "customers_lost_total",
)
"""Columns of whole numbers; every other column is a float."""


def slug(name: str) -> str:
    """A column-safe form of a department name: 'customer service' -> 'customer_service'."""
    return re.sub(r"[^0-9a-zA-Z]+", "_", str(name)).strip("_").lower() or "unnamed"


@functools.lru_cache(maxsize=64)
def department_columns(names: tuple[str, ...]) -> tuple[str, ...]:
    """A distinct column-safe name per department ('Sales' and 'sales' -> sales, sales_2).

    Kept per tuple of names: every replication of a batch, and every batch of a sweep or a
    calibration, has the same departments.
    """
    columns: list[str] = []
    for name in names:
        column, n = slug(name), 1
        while column in columns:
            n += 1
            column = f"{slug(name)}_{n}"
        columns.append(column)
    return tuple(columns)


def output_columns(columns: tuple[str, ...], values: np.ndarray) -> dict[str, np.ndarray]:
    """The typed columns of one replication's (weeks, columns) values: counts as ints.

    What `output_table` holds, without pandas: `eachcustomer run --out FILE.csv` writes
    these (`eachcustomer.experiments.loading.files.write_columns`).
    """
    return {
        column: values[:, i].astype(np.int64) if column in COUNT_COLUMNS else values[:, i]
        for i, column in enumerate(columns)
    }


def output_table(columns: tuple[str, ...], values: np.ndarray) -> pd.DataFrame:
    """The typed output table of one replication's (weeks, columns) values: counts as ints."""
    import pandas as pd

    return pd.DataFrame(output_columns(columns, values))
