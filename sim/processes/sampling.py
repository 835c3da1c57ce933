"""Drawing which of many slots an event happens to, in time proportional to the events.

`bernoulli_slots(size, p, rng)` is exactly "each of `size` slots independently with
probability p", drawn as the gaps between successive events. A gap is geometric:
ceil(E / lambda) with E a standard exponential and lambda = -log(1 - p) has
P(gap = k) = (1 - p)^(k - 1) p, and drawing exponentials is two to three times faster
than drawing geometric numbers. The result comes sorted and without repeats, so the
arrays indexed with it are read in order, which is much faster for a large customer base
than reading them at random.
"""

from __future__ import annotations

import math

import numpy as np

from eachcustomer.sim.compiled import kernel


@kernel
def slots_from_gaps(
    exponentials: np.ndarray, rate: float, size: int, last: int
) -> tuple[np.ndarray, int]:
    """Slots after `last`, each ceil(E / rate) (at least 1) after the one before, below `size`.

    Args:
        exponentials: standard exponential draws E, one per gap.
        rate: lambda = -log(1 - p), p the probability of each slot.
        size: number of slots.
        last: the slot the first gap counts from (-1 to start at the beginning).

    Returns:
        The slots, and the last slot reached: `size` once a gap went past the end (the
        draw is complete), else the last slot drawn (more gaps are needed).
    """
    slots = np.empty(len(exponentials), dtype=np.int64)
    count = 0
    for draw in exponentials:
        gap = max(math.ceil(draw / rate), 1.0)
        if gap >= size - last:  # compared as floats: a huge gap cannot overflow
            return slots[:count], size
        last += int(gap)
        slots[count] = last
        count += 1
    return slots[:count], last


def bernoulli_slots(size: int, probability: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted distinct indices in [0, size), each present independently with `probability`."""
    if size <= 0 or probability <= 0:
        return np.empty(0, dtype=np.int64)
    if probability >= 1:
        return np.arange(size, dtype=np.int64)
    rate = -math.log1p(-probability)
    expected = size * probability
    chunk = int(expected + 6 * math.sqrt(expected) + 16)
    slots, last = slots_from_gaps(rng.standard_exponential(chunk), rate, size, -1)
    if last == size:
        return slots
    parts = [slots]
    while last < size:  # rarely: draw more gaps until past the end
        slots, last = slots_from_gaps(rng.standard_exponential(chunk), rate, size, last)
        parts.append(slots)
    return np.concatenate(parts)
