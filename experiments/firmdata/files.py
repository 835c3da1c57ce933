"""A firm's own figures as CSV files: survey results, customer metrics and turnover, checked.

Each reader returns a table with one row per line of the file (its line number in column
`line`) or raises `FirmDataError` listing every bad cell, each as "file: line N: column
'c': problem; what is allowed", as the org-chart reader does (`eachcustomer.sim.orgchart`,
whose CSV reading these reuse). Empty optional cells mean "not measured". The columns,
units and an example of each file are in docs/FIRM_DATA.md; templates ship in
scenarios/data/firm_templates/.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from eachcustomer.sim.orgchart.chart import OrgChartError, Problems
from eachcustomer.sim.orgchart.csv_files import read_csv_rows


class FirmDataError(ValueError):
    """A firm data file that cannot be used: file, line, column, problem, what is allowed."""


@dataclass(frozen=True)
class Column:
    """One column of a firm data file: how a cell is read and which values it may take."""

    name: str
    kind: str  # "text", "integer" or "number"
    low: float = float("-inf")
    high: float = float("inf")
    required: bool = True  # the column must be in the header
    blank: bool = False  # a cell may be left empty (not measured)

    def read(self, text: str) -> Any:
        """The cell's value, or an error message saying what is allowed."""
        text = text.strip()
        if self.kind == "text" or (not text and self.blank):
            return text if self.kind == "text" else None
        if not text:
            raise ValueError(f"is empty; {self.allowed()}")
        try:
            value = float(text) if self.kind == "number" else int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not {self.allowed()}") from None
        if not self.low <= value <= self.high:  # also refuses nan
            raise ValueError(f"{text!r} is out of range; {self.allowed()}")
        return value

    def allowed(self) -> str:
        what = "a whole number" if self.kind == "integer" else "a number"
        bounds = f" from {self.low:g} to {self.high:g}" if self.high < float("inf") else ""
        bounds = bounds or (f" of at least {self.low:g}" if self.low > float("-inf") else "")
        return f"expected {what}{bounds}" + (" (or empty: not measured)" if self.blank else "")


SURVEY_COLUMNS = (
    Column("department", "text"),
    Column("respondents", "integer", 1),
    Column("mean", "number", 1, 5),
    Column("sd", "number", 0, 2),
    Column("wave", "text", required=False),
    Column("team", "text", required=False),
    Column("headcount", "integer", 1, required=False, blank=True),
    Column("week", "integer", 1, 520, required=False, blank=True),
)
"""Survey results: mean and SD of respondents' scores on a 1-5 scale (mean of the items)."""
CUSTOMER_COLUMNS = (
    Column("unit", "text"),
    Column("period", "text"),
    Column("weeks", "integer", 1, 520),
    Column("surveyed", "integer", 1, required=False, blank=True),
    Column("satisfaction", "number", 0, 10, required=False, blank=True),
    Column("satisfaction_sd", "number", 0, 5, required=False, blank=True),
    Column("promoters", "number", 0, 1, required=False, blank=True),
    Column("detractors", "number", 0, 1, required=False, blank=True),
    Column("customers_start", "integer", 1, required=False, blank=True),
    Column("customers_lost", "integer", 0, required=False, blank=True),
    Column("complaints", "integer", 0, required=False, blank=True),
)
"""Customer metrics per unit and period: a 0-10 survey, the CRM's counts."""
TURNOVER_COLUMNS = (
    Column("department", "text"),
    Column("period", "text"),
    Column("weeks", "integer", 1, 520),
    Column("headcount", "integer", 1),
    Column("leavers", "integer", 0),
)
"""Leavers per department and period, with the head count they left from."""

MAX_ROWS = 100_000


def _read(
    path: str | Path,
    columns: tuple[Column, ...],
    key: tuple[str, ...],
    check_row: Callable[[dict[str, Any]], str | None],
    departments: Collection[str] | None,
) -> pd.DataFrame:
    """Read and check one file; every bad cell is reported together, then raised."""
    path = Path(path)
    problems = Problems()
    required = tuple(c.name for c in columns if c.required)
    optional = [c.name for c in columns if not c.required]
    note = f"; optional: {', '.join(optional)}" if optional else ""
    try:
        header, records = read_csv_rows(path, required, MAX_ROWS, problems, note)
        problems.check(blocking_only=True)
        known = {c.name for c in columns}
        extra = [name for name in header if name not in known]
        if extra:
            raise OrgChartError(
                f"{path.name}: line 1: unknown column {extra[0]!r}; allowed: "
                f"{', '.join(c.name for c in columns)}"
            )
        rows: list[dict[str, Any]] = []
        seen: dict[tuple[str, ...], int] = {}
        present = [c for c in columns if c.name in header]
        for line, record in records:
            row: dict[str, Any] = {"line": line}
            for column in present:
                try:
                    row[column.name] = column.read(record[column.name])
                except ValueError as error:
                    problems.add(f"{path.name}: line {line}: column {column.name!r}: {error}")
                    row[column.name] = None
            for column in columns:
                row.setdefault(column.name, "" if column.kind == "text" else None)
            _check_names(row, path.name, line, departments, problems)
            identity = tuple(str(row[k]).casefold() for k in key)
            if identity in seen:
                problems.add(
                    f"{path.name}: line {line}: the same {' and '.join(key)} as line "
                    f"{seen[identity]}; give each once"
                )
            seen.setdefault(identity, line)
            complaint = check_row(row)
            if complaint:
                problems.add(f"{path.name}: line {line}: {complaint}")
            rows.append(row)
        problems.check()
    except OrgChartError as error:
        raise FirmDataError(str(error)) from None
    return pd.DataFrame(rows, columns=["line", *(c.name for c in columns)])


def _check_names(
    row: dict[str, Any],
    name: str,
    line: int,
    departments: Collection[str] | None,
    problems: Problems,
) -> None:
    for column in ("department", "unit", "period"):
        if column in row and not row[column]:
            problems.add(f"{name}: line {line}: column {column!r} is empty; name it")
    department = row.get("department")
    if departments is not None and department and department not in departments:
        problems.add(
            f"{name}: line {line}: column 'department': {department!r} is not a department "
            f"of the org chart; the chart has {', '.join(map(repr, sorted(departments)))}"
        )


def _survey_row(row: dict[str, Any]) -> str | None:
    headcount, respondents = row["headcount"], row["respondents"]
    if headcount is not None and respondents is not None and respondents > headcount:
        return (
            f"column 'respondents': {respondents} is more than the headcount "
            f"{headcount}; respondents are at most the staff asked"
        )
    return None


def _customer_row(row: dict[str, Any]) -> str | None:
    survey = ("satisfaction", "satisfaction_sd", "promoters", "detractors")
    if any(row[c] is not None for c in survey) and row["surveyed"] is None:
        return "column 'surveyed' is empty; survey figures need the number of customers surveyed"
    promoters, detractors = row["promoters"], row["detractors"]
    if promoters is not None and detractors is not None and promoters + detractors > 1:
        return (
            f"columns 'promoters' and 'detractors': {promoters:g} + {detractors:g} is more "
            "than 1; they are shares of the same customers"
        )
    lost, start = row["customers_lost"], row["customers_start"]
    if lost is not None and start is None:
        return "column 'customers_start' is empty; customers lost need the base they left"
    if lost is not None and start is not None and lost > start:
        return (
            f"column 'customers_lost': {lost} is more than customers_start {start}; "
            "count the customers lost out of those at the period's start"
        )
    if row["complaints"] is not None and start is None:
        return "column 'customers_start' is empty; complaints need the base they came from"
    return None


def load_survey_results(
    path: str | Path, departments: Collection[str] | None = None
) -> pd.DataFrame:
    """Employee survey results by department (and optionally team and wave).

    Args:
        path: the CSV (columns `SURVEY_COLUMNS`).
        departments: the org chart's department names; other names are refused.
    """
    return _read(path, SURVEY_COLUMNS, ("wave", "department", "team"), _survey_row, departments)


def load_customer_metrics(path: str | Path) -> pd.DataFrame:
    """Customer metrics by unit and period (columns `CUSTOMER_COLUMNS`)."""
    return _read(path, CUSTOMER_COLUMNS, ("unit", "period"), _customer_row, None)


def load_turnover(path: str | Path, departments: Collection[str] | None = None) -> pd.DataFrame:
    """Leavers by department and period (columns `TURNOVER_COLUMNS`)."""
    return _read(path, TURNOVER_COLUMNS, ("department", "period"), lambda row: None, departments)
