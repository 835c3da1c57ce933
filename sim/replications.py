"""Replication seeds: the one rule that turns a master seed into the seeds of replications.

Replication r of every plan, point and page gets the same seed, so plans are compared on
common random numbers and any number shown anywhere (Compare page, headline figure,
lessons, benchmarks) is reproduced by a sweep with the same master seed.
"""

from __future__ import annotations

import numpy as np


def replication_seeds(master_seed: int, count: int) -> list[int]:
    """The seeds of replications 0..count-1 of a master seed.

    Each is the first 64-bit word of child r of `numpy.random.SeedSequence(master_seed)`,
    shifted to 63 bits so it fits a signed 64-bit column (Parquet, pandas). Spawned children
    do not depend on how many are spawned, so replication r has the same seed whatever
    `count` is, and adding replications keeps the earlier ones.

    Args:
        master_seed: any non-negative integer.
        count: how many replications, >= 0.
    """
    if master_seed is None or int(master_seed) < 0:
        raise ValueError(f"the master seed must be a non-negative integer, not {master_seed!r}")
    children = np.random.SeedSequence(int(master_seed)).spawn(int(count))
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]
