"""Per-employee and per-customer state as numpy arrays, and the levers interventions move.

Processes read these arrays and return new ones; `OrgModel` swaps them in, so every
update within a process is synchronous.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from sim.metrics import DETRACTOR_BELOW, PROMOTER_ABOVE
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


class Customers:
    """The customer base as fixed-size arrays; a lost customer's slot can be refilled.

    The model changes it only through `set_satisfaction`, `deactivate` and `admit`, which
    keep the aggregates the outputs need (active count, satisfaction sum, promoters,
    detractors) up to date, so no output scans the whole base.

    Attributes:
        expectation: how well the customer expects to be treated, [-1, 1].
        satisfaction: how satisfied the customer is, [-1, 1].
        active: False once the customer is lost (the slot waits for a new customer).
        reputation: what customers say of the organization, voice-weighted, [-1, 1].
        base_size: the initial number of customers, which sets the weekly arrivals.
    """

    PROMOTER_ABOVE = PROMOTER_ABOVE
    DETRACTOR_BELOW = DETRACTOR_BELOW

    def __init__(
        self,
        expectation: np.ndarray,
        satisfaction: np.ndarray,
        active: np.ndarray,
        reputation: float = 0.0,
        base_size: int = 0,
    ) -> None:
        self.expectation = expectation
        self.satisfaction = satisfaction
        self.active = active
        self.reputation = reputation
        self.base_size = base_size
        self.draw_order = np.full(len(active), -1, dtype=np.int64)  # scratch for `distinct`
        self.recount()

    def recount(self) -> None:
        """Recompute the aggregates from the arrays."""
        current = self.satisfaction[self.active]
        self.active_count = len(current)
        self.satisfaction_sum = float(current.sum())
        self.promoters = int(np.count_nonzero(current > self.PROMOTER_ABOVE))
        self.detractors = int(np.count_nonzero(current < self.DETRACTOR_BELOW))

    def _tally(self, satisfaction: np.ndarray, sign: int) -> None:
        self.active_count += sign * len(satisfaction)
        self.satisfaction_sum += sign * float(satisfaction.sum())
        self.promoters += sign * int(np.count_nonzero(satisfaction > self.PROMOTER_ABOVE))
        self.detractors += sign * int(np.count_nonzero(satisfaction < self.DETRACTOR_BELOW))

    def distinct(self, slots: np.ndarray) -> np.ndarray:
        """`slots` without repeats (the first of each kept), in time linear in its length."""
        order = np.arange(len(slots))
        self.draw_order[slots[::-1]] = order[::-1]
        first = self.draw_order[slots] == order
        self.draw_order[slots] = -1
        return slots[first]

    def set_satisfaction(self, slots: np.ndarray, satisfaction: np.ndarray) -> None:
        """New satisfaction for distinct active slots."""
        self._tally(self.satisfaction[slots], -1)
        self.satisfaction[slots] = satisfaction
        self._tally(satisfaction, +1)

    def deactivate(self, slots: np.ndarray) -> None:
        """Lose the customers in distinct active slots."""
        self._tally(self.satisfaction[slots], -1)
        self.active[slots] = False

    def admit(self, slots: np.ndarray, expectation: np.ndarray) -> None:
        """New customers in distinct empty slots, as satisfied as they expect to be."""
        self.expectation[slots] = expectation
        self.satisfaction[slots] = expectation
        self.active[slots] = True
        self._tally(expectation, +1)


SLOTS_PER_CUSTOMER = 1.25
"""Customer arrays hold a quarter more than the initial base, so it can grow or shrink."""


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
    slots = int(np.ceil(SLOTS_PER_CUSTOMER * count))
    expectation = draw_expectations(params.prior_expectation, params.expectation_sd, slots, rng)
    active = np.zeros(slots, dtype=bool)
    active[:count] = True
    # Existing customers have a history: their satisfaction sits around the initial level,
    # as far above or below it as their expectation is above or below the prior.
    satisfaction = np.clip(
        expectation + params.initial_satisfaction - params.prior_expectation, -1.0, 1.0
    )
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


class Individuals(BaseModel):
    """A few particular people placed at the start.

    `count` employees of a department, drawn at random, whose attitude and disposition are
    set (e.g. the salesman who asks "Hey buddy, are you just dreaming?", S000).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    department: str = Field(min_length=1, description="department they work in")
    count: int = Field(1, ge=1, description="how many")
    attitude: float = Field(ge=-1.0, le=1.0, description="their attitude and disposition")
    front_line: bool = Field(True, description="drawn from the department's front line")


def place_individuals(
    employees: Employees,
    org: Organization,
    individuals: list[Individuals],
    rng: np.random.Generator,
) -> None:
    """Set the attitude and disposition of the chosen individuals, drawn with `rng`."""
    for group in individuals:
        if group.department not in org.department_names:
            raise ValueError(
                f"individuals: no department {group.department!r}; the "
                f"organization has {', '.join(map(repr, org.department_names))}"
            )
        pool = org.department == org.department_names.index(group.department)
        if group.front_line:
            pool &= org.customer_facing
        members = np.flatnonzero(pool)
        if len(members) < group.count:
            raise ValueError(
                f"individuals: {group.department!r} has {len(members)} "
                f"{'front-line ' if group.front_line else ''}employees, "
                f"fewer than {group.count}"
            )
        chosen = rng.choice(members, group.count, replace=False)
        employees.attitude[chosen] = group.attitude
        employees.disposition[chosen] = group.attitude
