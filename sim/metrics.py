"""Outputs, one small function per quantity, each used by `sim.recording.Recorder`.

They work on arrays or on the running aggregates of `sim.state.Customers` (active count,
satisfaction sum, promoters, detractors), never agent by agent and never by scanning the
whole customer base.
"""

from __future__ import annotations

import numpy as np

from sim.processes.incentives import focus_of_boss

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


def share_negative(attitude: np.ndarray) -> float:
    """Share of employees who see "the customer" (attitude below -0.2)."""
    return np.count_nonzero(attitude < NEGATIVE_BELOW) / len(attitude)


def share_positive(attitude: np.ndarray) -> float:
    """Share of employees who see "each customer" (attitude above 0.2)."""
    return np.count_nonzero(attitude > POSITIVE_ABOVE) / len(attitude)


def mean_satisfaction(satisfaction_sum: float, active_count: int) -> float:
    """Mean satisfaction of the active customers, [-1, 1]; NaN when there are none."""
    return satisfaction_sum / active_count if active_count else float("nan")


def net_promoter_score(promoters: int, detractors: int, active_count: int) -> float:
    """Promoters minus detractors among active customers, in percent, [-100, 100]; NaN if none."""
    return 100.0 * (promoters - detractors) / active_count if active_count else float("nan")


def business_success(mean_satisfaction: float, active_count: int) -> float:
    """What customers experience: mean satisfaction rescaled to [0, 1]; 0 with no customers."""
    return (mean_satisfaction + 1.0) / 2.0 if active_count else 0.0


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
    approval = 1.0 - np.abs(
        customer_focus - focus_of_boss(customer_focus, boss, shareholder_pressure)
    )
    return float(
        np.mean((1.0 - customer_weight) * approval + customer_weight * visibility * business)
    )
