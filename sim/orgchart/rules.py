"""The rules that turn a read chart into an `Organization`, checking it fully first.

Reporting lines (one chief, no cycles), peer ties, what each department is (from a
departments table, the chart's own flags or the parameters' departments), generated staff
under managers without reports, and the front line.
"""

from __future__ import annotations

import numpy as np

from eachcustomer.sim.organization import Organization, cross_department_ties, team_peer_ties
from eachcustomer.sim.orgchart.chart import Chart, ChartRow, DepartmentRule, OrgChartError, Problems
from eachcustomer.sim.params import Params


def _check_row(chart: Chart, row: ChartRow, index: dict[str, int]) -> None:
    """One row's own rules: an id not seen before, a department, complaints at the front."""
    name = chart.name
    if not row.employee_id:
        raise OrgChartError(
            f"{name}: {row.where}: employee_id is empty; every employee needs an id"
        )
    if row.employee_id in index:
        raise OrgChartError(
            f"{name}: {row.where}: employee_id {row.employee_id} "
            f"duplicates {chart.rows[index[row.employee_id]].where}; ids must "
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


def reporting_lines(chart: Chart, problems: Problems) -> np.ndarray:
    """Boss index of every row (-1: none), every row's id, department and manager checked.

    Each bad row is recorded in `problems`; the first row with an id keeps it.
    """
    name, rows = chart.name, chart.rows
    index: dict[str, int] = {}
    for i, row in enumerate(rows):
        with problems.row():
            _check_row(chart, row, index)
        if row.employee_id and row.employee_id not in index:
            index[row.employee_id] = i
    boss = np.full(len(rows), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        if row.manager_id is None:
            continue
        with problems.row():
            if row.manager_id == row.employee_id:
                raise OrgChartError(
                    f"{name}: {row.where}: employee {row.employee_id} is listed as their own "
                    "manager; give the id of the person they report to (the chief alone has "
                    "none: an empty manager_id in CSV, no reporting edge in GraphML)"
                )
            if row.manager_id not in index:
                raise OrgChartError(
                    f"{name}: {row.where}: manager_id {row.manager_id} does "
                    "not exist among employee_id values"
                )
            boss[i] = index[row.manager_id]
    return boss


def check_hierarchy(chart: Chart, boss: np.ndarray, problems: Problems) -> None:
    """Exactly one chief, and every chain of command reaches it (cycles recorded, each once)."""
    name, rows = chart.name, chart.rows
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
    # Follow each chain upward once (0 unseen, 1 on the current chain, 2 done): linear
    # time, so a long chain of command cannot stall the loader.
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
            problems.add(
                f"{name}: {rows[node].where}: reporting lines form a cycle: "
                f"{ids}; everyone must report up to the chief"
            )
        for member in chain:
            state[member] = 2


def peer_ties(
    chart: Chart,
    ids: list[str],
    boss: np.ndarray,
    department: np.ndarray,
    params: Params,
    rng: np.random.Generator,
) -> np.ndarray:
    """Explicit peer edges plus the generator's team and cross-department ties."""
    index = {employee: i for i, employee in enumerate(ids)}
    problems = Problems()
    listed = []
    for where, a, b in chart.peers:
        if a == b:
            problems.add(f"{chart.name}: {where}: a peer tie from {a!r} to itself")
        listed.append((index[a], index[b]))
    problems.check()
    explicit = np.sort(np.array(listed, dtype=np.int64).reshape(-1, 2), axis=1)
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


def department_rules(
    chart: Chart,
    names: list[str],
    department: np.ndarray,
    table: dict[str, DepartmentRule] | None,
    table_name: str,
    params: Params,
    problems: Problems,
) -> list[DepartmentRule]:
    """Per department: front line or not, complaints or not, customer weight if known.

    The table decides where it has a column; else the chart's own flags (a department
    is customer-facing if anyone in it is); else `params.departments` by name. A
    department missing from the table is recorded in `problems`, at its first row.
    """
    by_name = {d.name.casefold(): d for d in params.departments}
    first: dict[int, ChartRow] = {}
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
        if table is not None and name and name.casefold() not in table:
            problems.add(
                f"{chart.name}: {first[d].where}: department {name!r} is not "
                f"in the departments table {table_name}; add a row for it"
            )
        rule = table.get(name.casefold()) if table is not None else None
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
        rules.append(DepartmentRule(facing, complaints, weight))
    return rules


def _without_reports(boss: np.ndarray) -> np.ndarray:
    """Mask of the employees nobody reports to."""
    has_reports = np.zeros(len(boss), dtype=bool)
    has_reports[boss[boss >= 0]] = True
    return ~has_reports


def generated_staff(
    chart: Chart, ids: list[str], boss: np.ndarray, staff_per_manager: int
) -> tuple[np.ndarray, list[str]]:
    """Who gets generated staff (the listed employees without reports), and the staff's ids.

    Each such employee `m` gets ids `<m>.s1` .. `<m>.s<staff_per_manager>`, in order.
    """
    leaves = np.flatnonzero(_without_reports(boss))
    new_ids = [f"{ids[m]}.s{k}" for m in leaves for k in range(1, staff_per_manager + 1)]
    taken = {employee: i for i, employee in enumerate(ids)}
    problems = Problems()
    for clash in (s for s in new_ids if s in taken):
        problems.add(
            f"{chart.name}: {chart.rows[taken[clash]].where}: employee_id "
            f"{clash} clashes with a generated staff id; rename it or use "
            "staff_per_manager=0"
        )
    problems.check()
    return leaves, new_ids


def build_organization(
    chart: Chart,
    table: dict[str, DepartmentRule] | None,
    table_name: str,
    params: Params,
    rng: np.random.Generator,
    staff_per_manager: int = 0,
    problems: Problems | None = None,
) -> Organization:
    """The organization a read chart describes, after checking every rule.

    Args:
        chart: the chart as read from its file.
        table: the departments table by case-folded name, if one was given.
        table_name: the departments table's file name, for messages.
        params: peer-tie parameters and, without a table, department weights by name.
        rng: random generator for the peer ties.
        staff_per_manager: if > 0, every employee without reports gets this many
            generated staff (ids `<id>.s1`, ...), for charts that list only managers.
        problems: the problems found while reading the files, if any, to report with
            the rows' own.

    Returns:
        The organization, employees in chart order followed by generated staff.

    Raises:
        OrgChartError: the chart breaks a rule; the message names the file, the line or
            node, and what is allowed, for every bad row (up to `MAX_LISTED_PROBLEMS`).
    """
    problems = problems if problems is not None else Problems()
    boss = reporting_lines(chart, problems)
    rows, ids, listed = chart.rows, [row.employee_id for row in chart.rows], len(chart.rows)
    names = list(dict.fromkeys(row.department for row in rows))
    code = {name: d for d, name in enumerate(names)}
    department = np.array([code[row.department] for row in rows], dtype=np.int64)
    rules = department_rules(chart, names, department, table, table_name, params, problems)
    problems.check()
    check_hierarchy(chart, boss, problems)
    problems.check()
    dept_facing = np.array([r.customer_facing for r in rules], dtype=bool)
    dept_complaints = np.array([bool(r.handles_complaints) for r in rules], dtype=bool)
    facing = np.array([bool(row.customer_facing) for row in rows], dtype=bool)
    complaints = np.array([bool(row.handles_complaints) for row in rows], dtype=bool)

    if staff_per_manager > 0:
        leaves, new_ids = generated_staff(chart, ids, boss, staff_per_manager)
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
        facing = dept_facing[department] & _without_reports(boss)
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
        peer_ties=peer_ties(chart, ids, boss, department, params, rng),
        employee_ids=tuple(ids),
    )
