"""Collects the outputs of MODEL.md each week, from arrays, and the attribution of change.

One `Recorder` per model. It keeps one row of numbers per week (the tidy output table),
the per-mechanism change in attitude by department and distance band ("why it changed"),
and, on request, every employee's attitude each week.

Collecting must not dominate a step, so every group mean of the week comes from one
sparse matrix product: `self.averager` maps the stacked employee arrays
[attitude, customer_focus, strain] to all the means the table reports.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from mesa import DataCollector

from sim import metrics

if TYPE_CHECKING:
    from sim.model import OrgModel
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


def slug(name: str) -> str:
    """A column-safe form of a department name: 'customer service' -> 'customer_service'."""
    return re.sub(r"[^0-9a-zA-Z]+", "_", str(name)).strip("_").lower() or "unnamed"


def _averaging_rows(groups: list[np.ndarray], size: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Rows that average over each member list; also which rows have no members."""
    rows, cols, vals = [], [], []
    for row, members in enumerate(groups):
        rows.append(np.full(len(members), row))
        cols.append(members)
        vals.append(np.full(len(members), 1.0 / max(len(members), 1)))
    matrix = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(groups), size),
    )
    return matrix, np.array([len(m) == 0 for m in groups])


class Recorder:
    """Weekly outputs of one model."""

    def __init__(self, model: OrgModel, mechanisms: tuple[str, ...], keep_history: bool) -> None:
        self.model = model
        self.mechanisms = mechanisms
        org = model.org
        size = org.size
        self.band = metrics.distance_band(org.distance_to_customer)
        self.front_line = np.flatnonzero(org.customer_facing)
        self.back_office = np.flatnonzero(~org.customer_facing)
        everyone = np.arange(size)
        band_members = [np.flatnonzero(self.band == b) for b in range(len(metrics.BANDS))]
        department_members = [
            np.flatnonzero(org.department == d) for d in range(len(org.department_names))
        ]
        levels = range(1, int(org.level.max()) + 1)
        level_members = [np.flatnonzero(org.level == lv) for lv in levels]
        attitude_groups = [everyone] + band_members + department_members + level_members
        self.mean_columns = (
            ["mean_attitude"]
            + [f"attitude_band_{b}" for b in metrics.BANDS]
            + [f"attitude_dept_{slug(n)}" for n in org.department_names]
            + [f"attitude_level_{lv}" for lv in levels]
            + ["mean_customer_focus", "focus_front_line", "focus_back_office"]
            + [f"focus_level_{lv}" for lv in levels]
            + ["strain_front_line"]
        )
        # Stacked input [attitude, focus, strain]: focus and strain members shift by size.
        groups = (
            attitude_groups
            + [everyone + size, self.front_line + size, self.back_office + size]
            + [members + size for members in level_members]
            + [self.front_line + 2 * size]
        )
        self.averager, self.empty_groups = _averaging_rows(groups, 3 * size)
        summing = [np.flatnonzero(org.department == d) for d in range(len(org.department_names))]
        summing += band_members
        self.group_summer = sp.csr_matrix(
            (
                np.ones(sum(len(m) for m in summing)),
                (
                    np.concatenate([np.full(len(m), i) for i, m in enumerate(summing)]),
                    np.concatenate(summing),
                ),
            ),
            shape=(len(summing), size),
        )
        self.department_count = len(org.department_names)
        self.columns = (
            ["week"]
            + self.mean_columns
            + [
                "share_negative",
                "share_positive",
                "active_customers",
                "mean_satisfaction",
                "net_promoter_score",
                "reputation",
            ]
            + list(WEEK_TALLIES)
            + [
                "customers_lost_total",
                "revenue",
                "bonus_success",
                "business_success",
                "intervention_spend_total",
            ]
            + [f"why_{m}" for m in mechanisms]
        )
        self.rows: list[np.ndarray] = []
        self.group_changes: list[np.ndarray] = []  # weeks of (groups, mechanisms)
        self.keep_history = keep_history
        self.attitude_weeks: list[np.ndarray] = []
        self.total_spend = 0.0
        self.total_lost = 0
        self.begin_week()
        self.end_week()

    # --- what happens during a week -------------------------------------------------
    def begin_week(self) -> None:
        """Reset this week's tallies."""
        self.changes = np.zeros((len(self.mechanisms), self.model.org.size))
        self.tallies = dict.fromkeys(WEEK_TALLIES, 0.0)
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

    def hires_this_week(self) -> int:
        """Hires booked so far this week."""
        return int(self.tallies["hires"])

    def note_spend(self, spend: float) -> None:
        """Tally this week's intervention spend."""
        self.tallies["intervention_spend"] = spend
        self.total_spend += spend

    def end_week(self) -> None:
        """Compute and keep the week's row."""
        self.rows.append(self._row())
        # One product per mechanism: each row of `changes` is contiguous, its transpose is not.
        self.group_changes.append(
            np.column_stack([self.group_summer @ row for row in self.changes])
        )
        if self.keep_history:
            self.attitude_weeks.append(self.model.employees.attitude.astype(np.float32))

    # --- the row -------------------------------------------------------------------------
    def _row(self) -> np.ndarray:
        model = self.model
        staff, customers, params, levers = (
            model.employees,
            model.customers,
            model.params,
            model.levers,
        )
        attitude = staff.attitude
        size = len(attitude)
        means = self.averager @ np.concatenate([attitude, staff.customer_focus, staff.strain])
        means[self.empty_groups] = np.nan
        active_count = customers.active_count
        if active_count:
            mean_satisfaction = customers.satisfaction_sum / active_count
            score = 100.0 * (customers.promoters - customers.detractors) / active_count
            business = (mean_satisfaction + 1.0) / 2.0
        else:
            mean_satisfaction = score = float("nan")
            business = 0.0
        visibility = model.lever_factors()[1]
        bonus = metrics.bonus_success(
            staff.customer_focus,
            model.org.boss,
            levers.customer_weight,
            visibility,
            business,
            levers.shareholder_pressure,
        )
        tallies = self.tallies
        return np.concatenate(
            [
                [model.steps],
                means,
                [
                    np.count_nonzero(attitude < metrics.NEGATIVE_BELOW) / size,
                    np.count_nonzero(attitude > metrics.POSITIVE_ABOVE) / size,
                    active_count,
                    mean_satisfaction,
                    score,
                    customers.reputation,
                ],
                [tallies[key] for key in WEEK_TALLIES],
                [
                    self.total_lost,
                    params.revenue_per_customer * active_count,
                    bonus,
                    business,
                    self.total_spend,
                ],
                self.changes.sum(axis=1) / size,
            ]
        )

    # --- tables --------------------------------------------------------------------------
    def table(self) -> pd.DataFrame:
        """One row per week."""
        frame = pd.DataFrame(np.vstack(self.rows), columns=self.columns)
        for column in (
            "week",
            "active_customers",
            "contacts",
            "complaints",
            "very_bad_interactions",
            "customers_lost",
            "customers_arrived",
            "hires",
            "customers_lost_total",
        ):
            frame[column] = frame[column].astype(np.int64)
        return frame

    def latest(self) -> dict[str, Any]:
        """The last row as a dict."""
        return dict(zip(self.columns, self.rows[-1].tolist(), strict=True))

    def attribution_table(self, by: str) -> pd.DataFrame:
        """Long table: week, group, mechanism, change in the group's mean attitude."""
        org = self.model.org
        if by == "all":
            frame = self.table()[["week"] + [f"why_{m}" for m in self.mechanisms]]
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

    def mesa_datacollector(self) -> DataCollector:
        """A Mesa DataCollector holding the weekly outputs, for `mesa.batch_run` and Mesa tools.

        Built from the recorded rows when asked for, so recording costs nothing extra.
        """
        table = self.table()
        collector = DataCollector(
            model_reporters={
                column: _column_reporter(column) for column in self.columns if column != "week"
            }
        )
        collector.model_vars = {
            column: table[column].tolist() for column in self.columns if column != "week"
        }
        return collector


def _column_reporter(column: str):
    def report(model: OrgModel) -> Any:
        return model.recorder.latest()[column]

    return report
