"""Collects the outputs of MODEL.md each week, from arrays, and the attribution of change.

One `Recorder` per batch of replications (`eachcustomer.sim.batch.Batch`; an `OrgModel` is a batch
of one). Each week it computes one row of outputs per replication, all at once, and keeps it;
`OrgModel` hands the rows to its Mesa `DataCollector`. It also keeps the per-mechanism
change in attitude by department and distance band ("why it changed") and, on request,
every employee's attitude each week.

Collecting must not dominate a step, so every group mean of the week comes from one
kernel over member lists (`eachcustomer.sim.metrics.means_of_groups`): the stacked employee arrays
[attitude, customer_focus, strain] to all the means the table reports, for every
replication.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from eachcustomer.sim import metrics
from eachcustomer.sim.compiled import kernel
from eachcustomer.sim.output_columns import (
    ARRIVED,
    CONTACTS,
    COUNT_COLUMNS,
    CUSTOMER_COLUMNS,
    HIRES,
    LOST,
    MEAN_QUALITY,
    NEW_EXPECTATION,
    RUNNING_COLUMNS,
    SHARE_COLUMNS,
    SPEND,
    WEEK_TALLIES,
    department_columns,
    output_table,
)

if TYPE_CHECKING:  # pandas loads where a table is built: a run keeps its outputs as arrays
    import pandas as pd

    from eachcustomer.sim.batch import Batch
    from eachcustomer.sim.organization import Organization
    from eachcustomer.sim.processes.customers import Arrivals
    from eachcustomer.sim.processes.encounters import Encounters


def _members_by_value(values: np.ndarray, count: int) -> list[np.ndarray]:
    """For v = 0 .. count - 1, the positions where `values` is v, in increasing order.

    What `np.flatnonzero(values == v)` gives for each v, from one stable sort.
    """
    order = np.argsort(values, kind="stable")
    ends = np.cumsum(np.bincount(values, minlength=count)[:count]).tolist()
    return [order[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def _named_means(
    org: Organization, band: np.ndarray, front_line: np.ndarray, back_office: np.ndarray
) -> list[tuple[str, np.ndarray]]:
    """Each mean the table reports: its column and its members in the stacked input.

    The input is [attitude, customer_focus, strain], so focus members are shifted by the
    head count N and strain members by 2 N.
    """
    size = org.size
    everyone = np.arange(size)
    top = int(org.level.max())
    by_level = [
        (f"level_{lv}", members)
        for lv, members in enumerate(_members_by_value(org.level, top + 1)[1:], start=1)
    ]
    names = department_columns(tuple(org.department_names))
    groups = (
        [
            (f"band_{name}", members)
            for name, members in zip(
                metrics.BANDS, _members_by_value(band, len(metrics.BANDS)), strict=True
            )
        ]
        + [
            (f"dept_{column}", members)
            for column, members in zip(
                names, _members_by_value(org.department, len(names)), strict=True
            )
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


@kernel
def add_changes_by_group(attitudes: tuple, groups: np.ndarray, sums: np.ndarray) -> None:
    """Add each mechanism's change of each employee's attitude to the sums of its groups.

    `attitudes` are the attitudes before the week's first mechanism and after each one, so
    mechanism m changed employee i's attitude by attitudes[m + 1][i] - attitudes[m][i];
    it is added to column m of `sums`, in the rows `groups[:, i]` (the employee's
    department, distance band and whole replication). Each sum runs over the employees in
    their order; the mechanisms are interleaved so that no sum waits for the last addition.
    """
    mechanisms = len(attitudes) - 1
    change = np.empty(mechanisms)
    for i in range(len(attitudes[0])):
        for m in range(mechanisms):
            change[m] = attitudes[m + 1][i] - attitudes[m][i]
        for k in range(groups.shape[0]):
            row = groups[k, i]
            for m in range(mechanisms):
                sums[row, m] += change[m]


@kernel
def weekly_rows(
    week: float,
    stacked: np.ndarray,
    attitude: np.ndarray,
    customer_focus: np.ndarray,
    mean_members: np.ndarray,
    mean_start: np.ndarray,
    employee_start: np.ndarray,
    boss: np.ndarray,
    customer_weight: np.ndarray,
    visibility: np.ndarray,
    shareholder_pressure: np.ndarray,
    orientation_shift: np.ndarray,
    tally: np.ndarray,
    reputation: np.ndarray,
    tallies: np.ndarray,
    total_lost: np.ndarray,
    revenue_per_customer: float,
    total_spend: np.ndarray,
    changes: np.ndarray,
    sizes: np.ndarray,
) -> np.ndarray:
    """The week's outputs, one row per replication, in the order of `Recorder.columns`.

    Blocks of columns: the week; the group means (`means_of_groups` over `stacked`, the
    arrays [attitude, customer_focus, strain] one after the other, `mean_members` shifted
    as `_named_means` says); the
    attitude shares; active customers, mean satisfaction and NPS; reputation; the week's
    tallies; the running figures (customers lost so far, revenue, bonus and business
    success, spend so far); each mechanism's change of the mean attitude (`changes`, the
    replications' sums, over `sizes`).
    """
    copies = len(employee_start) - 1
    means = metrics.means_of_groups(stacked, mean_members, mean_start, np.nan)
    shares = metrics.attitude_shares(attitude, employee_start)
    figures = metrics.customer_figures(tally)  # active, satisfaction, NPS, business
    bonus = metrics.bonus_success(
        customer_focus,
        boss,
        customer_weight,
        visibility,
        figures[:, 3].copy(),
        shareholder_pressure,
        orientation_shift,
        employee_start,
    )
    per_copy = len(means) // copies
    width = 1 + per_copy + 6 + tallies.shape[1] + 5 + changes.shape[1]
    rows = np.empty((copies, width))
    # Element by element, not by slices: numba compiles slice assignments slowly.
    for c in range(copies):
        rows[c, 0] = week
        column = 1
        for j in range(per_copy):
            rows[c, column + j] = means[c * per_copy + j]
        column += per_copy
        rows[c, column] = shares[c, 0]
        rows[c, column + 1] = shares[c, 1]
        for j in range(3):
            rows[c, column + 2 + j] = figures[c, j]
        rows[c, column + 5] = reputation[c]
        column += 6
        for j in range(tallies.shape[1]):
            rows[c, column + j] = tallies[c, j]
        column += tallies.shape[1]
        rows[c, column] = total_lost[c]
        rows[c, column + 1] = revenue_per_customer * figures[c, 0]
        rows[c, column + 2] = bonus[c]
        rows[c, column + 3] = figures[c, 3]
        rows[c, column + 4] = total_spend[c]
        column += 5
        for m in range(changes.shape[1]):
            rows[c, column + m] = changes[c, m] / sizes[c]
    return rows


def _starts(sizes: list[int]) -> np.ndarray:
    return np.cumsum([0, *sizes]).astype(np.int64)


class Recorder:
    """Weekly outputs of every replication of a batch (`eachcustomer.sim.batch.Batch`).

    Each week it computes one row of outputs per replication, all at once, and keeps them;
    `table(c)` is replication c's output table. Column names are the same for every
    replication (they come from the organization's departments and levels).

    Attributes:
        columns: the names of the output columns, in order.
        why_columns: the columns of the attribution of change, one per mechanism.
    """

    def __init__(self, batch: Batch, mechanisms: tuple[str, ...], keep_history: bool) -> None:
        self.batch = batch
        self.mechanisms = mechanisms
        self.why_columns = tuple(f"why_{m}" for m in mechanisms)
        orgs, employee_start = batch.orgs, batch.employee_start
        self.copies = len(orgs)
        self.sizes = np.diff(employee_start)
        size = int(employee_start[-1])
        bands = [metrics.distance_band(org.distance_to_customer) for org in orgs]
        self.bands = bands
        named = [
            _named_means(
                org, band, np.flatnonzero(org.customer_facing), np.flatnonzero(~org.customer_facing)
            )
            for org, band in zip(orgs, bands, strict=True)
        ]
        self.mean_columns = tuple(name for name, _ in named[0])
        if any(tuple(name for name, _ in n) != self.mean_columns for n in named):
            raise ValueError("the replications of a batch must report the same columns")
        # Members in the stacked [attitude, focus, strain] of the whole batch: the named
        # means index one replication's stack, so shift by the replication's first row
        # (and, for focus and strain, by the batch's head count instead of the replication's).
        members: list[np.ndarray] = []
        counts: list[int] = []
        for c, (org, groups) in enumerate(zip(orgs, named, strict=True)):
            local = np.concatenate([group for _, group in groups])
            array, position = np.divmod(local, org.size)
            members.append(array * size + employee_start[c] + position)
            counts.extend(len(group) for _, group in groups)
        self.mean_members = np.concatenate(members).astype(np.int64)
        self.mean_start = _starts(counts)
        # Attribution: each employee adds to its department's, its band's and its
        # replication's row; departments of every replication first, then bands, then totals.
        self.department_count = len(orgs[0].department_names)
        departments, band_groups = self.department_count * self.copies, 4 * self.copies
        copy = np.repeat(np.arange(self.copies), self.sizes)
        self.groups = np.stack(
            [
                copy * self.department_count + np.concatenate([o.department for o in orgs]),
                departments + copy * 4 + np.concatenate(bands),
                departments + band_groups + copy,
            ]
        ).astype(np.int64)
        self.group_count = departments + band_groups + self.copies
        self.group_sums: list[np.ndarray] = []  # weeks of (groups, mechanisms)
        self.keep_history = keep_history
        self.attitude_weeks: list[np.ndarray] = []
        self.total_spend = np.zeros(self.copies)
        self.total_lost = np.zeros(self.copies)
        self.begin_week()
        self.columns = (
            "week",
            *self.mean_columns,
            *SHARE_COLUMNS,
            *CUSTOMER_COLUMNS,
            *WEEK_TALLIES,
            *RUNNING_COLUMNS,
            *self.why_columns,
        )
        self.rows: list[np.ndarray] = []  # weeks of (replications, columns)
        self.end_week()

    # --- what happens during a week -------------------------------------------------
    def begin_week(self) -> None:
        """Reset this week's tallies and changes."""
        self.changes = np.zeros((self.group_count, len(self.mechanisms)))
        self.attitudes = [self.batch.employees.attitude] * (len(self.mechanisms) + 1)
        self.tallies = np.zeros((self.copies, len(WEEK_TALLIES)))
        self.tallies[:, MEAN_QUALITY] = self.tallies[:, NEW_EXPECTATION] = np.nan

    def attribute(self, mechanism: str, attitude: np.ndarray) -> None:
        """Note the attitudes after `mechanism`: its change is the difference from the last.

        The mechanisms of a week must be attributed in the order of `mechanisms` (those
        that change nothing may be left out); the changes are added up at the end of the
        week.
        """
        position = self.mechanisms.index(mechanism) + 1
        self.attitudes[position:] = [attitude] * (len(self.attitudes) - position)

    def note_encounters(self, encounters: Encounters, very_bad_quality: float) -> None:
        """Tally this week's contacts, per replication."""
        self.tallies[:, CONTACTS : LOST + 1] = metrics.tally_contacts(
            encounters.copy,
            encounters.complaint,
            encounters.quality,
            encounters.lost,
            very_bad_quality,
            self.copies,
        )

    def note_customers(self, churned: np.ndarray, arrivals: Arrivals) -> None:
        """Tally this week's customer flows, per replication (walk-outs are already in)."""
        self.tallies[:, LOST] += churned
        lost = self.tallies[:, LOST]
        self.tallies[:, ARRIVED : NEW_EXPECTATION + 1] = metrics.counts_and_means_of_parts(
            *arrivals
        )
        self.total_lost += lost

    def note_hires(self, hires: np.ndarray) -> None:
        """Tally this week's hires, per replication."""
        self.tallies[:, HIRES] = hires

    def note_spend(self, spend: np.ndarray) -> None:
        """Tally this week's intervention spend, per replication."""
        self.tallies[:, SPEND] = spend
        self.total_spend += spend

    def end_week(self) -> None:
        """Compute and keep the week's rows and attribution."""
        add_changes_by_group(tuple(self.attitudes), self.groups, self.changes)
        self.rows.append(self._rows())
        self.group_sums.append(self.changes)
        if self.keep_history:
            self.attitude_weeks.append(self.batch.employees.attitude.astype(np.float32))

    # --- the rows ------------------------------------------------------------------------
    def _rows(self) -> np.ndarray:
        """This week's outputs, one row per replication, in the order of `columns`."""
        batch = self.batch
        staff, customers, levers = batch.employees, batch.customers, batch.lever_arrays
        return weekly_rows(
            float(batch.week),
            np.concatenate([staff.attitude, staff.customer_focus, staff.strain]),
            staff.attitude,
            staff.customer_focus,
            self.mean_members,
            self.mean_start,
            batch.employee_start,
            batch.boss,
            levers.customer_weight,
            levers.outcome_visibility,
            levers.shareholder_pressure,
            levers.orientation_shift,
            customers.tally,
            customers.reputation,
            self.tallies,
            self.total_lost,
            batch.params.revenue_per_customer,
            self.total_spend,
            self.changes[-self.copies :],
            self.sizes,
        )

    def row(self, copy: int = 0, week: int = -1) -> dict[str, Any]:
        """Replication `copy`'s row of `week` (the latest by default) by column, counts as ints."""
        values = self.rows[week][copy].tolist()
        return {
            column: int(value) if column in COUNT_COLUMNS else value
            for column, value in zip(self.columns, values, strict=True)
        }

    # --- tables --------------------------------------------------------------------------
    def table(self, copy: int = 0) -> pd.DataFrame:
        """Replication `copy`'s output table: one row per recorded week, typed."""
        return output_table(self.columns, np.stack([rows[copy] for rows in self.rows]))

    def values(self) -> np.ndarray:
        """Every replication's outputs as one array: (replications, weeks, columns), floats.

        What a caller of many small runs reads instead of building a table per replication.
        """
        return np.stack(self.rows, axis=1)

    def tables(self) -> list[pd.DataFrame]:
        """Every replication's output table, in order."""
        return [self.table(c) for c in range(self.copies)]

    def attribution_table(self, by: str, copy: int = 0) -> pd.DataFrame:
        """Long table of replication `copy`: week, group, mechanism, change in the group's mean."""
        import pandas as pd

        org = self.batch.orgs[copy]
        if by == "all":
            frame = self.table(copy)[["week", *self.why_columns]]
            long = frame.melt(id_vars="week", var_name="mechanism", value_name="change")
            long["mechanism"] = long["mechanism"].str.removeprefix("why_")
            long.insert(1, "group", "all")
            return long
        sums = np.stack(self.group_sums)  # weeks x groups x mechanisms
        departments = self.department_count * self.copies
        if by == "department":
            first = copy * self.department_count
            names, sums = org.department_names, sums[:, first : first + self.department_count]
            sizes = np.bincount(org.department, minlength=self.department_count)
        elif by == "band":
            first = departments + copy * 4
            names, sums = metrics.BANDS, sums[:, first : first + 4]
            sizes = np.bincount(self.bands[copy], minlength=len(metrics.BANDS))
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

    def history(self, copy: int = 0) -> np.ndarray:
        """(weeks + 1, employees) attitudes of replication `copy`; empty unless kept."""
        first, stop = self.batch.employee_start[copy], self.batch.employee_start[copy + 1]
        if not self.attitude_weeks:
            return np.empty((0, stop - first), dtype=np.float32)
        return np.stack([week[first:stop] for week in self.attitude_weeks])
