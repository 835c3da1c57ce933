"""Outputs, one small function per quantity, computed from arrays (never agent by agent)."""

from __future__ import annotations

import numpy as np

BANDS = ("1", "2", "3", "4plus")
"""Distance bands of MODEL.md's outputs: 1, 2, 3 and 4 or more hops + 1."""

NEGATIVE_BELOW = -0.2
POSITIVE_ABOVE = 0.2
"""Attitudes within +-0.2 count as neutral in the negative and positive shares."""

PROMOTER_ABOVE = 0.5
DETRACTOR_BELOW = 0.0
"""Net-promoter style: promoters are customers above 0.5 satisfaction, detractors below 0."""


def distance_band(distance: np.ndarray) -> np.ndarray:
    """Band index 0..3 for distances 1, 2, 3 and 4+."""
    return np.clip(np.asarray(distance, dtype=np.int64), 1, 4) - 1


def group_means(values: np.ndarray, group: np.ndarray, group_count: int) -> np.ndarray:
    """Mean of `values` in each group 0..group_count-1; NaN where a group is empty."""
    counts = np.bincount(group, minlength=group_count)
    sums = np.bincount(group, values, minlength=group_count)
    return np.divide(sums, counts, out=np.full(group_count, np.nan), where=counts > 0)


def mean_over(values: np.ndarray, members: np.ndarray) -> float:
    """Mean of `values` at `members` (indices or a mask); NaN if there are none."""
    chosen = values[members]
    return float(chosen.mean()) if chosen.size else float("nan")


def share_negative(attitude: np.ndarray) -> float:
    """Share of employees who see "the customer" (attitude below -0.2)."""
    return float(np.mean(attitude < NEGATIVE_BELOW))


def share_positive(attitude: np.ndarray) -> float:
    """Share of employees who see "each customer" (attitude above 0.2)."""
    return float(np.mean(attitude > POSITIVE_ABOVE))


def net_promoter_score(satisfaction: np.ndarray, active: np.ndarray) -> float:
    """Promoters minus detractors among active customers, in percent, [-100, 100]."""
    count = int(active.sum())
    if count == 0:
        return float("nan")
    current = satisfaction[active]
    return 100.0 * (np.sum(current > PROMOTER_ABOVE) - np.sum(current < DETRACTOR_BELOW)) / count


def bonus_success(
    customer_focus: np.ndarray,
    boss: np.ndarray,
    customer_weight: np.ndarray,
    visibility: np.ndarray,
    business: float,
    shareholder_pressure: float,
) -> float:
    """Mean evaluation score: what employees are rewarded for, [0, 1].

    Boss approval is 1 - |f_i - f_boss|: matching what the boss values; the customer part
    is the business success as far as it is visible from where one sits.
    """
    boss_focus = np.where(
        boss >= 0, customer_focus[np.maximum(boss, 0)], 1.0 - shareholder_pressure
    )
    approval = 1.0 - np.abs(customer_focus - boss_focus)
    return float(
        np.mean((1.0 - customer_weight) * approval + customer_weight * visibility * business)
    )


def business_success(satisfaction: np.ndarray, active: np.ndarray) -> float:
    """What customers experience: mean satisfaction of active customers rescaled to [0, 1]."""
    if not active.any():
        return 0.0
    return float((satisfaction[active].mean() + 1.0) / 2.0)
