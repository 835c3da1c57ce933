"""Process 5: employees leave, more often when strained, and hires take their place.

An employee leaves in a week with probability q (1 + s * strain), q the base turnover
rate and s the strain multiplier. The hire in that position gets an attitude, and the same
disposition, from the hiring distribution, the initial customer focus, and no strain;
the network socializes newcomers through contagion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.state import Employees, draw_attitudes


@dataclass(frozen=True)
class Turnover:
    """The staff after a week of turnover, and who was replaced."""

    employees: Employees
    replaced: np.ndarray


def replace_leavers(
    employees: Employees,
    *,
    turnover_rate: float,
    strain_turnover: float,
    hire_attitude_mean: float,
    hire_attitude_sd: float,
    hire_focus: float,
    rng: np.random.Generator,
) -> Turnover:
    """Who leaves this week, and the state of their replacements.

    Args:
        employees: current state; not modified.
        turnover_rate: weekly leaving probability at no strain; 0 switches turnover off.
        strain_turnover: extra leaving at full strain, as a multiple of the base rate.
        hire_attitude_mean: mean attitude of hires, [-1, 1].
        hire_attitude_sd: spread of hires' attitudes.
        hire_focus: customer focus of hires, [0, 1].
        rng: the model's generator.
    """
    size = len(employees.attitude)
    if turnover_rate == 0:
        staying = Employees(
            employees.attitude,
            employees.disposition,
            employees.customer_focus,
            employees.strain,
            employees.weeks_in_post + 1,
        )
        return Turnover(staying, np.zeros(size, dtype=bool))
    leaving_chance = np.minimum(turnover_rate * (1.0 + strain_turnover * employees.strain), 1.0)
    replaced = rng.random(size) < leaving_chance
    hires = int(replaced.sum())
    hired_attitude = draw_attitudes(hire_attitude_mean, hire_attitude_sd, hires, rng)
    attitude = employees.attitude.copy()
    disposition = employees.disposition.copy()
    focus = employees.customer_focus.copy()
    strain = employees.strain.copy()
    weeks = employees.weeks_in_post + 1
    attitude[replaced] = hired_attitude
    disposition[replaced] = hired_attitude
    focus[replaced] = hire_focus
    strain[replaced] = 0.0
    weeks[replaced] = 0
    return Turnover(Employees(attitude, disposition, focus, strain, weeks), replaced)
