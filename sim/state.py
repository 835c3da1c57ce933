"""Per-employee and per-customer state as numpy arrays, and the levers interventions move.

Processes read these arrays and return new ones; `OrgModel` swaps them in, so every
update within a process is synchronous.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.organization import Organization
from sim.params import Params


@dataclass
class Employees:
    """Employee state, one row per position in the organization.

    Attributes:
        attitude: in [-1, 1]; -1 sees "the customer", +1 sees "each customer".
        disposition: personal attitude set at hiring, in [-1, 1]; attitude is pulled
            back toward it.
        customer_focus: share of effort on the real customer rather than the boss, [0, 1].
        strain: accumulated stress from hostile encounters, [0, 1].
        weeks_in_post: weeks since this position's holder was hired.
    """

    attitude: np.ndarray
    disposition: np.ndarray
    customer_focus: np.ndarray
    strain: np.ndarray
    weeks_in_post: np.ndarray


@dataclass
class Customers:
    """The customer base as fixed-size arrays; a lost customer's slot can be refilled.

    Attributes:
        expectation: how well the customer expects to be treated, [-1, 1].
        satisfaction: how satisfied the customer is, [-1, 1].
        active: False once the customer is lost (the slot waits for a new customer).
        reputation: what customers say of the organization, voice-weighted, [-1, 1].
        base_size: the initial number of customers, which sets the weekly arrivals.
    """

    expectation: np.ndarray
    satisfaction: np.ndarray
    active: np.ndarray
    reputation: float = 0.0
    base_size: int = 0


SLOTS_PER_CUSTOMER = 2
"""The customer arrays hold twice the initial base, so the base can grow as well as shrink."""


@dataclass
class Levers:
    """Effective values of what interventions change, per employee where coverage varies.

    At the start they equal the parameters; `sim.processes.interventions` moves them.

    Attributes:
        drift_rate: per employee, drift per hop per week.
        effective_distance: per employee, distance from customers as experienced.
        customer_weight: per employee, weight of customer outcomes in evaluations.
        encounter_buffer: per employee, share of a hostile encounter's blow absorbed, [0, 1].
        strain_recovery: per employee, share of strain that wears off each week.
        shareholder_pressure: how much the top leader serves shareholders.
        hire_attitude_mean: mean attitude of new hires.
    """

    drift_rate: np.ndarray
    effective_distance: np.ndarray
    customer_weight: np.ndarray
    encounter_buffer: np.ndarray
    strain_recovery: np.ndarray
    shareholder_pressure: float
    hire_attitude_mean: float


def draw_attitudes(mean: float, sd: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """Normal draws clipped to [-1, 1]; no draw at all when `sd` is 0."""
    if sd == 0:
        return np.full(size, float(np.clip(mean, -1.0, 1.0)))
    return np.clip(rng.normal(mean, sd, size), -1.0, 1.0)


def initial_employees(org: Organization, params: Params, rng: np.random.Generator) -> Employees:
    """Everyone starts at a personal disposition drawn from the initial culture."""
    disposition = draw_attitudes(params.disposition_mean, params.disposition_sd, org.size, rng)
    return Employees(
        attitude=disposition.copy(),
        disposition=disposition,
        customer_focus=np.full(org.size, params.initial_customer_focus),
        strain=np.zeros(org.size),
        weeks_in_post=np.zeros(org.size, dtype=np.int64),
    )


def draw_expectations(mean: float, sd: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """New customers' expectations: a clipped normal around what they have heard."""
    return draw_attitudes(mean, sd, size, rng)


def initial_customers(org: Organization, params: Params, rng: np.random.Generator) -> Customers:
    """A base of `customers_per_employee` per employee, with no history, and empty slots."""
    count = int(round(params.customers_per_employee * org.size))
    slots = SLOTS_PER_CUSTOMER * count
    expectation = draw_expectations(params.prior_expectation, params.expectation_sd, slots, rng)
    active = np.zeros(slots, dtype=bool)
    active[:count] = True
    # Existing customers have a history: their satisfaction sits around the initial level,
    # as far above or below it as their expectation is above or below the prior.
    satisfaction = np.clip(expectation + params.initial_satisfaction - params.prior_expectation,
                           -1.0, 1.0)
    return Customers(
        expectation=expectation,
        satisfaction=satisfaction,
        active=active,
        reputation=params.initial_satisfaction,
        base_size=count,
    )


def initial_levers(org: Organization, params: Params) -> Levers:
    """Levers as the parameters and the organization set them, before any intervention."""
    n = org.size
    return Levers(
        drift_rate=np.full(n, params.drift_rate),
        effective_distance=org.distance_to_customer.astype(float),
        customer_weight=org.department_customer_weight[org.department].astype(float),
        encounter_buffer=np.zeros(n),
        strain_recovery=np.full(n, params.strain_recovery),
        shareholder_pressure=params.shareholder_pressure,
        hire_attitude_mean=params.hire_attitude_mean,
    )
