"""Collects the outputs of MODEL.md each week, from arrays, and the attribution of change.

One `Recorder` per model. Each week it builds one row of outputs, a dict from column name
to value, and collects it into the model's Mesa `DataCollector` (one model reporter per
column), which holds the tidy output table. It also keeps the per-mechanism change in
attitude by department and distance band ("why it changed") and, on request, every
employee's attitude each week.

Collecting must not dominate a step, so every group mean of the week comes from one
sparse matrix product: `self.averager` maps the stacked employee arrays
[attitude, customer_focus, strain] to all the means the table reports, one named row each.
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from mesa import DataCollector

from sim import metrics

if TYPE_CHECKING:
    from sim.model import OrgModel
    from sim.organization import Organization
    from sim.processes.encounters import Encounters

WEEK_TALLIES = (
    "contacts",
    "complaints",
    "mean_quality",
    "very_bad_interactions",
    "customers_lost",
    "customers_arrived",
    "new_customer_expectation",
    "hires",
    "intervention_spend",
)
COUNT_COLUMNS = (
    "week",
    "active_customers",
    "contacts",
    "complaints",
    "very_bad_interactions",
    "customers_lost",
    "customers_arrived",
    "hires",
    "customers_lost_total",
)
"""Columns of whole numbers; every other column is a float."""


def slug(name: str) -> str:
    """A column-safe form of a department name: 'customer service' -> 'customer_service'."""
    return re.sub(r"[^0-9a-zA-Z]+", "_", str(name)).strip("_").lower() or "unnamed"


def _department_columns(names: tuple[str, ...]) -> list[str]:
    """A distinct column-safe name per department ('Sales' and 'sales' -> sales, sales_2)."""
    columns: list[str] = []
    for name in names:
        column, n = slug(name), 1
        while column in columns:
            n += 1
            column = f"{slug(name)}_{n}"
        columns.append(column)
    return columns


def _named_means(
    org: Organization, band: np.ndarray, front_line: np.ndarray, back_office: np.ndarray
) -> list[tuple[str, np.ndarray]]:
    """Each mean the table reports: its column and its members in the stacked input.

    The input is [attitude, customer_focus, strain], so focus members are shifted by the
    head count N and strain members by 2 N.
    """
    size = org.size
    everyone = np.arange(size)
    levels = range(1, int(org.level.max()) + 1)
    by_level = [(f"level_{lv}", np.flatnonzero(org.level == lv)) for lv in levels]
    groups = (
        [(f"band_{name}", np.flatnonzero(band == b)) for b, name in enumerate(metrics.BANDS)]
        + [
            (f"dept_{column}", np.flatnonzero(org.department == d))
            for d, column in enumerate(_department_columns(org.department_names))
        ]
        + by_level
    )
    attitude, focus, strain = 0, size, 2 * size
    return (
        [("mean_attitude", everyone + attitude)]
        + [(f"attitude_{group}", members + attitude) for group, members in groups]
        + [
            ("mean_customer_focus", everyone + focus),
            ("focus_front_line", front_line + focus),
            ("focus_back_office", back_office + focus),
        ]
        + [(f"focus_{group}", members + focus) for group, members in by_level]
        + [("strain_front_line", front_line + strain)]
    )


def _group_rows(groups: list[np.ndarray], weights: list[float], size: int) -> sp.csr_matrix:
    """One row per member list, `weights[i]` at each member of list i (indices below `size`)."""
    return sp.csr_matrix(
        (
            np.concatenate([np.full(len(m), w) for m, w in zip(groups, weights, strict=True)]),
            (
                np.concatenate([np.full(len(m), i) for i, m in enumerate(groups)]),
                np.concatenate(groups),
            ),
        ),
        shape=(len(groups), size),
    )


def _averaging_rows(groups: list[np.ndarray], size: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Rows that average over each member list; also which rows have no members."""
    weights = [1.0 / max(len(m), 1) for m in groups]
    return _group_rows(groups, weights, size), np.array([len(m) == 0 for m in groups])


def _summing_rows(groups: list[np.ndarray], size: int) -> sp.csr_matrix:
    """Rows that sum over each member list."""
    return _group_rows(groups, [1.0] * len(groups), size)


class Recorder:
    """Weekly outputs of one model.

    Attributes:
        datacollector: the Mesa DataCollector holding the output table, one model reporter
            per column; `OrgModel.datacollector` is this object.
        row: this week's outputs by column name, once the week has ended.
    """

    def __init__(self, model: OrgModel, mechanisms: tuple[str, ...], keep_history: bool) -> None:
        self.model = model
        self.mechanisms = mechanisms
        self.why_columns = tuple(f"why_{m}" for m in mechanisms)
        org = model.org
        self.band = metrics.distance_band(org.distance_to_customer)
        named_means = _named_means(
            org,
            self.band,
            np.flatnonzero(org.customer_facing),
            np.flatnonzero(~org.customer_facing),
        )
        self.mean_columns = tuple(name for name, _ in named_means)
        self.averager, self.empty_groups = _averaging_rows(
            [members for _, members in named_means], 3 * org.size
        )
        department_members = [
            np.flatnonzero(org.department == d) for d in range(len(org.department_names))
        ]
        band_members = [np.flatnonzero(self.band == b) for b in range(len(metrics.BANDS))]
        # Attribution sums: departments first, then bands (see `attribution_table`).
        self.group_summer = _summing_rows(department_members + band_members, org.size)
        self.department_count = len(org.department_names)
        self.group_changes: list[np.ndarray] = []  # weeks of (groups, mechanisms)
        self.keep_history = keep_history
        self.attitude_weeks: list[np.ndarray] = []
        self.total_spend = 0.0
        self.total_lost = 0
        self.begin_week()
        self.row = self._row()
        self.columns = tuple(self.row)
        self.datacollector = DataCollector(
            model_reporters={column: partial(self._report, column) for column in self.columns}
        )
        self._keep_week()

    def _report(self, column: str, model: OrgModel) -> Any:  # noqa: ARG002 - Mesa's signature
        """A model reporter of the DataCollector: one column of this week's row."""
        return self.row[column]

    # --- what happens during a week -------------------------------------------------
    def begin_week(self) -> None:
        """Reset this week's tallies."""
        self.changes = np.zeros((len(self.mechanisms), self.model.org.size))
        self.tallies: dict[str, float] = dict.fromkeys(WEEK_TALLIES, 0.0)
        self.tallies["mean_quality"] = self.tallies["new_customer_expectation"] = float("nan")

    def attribute(self, mechanism: str, change: np.ndarray) -> None:
        """Book a per-employee change in attitude to a mechanism."""
        self.changes[self.mechanisms.index(mechanism)] += change

    def note_customers(
        self, encounters: Encounters, lost: int, arrival_expectation: np.ndarray
    ) -> None:
        """Tally this week's contacts and customer flows."""
        quality = encounters.quality
        self.tallies.update(
            contacts=len(quality),
            complaints=int(np.count_nonzero(encounters.complaint)),
            mean_quality=float(quality.mean()) if len(quality) else float("nan"),
            very_bad_interactions=int(
                np.count_nonzero(quality < self.model.params.very_bad_quality)
            ),
            customers_lost=lost,
            customers_arrived=len(arrival_expectation),
            new_customer_expectation=(
                float(arrival_expectation.mean()) if len(arrival_expectation) else float("nan")
            ),
        )
        self.total_lost += lost

    def note_hires(self, hires: int) -> None:
        """Tally this week's hires."""
        self.tallies["hires"] = hires

    def note_spend(self, spend: float) -> None:
        """Tally this week's intervention spend."""
        self.tallies["intervention_spend"] = spend
        self.total_spend += spend

    def end_week(self) -> None:
        """Build the week's row and collect it into the DataCollector; keep the attribution."""
        self.row = self._row()
        self._keep_week()

    def _keep_week(self) -> None:
        self.datacollector.collect(self.model)
        self.group_changes.append(self.group_summer @ self.changes.T)  # groups x mechanisms
        if self.keep_history:
            self.attitude_weeks.append(self.model.employees.attitude.astype(np.float32))

    # --- the row -------------------------------------------------------------------------
    def _row(self) -> dict[str, Any]:
        """This week's outputs by column name, in the order of the output table."""
        model = self.model
        staff, customers, levers = model.employees, model.customers, model.levers
        attitude = staff.attitude
        means = self.averager @ np.concatenate([attitude, staff.customer_focus, staff.strain])
        means[self.empty_groups] = np.nan
        active_count = customers.active_count
        satisfaction = metrics.mean_satisfaction(customers.satisfaction_sum, active_count)
        business = metrics.business_success(satisfaction, active_count)
        row: dict[str, Any] = {"week": model.steps}
        row.update(zip(self.mean_columns, means.tolist(), strict=True))
        row.update(
            share_negative=metrics.share_negative(attitude),
            share_positive=metrics.share_positive(attitude),
            active_customers=active_count,
            mean_satisfaction=satisfaction,
            net_promoter_score=metrics.net_promoter_score(
                customers.promoters, customers.detractors, active_count
            ),
            reputation=customers.reputation,
        )
        row.update(self.tallies)
        row.update(
            customers_lost_total=self.total_lost,
            revenue=model.params.revenue_per_customer * active_count,
            bonus_success=metrics.bonus_success(
                staff.customer_focus,
                model.org.boss,
                levers.customer_weight,
                model.lever_factors.outcome_visibility,
                business,
                levers.shareholder_pressure,
            ),
            business_success=business,
            intervention_spend_total=self.total_spend,
        )
        why = self.changes.sum(axis=1) / len(attitude)
        row.update(zip(self.why_columns, why.tolist(), strict=True))
        return row

    # --- tables --------------------------------------------------------------------------
    def table(self) -> pd.DataFrame:
        """One row per collected week: the DataCollector's model variables, typed."""
        frame = pd.DataFrame(self.datacollector.model_vars)
        return frame.astype({c: np.int64 if c in COUNT_COLUMNS else float for c in frame})

    def attribution_table(self, by: str) -> pd.DataFrame:
        """Long table: week, group, mechanism, change in the group's mean attitude."""
        org = self.model.org
        if by == "all":
            frame = self.table()[["week", *self.why_columns]]
            long = frame.melt(id_vars="week", var_name="mechanism", value_name="change")
            long["mechanism"] = long["mechanism"].str.removeprefix("why_")
            long.insert(1, "group", "all")
            return long
        sums = np.stack(self.group_changes)  # weeks x groups x mechanisms
        if by == "department":
            names, sums = org.department_names, sums[:, : self.department_count]
            sizes = np.bincount(org.department, minlength=self.department_count)
        elif by == "band":
            names, sums = metrics.BANDS, sums[:, self.department_count :]
            sizes = np.bincount(self.band, minlength=len(metrics.BANDS))
        else:
            raise ValueError(f"by must be 'all', 'department' or 'band', not {by!r}")
        means = np.divide(
            sums, sizes[None, :, None], out=np.zeros_like(sums), where=sizes[None, :, None] > 0
        )
        weeks, groups, mechanisms = np.meshgrid(
            np.arange(len(sums)), names, self.mechanisms, indexing="ij"
        )
        return pd.DataFrame(
            {
                "week": weeks.ravel(),
                "group": groups.ravel(),
                "mechanism": mechanisms.ravel(),
                "change": means.ravel(),
            }
        )

    def history(self) -> np.ndarray:
        """(weeks + 1, employees) attitudes; empty unless the model keeps history."""
        if not self.attitude_weeks:
            return np.empty((0, self.model.org.size), dtype=np.float32)
        return np.stack(self.attitude_weeks)
