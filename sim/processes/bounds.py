"""Soft bounds shared by the processes that push attitude up or down."""

from __future__ import annotations

import numpy as np


def push_attitude(attitude: np.ndarray, push: np.ndarray) -> np.ndarray:
    """Add `push`, scaled by the room left toward the bound it heads for.

    A push of +x moves attitude a to a + x(1 - a), a push of -x to a - x(1 + a), so
    for |x| <= 1 attitude stays in [-1, 1] and approaches a bound without sticking to it.
    """
    room = np.where(push >= 0, 1.0 - attitude, 1.0 + attitude)
    return attitude + push * room
