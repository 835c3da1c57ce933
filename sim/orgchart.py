"""Load a user's org chart (CSV or GraphML) into an `Organization`, and write one back.

A chart lists who reports to whom, each person's department and who faces customers.
Every problem is reported before anything is built, as an `OrgChartError` whose message
starts with the file name and the line (CSV) or node (GraphML) at fault, so a user can
fix the file without reading Python.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from sim.organization import (
    Organization,
    OrganizationError,
    cross_department_ties,
    team_peer_ties,
)
from sim.params import Params

CSV_SUFFIXES = (".csv",)
GRAPHML_SUFFIXES = (".graphml", ".xml")
CHART_COLUMNS = ("employee_id", "manager_id", "department", "customer_facing")
TABLE_COLUMNS = ("department", "customer_facing")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_FLAGS = "true/false, 1/0 or yes/no (any case)"
_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"


class OrgChartError(OrganizationError):
    """An org chart that cannot be simulated: file name, line or node, problem, remedy."""


@dataclass
class _Row:
    where: str  # "line 7" or "node 'n3'": what the user sees in the file
    employee_id: str
    manager_id: str | None
    department: str
    customer_facing: bool | None
    handles_complaints: bool | None


@dataclass
class _Chart:
    name: str
    rows: list[_Row]
    has_facing: bool
    has_complaints: bool
    peers: list[tuple[str, str, str]] = field(default_factory=list)  # (where, a, b)


@dataclass
class _DepartmentRule:
    customer_facing: bool
    handles_complaints: bool | None
    customer_weight: float | None


def _flag(value: str, name: str, where: str, column: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise OrgChartError(f"{name}: {where}: {column} {value!r} is not a flag; allowed: {_FLAGS}")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise OrgChartError(f"{path.name}: file not found ({path})")
    if not path.is_file():
        raise OrgChartError(f"{path.name}: is not a file ({path})")
    if path.stat().st_size == 0:
        raise OrgChartError(f"{path.name}: the file is empty; expected a header line and rows")


def _read_csv(
    path: Path, required: tuple[str, ...], max_rows: int, optional: str = ""
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (line number, row) pairs of a CSV, with every structural check done."""
    name = path.name
    _check_file(path)
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    # Stream the file so an oversized one is refused at the limit, not after loading it.
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            for record in reader:
                if any("\x00" in cell for cell in record):
                    raise OrgChartError(
                        f"{name}: line {reader.line_num}: contains a NUL byte, "
                        "so it looks binary; expected a CSV text file"
                    )
                if not any(cell.strip() for cell in record):
                    continue  # blank lines carry nothing; line numbers still count them
                if header is None:
                    header = [cell.strip().lower() for cell in record]
                    continue
                if len(record) != len(header):
                    raise OrgChartError(
                        f"{name}: line {reader.line_num}: has {len(record)} fields, the "
                        f"header has {len(header)}; every row needs one value per column"
                    )
                if len(rows) >= max_rows:
                    raise OrgChartError(
                        f"{name}: more than {max_rows} rows; the limit is max_rows={max_rows}"
                    )
                rows.append((reader.line_num, dict(zip(header, record, strict=True))))
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
        raise OrgChartError(f"{name}: the file is empty; expected a header line and rows")
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise OrgChartError(f"{name}: line 1: column {duplicated[0]!r} appears twice")
    missing = [c for c in required if c not in header]
    if missing:
        raise OrgChartError(
            f"{name}: line 1: missing required column {missing[0]!r}; "
            f"required: {', '.join(required)}{optional}"
        )
    if not rows:
        raise OrgChartError(f"{name}: has a header but no rows")
    return header, rows


def _load_csv(path: Path, facing_required: bool, max_rows: int) -> _Chart:
    required = CHART_COLUMNS if facing_required else CHART_COLUMNS[:3]
    note = (
        "; optional: handles_complaints (customer_facing may be left out only when a "
        "departments table is given)"
    )
    header, records = _read_csv(path, required, max_rows, note)
    has_facing, has_complaints = "customer_facing" in header, "handles_complaints" in header
    rows = []
    for line, record in records:
        where = f"line {line}"
        rows.append(
            _Row(
                where=where,
                employee_id=record["employee_id"].strip(),
                manager_id=record["manager_id"].strip() or None,
                department=record["department"].strip(),
                customer_facing=(
                    _flag(record["customer_facing"], path.name, where, "customer_facing")
                    if has_facing
                    else None
                ),
                handles_complaints=(
                    _flag(record["handles_complaints"], path.name, where, "handles_complaints")
                    if has_complaints
                    else None
                ),
            )
        )
    return _Chart(path.name, rows, has_facing, has_complaints)


def _local(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _parse_graphml(path: Path, max_rows: int) -> Element:
    name = path.name
    root: Element | None = None
    nodes = 0
    try:
        with path.open("rb") as handle:
            # forbid_dtd: GraphML needs no DTD, and refusing it stops entity expansion
            # (billion laughs) and external references before they are resolved.
            for _, element in iterparse(handle, events=("start",), forbid_dtd=True):
                if root is None:
                    root = element
                    if _local(root.tag) not in ((_GRAPHML_NS, "graphml"), ("", "graphml")):
                        raise OrgChartError(
                            f"{name}: the root element is <{_local(root.tag)[1]}>"
                            ", not <graphml>; expected a GraphML file"
                        )
                if _local(element.tag)[1] == "node":
                    nodes += 1
                    if nodes > max_rows:
                        raise OrgChartError(
                            f"{name}: more than {max_rows} nodes; the limit is max_rows={max_rows}"
                        )
    except DefusedXmlException as exc:
        raise OrgChartError(
            f"{name}: refused: the XML declares a DTD or entities ({exc}); GraphML needs neither"
        ) from None
    except ParseError as exc:
        raise OrgChartError(
            f"{name}: not well-formed XML ({exc}); expected a GraphML file"
        ) from None
    assert root is not None  # a parse without error has a root element
    return root


def _load_graphml(path: Path, facing_required: bool, max_rows: int) -> _Chart:
    name = path.name
    root = _parse_graphml(path, max_rows)
    keys: dict[str, tuple[str, str]] = {}  # key id -> (domain, attribute name)
    defaults: dict[tuple[str, str], str] = {}
    for key in (e for e in root if _local(e.tag)[1] == "key"):
        domain, attr = key.get("for", "all"), key.get("attr.name", key.get("id", ""))
        keys[key.get("id", "")] = (domain, attr)
        default = next((d for d in key if _local(d.tag)[1] == "default"), None)
        if default is not None:
            for kind in ("node", "edge") if domain == "all" else (domain,):
                defaults[(kind, attr)] = (default.text or "").strip()
    graphs = [e for e in root if _local(e.tag)[1] == "graph"]
    if len(graphs) != 1:
        raise OrgChartError(
            f"{name}: has {len(graphs)} <graph> elements; an org chart is exactly one graph"
        )

    def data(element: Element, kind: str) -> dict[str, str]:
        values = {a: v for (k, a), v in defaults.items() if k == kind}
        for item in element:
            domain, attr = keys.get(item.get("key", ""), ("", ""))
            if _local(item.tag)[1] == "data" and domain in (kind, "all"):
                values[attr] = (item.text or "").strip()
        return values

    node_attrs = {a for d, a in keys.values() if d in ("node", "all")}
    has_facing = "customer_facing" in node_attrs
    has_complaints = "handles_complaints" in node_attrs
    if facing_required and not has_facing:
        raise OrgChartError(
            f"{name}: missing required node attribute 'customer_facing'; "
            "required: department, customer_facing; optional: "
            "handles_complaints (customer_facing may be left out only when a "
            "departments table is given)"
        )
    rows: dict[str, _Row] = {}
    chart = _Chart(name, [], has_facing, has_complaints)
    for node in (e for e in graphs[0] if _local(e.tag)[1] == "node"):
        node_id = node.get("id", "").strip()
        where = f"node {node_id!r}"
        if not node_id:
            raise OrgChartError(f"{name}: a <node> has no id; every node needs one")
        if node_id in rows:
            raise OrgChartError(f"{name}: {where}: appears twice; node ids must be unique")
        if any(_local(e.tag)[1] == "graph" for e in node):
            raise OrgChartError(f"{name}: {where}: holds a nested <graph>; not supported")
        values = data(node, "node")
        for attr in ("department", "customer_facing") if facing_required else ("department",):
            if attr not in values:
                raise OrgChartError(
                    f"{name}: {where}: has no {attr!r}; required node "
                    "attributes: department, customer_facing"
                )
        flags = {
            a: _flag(values[a], name, where, a) if a in values else None
            for a in ("customer_facing", "handles_complaints")
        }
        rows[node_id] = _Row(
            where,
            node_id,
            None,
            values.get("department", ""),
            flags["customer_facing"],
            flags["handles_complaints"],
        )
    if not rows:
        raise OrgChartError(f"{name}: has no <node> elements; expected one node per employee")
    for edge in (e for e in graphs[0] if _local(e.tag)[1] == "edge"):
        source, target = edge.get("source", ""), edge.get("target", "")
        where = f"edge {edge.get('id') or f'{source}->{target}'!r}"
        for end in (source, target):
            if end not in rows:
                raise OrgChartError(f"{name}: {where}: {end!r} is not a node id")
        relation = data(edge, "edge").get("relation", "").lower()
        if relation == "peer":
            chart.peers.append((where, source, target))
        elif relation in ("", "reports_to"):
            if rows[source].manager_id is not None:
                raise OrgChartError(
                    f"{name}: node {source!r}: reports to both "
                    f"{rows[source].manager_id!r} and {target!r}; an "
                    "employee has one boss (mark other ties relation=peer)"
                )
            rows[source].manager_id = target
        else:
            raise OrgChartError(
                f"{name}: {where}: relation {relation!r} is unknown; allowed: "
                "peer, reports_to (or none, meaning reports_to)"
            )
    chart.rows = list(rows.values())
    return chart


def _load_departments(path: Path, max_rows: int) -> dict[str, _DepartmentRule]:
    """Read the departments table, keyed by case-folded department name."""
    name = path.name
    header, records = _read_csv(
        path, TABLE_COLUMNS, max_rows, "; optional: handles_complaints, customer_weight"
    )
    rules: dict[str, _DepartmentRule] = {}
    first_line: dict[str, int] = {}
    for line, record in records:
        where = f"line {line}"
        department = record["department"].strip()
        if not department:
            raise OrgChartError(f"{name}: {where}: department is empty; name it")
        key = department.casefold()
        if key in rules:
            raise OrgChartError(
                f"{name}: {where}: department {department!r} is already "
                f"listed on line {first_line[key]}"
            )
        weight = None
        if "customer_weight" in header:
            text = record["customer_weight"].strip()
            try:
                weight = float(text)
            except ValueError:
                weight = float("nan")
            if not 0.0 <= weight <= 1.0:  # also rejects nan
                raise OrgChartError(
                    f"{name}: {where}: customer_weight {text!r} is not a number from 0 to 1"
                )
        complaints = (
            _flag(record["handles_complaints"], name, where, "handles_complaints")
            if "handles_complaints" in header
            else None
        )
        rules[key] = _DepartmentRule(
            _flag(record["customer_facing"], name, where, "customer_facing"), complaints, weight
        )
        first_line[key] = line
    return rules


def _reporting_lines(chart: _Chart) -> np.ndarray:
    """Boss index of every row, after checking ids, managers, the root and cycles."""
    name, rows = chart.name, chart.rows
    index: dict[str, int] = {}
    for i, row in enumerate(rows):
        if not row.employee_id:
            raise OrgChartError(
                f"{name}: {row.where}: employee_id is empty; every employee needs an id"
            )
        if row.employee_id in index:
            raise OrgChartError(
                f"{name}: {row.where}: employee_id {row.employee_id} "
                f"duplicates {rows[index[row.employee_id]].where}; ids must "
                "be unique"
            )
        if not row.department:
            raise OrgChartError(
                f"{name}: {row.where}: department is empty; every employee needs a department name"
            )
        if row.handles_complaints and row.customer_facing is False:
            raise OrgChartError(
                f"{name}: {row.where}: handles_complaints is true but "
                "customer_facing is false; only customer-facing employees "
                "take complaints"
            )
        index[row.employee_id] = i
    boss = np.full(len(rows), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        if row.manager_id is not None:
            if row.manager_id not in index:
                raise OrgChartError(
                    f"{name}: {row.where}: manager_id {row.manager_id} does "
                    "not exist among employee_id values"
                )
            boss[i] = index[row.manager_id]
    roots = np.flatnonzero(boss < 0)
    if len(roots) == 0:
        raise OrgChartError(
            f"{name}: no root: every employee reports to someone; exactly one "
            "(the chief) must report to no one (empty manager_id in CSV, no "
            "reporting edge in GraphML)"
        )
    if len(roots) > 1:
        listed = ", ".join(f"{rows[r].where} (id {rows[r].employee_id})" for r in roots[:10])
        more = f" and {len(roots) - 10} more" if len(roots) > 10 else ""
        raise OrgChartError(
            f"{name}: {len(roots)} roots, employees with no manager: {listed}"
            f"{more}; exactly one employee, the chief, may have no manager"
        )
    # Follow each chain upward once (0 unseen, 1 on the current chain, 2 reaches the chief):
    # linear time, so a long chain of command cannot stall the loader.
    state, up = [0] * len(rows), boss.tolist()
    for start in range(len(rows)):
        chain, node = [], start
        while node >= 0 and state[node] == 0:
            state[node] = 1
            chain.append(node)
            node = up[node]
        if node >= 0 and state[node] == 1:
            cycle = chain[chain.index(node) :] + [node]
            ids = " -> ".join(rows[c].employee_id for c in cycle)
            raise OrgChartError(
                f"{name}: {rows[node].where}: reporting lines form a cycle: "
                f"{ids}; everyone must report up to the chief"
            )
        for member in chain:
            state[member] = 2
    return boss


def _peer_ties(
    chart: _Chart,
    ids: list[str],
    boss: np.ndarray,
    department: np.ndarray,
    params: Params,
    rng: np.random.Generator,
) -> np.ndarray:
    """Explicit peer edges plus the generator's team and cross-department ties."""
    index = {employee: i for i, employee in enumerate(ids)}
    explicit = []
    for where, a, b in chart.peers:
        if a == b:
            raise OrgChartError(f"{chart.name}: {where}: a peer tie from {a!r} to itself")
        explicit.append((index[a], index[b]))
    explicit = np.sort(np.array(explicit, dtype=np.int64).reshape(-1, 2), axis=1)
    staff = np.flatnonzero(boss >= 0)
    hierarchy = np.sort(np.column_stack([staff, boss[staff]]), axis=1)
    if len(explicit):
        # A peer tie on top of a reporting line would count twice in the influence matrix.
        reporting = {tuple(p) for p in hierarchy.tolist()}
        explicit = np.array(
            [p for p in explicit.tolist() if tuple(p) not in reporting], dtype=np.int64
        ).reshape(-1, 2)
    team = team_peer_ties(boss, params.peer_tie_probability, rng)
    known = np.vstack([explicit, team, hierarchy])
    cross = cross_department_ties(department, params.cross_department_ties, known, rng)
    ties = np.sort(np.vstack([explicit, team, cross]), axis=1)
    return np.unique(ties, axis=0).astype(np.int64).reshape(-1, 2)


def _department_rules(
    chart: _Chart,
    names: list[str],
    department: np.ndarray,
    table: dict[str, _DepartmentRule] | None,
    table_name: str,
    params: Params,
) -> list[_DepartmentRule]:
    """Per department: front line or not, complaints or not, customer weight if known.

    The table decides where it has a column; else the chart's own flags (a department
    is customer-facing if anyone in it is); else `params.departments` by name.
    """
    by_name = {d.name.casefold(): d for d in params.departments}
    first = {}
    for row, d in zip(chart.rows, department.tolist(), strict=True):
        first.setdefault(d, row)
    # Counting per department keeps this linear in head count, whatever the departments.
    anyone = {
        flag: np.bincount(
            department, minlength=len(names), weights=[bool(getattr(r, flag)) for r in chart.rows]
        )
        > 0
        for flag in ("customer_facing", "handles_complaints")
    }
    rules = []
    for d, name in enumerate(names):
        if table is not None and name.casefold() not in table:
            raise OrgChartError(
                f"{chart.name}: {first[d].where}: department {name!r} is not "
                f"in the departments table {table_name}; add a row for it"
            )
        rule = table[name.casefold()] if table is not None else None
        default = by_name.get(name.casefold())
        facing = rule.customer_facing if rule is not None else bool(anyone["customer_facing"][d])
        if rule is not None and rule.handles_complaints is not None:
            complaints = rule.handles_complaints
        elif chart.has_complaints:
            complaints = bool(anyone["handles_complaints"][d])
        else:
            complaints = default is not None and default.handles_complaints
        weight = rule.customer_weight if rule is not None else None
        if weight is None and default is not None:
            weight = default.customer_weight
        rules.append(_DepartmentRule(facing, complaints, weight))
    return rules


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
            the file, the line or node, and what is allowed.

    """
    if staff_per_manager < 0:
        raise ValueError(f"staff_per_manager must be 0 or more, got {staff_per_manager}")
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + GRAPHML_SUFFIXES:
        raise OrgChartError(
            f"{path.name}: unknown file type {path.suffix!r}; allowed: "
            f"{', '.join(CSV_SUFFIXES + GRAPHML_SUFFIXES)}"
        )
    params = params if params is not None else Params()
    rng = rng if rng is not None else np.random.default_rng(0)
    table = _load_departments(Path(departments), max_rows) if departments is not None else None
    read = _load_csv if suffix in CSV_SUFFIXES else _load_graphml
    chart = read(path, table is None, max_rows)
    boss = _reporting_lines(chart)
    rows, ids, listed = chart.rows, [row.employee_id for row in chart.rows], len(chart.rows)
    names = list(dict.fromkeys(row.department for row in rows))
    code = {name: d for d, name in enumerate(names)}
    department = np.array([code[row.department] for row in rows], dtype=np.int64)
    table_name = Path(departments).name if departments is not None else ""
    rules = _department_rules(chart, names, department, table, table_name, params)
    dept_facing = np.array([r.customer_facing for r in rules], dtype=bool)
    dept_complaints = np.array([bool(r.handles_complaints) for r in rules], dtype=bool)
    facing = np.array([bool(row.customer_facing) for row in rows], dtype=bool)
    complaints = np.array([bool(row.handles_complaints) for row in rows], dtype=bool)

    if staff_per_manager > 0:
        has_reports = np.zeros(listed, dtype=bool)
        has_reports[boss[boss >= 0]] = True
        leaves = np.flatnonzero(~has_reports)
        new_ids = [f"{ids[m]}.s{k}" for m in leaves for k in range(1, staff_per_manager + 1)]
        taken = {employee: i for i, employee in enumerate(ids)}
        clash = next((s for s in new_ids if s in taken), None)
        if clash is not None:
            raise OrgChartError(
                f"{chart.name}: {rows[taken[clash]].where}: employee_id "
                f"{clash} clashes with a generated staff id; rename it or use "
                "staff_per_manager=0"
            )
        staff_boss = np.repeat(leaves, staff_per_manager)
        # In a customer-facing department the new staff take over the front line.
        facing[leaves[dept_facing[department[leaves]]]] = False
        ids += new_ids
        boss = np.concatenate([boss, staff_boss])
        department = np.concatenate([department, department[staff_boss]])
        facing = np.concatenate([facing, dept_facing[department[staff_boss]]])
        complaints = np.concatenate([complaints, np.zeros(len(staff_boss), dtype=bool)])
    if not chart.has_facing:
        # The generator's rule: the front line is whoever has no reports.
        has_reports = np.zeros(len(boss), dtype=bool)
        has_reports[boss[boss >= 0]] = True
        facing = dept_facing[department] & ~has_reports
    by_rule = facing & dept_complaints[department]
    complaints = (
        np.concatenate([complaints[:listed], by_rule[listed:]]) & facing
        if chart.has_complaints
        else by_rule
    )
    if not facing.any():
        raise OrgChartError(
            f"{chart.name}: no employee is customer-facing, so no one meets "
            "customers; mark some customer_facing true or make a department "
            "customer-facing in the departments table"
        )
    has_front_line = np.bincount(department, weights=facing, minlength=len(names)) > 0
    weights = [
        r.customer_weight if r.customer_weight is not None else 0.5 if has_front_line[d] else 0.0
        for d, r in enumerate(rules)
    ]
    return Organization(
        boss=boss,
        department=department,
        department_names=tuple(names),
        department_customer_weight=np.array(weights, dtype=float),
        customer_facing=facing,
        handles_complaints=complaints,
        peer_ties=_peer_ties(chart, ids, boss, department, params, rng),
        employee_ids=tuple(ids),
    )


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
