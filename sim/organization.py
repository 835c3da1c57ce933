"""The organization network: who reports to whom, who is tied to whom, who faces customers.

An `Organization` is plain arrays, built either from parameters (`generate_organization`)
or from a user's org chart (`eachcustomer.sim.orgchart`). From it follow the network graph, the
contagion weights and every employee's distance from the customer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from eachcustomer.sim.params import Department, Params

if TYPE_CHECKING:
    import networkx as nx

EXECUTIVE = "executive"


class OrganizationError(ValueError):
    """An organization that cannot be simulated; the message says where and why."""


@dataclass(frozen=True)
class Organization:
    """One organization as arrays indexed by employee (0 .. n-1).

    Attributes:
        boss: index of each employee's boss, -1 for the chief executive.
        department: index into `department_names`.
        department_names: names of the departments.
        department_customer_weight: per department, the weight of customer outcomes
            against boss approval in its evaluations, in [0, 1].
        customer_facing: True for employees who serve customers directly.
        handles_complaints: True for front-line employees who take complaints.
        peer_ties: (k, 2) array of non-hierarchical ties, each pair once.
        employee_ids: labels of the employees (the org chart's ids, if loaded).
    """

    boss: np.ndarray
    department: np.ndarray
    department_names: tuple[str, ...]
    department_customer_weight: np.ndarray
    customer_facing: np.ndarray
    handles_complaints: np.ndarray
    peer_ties: np.ndarray
    employee_ids: tuple[str, ...]
    level: np.ndarray = field(init=False)
    distance_to_customer: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "peer_ties", distinct_peer_ties(self.peer_ties, self.boss))
        if not self.customer_facing.any():
            raise OrganizationError("no employee is customer-facing, so no one meets customers")
        object.__setattr__(self, "level", hierarchy_levels(self.boss))
        ties = np.vstack([self.hierarchy_ties(), self.peer_ties.reshape(-1, 2)])
        distance = distances_to_customer(ties, self.customer_facing)
        object.__setattr__(self, "distance_to_customer", distance)

    @property
    def leads(self) -> np.ndarray:
        """True for employees with at least one report: the leaders."""
        leads = np.zeros(len(self.boss), dtype=bool)
        leads[self.boss[self.boss >= 0]] = True
        return leads

    @property
    def size(self) -> int:
        """Head count."""
        return len(self.boss)

    def hierarchy_ties(self) -> np.ndarray:
        """(k, 2) array of (employee, boss) pairs."""
        staff = np.flatnonzero(self.boss >= 0)
        return np.column_stack([staff, self.boss[staff]])

    def adjacency(self) -> sp.csr_matrix:
        """Symmetric 0/1 adjacency of all ties, hierarchical and peer."""
        ties = np.vstack([self.hierarchy_ties(), self.peer_ties.reshape(-1, 2)])
        n = self.size
        rows = np.concatenate([ties[:, 0], ties[:, 1]])
        cols = np.concatenate([ties[:, 1], ties[:, 0]])
        matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        matrix.data[:] = 1.0  # a pair tied twice is still one tie
        return matrix

    def graph(self) -> nx.Graph:
        """The org network for Mesa's Network space; edges carry their `kind`.

        Built only when something asks for it (a Mesa space, a picture): a run never does.
        """
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(range(self.size))
        graph.add_edges_from(self.peer_ties.tolist(), kind="peer")
        graph.add_edges_from(self.hierarchy_ties().tolist(), kind="reports_to")
        return graph


def distinct_peer_ties(peer_ties: np.ndarray, boss: np.ndarray) -> np.ndarray:
    """Each peer pair once, none with oneself, none that is already a reporting line.

    A pair tied twice would otherwise weigh twice in contagion while the network shows
    one tie; the reporting line takes precedence.
    """
    pairs = np.sort(np.asarray(peer_ties, dtype=np.int64).reshape(-1, 2), axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    reports = (boss[pairs[:, 0]] == pairs[:, 1]) | (boss[pairs[:, 1]] == pairs[:, 0])
    return pairs_of_keys(np.unique(pair_keys(pairs[~reports], len(boss))), len(boss))


def pair_keys(pairs: np.ndarray, size: int) -> np.ndarray:
    """One integer per (a, b) pair of positions below `size`, ordered as the pairs are."""
    return pairs[:, 0] * size + pairs[:, 1]


def pairs_of_keys(keys: np.ndarray, size: int) -> np.ndarray:
    """The (k, 2) pairs of `pair_keys`."""
    return np.column_stack([keys // size, keys % size]).astype(np.int64).reshape(-1, 2)


def hierarchy_levels(boss: np.ndarray) -> np.ndarray:
    """Level of each employee in the hierarchy: 1 for the chief, 2 for direct reports, ...

    Employees whose chain of bosses never reaches a chief (a cycle) get 0.
    """
    n = len(boss)
    level = np.ones(n, dtype=np.int64)
    boss = np.asarray(boss, dtype=np.int64)
    above = boss.copy()
    # Everyone climbs one boss per pass, together; a tree of depth D needs D passes.
    climbing = np.flatnonzero(above >= 0)
    for _ in range(n):
        if not len(climbing):
            break
        level[climbing] += 1
        above[climbing] = boss[above[climbing]]
        climbing = climbing[above[climbing] >= 0]
    level[climbing] = 0
    return level


def neighbour_rows(size: int, ties: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each employee's neighbours over undirected `ties` ((k, 2) pairs), in compressed rows.

    Returns (row_start, neighbour): employee i's neighbours are
    `neighbour[row_start[i]:row_start[i + 1]]`, in the order the ties list them.
    """
    ends = np.concatenate([ties[:, 0], ties[:, 1]])
    others = np.concatenate([ties[:, 1], ties[:, 0]])
    row_start = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends, minlength=size), out=row_start[1:])
    return row_start, others[np.argsort(ends, kind="stable")]


def gather_rows(row_start: np.ndarray, entries: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The entries of `rows` of a compressed-row array, row after row."""
    starts = row_start[rows]
    counts = row_start[rows + 1] - starts
    first_of_row = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return entries[first_of_row + np.arange(int(counts.sum()))]


def distances_to_customer(ties: np.ndarray, customer_facing: np.ndarray) -> np.ndarray:
    """MODEL.md's distance: 1 on the front line, else 1 + hops to the nearest front-liner.

    A breadth-first search over the undirected `ties` ((k, 2) pairs, hierarchical and peer),
    one ring of neighbours at a time from the whole front line, so the ring reached in pass
    d is exactly the employees at distance d + 1. Each tie is read at most twice in all:
    plain numpy, no graph library, cheap for the many small organizations of a calibration.
    Employees with no path to the front line get the largest finite distance + 1.
    """
    size = len(customer_facing)
    row_start, neighbour = neighbour_rows(size, np.asarray(ties, dtype=np.int64).reshape(-1, 2))
    hops = np.zeros(size, dtype=np.int64)  # 0: not reached yet
    ring = np.flatnonzero(customer_facing)
    claim = np.empty(size, dtype=np.int64)
    distance = 1
    while len(ring):
        hops[ring] = distance
        reached = gather_rows(row_start, neighbour, ring)
        reached = reached[hops[reached] == 0]
        # Each newly reached employee once in the next ring: its last copy claims it.
        copy = np.arange(len(reached))
        claim[reached] = copy
        ring = reached[claim[reached] == copy]
        distance += 1
    unreached = hops == 0
    if unreached.any():
        hops[unreached] = hops.max() + 1 if not unreached.all() else 1
    return hops


def influence_rows(
    org: Organization, boss_weight: float, peer_weight: float, report_weight: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`influence_matrix` in compressed rows: (row_start, speaker, weight), plain numpy.

    Row i lists its speakers in increasing order, ties of weight 0 left out, and each
    weight is divided by the row's total, summed in that order: the same numbers, bit for
    bit, as the sparse matrix (a pair listed twice, which a valid organization never has,
    is summed in the order listed, as the sparse matrix sums a pair).
    """
    n = org.size
    hierarchy = org.hierarchy_ties()
    peers = org.peer_ties.reshape(-1, 2)
    rows = np.concatenate([hierarchy[:, 0], hierarchy[:, 1], peers[:, 0], peers[:, 1]])
    cols = np.concatenate([hierarchy[:, 1], hierarchy[:, 0], peers[:, 1], peers[:, 0]])
    weights = np.concatenate(
        [
            np.full(len(hierarchy), float(boss_weight)),
            np.full(len(hierarchy), float(report_weight)),
            np.full(2 * len(peers), float(peer_weight)),
        ]
    )
    keys = rows.astype(np.int64) * n + cols
    order = np.argsort(keys, kind="stable")
    keys, weights = keys[order], weights[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    if not first.all():
        weights = np.add.reduceat(weights, np.flatnonzero(first))
        keys = keys[first]
    kept = weights != 0
    keys, weights = keys[kept], weights[kept]
    listener, speaker = np.divmod(keys, n)
    row_sums = np.bincount(listener, weights, minlength=n)
    scale = np.divide(1.0, row_sums, out=np.zeros(n), where=row_sums > 0)
    row_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(listener, minlength=n), out=row_start[1:])
    return row_start, speaker.astype(np.int64), weights * scale[listener]


def influence_matrix(
    org: Organization, boss_weight: float, peer_weight: float, report_weight: float
) -> sp.csr_matrix:
    """Row-stochastic matrix P: P[i, j] is the share of i's attention that goes to j.

    Row i weighs its boss by `boss_weight`, each peer by `peer_weight` and each direct
    report by `report_weight`, then divides by the row's total (no self weight: the
    contagion step adds that). A row whose weights are all 0 stays empty.
    """
    row_start, speaker, weight = influence_rows(org, boss_weight, peer_weight, report_weight)
    return sp.csr_matrix((weight, speaker, row_start), shape=(org.size, org.size))


def team_peer_ties(boss: np.ndarray, probability: float, rng: np.random.Generator) -> np.ndarray:
    """Ties between members of one team (same boss), each pair with `probability`.

    The candidate pairs are listed team by team (teams in order of their boss), each
    team's pairs (i, j), i < j, row by row, and one uniform is drawn per pair.
    """
    staff = np.flatnonzero(boss >= 0)
    order = staff[np.argsort(boss[staff], kind="stable")]
    team_of = boss[order]  # sorted: each team is one run of equal bosses
    new_team = np.ones(len(order), dtype=bool)
    new_team[1:] = team_of[1:] != team_of[:-1]
    starts = np.flatnonzero(new_team)
    sizes = np.diff(np.append(starts, len(order)))
    # Member k of a team of size s (0-based rank r within it) pairs with the s - 1 - r
    # members after it: k + 1, ..., k + s - 1 - r in `order`.
    team_size = np.repeat(sizes, sizes)
    rank = np.arange(len(order)) - np.repeat(starts, sizes)
    later = team_size - 1 - rank
    first = np.repeat(np.arange(len(order)), later)
    run_start = np.repeat(np.cumsum(later) - later, later)
    second = first + 1 + (np.arange(len(first)) - run_start)
    pairs = np.column_stack([order[first], order[second]]).astype(np.int64).reshape(-1, 2)
    if len(pairs) == 0:
        return pairs
    return pairs[rng.random(len(pairs)) < probability]


def cross_department_ties(
    department: np.ndarray, ties_per_employee: float, existing: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Random ties between employees of different departments, none duplicating `existing`."""
    n = len(department)
    count = rng.poisson(ties_per_employee * n / 2)
    if count == 0 or n < 2:
        return np.empty((0, 2), dtype=np.int64)
    pairs = rng.integers(0, n, size=(count, 2))
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[department[pairs[:, 0]] != department[pairs[:, 1]]]
    keys = np.unique(pair_keys(pairs, n))
    known = np.sort(pair_keys(np.sort(existing.reshape(-1, 2), axis=1), n))
    if len(known) == 0:
        return pairs_of_keys(keys, n)
    # Membership by binary search in the sorted known keys (np.isin's answer, cheaper).
    at = np.minimum(np.searchsorted(known, keys), len(known) - 1)
    return pairs_of_keys(keys[known[at] != keys], n)


def _department_sizes(departments: tuple[Department, ...], staff: int) -> np.ndarray:
    """Split `staff` by shares with the largest-remainder method."""
    shares = np.array([d.share for d in departments])
    exact = shares * staff
    sizes = np.floor(exact).astype(np.int64)
    remainder_order = np.argsort(-(exact - sizes), kind="stable")
    sizes[remainder_order[: staff - sizes.sum()]] += 1
    return sizes


def _fill_departments(sizes: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray]:
    """Boss and department of everyone, the chief (0) first, then each department in turn.

    A department's employees follow one another: the first is its head, reporting to the
    chief; the one at position k >= 1 reports to position (k - 1) // span of it, so each
    manager takes `span` reports, filled breadth-first.
    """
    n = int(sizes.sum()) + 1
    first = 1 + np.cumsum(sizes) - sizes
    start_of = np.repeat(first, sizes)
    position = np.arange(1, n) - start_of
    boss = np.full(n, -1, dtype=np.int64)
    boss[1:] = np.where(position == 0, 0, start_of + (position - 1) // span)
    department = np.full(n, len(sizes), dtype=np.int64)  # the chief: executive
    department[1:] = np.repeat(np.arange(len(sizes)), sizes)
    return boss, department


@functools.lru_cache(maxsize=32)
def _generated_ids(size: int) -> tuple[str, ...]:
    """E000000, E000001, ...: the labels of a generated organization's employees."""
    return tuple(f"E{i:06d}" for i in range(size))


def generate_organization(params: Params, rng: np.random.Generator) -> Organization:
    """A hierarchy: a chief, one head per department, then teams of `span_of_control`.

    The front line is the staff without reports in customer-facing departments (a head
    alone in a customer-facing department serves customers herself).
    """
    n = params.n_employees
    departments = params.departments
    boss, department = _fill_departments(
        _department_sizes(departments, n - 1), params.span_of_control
    )

    has_reports = np.zeros(n, dtype=bool)
    has_reports[boss[boss >= 0]] = True
    facing_department = np.array([d.customer_facing for d in departments] + [False])
    complaint_department = np.array([d.handles_complaints for d in departments] + [False])
    customer_facing = facing_department[department] & ~has_reports
    handles_complaints = customer_facing & complaint_department[department]

    peers = team_peer_ties(boss, params.peer_tie_probability, rng)
    hierarchy = np.column_stack([np.arange(1, n), boss[1:]])
    cross = cross_department_ties(
        department, params.cross_department_ties, np.vstack([peers, hierarchy]), rng
    )
    return Organization(
        boss=boss,
        department=department,
        department_names=tuple(d.name for d in departments) + (EXECUTIVE,),
        department_customer_weight=np.array([d.customer_weight for d in departments] + [0.0]),
        customer_facing=customer_facing,
        handles_complaints=handles_complaints,
        peer_ties=np.vstack([peers, cross]).astype(np.int64),
        employee_ids=_generated_ids(n),
    )
