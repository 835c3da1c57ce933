"""Collects the outputs of MODEL.md each week, from arrays, and the attribution of change.

One `Recorder` per model. It keeps one flat record per week (the tidy output table),
the per-mechanism change in attitude by department and distance band ("why it changed"),
and, on request, every employee's attitude each week.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from mesa import DataCollector

from sim import metrics

if TYPE_CHECKING:
    from sim.model import OrgModel
    from sim.processes.customers import CustomerWeek
    from sim.processes.encounters import Encounters


def slug(name: str) -> str:
    """A column-safe form of a department name: 'customer service' -> 'customer_service'."""
    return re.sub(r"[^0-9a-zA-Z]+", "_", str(name)).strip("_").lower() or "unnamed"


class Recorder:
    """Weekly outputs of one model."""

    def __init__(self, model: OrgModel, mechanisms: tuple[str, ...], keep_history: bool) -> None:
        self.model = model
        self.mechanisms = mechanisms
        org = model.org
        self.band = metrics.distance_band(org.distance_to_customer)
        self.department_columns = [f"attitude_dept_{slug(n)}" for n in org.department_names]
        self.level_count = int(org.level.max()) + 1
        self.front_line = np.flatnonzero(org.customer_facing)
        self.back_office = np.flatnonzero(~org.customer_facing)
        self.records: list[dict[str, Any]] = []
        self.by_group: dict[str, list[np.ndarray]] = {"department": [], "band": []}
        self.keep_history = keep_history
        self.attitude_weeks: list[np.ndarray] = []
        self._week: dict[str, Any] = {}
        self.total_spend = 0.0
        self.total_lost = 0
        self._start_week(initial=True)
        self.end_week()

    # --- what happens during a week -------------------------------------------------
    def _start_week(self, initial: bool = False) -> None:
        size = self.model.org.size
        self._week = {
            "change": {m: np.zeros(size) for m in self.mechanisms},
            "contacts": 0, "complaints": 0, "mean_quality": float("nan"),
            "very_bad_interactions": 0, "customers_lost": 0, "customers_arrived": 0,
            "hires": 0, "intervention_spend": 0.0,
        }

    def begin_week(self) -> None:
        """Reset this week's tallies."""
        self._start_week()

    def attribute(self, mechanism: str, change: np.ndarray) -> None:
        """Book a per-employee change in attitude to a mechanism."""
        self._week["change"][mechanism] += change

    def note_customers(self, encounters: Encounters, customer_week: CustomerWeek) -> None:
        """Tally this week's contacts and customer flows."""
        week = self._week
        week["contacts"] = len(encounters.quality)
        week["complaints"] = int(encounters.complaint.sum())
        week["mean_quality"] = (float(encounters.quality.mean()) if len(encounters.quality)
                                else float("nan"))
        week["very_bad_interactions"] = int(
            (encounters.quality < self.model.params.very_bad_quality).sum())
        week["customers_lost"] = customer_week.lost
        week["customers_arrived"] = customer_week.arrived
        self.total_lost += customer_week.lost

    def note_hires(self, hires: int) -> None:
        """Tally this week's hires."""
        self._week["hires"] = hires

    def hires_this_week(self) -> int:
        """Hires booked so far this week."""
        return int(self._week["hires"])

    def note_spend(self, spend: float) -> None:
        """Tally this week's intervention spend."""
        self._week["intervention_spend"] = spend
        self.total_spend += spend

    def end_week(self) -> None:
        """Compute and keep the week's record."""
        record = self._record()
        self.records.append(record)
        changes = self._week["change"]
        org = self.model.org
        self.by_group["department"].append(np.stack([
            np.bincount(org.department, changes[m], minlength=len(org.department_names))
            for m in self.mechanisms]))
        self.by_group["band"].append(np.stack([
            np.bincount(self.band, changes[m], minlength=len(metrics.BANDS))
            for m in self.mechanisms]))
        if self.keep_history:
            self.attitude_weeks.append(self.model.employees.attitude.astype(np.float32))
        if hasattr(self, "datacollector"):
            self.datacollector.collect(self.model)

    # --- the record ----------------------------------------------------------------------
    def _record(self) -> dict[str, Any]:
        model, week = self.model, self._week
        org, staff, customers = model.org, model.employees, model.customers
        attitude = staff.attitude
        record: dict[str, Any] = {"week": model.steps, "mean_attitude": float(attitude.mean())}
        for name, value in zip(metrics.BANDS,
                               metrics.group_means(attitude, self.band, len(metrics.BANDS)),
                               strict=True):
            record[f"attitude_band_{name}"] = value
        for column, value in zip(self.department_columns, metrics.group_means(
                attitude, org.department, len(org.department_names)), strict=True):
            record[column] = value
        for level, value in enumerate(metrics.group_means(attitude, org.level,
                                                          self.level_count)[1:], start=1):
            record[f"attitude_level_{level}"] = value
        record["share_negative"] = metrics.share_negative(attitude)
        record["share_positive"] = metrics.share_positive(attitude)
        record["mean_customer_focus"] = float(staff.customer_focus.mean())
        record["focus_front_line"] = metrics.mean_over(staff.customer_focus, self.front_line)
        record["focus_back_office"] = metrics.mean_over(staff.customer_focus, self.back_office)
        record["strain_front_line"] = metrics.mean_over(staff.strain, self.front_line)

        active = customers.active
        record["active_customers"] = int(active.sum())
        record["mean_satisfaction"] = (float(customers.satisfaction[active].mean())
                                       if active.any() else float("nan"))
        record["net_promoter_score"] = metrics.net_promoter_score(customers.satisfaction, active)
        record["reputation"] = customers.reputation
        for key in ("contacts", "complaints", "mean_quality", "very_bad_interactions",
                    "customers_lost", "customers_arrived", "hires"):
            record[key] = week[key]
        record["customers_lost_total"] = self.total_lost
        record["revenue"] = model.params.revenue_per_customer * record["active_customers"]
        business = metrics.business_success(customers.satisfaction, active)
        visibility = model.params.visibility_decay ** np.maximum(
            model.levers.effective_distance - 1.0, 0.0)
        record["bonus_success"] = metrics.bonus_success(
            staff.customer_focus, org.boss, model.levers.customer_weight, visibility, business,
            model.levers.shareholder_pressure)
        record["business_success"] = business
        record["intervention_spend"] = week["intervention_spend"]
        record["intervention_spend_total"] = self.total_spend
        size = org.size
        for mechanism in self.mechanisms:
            record[f"why_{mechanism}"] = float(week["change"][mechanism].sum() / size)
        return record

    # --- tables --------------------------------------------------------------------------
    def table(self) -> pd.DataFrame:
        """One row per week."""
        return pd.DataFrame.from_records(self.records)

    def attribution_table(self, by: str) -> pd.DataFrame:
        """Long table: week, group, mechanism, change in the group's mean attitude."""
        org = self.model.org
        if by == "all":
            frame = self.table()[["week"] + [f"why_{m}" for m in self.mechanisms]]
            long = frame.melt(id_vars="week", var_name="mechanism", value_name="change")
            long["mechanism"] = long["mechanism"].str.removeprefix("why_")
            long.insert(1, "group", "all")
            return long
        if by == "department":
            names, sizes = org.department_names, np.bincount(org.department,
                                                             minlength=len(org.department_names))
        elif by == "band":
            names, sizes = metrics.BANDS, np.bincount(self.band, minlength=len(metrics.BANDS))
        else:
            raise ValueError(f"by must be 'all', 'department' or 'band', not {by!r}")
        sums = np.stack(self.by_group[by])  # weeks x mechanisms x groups
        means = np.divide(sums, sizes, out=np.zeros_like(sums), where=sizes > 0)
        weeks, mechanisms, groups = np.meshgrid(np.arange(len(sums)), self.mechanisms, names,
                                                indexing="ij")
        return pd.DataFrame({"week": weeks.ravel(), "group": groups.ravel(),
                             "mechanism": mechanisms.ravel(), "change": means.ravel()})

    def history(self) -> np.ndarray:
        """(weeks + 1, employees) attitudes; empty unless the model keeps history."""
        if not self.attitude_weeks:
            return np.empty((0, self.model.org.size), dtype=np.float32)
        return np.stack(self.attitude_weeks)

    def mesa_datacollector(self) -> DataCollector:
        """A Mesa DataCollector fed from the records, for `mesa.batch_run` and Mesa tools."""
        latest = self.records[-1]
        reporters = {key: _latest_value(key) for key in latest if key != "week"}
        self.datacollector = DataCollector(model_reporters=reporters)
        self.datacollector.collect(self.model)
        return self.datacollector


def _latest_value(key: str):
    def report(model: OrgModel) -> Any:
        return model.recorder.records[-1][key]

    return report
