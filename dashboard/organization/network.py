"""Drawing the org network: a hierarchy layout from the boss array, and aggregation.

Managers sit on one row per hierarchy level, centred over their teams; staff without
reports hang below their manager in short columns, as on a paper org chart. The layout
depends only on the boss array, so it is the same every week and the time slider only
recolours the nodes. Beyond `NODE_LIMIT` employees, the deepest levels are folded into
their managers: each drawn node then stands for a manager and everyone below them,
coloured by their mean attitude.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from eachcustomer.sim.organization import Organization

NODE_LIMIT = 2000
"""Most nodes drawn one by one; larger organizations are drawn by team."""
STACK_DEPTH = 6
"""Staff per column under their manager."""
TEAM_GAP = 0.6
"""Space between neighbouring teams, in columns."""
STAFF_TOP, STAFF_STEP = 0.55, 0.17
"""Where the first staff row hangs below its manager, and the row spacing (levels)."""


@dataclass(frozen=True)
class NetworkView:
    """What is drawn: the nodes, whom each employee is folded into, and the layout.

    Attributes:
        drawn: employee index of each drawn node.
        member_of: for each employee, the drawn node that stands for them.
        boss: each drawn node's boss as a drawn-node index, -1 for the chief.
        counts: employees each drawn node stands for (1 when not aggregated).
        x, y: drawn node positions.
        aggregated: whether nodes stand for teams.
    """

    drawn: np.ndarray
    member_of: np.ndarray
    boss: np.ndarray
    counts: np.ndarray
    x: np.ndarray
    y: np.ndarray
    aggregated: bool

    def node_means(self, values: np.ndarray) -> np.ndarray:
        """Mean of per-employee `values` (last axis) over each drawn node's members."""
        values = np.atleast_2d(values)
        sums = np.zeros((values.shape[0], len(self.drawn)))
        for row in range(values.shape[0]):
            sums[row] = np.bincount(self.member_of, weights=values[row], minlength=len(self.drawn))
        return sums / self.counts


def fold_level(level: np.ndarray, limit: int) -> int:
    """The deepest level such that all employees down to it number at most `limit`."""
    per_level = np.bincount(level)
    cumulative = np.cumsum(per_level)
    fitting = np.flatnonzero(cumulative <= limit)
    return max(int(np.max(fitting)) if len(fitting) else 1, 1)


def network_view(org: Organization, limit: int = NODE_LIMIT) -> NetworkView:
    """The nodes to draw for `org` and their layout, folding deep levels beyond `limit`."""
    size, boss, level = org.size, org.boss, org.level
    if size <= limit:
        drawn = np.arange(size)
        member_of = drawn.copy()
        drawn_boss = boss.copy()
        aggregated = False
    else:
        cut = fold_level(level, limit)
        member_of = np.arange(size)
        for _ in range(int(level.max()) - cut):
            member_of = np.where(level[member_of] > cut, boss[member_of], member_of)
        drawn = np.flatnonzero(level <= cut)
        index = np.full(size, -1)
        index[drawn] = np.arange(len(drawn))
        member_of = index[member_of]
        drawn_boss = np.where(boss[drawn] >= 0, index[np.maximum(boss[drawn], 0)], -1)
        aggregated = True
    counts = np.bincount(member_of, minlength=len(drawn)).astype(float)
    x, y = hierarchy_layout(drawn_boss, level[drawn])
    return NetworkView(drawn, member_of, drawn_boss, counts, x, y, aggregated)


def hierarchy_layout(
    boss: np.ndarray, level: np.ndarray | None = None, stack_depth: int = STACK_DEPTH
) -> tuple[np.ndarray, np.ndarray]:
    """Org-chart positions from a boss array (-1 for the root).

    Managers are centred over their subtree on the row of their level (y = -level);
    staff without reports stand in columns of `stack_depth` below their manager.
    """
    size = len(boss)
    if level is None:
        from eachcustomer.sim.organization import hierarchy_levels

        level = hierarchy_levels(boss)
    order = np.argsort(boss, kind="stable")
    order = order[boss[order] >= 0]
    starts = np.searchsorted(boss[order], np.arange(size + 1))
    children = [order[starts[i] : starts[i + 1]] for i in range(size)]
    has_reports = np.array([len(c) > 0 for c in children], dtype=bool)
    width = np.ones(size)
    staff_columns = np.zeros(size, dtype=int)
    for node in np.argsort(-level, kind="stable"):  # deepest first: children before bosses
        kids = children[node]
        if not len(kids):
            continue
        staff = int((~has_reports[kids]).sum())
        staff_columns[node] = -(-staff // stack_depth)
        managers = kids[has_reports[kids]]
        parts = [staff_columns[node]] * bool(staff) + list(width[managers])
        width[node] = max(1.0, sum(parts) + TEAM_GAP * (len(parts) - 1))
    x, y = np.zeros(size), -level.astype(float)
    roots = np.flatnonzero(boss < 0)
    offset = 0.0
    for root in roots:
        _place(
            int(root), offset, children, has_reports, width, staff_columns, level, x, y, stack_depth
        )
        offset += width[root] + TEAM_GAP
    return x, y


def _place(
    root: int,
    left: float,
    children: list[np.ndarray],
    has_reports: np.ndarray,
    width: np.ndarray,
    staff_columns: np.ndarray,
    level: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    stack_depth: int,
) -> None:
    stack = [(root, left)]
    while stack:
        node, start = stack.pop()
        x[node] = start + (width[node] - 1.0) / 2.0
        kids = children[node]
        staff = kids[~has_reports[kids]]
        for rank, member in enumerate(staff):
            x[member] = start + rank // stack_depth
            y[member] = -level[node] - STAFF_TOP - STAFF_STEP * (rank % stack_depth)
        cursor = start + (staff_columns[node] + TEAM_GAP if len(staff) else 0.0)
        for manager in kids[has_reports[kids]]:
            stack.append((manager, cursor))
            cursor += width[manager] + TEAM_GAP


def reporting_lines(view: NetworkView) -> tuple[list[float | None], list[float | None]]:
    """Elbow connectors from each boss down to its reports, as one None-separated path.

    A manager's staff columns get one spine each, from the manager down the column.
    """
    xs: list[float | None] = []
    ys: list[float | None] = []
    boss, x, y = view.boss, view.x, view.y
    has_reports = np.zeros(len(boss), dtype=bool)
    has_reports[boss[boss >= 0]] = True
    columns: dict[tuple[int, float], float] = {}
    for node in np.flatnonzero(boss >= 0):
        head = boss[node]
        bend = y[head] - (0.5 if has_reports[node] else STAFF_TOP * 0.6)
        if has_reports[node]:
            xs += [x[head], x[head], x[node], x[node], None]
            ys += [y[head], bend, bend, y[node], None]
        else:
            key = (int(head), float(x[node]))
            columns[key] = min(columns.get(key, y[node]), y[node])
    for (head, column), bottom in columns.items():
        bend = y[head] - STAFF_TOP * 0.6
        xs += [x[head], x[head], column, column, None]
        ys += [y[head], bend, bend, bottom, None]
    return xs, ys


def node_table(view: NetworkView, org: Organization, attitude: np.ndarray) -> pd.DataFrame:
    """One row per drawn node: position, attitude, symbol, size and hover text."""
    drawn = view.drawn
    names = np.asarray(org.department_names, dtype=object)[org.department[drawn]]
    ids = np.asarray(org.employee_ids, dtype=object)[drawn]
    levels = org.level[drawn]
    if view.aggregated:
        symbol = np.where(view.counts > 1, "square", "circle")
        extra = view.counts - 1
        hover = [
            f"{i} and {int(e)} below · {d} · level {lv}" if e else f"{i} · {d} · level {lv}"
            for i, d, lv, e in zip(ids, names, levels, extra, strict=True)
        ]
        size = np.clip(5 + 1.6 * np.sqrt(view.counts), 5, 26)
    else:
        facing = org.customer_facing[drawn]
        complaints = org.handles_complaints[drawn]
        symbol = np.where(complaints, "triangle-up", np.where(facing, "diamond", "circle"))
        role = np.where(
            complaints, "takes complaints", np.where(facing, "serves customers", "back office")
        )
        hover = [
            f"{i} · {d} · level {lv} · {r}"
            for i, d, lv, r in zip(ids, names, levels, role, strict=True)
        ]
        columns = max(float(view.x.max() - view.x.min()) + 1.0, 1.0)
        size = np.full(len(drawn), float(np.clip(1100.0 / columns, 4.0, 12.0)))
    return pd.DataFrame(
        {
            "x": view.x,
            "y": view.y,
            "attitude": attitude,
            "symbol": symbol,
            "size": size,
            "hover": hover,
        }
    )


def encode_history(history: np.ndarray) -> dict[str, object]:
    """Attitudes (weeks x nodes, in [-1, 1]) as signed hundredths in base64, for the browser."""
    steps = np.clip(np.rint(np.asarray(history, dtype=float) * 100.0), -100, 100)
    data = steps.astype(np.int8).tobytes()
    return {
        "weeks": int(history.shape[0]),
        "nodes": int(history.shape[1]),
        "data": base64.b64encode(data).decode("ascii"),
    }


def decode_history(encoded: dict[str, Any]) -> np.ndarray:
    """The inverse of `encode_history`, to within 0.005."""
    raw = np.frombuffer(base64.b64decode(str(encoded["data"])), dtype=np.int8)
    return raw.reshape(int(encoded["weeks"]), int(encoded["nodes"])).astype(float) / 100.0
