"""An org chart as read from a file, before any rule: its rows, flags and errors.

The readers (`sim.orgchart.csv_files`, `sim.orgchart.graphml_files`) turn a file into a
`Chart`; `sim.orgchart.rules` checks it and builds the `Organization`. Every message starts
with the file name and the line (CSV) or node (GraphML) at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sim.organization import OrganizationError

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
FLAG_VALUES = "true/false, 1/0 or yes/no (any case)"


class OrgChartError(OrganizationError):
    """An org chart that cannot be simulated: file name, line or node, problem, remedy."""


@dataclass
class ChartRow:
    """One employee as the file lists them."""

    where: str  # "line 7" or "node 'n3'": what the user sees in the file
    employee_id: str
    manager_id: str | None
    department: str
    customer_facing: bool | None
    handles_complaints: bool | None


@dataclass
class Chart:
    """A whole file: its name, rows, which flag columns it has, and explicit peer ties."""

    name: str
    rows: list[ChartRow]
    has_facing: bool
    has_complaints: bool
    peers: list[tuple[str, str, str]] = field(default_factory=list)  # (where, a, b)


@dataclass
class DepartmentRule:
    """What a department is: front line or not, complaint desk or not, customer weight."""

    customer_facing: bool
    handles_complaints: bool | None
    customer_weight: float | None


def parse_flag(value: str, name: str, where: str, column: str) -> bool:
    """A true/false cell of file `name` at `where`, or an error naming the allowed values."""
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise OrgChartError(
        f"{name}: {where}: {column} {value!r} is not a flag; allowed: {FLAG_VALUES}"
    )


def check_file(path: Path) -> None:
    """An error unless `path` is an existing, non-empty file."""
    if not path.exists():
        raise OrgChartError(f"{path.name}: file not found ({path})")
    if not path.is_file():
        raise OrgChartError(f"{path.name}: is not a file ({path})")
    if path.stat().st_size == 0:
        raise OrgChartError(f"{path.name}: the file is empty; expected a header line and rows")
