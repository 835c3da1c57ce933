"""Process 2: attitude contagion with a negativity bias, then the pull of disposition.

For employee i with neighbours j, weights P[i, j] (row-stochastic: boss, peer and report
weights divided by their total) and attitudes a:

    a_i' = a_i + r * sum_j P[i, j] * b_ij * (a_j - a_i),   b_ij = beta if a_j < a_i else 1
    a_i'' = (1 - p) * a_i' + p * d_i

with r the contagion rate, beta the negativity bias, p the disposition pull and d the
dispositions. With beta = 1 the first line is DeGroot averaging with the matrix
M = (1 - r) I + r P; the second makes it the Friedkin-Johnsen model, whose fixed point is
x* = (I - (1 - p) M)^-1 p d. `contagion_rate * negativity_bias <= 1` (checked by Params)
keeps a_i' a convex combination, so attitudes stay in [-1, 1].
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
    disposition: np.ndarray,
    influence: InfluenceNetwork,
    contagion_rate: float,
    negativity_bias: float,
    disposition_pull: float,
) -> np.ndarray:
    """One synchronous contagion step followed by the pull toward disposition.

    Args:
        attitude: current attitudes, [-1, 1].
        disposition: personal dispositions, [-1, 1].
        influence: who listens to whom, and how much (rows sum to 1 or 0).
        contagion_rate: r in [0, 1], share of the gap closed per week.
        negativity_bias: beta >= 1, weight of a more negative neighbour.
        disposition_pull: p in [0, 1], share of the way back to disposition per week.

    Returns:
        New attitudes; the input is not modified.
    """
    moved = attitude
    if contagion_rate > 0:
        gap = attitude[influence.speaker] - attitude[influence.listener]
        if negativity_bias != 1.0:
            # b * gap where gap < 0, gap elsewhere: gap + (b - 1) * min(gap, 0).
            gap += (negativity_bias - 1.0) * np.minimum(gap, 0.0)
        gap *= influence.weight
        pull_of_neighbours = np.bincount(influence.listener, gap, minlength=influence.size)
        moved = attitude + contagion_rate * pull_of_neighbours
    if disposition_pull > 0:
        moved = (1.0 - disposition_pull) * moved + disposition_pull * disposition
    return moved
