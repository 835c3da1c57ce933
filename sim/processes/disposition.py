"""Process 2, continued: attitude is pulled back toward one's own disposition.

Each employee keeps the personal disposition d set when hired and is only partly open to
influence (Friedkin-Johnsen stubbornness). After contagion, in the same week:

    a_i'' = (1 - p) * a_i' + p * d_i

with p the disposition pull. With the linear contagion step M of
`eachcustomer.sim.processes.contagion` (negativity bias 1), contagion then pull converge to the
Friedkin-Johnsen fixed point x* = (I - (1 - p) M)^-1 p d. Without this restoring force a
negativity bias drags every organization to the floor; with it, a one-off lift fades back
while a change of dispositions (who is hired, a new tone at the top) moves the equilibrium.
"""

from __future__ import annotations

import numpy as np


def pull_toward_disposition(
    attitude: np.ndarray, disposition: np.ndarray, disposition_pull: float
) -> np.ndarray:
    """Attitudes after one week's pull toward disposition.

    Args:
        attitude: current attitudes, [-1, 1].
        disposition: personal dispositions, [-1, 1].
        disposition_pull: p in [0, 1], share of the way back to disposition per week.

    Returns:
        New attitudes (the input itself when `disposition_pull` is 0); the input is not
        modified.
    """
    if disposition_pull == 0:
        return attitude
    return (1.0 - disposition_pull) * attitude + disposition_pull * disposition
