"""Process 4: customer focus adapts toward what is rewarded.

Each employee's evaluation weighs customer outcomes (weight w, per department) against
boss approval (1 - w). Customer outcomes are visible with v = decay^(D - 1) at effective
distance D; a boss approves customer-serving effort as far as the boss is customer-focused
("the needs of the boss serve the wants of the consumer"); the chief's boss is the
shareholders, who approve it with 1 - shareholder_pressure. So the rewarded focus is

    e_i = w_i * v_i + (1 - w_i) * f_boss(i)

and a positive attitude adds intrinsic motivation m: target t_i = e_i + m max(a_i, 0)(1 - e_i).
Focus moves a share `incentive_rate` of the way to the target, plus noise, within [0, 1].
"""

from __future__ import annotations

import numpy as np


def rewarded_focus(customer_focus: np.ndarray, boss: np.ndarray, customer_weight: np.ndarray,
                   effective_distance: np.ndarray, visibility_decay: float,
                   shareholder_pressure: float) -> np.ndarray:
    """e_i: the customer focus each employee's evaluation rewards, [0, 1]."""
    boss_focus = np.where(boss >= 0, customer_focus[np.maximum(boss, 0)],
                          1.0 - shareholder_pressure)
    visibility = visibility_decay ** np.maximum(effective_distance - 1.0, 0.0)
    return customer_weight * visibility + (1.0 - customer_weight) * boss_focus


def adapt_customer_focus(customer_focus: np.ndarray, attitude: np.ndarray, boss: np.ndarray,
                         customer_weight: np.ndarray, effective_distance: np.ndarray, *,
                         incentive_rate: float, visibility_decay: float,
                         shareholder_pressure: float, intrinsic_motivation: float,
                         focus_noise: float, rng: np.random.Generator) -> np.ndarray:
    """Customer focus after one week; synchronous (bosses' focus is last week's).

    Args:
        customer_focus: current focus, [0, 1].
        attitude: current attitudes, [-1, 1].
        boss: boss index per employee, -1 for the chief.
        customer_weight: weight of customer outcomes in each evaluation, [0, 1].
        effective_distance: distance from the customer, >= 1.
        incentive_rate: share of the way to the target per week, [0, 1].
        visibility_decay: share of customer outcomes visible one hop farther, [0, 1].
        shareholder_pressure: how much the chief serves shareholders, [0, 1].
        intrinsic_motivation: share of the missing focus a fully positive attitude adds.
        focus_noise: standard deviation of the weekly change; 0 draws nothing.
        rng: the model's generator.
    """
    if incentive_rate == 0 and focus_noise == 0:
        return customer_focus
    rewarded = rewarded_focus(customer_focus, boss, customer_weight, effective_distance,
                              visibility_decay, shareholder_pressure)
    target = rewarded + intrinsic_motivation * np.maximum(attitude, 0.0) * (1.0 - rewarded)
    focus = customer_focus + incentive_rate * (target - customer_focus)
    if focus_noise > 0:
        focus = focus + rng.normal(0.0, focus_noise, len(focus))
    return np.clip(focus, 0.0, 1.0)
