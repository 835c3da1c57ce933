"""An org chart as read from a file, before any rule: its rows, flags and problems.

The readers (`eachcustomer.sim.orgchart.csv_files`, `eachcustomer.sim.orgchart.graphml_files`) turn
a file into a `Chart`; `eachcustomer.sim.orgchart.rules` checks it and builds the `Organization`.
Every message starts with the file name and the line (CSV) or node (GraphML) at fault. Problems with
single rows are collected (`Problems`), so that a user sees every bad row of a file at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from eachcustomer.sim.organization import OrganizationError

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
FLAG_VALUES = "true/false, 1/0 or yes/no (any case)"
MAX_LISTED_PROBLEMS = 20
"""Most problems one error lists; the rest are counted."""
_LINE = re.compile(r"^[^:]*: line (\d+):")


class OrgChartError(OrganizationError):
    """An org chart that cannot be simulated: file name, line or node, problem, remedy.

    A chart with several bad rows gets one error listing each, one per line, the first
    line as it would read alone.
    """


class NoFacingFlagsError(OrgChartError):
    """A chart without customer_facing flags and no departments table to take them from."""


class Problems:
    """The problems found in the rows of the files of one load, reported together.

    A check that fails on one row raises `OrgChartError` inside `row()`, which records the
    message and goes on with the next row. A row problem that leaves the row out of the
    chart (a line with too many fields) is `blocking`: later checks would only report its
    consequences, so `check(blocking_only=True)` stops there.
    """

    def __init__(self, limit: int = MAX_LISTED_PROBLEMS) -> None:
        self.messages: list[str] = []
        self.blocking = False
        self.limit = limit

    def add(self, message: str, *, blocking: bool = False) -> None:
        """Record one problem."""
        self.messages.append(message)
        self.blocking = self.blocking or blocking

    @contextmanager
    def row(self, *, blocking: bool = False) -> Iterator[None]:
        """Record an `OrgChartError` raised inside as one problem, and go on."""
        try:
            yield
        except OrgChartError as error:
            self.add(str(error), blocking=blocking)

    def check(self, *, blocking_only: bool = False) -> None:
        """Raise every problem so far as one `OrgChartError` (only if one is blocking)."""
        if not self.messages or (blocking_only and not self.blocking):
            return
        # File by file in the order first named, each by line: the order a user fixes them.
        files = {message.split(":", 1)[0]: None for message in self.messages}
        order = {name: index for index, name in enumerate(files)}

        def place(message: str) -> tuple[int, float]:
            found = _LINE.match(message)
            line = float(found.group(1)) if found else float("inf")
            return order[message.split(":", 1)[0]], line

        listed = sorted(self.messages, key=place)[: self.limit]  # sorted() keeps ties in order
        hidden = len(self.messages) - len(listed)
        if hidden:
            listed.append(
                f"... and {hidden} more problems ({len(self.messages)} in all); "
                "fix these and load the file again to see the rest"
            )
        raise OrgChartError("\n".join(listed))


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
