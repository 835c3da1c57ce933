"""Process 4: customer focus adapts toward what is rewarded.

Each employee's evaluation weighs customer outcomes (weight w, per department) against
boss approval (1 - w). Effort goes either to the real customer or to pleasing the boss
(the "internal customer", S003). A boss approves customer-serving effort as far as the
boss is customer-focused ("the needs of the boss should serve the wants of the consumer");
the chief's boss is the shareholders, whose focus is 1 - shareholder_pressure. A leader
covered by leadership tone answers to an approval shifted toward the customer by the
lever's strength s, f_boss + s (1 - f_boss): for the chief that is the shareholder pressure
times (1 - s); for a department head, their own focus rises and, being their reports' boss,
carries the new tone down their department level by level. Customer
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

from typing import Any

import numpy as np

from eachcustomer.sim.compiled import inlined_kernel, kernel
from eachcustomer.sim.processes.sampling import generator_list


def outcome_visibility(effective_distance: np.ndarray, visibility_decay: float) -> np.ndarray:
    """V = decay^(D - 1): how visible customer outcomes are from where one sits, [0, 1].

    It changes only with the levers, so the model computes it once per lever change.
    """
    return visibility_decay ** np.maximum(effective_distance - 1.0, 0.0)


@inlined_kernel
def focus_of_boss(
    customer_focus: np.ndarray,
    boss: np.ndarray,
    employee: int,
    shareholder_pressure: float,
    orientation_shift: np.ndarray,
) -> float:
    """The boss's customer focus f_boss one employee answers to, after leadership tone.

    The chief's boss is the shareholders, 1 - shareholder pressure; a covered leader's is
    shifted by their orientation shift s: f_boss + s (1 - f_boss).
    """
    chief = boss[employee] < 0
    focus = 1.0 - shareholder_pressure if chief else customer_focus[boss[employee]]
    return focus + orientation_shift[employee] * (1.0 - focus)


@inlined_kernel
def rewarded_focus(boss_focus: float, customer_weight: float, visibility: float) -> float:
    """Rewarded focus e = customer / (customer + boss), the module docstring's pay; 0 if none."""
    pays_customer = customer_weight * visibility + (1.0 - customer_weight) * boss_focus
    pays_boss = (1.0 - customer_weight) * (1.0 - boss_focus)
    total = pays_customer + pays_boss
    return pays_customer / total if total > 0 else 0.0


@kernel
def focus_after_incentives(
    customer_focus: np.ndarray,
    attitude: np.ndarray,
    boss: np.ndarray,
    customer_weight: np.ndarray,
    visibility: np.ndarray,
    orientation_shift: np.ndarray,
    employee_start: np.ndarray,
    shareholder_pressure: np.ndarray,
    incentive_rate: float,
    intrinsic_motivation: float,
    generators: Any,
    focus_noise: float,
) -> np.ndarray:
    """Focus after a week, f' = clip(f + rate (t - f) + sd z, 0, 1), t the target above.

    Replication c (employees employee_start[c] .. employee_start[c + 1] - 1) has its own
    shareholder pressure; z is a standard normal that each employee draws in turn from its
    replication's generator, sd is `focus_noise` (nothing is drawn when it is 0).
    """
    new = np.empty_like(customer_focus)
    for c in range(len(employee_start) - 1):
        rng = generators[c]
        for i in range(employee_start[c], employee_start[c + 1]):
            boss_focus = focus_of_boss(
                customer_focus, boss, i, shareholder_pressure[c], orientation_shift
            )
            rewarded = rewarded_focus(boss_focus, customer_weight[i], visibility[i])
            room = 1.0 - rewarded if attitude[i] >= 0 else rewarded
            target = rewarded + intrinsic_motivation * attitude[i] * room
            focus = customer_focus[i] + incentive_rate * (target - customer_focus[i])
            if focus_noise > 0:
                focus += focus_noise * rng.standard_normal()
            new[i] = min(max(focus, 0.0), 1.0)
    return new


def adapt_customer_focus(
    customer_focus: np.ndarray,
    attitude: np.ndarray,
    boss: np.ndarray,
    customer_weight: np.ndarray,
    visibility: np.ndarray,
    orientation_shift: np.ndarray,
    *,
    employee_start: np.ndarray,
    incentive_rate: float,
    shareholder_pressure: np.ndarray,
    intrinsic_motivation: float,
    focus_noise: float,
    generators: Any,
) -> np.ndarray:
    """Customer focus after one week; synchronous (bosses' focus is last week's).

    Args:
        customer_focus: current focus, [0, 1].
        attitude: current attitudes, [-1, 1].
        boss: boss index per employee, -1 for the chief.
        customer_weight: weight of customer outcomes in each evaluation, [0, 1].
        visibility: `outcome_visibility` per employee, [0, 1].
        orientation_shift: per employee, leadership tone's shift of the approval a covered
            leader answers to, [0, 1] (0 for everyone else).
        employee_start: first employee of each replication, and the head count at the end.
        incentive_rate: share of the way to the target per week, [0, 1].
        shareholder_pressure: per replication, how much the chief serves shareholders, [0, 1].
        intrinsic_motivation: share of the missing focus a fully positive attitude adds
            (and of the focus a fully negative one takes away).
        focus_noise: standard deviation of the weekly change; 0 draws nothing.
        generators: each replication's generator (a list, or `generator_list`'s).
    """
    if incentive_rate == 0 and focus_noise == 0:
        return customer_focus
    return focus_after_incentives(
        customer_focus,
        attitude,
        boss,
        customer_weight,
        visibility,
        orientation_shift,
        employee_start,
        shareholder_pressure,
        incentive_rate,
        intrinsic_motivation,
        generator_list(generators),
        focus_noise,
    )
