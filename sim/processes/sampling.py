"""Drawing random numbers inside the kernels: each replication's generator, and which slots.

Kernels draw where they use the numbers, each replication from its own numpy Generator
(numba draws from a Generator exactly as numpy does and advances the same state, so the
Python object continues the stream). Numba converts a Generator passed to a kernel anew at
every call, which costs more than a small organization's week; `generator_list` converts
each replication's generator once, into a typed list that the kernels take for the run.

`draw_bernoulli_slots(rng, size, p)` is exactly "each of `size` slots independently with
probability p", drawn as the gaps between successive events. A gap is geometric:
ceil(E / lambda) with E a standard exponential and lambda = -log(1 - p) has
P(gap = k) = (1 - p)^(k - 1) p, and drawing exponentials is two to three times faster
than drawing geometric numbers. The exponentials are drawn in chunks of
expected + 6 sqrt(expected) + 16 (expected = size p), every number of a chunk drawn even
when the slots end before it, so that the stream does not depend on how the chunk is used.
The result comes sorted and without repeats, so the arrays indexed with it are read in
order, which is much faster for a large customer base than reading them at random.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numba.typed import List

from eachcustomer.sim.compiled import inlined_kernel, kernel


@kernel
def _one_generator(rng: np.random.Generator) -> Any:
    generators = List()
    generators.append(rng)
    return generators


@kernel
def _add_generator(generators: Any, rng: np.random.Generator) -> None:
    generators.append(rng)


def generator_list(rngs: Sequence[np.random.Generator] | Any) -> Any:
    """The replications' generators as the kernels take them (a numba typed list).

    The list shares each generator's state: a draw in a kernel advances the Python
    Generator, and the other way round. A typed list is returned as it is.
    """
    if isinstance(rngs, List):
        return rngs
    generators = _one_generator(rngs[0])
    for rng in rngs[1:]:
        _add_generator(generators, rng)
    return generators


@inlined_kernel
def slot_after(last: int, exponential: float, rate: float, size: int) -> int:
    """The slot ceil(E / rate) (at least 1) after `last`, or `size` if that is past the end."""
    gap = max(math.ceil(exponential / rate), 1.0)
    if gap >= size - last:  # compared as floats: a huge gap cannot overflow
        return size
    return last + int(gap)


@kernel
def draw_bernoulli_slots(rng: np.random.Generator, size: int, probability: float) -> np.ndarray:
    """Sorted distinct indices in [0, size), each present independently with `probability`.

    The gaps of the module docstring, a whole chunk of exponentials drawn at a time.
    """
    if size <= 0 or probability <= 0:
        return np.empty(0, dtype=np.int64)
    if probability >= 1:
        every = np.empty(size, dtype=np.int64)
        for slot in range(size):
            every[slot] = slot
        return every
    rate = -math.log1p(-probability)
    expected = size * probability
    chunk = int(expected + 6 * math.sqrt(expected) + 16)
    slots = np.empty(chunk, dtype=np.int64)
    count = 0
    last = -1
    while last < size:
        for _ in range(chunk):
            exponential = rng.standard_exponential()
            if last == size:
                continue  # past the end: the rest of the chunk is drawn and not used
            last = slot_after(last, exponential, rate, size)
            if last == size:
                continue
            if count == len(slots):  # rarely: more events than a chunk
                slots = _grown(slots, chunk)
            slots[count] = last
            count += 1
    return slots[:count]


@inlined_kernel
def _grown(slots: np.ndarray, more: int) -> np.ndarray:
    grown = np.empty(len(slots) + more, dtype=np.int64)
    for k in range(len(slots)):  # a loop, not a slice: it compiles much faster
        grown[k] = slots[k]
    return grown


def bernoulli_slots(size: int, probability: float, rng: np.random.Generator) -> np.ndarray:
    """`draw_bernoulli_slots` called from Python (numba converts `rng` at each call)."""
    return draw_bernoulli_slots(rng, size, probability)
