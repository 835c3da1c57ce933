"""Process 5: employees leave, more often when strained, and hires take their place.

An employee leaves in a week with probability q (1 + s * strain), q the base turnover
rate and s the strain multiplier. The hire in that position gets an attitude, and the same
disposition, from the hiring distribution, the initial customer focus, and no strain;
the network socializes newcomers through contagion.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from eachcustomer.sim.compiled import kernel
from eachcustomer.sim.state import Employees, draw_attitudes


class Turnover(NamedTuple):
    """The staff after a week of turnover, who was replaced, and how many per replication."""

    employees: Employees
    replaced: np.ndarray
    hires: np.ndarray


def replace_leavers(
    employees: Employees,
    *,
    employee_start: np.ndarray,
    turnover_rate: float,
    strain_turnover: float,
    hire_attitude_mean: np.ndarray,
    hire_attitude_sd: float,
    hire_focus: float,
    rngs: list[np.random.Generator],
) -> Turnover:
    """Who leaves this week, and the state of their replacements.

    Each replication draws a uniform per employee, then its hires' attitudes, with its own
    generator.

    Args:
        employees: current state; not modified.
        employee_start: first employee of each replication, and the head count at the end.
        turnover_rate: weekly leaving probability at no strain; 0 switches turnover off.
        strain_turnover: extra leaving at full strain, as a multiple of the base rate.
        hire_attitude_mean: per replication, mean attitude of hires, [-1, 1].
        hire_attitude_sd: spread of hires' attitudes.
        hire_focus: customer focus of hires, [0, 1].
        rngs: one generator per replication.
    """
    size = len(employees.attitude)
    copies = len(employee_start) - 1
    if turnover_rate == 0:
        staying = Employees(
            employees.attitude,
            employees.disposition,
            employees.customer_focus,
            employees.strain,
            employees.weeks_in_post + 1,
        )
        return Turnover(staying, np.zeros(size, dtype=bool), np.zeros(copies, dtype=np.int64))
    uniforms = _joined(
        [
            rng.random(n)
            for rng, n in zip(
                rngs, (employee_start[1:] - employee_start[:-1]).tolist(), strict=True
            )
        ]
    )
    replaced, hires = leavers(
        uniforms, employees.strain, turnover_rate, strain_turnover, employee_start
    )
    hired_attitude = _joined(
        [
            draw_attitudes(mean, hire_attitude_sd, int(count), rng)
            for rng, mean, count in zip(rngs, hire_attitude_mean, hires, strict=True)
        ]
    )
    staff = Employees(
        *staff_after_hiring(
            replaced,
            hired_attitude,
            employees.attitude,
            employees.disposition,
            employees.customer_focus,
            employees.strain,
            employees.weeks_in_post,
            hire_focus,
        )
    )
    return Turnover(staff, replaced, hires)


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


@kernel
def leavers(
    uniforms: np.ndarray,
    strain: np.ndarray,
    turnover_rate: float,
    strain_turnover: float,
    employee_start: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Who leaves, and how many per replication: u < min(q (1 + s strain), 1) for each employee."""
    replaced = np.empty(len(uniforms), dtype=np.bool_)
    hires = np.zeros(len(employee_start) - 1, dtype=np.int64)
    for c in range(len(employee_start) - 1):
        for i in range(employee_start[c], employee_start[c + 1]):
            chance = min(turnover_rate * (1.0 + strain_turnover * strain[i]), 1.0)
            replaced[i] = uniforms[i] < chance
            hires[c] += replaced[i]
    return replaced, hires


@kernel
def staff_after_hiring(
    replaced: np.ndarray,
    hired_attitude: np.ndarray,
    attitude: np.ndarray,
    disposition: np.ndarray,
    customer_focus: np.ndarray,
    strain: np.ndarray,
    weeks_in_post: np.ndarray,
    hire_focus: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The five employee arrays, the k-th replaced employee's taken over by the k-th hire.

    A hire has attitude and disposition `hired_attitude[k]`, the hiring focus, no strain
    and no weeks in post; everyone else is a week longer in post.
    """
    attitude, disposition = attitude.copy(), disposition.copy()
    customer_focus, strain = customer_focus.copy(), strain.copy()
    weeks = weeks_in_post + 1
    hire = 0
    for i in range(len(replaced)):
        if replaced[i]:
            attitude[i] = disposition[i] = hired_attitude[hire]
            customer_focus[i] = hire_focus
            strain[i] = 0.0
            weeks[i] = 0
            hire += 1
    return attitude, disposition, customer_focus, strain, weeks
