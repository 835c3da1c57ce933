"""Drawing which of many slots an event happens to, in time proportional to the events.

`bernoulli_slots(size, p, rng)` is exactly "each of `size` slots independently with
probability p", drawn as geometric gaps between successive events. The result comes
sorted and without repeats, so the arrays indexed with it are read in order, which is
much faster for a large customer base than reading them at random.
"""

from __future__ import annotations

import numpy as np


def bernoulli_slots(size: int, probability: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted distinct indices in [0, size), each present independently with `probability`."""
    if size <= 0 or probability <= 0:
        return np.empty(0, dtype=np.int64)
    if probability >= 1:
        return np.arange(size, dtype=np.int64)
    expected = size * probability
    chunk = int(expected + 6 * np.sqrt(expected) + 16)
    # A gap past the end ends the draw whatever its length; capping gaps there keeps the
    # sums from overflowing when the probability is tiny.
    positions = np.cumsum(np.minimum(rng.geometric(probability, chunk), size + 1)) - 1
    while positions[-1] < size:  # rarely: draw more gaps until past the end
        gaps = np.minimum(rng.geometric(probability, chunk), size + 1)
        positions = np.concatenate([positions, np.cumsum(gaps) + positions[-1]])
    return positions[: np.searchsorted(positions, size)]
