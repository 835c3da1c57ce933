"""Per-employee and per-customer state as numpy arrays, and the levers interventions move.

Processes read the employee arrays and return new ones, which the model swaps in, so every
update within a process is synchronous. The customer arrays, much larger, are changed in
place by the customer processes, which keep their per-replication tallies.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from eachcustomer.sim.compiled import inlined_kernel, kernel
from eachcustomer.sim.metrics import DETRACTOR_BELOW, PROMOTER_ABOVE
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.params import Params


@dataclass
class Employees:
    """Employee state, one row per position in the organization.

    In a batch (`eachcustomer.sim.batch`) the rows of every replication sit one after the other.

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

    @classmethod
    def concatenate(cls, parts: list[Employees]) -> Employees:
        """The rows of `parts`, one after the other (a single part itself, not a copy)."""
        if len(parts) == 1:
            return parts[0]
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    def rows(self, start: int, stop: int) -> Employees:
        """Views on rows start..stop-1 (writing them writes these arrays)."""
        return Employees(*(getattr(self, f.name)[start:stop] for f in fields(self)))


ACTIVE, SATISFACTION_SUM, PROMOTERS, DETRACTORS = range(4)
"""Columns of `Customers.tally`."""


@inlined_kernel
def count_customer(tally: np.ndarray, copy: int, satisfaction: float, sign: int) -> None:
    """Add (sign 1) or remove (sign -1) one active customer of replication `copy` in `tally`."""
    tally[copy, ACTIVE] += sign
    tally[copy, SATISFACTION_SUM] += sign * satisfaction
    # Added as 0 or 1 rather than branched on: which way satisfaction falls is a coin toss
    # for the processor's branch predictor.
    tally[copy, PROMOTERS] += sign * (satisfaction > PROMOTER_ABOVE)
    tally[copy, DETRACTORS] += sign * (satisfaction < DETRACTOR_BELOW)


@kernel
def copy_of(start: np.ndarray, row: int) -> int:
    """The replication that owns `row`, replication c owning rows start[c]..start[c + 1] - 1."""
    low, high = 0, len(start) - 2
    while low < high:  # bisection: the last c with start[c] <= row
        middle = (low + high + 1) // 2
        if start[middle] <= row:
            low = middle
        else:
            high = middle - 1
    return low


@kernel
def tally_customers(satisfaction: np.ndarray, active: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Per replication: active customers, their satisfaction sum, promoters and detractors."""
    tally = np.zeros((len(start) - 1, 4))
    for copy in range(len(start) - 1):
        for slot in range(start[copy], start[copy + 1]):
            if active[slot]:
                count_customer(tally, copy, satisfaction[slot], 1)
    return tally


class Customers:
    """The customer base as fixed-size arrays; a lost customer's slot can be refilled.

    Replication c of a batch owns slots `start[c]` to `start[c + 1] - 1`. The processes
    keep `tally` (per replication: active count, satisfaction sum, promoters, detractors)
    up to date as they change the arrays, so no output scans the whole base.

    Attributes:
        expectation: how well the customer expects to be treated, [-1, 1].
        satisfaction: how satisfied the customer is, [-1, 1].
        active: False once the customer is lost (the slot waits for a new customer).
        start: first slot of each replication, and the number of slots at the end.
        reputation: per replication, what customers say of the organization,
            voice-weighted, [-1, 1].
        base_size: per replication, the initial number of customers, which sets the
            weekly arrivals.
        offer_quality: per replication, the quality o of the organization's offer
            (product, price, place), [-1, 1], drawn once at the start.
        tally: per replication, the columns ACTIVE, SATISFACTION_SUM, PROMOTERS and
            DETRACTORS.
    """

    def __init__(
        self,
        expectation: np.ndarray,
        satisfaction: np.ndarray,
        active: np.ndarray,
        reputation: float | np.ndarray = 0.0,
        base_size: int | np.ndarray = 0,
        start: np.ndarray | None = None,
        offer_quality: float | np.ndarray = 0.0,
    ) -> None:
        self.expectation = expectation
        self.satisfaction = satisfaction
        self.active = active
        self.start = np.array([0, len(active)], dtype=np.int64) if start is None else start
        self.reputation = np.array(reputation, dtype=float).reshape(-1)
        self.base_size = np.array(base_size, dtype=np.int64).reshape(-1)
        self.offer_quality = np.array(offer_quality, dtype=float).reshape(-1)
        self.recount()

    @classmethod
    def concatenate(cls, parts: list[Customers]) -> Customers:
        """The slots of `parts`, one after the other, each part a replication.

        A single part is returned itself: a large customer base is not copied.
        """
        if len(parts) == 1:
            return parts[0]
        sizes = [len(p.active) for p in parts]
        return cls(
            np.concatenate([p.expectation for p in parts]),
            np.concatenate([p.satisfaction for p in parts]),
            np.concatenate([p.active for p in parts]),
            np.concatenate([p.reputation for p in parts]),
            np.concatenate([p.base_size for p in parts]),
            np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
            np.concatenate([p.offer_quality for p in parts]),
        )

    def recount(self) -> None:
        """Recompute `tally` from the arrays."""
        self.tally = tally_customers(self.satisfaction, self.active, self.start)

    @property
    def active_count(self) -> np.ndarray:
        """Active customers per replication."""
        return self.tally[:, ACTIVE].astype(np.int64)

    @property
    def satisfaction_sum(self) -> np.ndarray:
        """Sum of the active customers' satisfaction, per replication."""
        return self.tally[:, SATISFACTION_SUM]

    @property
    def promoters(self) -> np.ndarray:
        """Active customers above `PROMOTER_ABOVE`, per replication."""
        return self.tally[:, PROMOTERS].astype(np.int64)

    @property
    def detractors(self) -> np.ndarray:
        """Active customers below `DETRACTOR_BELOW`, per replication."""
        return self.tally[:, DETRACTORS].astype(np.int64)


SLOTS_PER_CUSTOMER = 1.25
"""Customer arrays hold a quarter more than the initial base, so it can grow or shrink."""


@dataclass
class Levers:
    """Effective values of what interventions change, per employee where coverage varies.

    At the start they equal the parameters; `eachcustomer.sim.processes.interventions` moves them.

    Attributes:
        drift_rate: per employee, drift per hop per week.
        effective_distance: per employee, distance from customers as experienced.
        customer_weight: per employee, weight of customer outcomes in evaluations.
        encounter_buffer: per employee, share of a hostile encounter's blow absorbed, [0, 1].
        strain_recovery: per employee, share of strain that wears off each week.
        orientation_shift: per employee, the share of the way to full customer focus by
            which a covered leader's changed orientation moves the approval they answer to
            (leadership tone; 0 without it). For the chief that approval is the
            shareholders', 1 - shareholder_pressure.
        shareholder_pressure: how much the top leader serves shareholders.
        hire_attitude_mean: mean attitude of new hires.
    """

    drift_rate: np.ndarray
    effective_distance: np.ndarray
    customer_weight: np.ndarray
    encounter_buffer: np.ndarray
    strain_recovery: np.ndarray
    orientation_shift: np.ndarray
    shareholder_pressure: float
    hire_attitude_mean: float


def draw_attitudes(mean: float, sd: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """Normal draws clipped to [-1, 1]; no draw at all when `sd` is 0."""
    if sd == 0:
        return np.full(size, float(np.clip(mean, -1.0, 1.0)))
    # minimum(maximum()) is np.clip without its Python wrapper, which costs more than the
    # draw for the few hires of a week.
    return np.minimum(np.maximum(rng.normal(mean, sd, size), -1.0), 1.0)


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
    """A base of `customers_per_employee` per employee, with no history, and empty slots.

    The organization's offer quality is drawn last, o = clip(N(mean, sd^2), -1, 1), and not
    at all when its sd is 0 (then o is the mean), so that runs without a spread of offers
    draw exactly what they drew before the offer existed.
    """
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
        offer_quality=draw_attitudes(params.offer_quality_mean, params.offer_quality_sd, 1, rng)[0],
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
        orientation_shift=np.zeros(n),
        shareholder_pressure=params.shareholder_pressure,
        hire_attitude_mean=params.hire_attitude_mean,
    )
