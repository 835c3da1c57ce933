"""Process 2: attitude contagion with a negativity bias.

For employee i with neighbours j, weights P[i, j] (row-stochastic: boss, peer and report
weights divided by their total) and attitudes a:

    a_i' = a_i + r * sum_j P[i, j] * b_ij * (a_j - a_i),   b_ij = beta if a_j < a_i else 1

with r the contagion rate and beta the negativity bias. With beta = 1 this is DeGroot
averaging with the matrix M = (1 - r) I + r P. The pull toward one's own disposition
(`sim.processes.disposition`) follows it in the same week and makes the pair the
Friedkin-Johnsen model. `contagion_rate * negativity_bias <= 1` (checked by Params) keeps
a_i' a convex combination, so attitudes stay in [-1, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class InfluenceNetwork:
    """The nonzeros of P as flat arrays: `listener` reads `speaker` with `weight`."""

    listener: np.ndarray
    speaker: np.ndarray
    weight: np.ndarray
    size: int

    @classmethod
    def from_matrix(cls, matrix: sp.csr_matrix) -> InfluenceNetwork:
        """Flatten a CSR matrix, row indices expanded."""
        listener = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        return cls(listener, matrix.indices.astype(np.int64), matrix.data.copy(), matrix.shape[0])


def spread_attitudes(
    attitude: np.ndarray,
    influence: InfluenceNetwork,
    contagion_rate: float,
    negativity_bias: float,
) -> np.ndarray:
    """One synchronous contagion step: everyone reads the neighbours' attitudes before it.

    Args:
        attitude: current attitudes, [-1, 1].
        influence: who listens to whom, and how much (rows sum to 1 or 0).
        contagion_rate: r in [0, 1], share of the gap closed per week.
        negativity_bias: beta >= 1, weight of a more negative neighbour.

    Returns:
        New attitudes (the input itself when `contagion_rate` is 0); the input is not
        modified.
    """
    if contagion_rate == 0:
        return attitude
    gap = attitude[influence.speaker] - attitude[influence.listener]
    if negativity_bias != 1.0:
        # b * gap where gap < 0, gap elsewhere: gap + (b - 1) * min(gap, 0).
        gap += (negativity_bias - 1.0) * np.minimum(gap, 0.0)
    gap *= influence.weight
    pull_of_neighbours = np.bincount(influence.listener, gap, minlength=influence.size)
    return attitude + contagion_rate * pull_of_neighbours
