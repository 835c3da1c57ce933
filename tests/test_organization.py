"""Organization arrays built in plain numpy: the same numbers as the graph library's answers.

Distances, levels and influence weights are computed without scipy (cheap for the many
small organizations of a calibration); each is checked here against the definition
written with scipy's sparse graphs, on generated organizations and on random networks with
parts cut off from the front line.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse import csgraph

from eachcustomer.sim.organization import (
    Organization,
    _department_sizes,
    distances_to_customer,
    generate_organization,
    hierarchy_levels,
    influence_matrix,
    influence_rows,
)
from eachcustomer.sim.params import Params


def hops_by_scipy(size: int, ties: np.ndarray, front: np.ndarray) -> np.ndarray:
    """The definition: 1 + unweighted hops from a virtual node tied to the front line."""
    rows = np.concatenate([ties[:, 0], np.full(len(front), size)])
    cols = np.concatenate([ties[:, 1], front])
    graph = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(size + 1, size + 1))
    hops = csgraph.shortest_path(graph, unweighted=True, directed=False, indices=size)[:size]
    finite = np.isfinite(hops)
    hops[~finite] = hops[finite].max() + 1
    return hops.astype(np.int64)


def matrix_by_scipy(org: Organization, boss: float, peer: float, report: float) -> sp.csr_matrix:
    """P built as a sparse matrix: duplicates summed, zeros dropped, rows scaled to 1."""
    hierarchy, peers = org.hierarchy_ties(), org.peer_ties.reshape(-1, 2)
    rows = np.concatenate([hierarchy[:, 0], hierarchy[:, 1], peers[:, 0], peers[:, 1]])
    cols = np.concatenate([hierarchy[:, 1], hierarchy[:, 0], peers[:, 1], peers[:, 0]])
    weights = np.concatenate(
        [
            np.full(len(hierarchy), boss),
            np.full(len(hierarchy), report),
            np.full(2 * len(peers), peer),
        ]
    )
    matrix = sp.csr_matrix((weights, (rows, cols)), shape=(org.size, org.size))
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    listener = np.repeat(np.arange(org.size), np.diff(matrix.indptr))
    sums = np.bincount(listener, matrix.data, minlength=org.size)
    matrix.data *= np.divide(1.0, sums, out=np.zeros(org.size), where=sums > 0)[listener]
    return matrix


def hierarchy_by_loop(params: Params) -> tuple[np.ndarray, np.ndarray]:
    """Boss and department filled department by department, manager by manager."""
    n, span = params.n_employees, params.span_of_control
    boss, department = np.full(n, -1), np.full(n, len(params.departments))
    sizes = _department_sizes(params.departments, n - 1)
    first = 1
    for index, size in enumerate(sizes):
        for position in range(size):
            boss[first + position] = 0 if position == 0 else first + (position - 1) // span
            department[first + position] = index
        first += size
    return boss, department


def levels_by_chains(boss: np.ndarray) -> np.ndarray:
    """Each employee's chain of bosses walked one by one: its length + 1, 0 in a cycle."""
    levels = []
    for employee in range(len(boss)):
        chain, above = 1, boss[employee]
        while above >= 0 and chain <= len(boss):
            chain, above = chain + 1, boss[above]
        levels.append(chain if above < 0 else 0)
    return np.array(levels)


ORGANIZATIONS = [
    Params(n_employees=n, span_of_control=span, peer_tie_probability=p, cross_department_ties=c)
    for n, span, p, c in [
        (2, 3, 0.3, 0.5),
        (12, 2, 1.0, 3.0),
        (25, 7, 0.3, 0.5),
        (25, 3, 0.0, 0.0),
        (150, 5, 0.6, 2.0),
        (500, 7, 0.3, 0.5),
    ]
]


@pytest.mark.parametrize("params", ORGANIZATIONS, ids=lambda p: f"n{p.n_employees}")
def test_generated_organizations_match_the_sparse_graph_definitions(params):
    for seed in range(3):
        org = generate_organization(params, np.random.default_rng(seed))
        boss, department = hierarchy_by_loop(params)
        np.testing.assert_array_equal(org.boss, boss)
        np.testing.assert_array_equal(org.department, department)
        ties = np.vstack([org.hierarchy_ties(), org.peer_ties])
        front = np.flatnonzero(org.customer_facing)
        np.testing.assert_array_equal(
            org.distance_to_customer, hops_by_scipy(org.size, ties, front)
        )
        np.testing.assert_array_equal(org.level, levels_by_chains(org.boss))
        for weights in [(1.0, 0.5, 0.25), (2.0, 0.0, 0.5), (0.0, 1.0, 0.0)]:
            ours = influence_matrix(org, *weights)
            theirs = matrix_by_scipy(org, *weights)
            np.testing.assert_array_equal(ours.indptr, theirs.indptr)
            np.testing.assert_array_equal(ours.indices, theirs.indices)
            np.testing.assert_array_equal(ours.data, theirs.data)  # bit for bit


def test_distances_on_random_networks_with_parts_cut_off_from_the_front_line():
    rng = np.random.default_rng(5)
    for _ in range(40):
        size = int(rng.integers(2, 60))
        ties = rng.integers(0, size, size=(int(rng.integers(0, 2 * size)), 2))
        front = np.flatnonzero(rng.random(size) < 0.2)
        if len(front) == 0:
            front = np.array([0])
        facing = np.zeros(size, dtype=bool)
        facing[front] = True
        np.testing.assert_array_equal(
            distances_to_customer(ties, facing), hops_by_scipy(size, ties, front)
        )


def test_levels_of_a_chain_a_cycle_and_what_hangs_below_it():
    boss = np.array([-1, 0, 1, 2, 5, 4, 4, 1])  # 4 and 5 report to each other; 6 below them
    np.testing.assert_array_equal(hierarchy_levels(boss), [1, 2, 3, 4, 0, 0, 0, 3])
    np.testing.assert_array_equal(hierarchy_levels(boss), levels_by_chains(boss))


def test_influence_rows_are_the_compressed_rows_of_the_matrix():
    org = generate_organization(Params(n_employees=40), np.random.default_rng(2))
    row_start, speaker, weight = influence_rows(org, 1.0, 0.5, 0.25)
    dense = influence_matrix(org, 1.0, 0.5, 0.25).toarray()
    assert len(row_start) == org.size + 1
    for listener in range(org.size):
        own = slice(row_start[listener], row_start[listener + 1])
        assert list(speaker[own]) == sorted(speaker[own])
        np.testing.assert_array_equal(dense[listener, speaker[own]], weight[own])
        assert weight[own].sum() == pytest.approx(1.0)
