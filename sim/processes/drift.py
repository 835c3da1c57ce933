"""Process 3: without direct contact, attitude drifts toward impersonal (-1).

    a' = -1 + (1 + a) * exp(-k * (D - 1))

with k the drift rate per hop and D the effective distance from the customer (1 on the
front line, where nothing drifts). It is the exact solution of da/dt = -k (D - 1)(1 + a)
over one week, so it never overshoots -1 however far away an employee sits. Source: S000,
"The farther away an employee is from actual customer interaction, the more likely it is
for them to not think of the customer as a person."
"""

from __future__ import annotations

import numpy as np


def distance_retention(
    effective_distance: np.ndarray, drift_rate: np.ndarray | float
) -> np.ndarray:
    """exp(-k (D - 1)): the share of the distance above -1 that a week of drift keeps.

    It changes only with the levers, so the model computes it once per lever change.

    Args:
        effective_distance: distance from the customer, >= 1 (hops + 1).
        drift_rate: per hop per week, >= 0; per employee or one for all.
    """
    return np.exp(-drift_rate * np.maximum(effective_distance - 1.0, 0.0))


def drift_toward_impersonal(attitude: np.ndarray, retention: np.ndarray) -> np.ndarray:
    """Attitudes after one week of distance drift: -1 + (1 + a) * retention.

    Args:
        attitude: current attitudes, [-1, 1].
        retention: `distance_retention` per employee, (0, 1].
    """
    return -1.0 + (1.0 + attitude) * retention
