"""Process 4: customer focus adapts toward what is rewarded.

Each employee's evaluation weighs customer outcomes (weight w, per department) against
boss approval (1 - w). Effort goes either to the real customer or to pleasing the boss
(the "internal customer", S003). A boss approves customer-serving effort as far as the
boss is customer-focused ("the needs of the boss should serve the wants of the consumer");
the chief's boss is the shareholders, whose focus is 1 - shareholder_pressure. Customer
outcomes reward customer-serving effort as far as they are visible from where one sits,
v = decay^(D - 1) at effective distance D. So the two kinds of effort pay

    customer:  w v + (1 - w) f_boss          boss:  (1 - w)(1 - f_boss)

and the rewarded focus is the customer's share of the pay, e = customer / (customer + boss)
(0 when nothing pays). With w = 0 it is the boss's focus; it rises with w wherever
customer outcomes are visible at all, and with w = 1 only customers pay.

and attitude adds intrinsic motivation m, or takes it away (S003: "Distance from The Real
Customer is relative to the employee's passion for serving that customer"):
t = e + m a (1 - e) for a >= 0, t = e + m a e for a < 0, so t stays in [0, 1].
Focus moves a share `incentive_rate` of the way to the target, plus noise, within [0, 1].
"""

from __future__ import annotations

import numpy as np


def outcome_visibility(effective_distance: np.ndarray, visibility_decay: float) -> np.ndarray:
    """V = decay^(D - 1): how visible customer outcomes are from where one sits, [0, 1].

    It changes only with the levers, so the model computes it once per lever change.
    """
    return visibility_decay ** np.maximum(effective_distance - 1.0, 0.0)


def focus_of_boss(
    customer_focus: np.ndarray, boss: np.ndarray, shareholder_pressure: float
) -> np.ndarray:
    """f_boss per employee: the boss's customer focus; the chief's is 1 - shareholder pressure."""
    return np.where(boss >= 0, customer_focus[np.maximum(boss, 0)], 1.0 - shareholder_pressure)


def rewarded_focus(
    customer_focus: np.ndarray,
    boss: np.ndarray,
    customer_weight: np.ndarray,
    visibility: np.ndarray,
    shareholder_pressure: float,
) -> np.ndarray:
    """e_i: the customer focus each employee's evaluation rewards, [0, 1]."""
    boss_focus = focus_of_boss(customer_focus, boss, shareholder_pressure)
    pays_customer = customer_weight * visibility + (1.0 - customer_weight) * boss_focus
    pays_boss = (1.0 - customer_weight) * (1.0 - boss_focus)
    total = pays_customer + pays_boss
    return np.divide(pays_customer, total, out=np.zeros_like(total), where=total > 0)


def adapt_customer_focus(
    customer_focus: np.ndarray,
    attitude: np.ndarray,
    boss: np.ndarray,
    customer_weight: np.ndarray,
    visibility: np.ndarray,
    *,
    incentive_rate: float,
    shareholder_pressure: float,
    intrinsic_motivation: float,
    focus_noise: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Customer focus after one week; synchronous (bosses' focus is last week's).

    Args:
        customer_focus: current focus, [0, 1].
        attitude: current attitudes, [-1, 1].
        boss: boss index per employee, -1 for the chief.
        customer_weight: weight of customer outcomes in each evaluation, [0, 1].
        visibility: `outcome_visibility` per employee, [0, 1].
        incentive_rate: share of the way to the target per week, [0, 1].
        shareholder_pressure: how much the chief serves shareholders, [0, 1].
        intrinsic_motivation: share of the missing focus a fully positive attitude adds
            (and of the focus a fully negative one takes away).
        focus_noise: standard deviation of the weekly change; 0 draws nothing.
        rng: the model's generator.
    """
    if incentive_rate == 0 and focus_noise == 0:
        return customer_focus
    rewarded = rewarded_focus(
        customer_focus, boss, customer_weight, visibility, shareholder_pressure
    )
    room = np.where(attitude >= 0, 1.0 - rewarded, rewarded)
    target = rewarded + intrinsic_motivation * attitude * room
    focus = customer_focus + incentive_rate * (target - customer_focus)
    if focus_noise > 0:
        focus = focus + rng.normal(0.0, focus_noise, len(focus))
    return np.clip(focus, 0.0, 1.0)
