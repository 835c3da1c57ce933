"""Process 1: customers meet the front line; every interaction is a test (S000).

Contacts. Each week each active customer contacts the organization with probability c,
drawn over the M customer slots by `bernoulli_slots` (empty slots fall away), at a cost
that grows with the number of contacts, not with M.
A contact is a complaint with probability min(1, k (1 - satisfaction)) for complaint
share k; complaints go to the complaint desk (customer service), other contacts to the
rest of the front line (either pool serves all contacts if the other is empty), each to
a random member.

Quality of an interaction between employee e and customer c (clipped to [-1, 1]):

    q = q0 + w_a a_e + w_f (f_e - 1/2) + w_s (S - 1/2) + w_x x_c - w_t t_e + sigma eps

with a attitude, f customer focus, S the back office's mean focus (the support the front
line gets), t strain, eps standard normal noise, and x the customer's expectation; a
complaining customer arrives unhappier: x = min(expectation, satisfaction) - complaint mood.

Customers. Satisfaction moves toward q by a share lambda, times the bad-interaction weight
when q < 0 (a bad interaction lowers satisfaction more than a good one raises it). An
interaction below the very-bad quality loses the customer for good with a given chance.

Employees. With h the share of an employee's encounters that were hostile (q below the
hostile quality), g the share that were good (q > 0), I the encounter impact and B the
employee's buffer (front-line support):

    push = I (lift g - (1 - B) hostile_push h), clipped to [-1, 1]; attitude moves by push
           (soft bounds, `sim.processes.bounds`)
    strain' = strain + min(I (1 - B) gain h, 1) (1 - strain) - recovery strain, in [0, 1]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.params import Params
from sim.processes.bounds import push_attitude
from sim.processes.sampling import bernoulli_slots
from sim.state import Customers, Employees


@dataclass(frozen=True)
class FrontLine:
    """Who serves which contacts: the complaint desk and the rest of the front line."""

    complaint_desk: np.ndarray
    sales_floor: np.ndarray
    back_office: np.ndarray

    @classmethod
    def from_flags(cls, customer_facing: np.ndarray, handles_complaints: np.ndarray) -> FrontLine:
        """Pools from the organization's flags."""
        return cls(
            complaint_desk=np.flatnonzero(customer_facing & handles_complaints),
            sales_floor=np.flatnonzero(customer_facing & ~handles_complaints),
            back_office=np.flatnonzero(~customer_facing),
        )


@dataclass(frozen=True)
class Encounters:
    """One week of encounters: the contacts and their outcomes."""

    customer: np.ndarray
    employee: np.ndarray
    complaint: np.ndarray
    quality: np.ndarray
    lost: np.ndarray  # per contact: this interaction lost the customer


def draw_contacts(customers: Customers, params: Params, rng: np.random.Generator) -> np.ndarray:
    """Indices of the customers who contact the organization this week."""
    slots = len(customers.active)
    if slots == 0 or params.contact_rate == 0:
        return np.empty(0, dtype=np.int64)
    drawn = bernoulli_slots(slots, params.contact_rate, rng)
    return drawn[customers.active[drawn]]


def route_contacts(complaint: np.ndarray, front: FrontLine, rng: np.random.Generator) -> np.ndarray:
    """A random front-line employee for each contact, from the pool its kind goes to."""
    desk = front.complaint_desk if len(front.complaint_desk) else front.sales_floor
    floor = front.sales_floor if len(front.sales_floor) else front.complaint_desk
    pick = rng.random(len(complaint))
    employee = floor[(pick * len(floor)).astype(np.int64)]
    complaints = np.flatnonzero(complaint)
    employee[complaints] = desk[(pick[complaints] * len(desk)).astype(np.int64)]
    return employee


def interaction_quality(
    employees: Employees,
    customers: Customers,
    employee: np.ndarray,
    customer: np.ndarray,
    complaint: np.ndarray,
    support: float,
    params: Params,
    rng: np.random.Generator,
) -> np.ndarray:
    """Quality q of each contact, in [-1, 1]."""
    # The employee's part of q is the same for all of an employee's contacts: compute it
    # once per employee, then look it up per contact.
    employee_part = (
        params.quality_base
        + params.quality_attitude_weight * employees.attitude
        + params.quality_focus_weight * (employees.customer_focus - 0.5)
        + params.quality_support_weight * (support - 0.5)
        - params.quality_strain_weight * employees.strain
    )
    expectation = customers.expectation[customer]
    complaints = np.flatnonzero(complaint)
    expectation[complaints] = (
        np.minimum(expectation[complaints], customers.satisfaction[customer[complaints]])
        - params.complaint_mood
    )
    quality = employee_part[employee] + params.quality_expectation_weight * expectation
    if params.quality_noise > 0:
        quality += params.quality_noise * rng.standard_normal(len(quality))
    return np.clip(quality, -1.0, 1.0, out=quality)


def back_office_support(employees: Employees, front: FrontLine) -> float:
    """S: the mean customer focus of employees who do not face customers (1/2 if none)."""
    if len(front.back_office) == 0:
        return 0.5
    return float(employees.customer_focus[front.back_office].mean())


def meet_customers(
    employees: Employees,
    customers: Customers,
    front: FrontLine,
    params: Params,
    rng: np.random.Generator,
) -> Encounters:
    """Draw this week's contacts, route them and rate each interaction."""
    customer = draw_contacts(customers, params, rng)
    complaint_chance = np.minimum(
        params.complaint_share * (1.0 - customers.satisfaction[customer]), 1.0
    )
    complaint = rng.random(len(customer)) < complaint_chance
    employee = route_contacts(complaint, front, rng)
    support = back_office_support(employees, front)
    quality = interaction_quality(
        employees, customers, employee, customer, complaint, support, params, rng
    )
    very_bad = quality < params.very_bad_quality
    lost = very_bad & (rng.random(len(quality)) < params.loss_on_very_bad)
    return Encounters(customer, employee, complaint, quality, lost)


def remember_encounters(customers: Customers, encounters: Encounters, params: Params) -> np.ndarray:
    """The new satisfaction of each customer in `encounters.customer`."""
    quality = encounters.quality
    before = customers.satisfaction[encounters.customer]
    weight = np.where(quality < 0, params.bad_interaction_weight, 1.0)
    step = np.minimum(params.satisfaction_learning * weight, 1.0)
    return before + step * (quality - before)


def feel_encounters(
    employees: Employees,
    encounters: Encounters,
    encounter_buffer: np.ndarray,
    strain_recovery: np.ndarray,
    params: Params,
) -> tuple[np.ndarray, np.ndarray]:
    """Employees' attitude and strain after this week's encounters (synchronous)."""
    size = len(employees.attitude)
    # One count of (employee, kind) pairs; kind 0 hostile, 1 in between, 2 good.
    kind = np.ones(len(encounters.quality), dtype=np.int64)
    kind[encounters.quality > 0] = 2
    kind[encounters.quality < params.hostile_quality] = 0  # hostile_quality <= 0
    counts = np.bincount(encounters.employee * 3 + kind, minlength=3 * size).reshape(size, 3)
    met = (counts[:, 0] + counts[:, 1] + counts[:, 2]).astype(float)  # faster than sum(axis=1)
    hostile_share = np.divide(counts[:, 0], met, out=np.zeros(size), where=met > 0)
    good_share = np.divide(counts[:, 2], met, out=np.zeros(size), where=met > 0)
    impact = params.encounter_impact
    unbuffered = 1.0 - encounter_buffer
    attitude = employees.attitude
    if impact > 0:
        push = impact * (
            params.good_attitude_lift * good_share
            - unbuffered * params.hostile_attitude_push * hostile_share
        )
        attitude = push_attitude(attitude, np.clip(push, -1.0, 1.0))
    strain = employees.strain
    gain = np.minimum(impact * unbuffered * params.strain_gain * hostile_share, 1.0)
    strain = np.clip(strain + gain * (1.0 - strain) - strain_recovery * strain, 0.0, 1.0)
    return attitude, strain
