"""Process 5: employees leave, more often when strained, and hires take their place.

An employee leaves in a week with probability q (1 + s * strain), q the base turnover
rate and s the strain multiplier. The hire in that position gets an attitude, and the same
disposition, from the hiring distribution, the initial customer focus, and no strain;
the network socializes newcomers through contagion.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from eachcustomer.sim.compiled import kernel
from eachcustomer.sim.processes.sampling import generator_list
from eachcustomer.sim.state import Employees


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
    generators: Any,
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
        generators: each replication's generator (a list, or `generator_list`'s).
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
    *arrays, replaced, hires = staff_after_turnover(
        generator_list(generators),
        employee_start,
        turnover_rate,
        strain_turnover,
        hire_attitude_mean,
        hire_attitude_sd,
        hire_focus,
        employees.attitude,
        employees.disposition,
        employees.customer_focus,
        employees.strain,
        employees.weeks_in_post,
    )
    return Turnover(Employees(*arrays), replaced, hires)


@kernel
def staff_after_turnover(
    generators: Any,
    employee_start: np.ndarray,
    turnover_rate: float,
    strain_turnover: float,
    hire_attitude_mean: np.ndarray,
    hire_attitude_sd: float,
    hire_focus: float,
    attitude: np.ndarray,
    disposition: np.ndarray,
    customer_focus: np.ndarray,
    strain: np.ndarray,
    weeks_in_post: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The five employee arrays after a week of turnover, who was replaced, hires per replication.

    Replication c draws a uniform u per employee in turn, and employee i leaves when
    u < min(q (1 + s strain_i), 1); then it draws each hire's attitude in turn,
    clip(N(mean_c, sd), -1, 1) (the mean itself, clipped, when sd is 0). A hire takes the
    leaver's place with that attitude as attitude and disposition, the hiring focus, no
    strain and no weeks in post; everyone else is a week longer in post.
    """
    attitude, disposition = attitude.copy(), disposition.copy()
    customer_focus, strain_after = customer_focus.copy(), strain.copy()
    weeks = weeks_in_post + 1
    replaced = np.empty(len(attitude), dtype=np.bool_)
    hires = np.zeros(len(employee_start) - 1, dtype=np.int64)
    for c in range(len(employee_start) - 1):
        rng = generators[c]
        first, stop = employee_start[c], employee_start[c + 1]
        for i in range(first, stop):
            chance = min(turnover_rate * (1.0 + strain_turnover * strain[i]), 1.0)
            replaced[i] = rng.random() < chance
            hires[c] += replaced[i]
        mean = hire_attitude_mean[c]
        for i in range(first, stop):
            if replaced[i]:
                drawn = rng.normal(mean, hire_attitude_sd) if hire_attitude_sd != 0 else mean
                attitude[i] = disposition[i] = min(max(drawn, -1.0), 1.0)
                customer_focus[i] = hire_focus
                strain_after[i] = 0.0
                weeks[i] = 0
    return attitude, disposition, customer_focus, strain_after, weeks, replaced, hires
