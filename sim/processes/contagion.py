"""Process 2: attitude contagion with a negativity bias.

For employee i with neighbours j, weights P[i, j] (row-stochastic: boss, peer and report
weights divided by their total) and attitudes a:

    a_i' = a_i + r * sum_j P[i, j] * b_ij * (a_j - a_i),   b_ij = beta if a_j < a_i else 1

with r the contagion rate and beta the negativity bias. With beta = 1 this is DeGroot
averaging with the matrix M = (1 - r) I + r P. The pull toward one's own disposition
(`eachcustomer.sim.processes.disposition`) follows it in the same week and makes the pair the
Friedkin-Johnsen model. `contagion_rate * negativity_bias <= 1` (checked by Params) keeps
a_i' a convex combination, so attitudes stay in [-1, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from eachcustomer.sim.compiled import kernel


@dataclass(frozen=True)
class InfluenceNetwork:
    """P in compressed rows: listener i reads `speaker[k]` with `weight[k]`, k in row i.

    Row i holds k = `row_start[i]` .. `row_start[i + 1] - 1`; in a batch the rows of every
    replication follow one another and no row reads another replication.
    """

    row_start: np.ndarray
    speaker: np.ndarray
    weight: np.ndarray

    @property
    def size(self) -> int:
        """Number of listeners (rows)."""
        return len(self.row_start) - 1

    @classmethod
    def from_matrix(cls, matrix: sp.csr_matrix) -> InfluenceNetwork:
        """The rows of a CSR matrix."""
        matrix = sp.csr_matrix(matrix)
        return cls(
            matrix.indptr.astype(np.int64),
            matrix.indices.astype(np.int64),
            matrix.data.astype(float),
        )

    @classmethod
    def concatenate(cls, parts: list[InfluenceNetwork]) -> InfluenceNetwork:
        """The block-diagonal network of `parts`: each part's rows read only that part."""
        if len(parts) == 1:
            return parts[0]
        listeners = np.cumsum([0] + [p.size for p in parts])
        ties = np.cumsum([0] + [len(p.speaker) for p in parts])
        return cls(
            np.concatenate(
                [p.row_start[:-1] + t for p, t in zip(parts, ties, strict=False)] + [ties[-1:]]
            ).astype(np.int64),
            np.concatenate([p.speaker + n for p, n in zip(parts, listeners, strict=False)]),
            np.concatenate([p.weight for p in parts]),
        )


@kernel
def attitudes_after_contagion(
    row_start: np.ndarray,
    speaker: np.ndarray,
    weight: np.ndarray,
    attitude: np.ndarray,
    contagion_rate: float,
    negativity_bias: float,
) -> np.ndarray:
    """a_i + r sum_j P[i, j] b_ij (a_j - a_i), b_ij = beta if a_j < a_i else 1, for every i."""
    new = np.empty_like(attitude)
    for listener in range(len(row_start) - 1):
        own = attitude[listener]
        pull = 0.0
        for tie in range(row_start[listener], row_start[listener + 1]):
            gap = attitude[speaker[tie]] - own
            if gap < 0.0:
                gap *= negativity_bias
            pull += weight[tie] * gap
        new[listener] = own + contagion_rate * pull
    return new


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
    return attitudes_after_contagion(
        influence.row_start,
        influence.speaker,
        influence.weight,
        attitude,
        contagion_rate,
        negativity_bias,
    )
