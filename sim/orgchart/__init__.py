"""Load a user's org chart (CSV or GraphML) into an `Organization`, and write one back.

A chart lists who reports to whom, each person's department and who faces customers.
Every problem is reported before anything is built, as an `OrgChartError` whose message
starts with the file name and the line (CSV) or node (GraphML) at fault, so a user can
fix the file without reading Python. Bad rows are reported together, one per line (up to
`MAX_LISTED_PROBLEMS`, then counted), the departments table's with the chart's.

The package reads in two stages: `csv_files` and `graphml_files` turn a file into a
`chart.Chart` (rows as the file lists them), and `rules` checks it and builds the
organization.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from eachcustomer.sim.organization import Organization
from eachcustomer.sim.orgchart.chart import (
    MAX_LISTED_PROBLEMS,
    NoFacingFlagsError,
    OrgChartError,
    Problems,
    check_file,
)
from eachcustomer.sim.orgchart.csv_files import (
    CHART_COLUMNS,
    TABLE_COLUMNS,
    load_csv_chart,
    load_departments_table,
    write_org_chart_csv,
)
from eachcustomer.sim.orgchart.rules import build_organization
from eachcustomer.sim.params import Params

CSV_SUFFIXES = (".csv",)
GRAPHML_SUFFIXES = (".graphml", ".xml")

__all__ = [
    "CHART_COLUMNS",
    "CSV_SUFFIXES",
    "GRAPHML_SUFFIXES",
    "MAX_LISTED_PROBLEMS",
    "TABLE_COLUMNS",
    "NoFacingFlagsError",
    "OrgChartError",
    "load_org_chart",
    "write_org_chart_csv",
]


def load_org_chart(
    path: str | Path,
    *,
    departments: str | Path | None = None,
    params: Params | None = None,
    rng: np.random.Generator | None = None,
    staff_per_manager: int = 0,
    max_rows: int = 200_000,
) -> Organization:
    """Read an org chart file into an `Organization`, checking it fully first.

    Args:
        path: a `.csv` chart (columns employee_id, manager_id, department,
            customer_facing, optional handles_complaints) or a `.graphml`/`.xml` chart
            (node attributes of the same names; an edge source -> target means source
            reports to target, unless its `relation` attribute is "peer").
        departments: optional departments table CSV (department, customer_facing,
            optional handles_complaints, customer_weight). Required when the chart has no
            customer_facing flags: then the staff without reports in a customer-facing
            department are the front line, as in `generate_organization`.
        params: peer-tie parameters and, without a table, department weights by name.
        rng: random generator for the peer ties; `default_rng(0)` if not given.
        staff_per_manager: if > 0, every employee without reports gets this many
            generated staff (ids `<id>.s1`, ...), for charts that list only managers.
        max_rows: the largest number of employees the file may list.

    Returns:
        The organization, employees in file order followed by generated staff.

    Raises:
        OrgChartError: the file is missing, unreadable or inconsistent; the message names
            the file, the line or node, and what is allowed, one line per bad row.

    """
    if staff_per_manager < 0:
        raise ValueError(f"staff_per_manager must be 0 or more, got {staff_per_manager}")
    path = Path(path)
    check_file(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + GRAPHML_SUFFIXES:
        raise OrgChartError(
            f"{path.name}: unknown file type {path.suffix!r}; allowed: "
            f"{', '.join(CSV_SUFFIXES + GRAPHML_SUFFIXES)}"
        )
    params = params if params is not None else Params()
    rng = rng if rng is not None else np.random.default_rng(0)
    problems = Problems()
    table = (
        load_departments_table(Path(departments), max_rows, problems)
        if departments is not None
        else None
    )
    if suffix in CSV_SUFFIXES:
        chart = load_csv_chart(path, table is None, max_rows, problems)
    else:  # defusedxml is imported for a GraphML file only: other runs do without it
        from eachcustomer.sim.orgchart.graphml_files import load_graphml_chart

        chart = load_graphml_chart(path, table is None, max_rows, problems)
    problems.check(blocking_only=True)  # rows left out would only cause more reports
    table_name = Path(departments).name if departments is not None else ""
    return build_organization(chart, table, table_name, params, rng, staff_per_manager, problems)
