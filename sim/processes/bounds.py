"""Soft bounds shared by the processes that push attitude up or down."""

from __future__ import annotations

import numpy as np

from eachcustomer.sim.compiled import inlined_kernel, kernel


@inlined_kernel
def pushed(attitude: float, push: float) -> float:
    """Attitude a after a push x: a + x (1 - a) for x >= 0, a + x (1 + a) below.

    The push is scaled by the room left toward the bound it heads for.

    For |x| <= 1 attitude stays in [-1, 1] and approaches a bound without sticking to it.
    """
    room = 1.0 - attitude if push >= 0 else 1.0 + attitude
    return attitude + push * room


@kernel
def push_attitude(attitude: np.ndarray, push: np.ndarray) -> np.ndarray:
    """`pushed` for every element: attitudes after pushes of `push`."""
    new = np.empty_like(attitude)
    for i in range(len(attitude)):
        new[i] = pushed(attitude[i], push[i])
    return new
