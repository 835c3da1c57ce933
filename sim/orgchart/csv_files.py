"""CSV org charts and departments tables: read, checked row by row, and written back."""

from __future__ import annotations

import csv
from pathlib import Path

from eachcustomer.sim.organization import Organization
from eachcustomer.sim.orgchart.chart import (
    Chart,
    ChartRow,
    DepartmentRule,
    NoFacingFlagsError,
    OrgChartError,
    Problems,
    check_file,
    parse_flag,
)

CHART_COLUMNS = ("employee_id", "manager_id", "department", "customer_facing")
TABLE_COLUMNS = ("department", "customer_facing")
GUARDED_START = ("'=", "'+", "'-", "'@", "'\t", "'\r")
"""A cell that starts with a single quote and then one of =, +, -, @, a tab or a carriage
return is read without the quote. It is the guard that every CSV written by EachCustomer puts
in front of text a spreadsheet would run as a formula
(`eachcustomer.experiments.loading.files.safe_csv_frame`), and the quote a spreadsheet shows
as text, not as part of the cell: a department written `'=X` by an export is read back as
`=X`, the name the exported scenario's coverage uses."""


def unguard(cell: str) -> str:
    """A cell without the formula guard's leading quote (`GUARDED_START`)."""
    return cell[1:] if cell.startswith(GUARDED_START) else cell


def read_csv_rows(
    path: Path,
    required: tuple[str, ...],
    max_rows: int,
    problems: Problems,
    optional: str = "",
    missing_facing: type[OrgChartError] = OrgChartError,
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (line number, row) pairs of a CSV, with every structural check done.

    A line that cannot be a row (wrong number of fields, a NUL byte) is left out and
    recorded in `problems` as blocking. A missing customer_facing column raises
    `missing_facing`.
    """
    name = path.name
    check_file(path)
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    # Stream the file so an oversized one is refused at the limit, not after loading it.
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            for record in reader:
                if any("\x00" in cell for cell in record):
                    problems.add(
                        f"{name}: line {reader.line_num}: contains a NUL byte, "
                        "so it looks binary; expected a CSV text file",
                        blocking=True,
                    )
                    continue
                if not any(cell.strip() for cell in record):
                    continue  # blank lines carry nothing; line numbers still count them
                if header is None:
                    header = [cell.strip().lower() for cell in record]
                    continue
                if len(record) != len(header):
                    problems.add(
                        f"{name}: line {reader.line_num}: has {len(record)} fields, the "
                        f"header has {len(header)}; every row needs one value per column",
                        blocking=True,
                    )
                    continue
                if len(rows) >= max_rows:
                    raise OrgChartError(
                        f"{name}: more than {max_rows} rows; the limit is max_rows={max_rows}"
                    )
                cells = (unguard(cell) for cell in record)
                rows.append((reader.line_num, dict(zip(header, cells, strict=True))))
        except UnicodeDecodeError as exc:
            raise OrgChartError(
                f"{name}: not UTF-8 text (byte {exc.start} cannot be decoded); expected a CSV file"
            ) from None
        except csv.Error as exc:
            raise OrgChartError(
                f"{name}: line {reader.line_num}: cannot be read as CSV "
                f"({exc}); expected a CSV file"
            ) from None
    if header is None:
        problems.check()
        raise OrgChartError(f"{name}: the file is empty; expected a header line and rows")
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise OrgChartError(f"{name}: line 1: column {duplicated[0]!r} appears twice")
    missing = [c for c in required if c not in header]
    if missing:
        raise (missing_facing if missing[0] == "customer_facing" else OrgChartError)(
            f"{name}: line 1: missing required column {missing[0]!r}; "
            f"required: {', '.join(required)}{optional}"
        )
    if not rows:
        problems.check()
        raise OrgChartError(f"{name}: has a header but no rows")
    return header, rows


def _flag(
    record: dict[str, str], column: str, name: str, where: str, problems: Problems
) -> bool | None:
    """A flag cell, or None when the column is absent or the cell is a recorded problem."""
    if column not in record:
        return None
    with problems.row():
        return parse_flag(record[column], name, where, column)
    return None


def load_csv_chart(path: Path, facing_required: bool, max_rows: int, problems: Problems) -> Chart:
    """The rows of a chart CSV, flags parsed; `customer_facing` is needed if `facing_required`.

    Bad cells are recorded in `problems`; their flags read as None.
    """
    required = CHART_COLUMNS if facing_required else CHART_COLUMNS[:3]
    note = (
        "; optional: handles_complaints (customer_facing may be left out only when a "
        "departments table is given)"
    )
    header, records = read_csv_rows(path, required, max_rows, problems, note, NoFacingFlagsError)
    has_facing, has_complaints = "customer_facing" in header, "handles_complaints" in header
    rows = []
    for line, record in records:
        where = f"line {line}"
        rows.append(
            ChartRow(
                where=where,
                employee_id=record["employee_id"].strip(),
                manager_id=record["manager_id"].strip() or None,
                department=record["department"].strip(),
                customer_facing=_flag(record, "customer_facing", path.name, where, problems),
                handles_complaints=_flag(record, "handles_complaints", path.name, where, problems),
            )
        )
    return Chart(path.name, rows, has_facing, has_complaints)


def _weight(text: str, name: str, where: str) -> float:
    """A customer_weight cell: a number from 0 to 1."""
    try:
        weight = float(text)
    except ValueError:
        weight = float("nan")
    if not 0.0 <= weight <= 1.0:  # also rejects nan
        raise OrgChartError(
            f"{name}: {where}: customer_weight {text!r} is not a number from 0 to 1"
        )
    return weight


def load_departments_table(
    path: Path, max_rows: int, problems: Problems
) -> dict[str, DepartmentRule]:
    """Read the departments table, keyed by case-folded department name.

    Bad rows are recorded in `problems`; a row with a bad cell still names its department,
    so the chart's rows are not blamed for it.
    """
    name = path.name
    header, records = read_csv_rows(
        path, TABLE_COLUMNS, max_rows, problems, "; optional: handles_complaints, customer_weight"
    )
    rules: dict[str, DepartmentRule] = {}
    first_line: dict[str, int] = {}
    for line, record in records:
        where = f"line {line}"
        department = record["department"].strip()
        key = department.casefold()
        with problems.row():
            if not department:
                raise OrgChartError(f"{name}: {where}: department is empty; name it")
            if key in rules:
                raise OrgChartError(
                    f"{name}: {where}: department {department!r} is already "
                    f"listed on line {first_line[key]}"
                )
            weight = None
            if "customer_weight" in header:
                with problems.row():
                    weight = _weight(record["customer_weight"].strip(), name, where)
            rules[key] = DepartmentRule(
                bool(_flag(record, "customer_facing", name, where, problems)),
                _flag(record, "handles_complaints", name, where, problems),
                weight,
            )
            first_line[key] = line
    return rules


def write_org_chart_csv(
    org: Organization, path: str | Path, *, departments: str | Path | None = None
) -> None:
    """Write `org` as a chart CSV that `load_org_chart` reads back to the same arrays.

    Peer ties are not written: the loader draws them again from `params` and `rng`.

    Args:
        org: the organization.
        path: the chart CSV to write.
        departments: if given, also write a departments table there, so that each
            department's customer_weight survives the round trip.

    """
    flag = ("false", "true")
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CHART_COLUMNS + ("handles_complaints",))
        for i in range(org.size):
            boss = int(org.boss[i])
            writer.writerow(
                [
                    org.employee_ids[i],
                    org.employee_ids[boss] if boss >= 0 else "",
                    org.department_names[org.department[i]],
                    flag[bool(org.customer_facing[i])],
                    flag[bool(org.handles_complaints[i])],
                ]
            )
    if departments is not None:
        with Path(departments).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(TABLE_COLUMNS + ("handles_complaints", "customer_weight"))
            for d, name in enumerate(org.department_names):
                members = org.department == d
                writer.writerow(
                    [
                        name,
                        flag[bool(org.customer_facing[members].any())],
                        flag[bool(org.handles_complaints[members].any())],
                        repr(float(org.department_customer_weight[d])),
                    ]
                )
