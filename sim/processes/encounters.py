"""Process 1: customers meet the front line; every interaction is a test (S000).

Contacts. Each week each active customer contacts the organization with probability c,
drawn over the M customer slots by `draw_bernoulli_slots` (empty slots fall away), at a cost
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
           (soft bounds, `eachcustomer.sim.processes.bounds`)
    strain' = strain + min(I (1 - B) gain h, 1) (1 - strain) - recovery strain, in [0, 1]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from eachcustomer.sim.compiled import inlined_kernel, kernel
from eachcustomer.sim.metrics import means_of_groups
from eachcustomer.sim.params import Params
from eachcustomer.sim.processes.bounds import pushed
from eachcustomer.sim.processes.sampling import draw_bernoulli_slots, generator_list
from eachcustomer.sim.state import Customers, Employees


def _members_by_copy(mask: np.ndarray, employee_start: np.ndarray) -> list[np.ndarray]:
    """Positions where `mask` holds, one array per replication."""
    return [
        first + np.flatnonzero(mask[first:stop])
        for first, stop in zip(employee_start[:-1], employee_start[1:], strict=True)
    ]


def _pool(members: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Members of every replication one after the other, and where each replication's start."""
    sizes = [len(m) for m in members]
    return np.concatenate(members).astype(np.int64), np.cumsum([0, *sizes]).astype(np.int64)


@dataclass(frozen=True)
class FrontLine:
    """Who serves which contacts, and who supports them, per replication.

    Each pool holds positions; replication c's members of a pool are
    `pool[pool_start[c]:pool_start[c + 1]]`. Either front-line pool serves all contacts of
    a replication whose other pool is empty.
    """

    complaint_desk: np.ndarray
    desk_start: np.ndarray
    sales_floor: np.ndarray
    floor_start: np.ndarray
    back_office: np.ndarray
    back_office_start: np.ndarray

    @classmethod
    def from_flags(
        cls,
        customer_facing: np.ndarray,
        handles_complaints: np.ndarray,
        employee_start: np.ndarray | None = None,
    ) -> FrontLine:
        """Pools from the organization's flags; `employee_start` splits the replications."""
        if employee_start is None:
            employee_start = np.array([0, len(customer_facing)])
        desk = _members_by_copy(customer_facing & handles_complaints, employee_start)
        floor = _members_by_copy(customer_facing & ~handles_complaints, employee_start)
        desk, floor = (
            [d if len(d) else f for d, f in zip(desk, floor, strict=True)],
            [f if len(f) else d for d, f in zip(desk, floor, strict=True)],
        )
        back = _members_by_copy(~customer_facing, employee_start)
        return cls(*_pool(desk), *_pool(floor), *_pool(back))


class Encounters(NamedTuple):
    """One week of encounters: the contacts and their outcomes, replication by replication."""

    customer: np.ndarray  # slot of each contact
    copy: np.ndarray  # replication of each contact
    employee: np.ndarray
    complaint: np.ndarray
    quality: np.ndarray
    lost: np.ndarray  # per contact: this interaction lost the customer


class ContactDraws(NamedTuple):
    """This week's contacts of every replication and the random numbers of each.

    Attributes:
        slots: the customers who make contact (sorted slots, replication by replication).
        copy: the replication of each contact.
        uniforms: per contact, uniforms in [0, 1) for the complaint, the routing and the
            loss of the customer.
        noise: per contact, a standard normal for the quality (empty without noise).
    """

    slots: np.ndarray
    copy: np.ndarray
    uniforms: np.ndarray
    noise: np.ndarray


@inlined_kernel
def active_slots(drawn: np.ndarray, first: int, active: np.ndarray) -> np.ndarray:
    """The slots first + d, d in `drawn`, whose customer is active."""
    slots = np.empty(len(drawn), dtype=np.int64)
    count = 0
    for d in drawn:
        if active[first + d]:
            slots[count] = first + d
            count += 1
    return slots[:count]


@kernel
def draw_contacts(
    generators: Any, start: np.ndarray, active: np.ndarray, contact_rate: float, noisy: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each replication's contacts and their numbers, drawn with its generator (`ContactDraws`).

    Replication c (slots start[c] .. start[c + 1] - 1) draws, in this order: the slots that
    make contact (`draw_bernoulli_slots` at the contact rate; inactive slots fall away),
    three uniforms per contact, then a standard normal per contact if `noisy`.
    """
    copies = len(start) - 1
    slot_parts, uniform_parts, noise_parts = [], [], []
    total = 0
    for c in range(copies):
        rng = generators[c]
        drawn = draw_bernoulli_slots(rng, start[c + 1] - start[c], contact_rate)
        slots = active_slots(drawn, start[c], active)
        uniforms = np.empty((len(slots), 3))
        for k in range(len(slots)):
            for j in range(3):
                uniforms[k, j] = rng.random()
        noise = np.empty(len(slots) if noisy else 0)
        for k in range(len(noise)):
            noise[k] = rng.standard_normal()
        slot_parts.append(slots)
        uniform_parts.append(uniforms)
        noise_parts.append(noise)
        total += len(slots)
    if copies == 1:
        copy = np.zeros(total, dtype=np.int64)
        return slot_parts[0], copy, uniform_parts[0], noise_parts[0]
    all_slots = np.empty(total, dtype=np.int64)
    copy = np.empty(total, dtype=np.int64)
    all_uniforms = np.empty((total, 3))
    all_noise = np.empty(total if noisy else 0)
    first = 0
    for c in range(copies):
        slots, uniforms, noise = slot_parts[c], uniform_parts[c], noise_parts[c]
        for k in range(len(slots)):  # loops, not slices: they compile much faster
            all_slots[first + k] = slots[k]
            copy[first + k] = c
            for j in range(3):
                all_uniforms[first + k, j] = uniforms[k, j]
        for k in range(len(noise)):
            all_noise[first + k] = noise[k]
        first += len(slots)
    return all_slots, copy, all_uniforms, all_noise


@kernel
def employee_part_of_quality(
    attitude: np.ndarray,
    customer_focus: np.ndarray,
    strain: np.ndarray,
    support: np.ndarray,
    employee_start: np.ndarray,
    weights: tuple[float, float, float, float, float, float, float],
) -> np.ndarray:
    """q0 + w_a a + w_f (f - 1/2) + w_s (S - 1/2) - w_t t for each employee.

    The part of the quality (module docstring) that is the same for all of an employee's
    contacts; `weights` = (q0, w_a, w_f, w_s, w_x, w_t, sigma), S the support of the
    employee's replication (employees employee_start[c] .. employee_start[c + 1] - 1).
    """
    base, w_attitude, w_focus, w_support, _, w_strain, _ = weights
    part = np.empty(len(attitude))
    for c in range(len(employee_start) - 1):
        for e in range(employee_start[c], employee_start[c + 1]):
            part[e] = (
                base
                + w_attitude * attitude[e]
                + w_focus * (customer_focus[e] - 0.5)
                + w_support * (support[c] - 0.5)
                - w_strain * strain[e]
            )
    return part


@inlined_kernel
def contact_quality(
    employee_part: float,
    complaint: bool,
    expectation: float,
    satisfaction: float,
    noise: float,
    w_mood: float,
    sigma: float,
    complaint_mood: float,
) -> float:
    """Q = employee part + w_x x + sigma eps, clipped to [-1, 1].

    x is the customer's expectation, or for a complaint min(expectation, satisfaction)
    minus the complaint mood; no noise term when sigma is 0 (then `noise` is not used).
    """
    mood = expectation
    if complaint:
        mood = min(mood, satisfaction) - complaint_mood
    q = employee_part + w_mood * mood
    if sigma > 0:
        q += sigma * noise
    return min(max(q, -1.0), 1.0)


@kernel
def route_and_rate_contacts(
    slot: np.ndarray,
    copy: np.ndarray,
    uniforms: np.ndarray,
    noise: np.ndarray,
    employee_part: np.ndarray,
    desk: np.ndarray,
    desk_start: np.ndarray,
    floor: np.ndarray,
    floor_start: np.ndarray,
    satisfaction: np.ndarray,
    expectation: np.ndarray,
    rules: tuple[float, float, float, float, float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which contacts are complaints, whom each meets, its quality, and whether it lost them.

    Per contact k: a complaint when its first uniform is below
    min(1, complaint_share (1 - satisfaction)); the employee met is the member of its
    replication's complaint desk (or sales floor) that the second uniform picks; the
    quality is `contact_quality`; the customer is lost when q is below the very-bad quality
    and the third uniform below the loss chance.

    Args:
        slot: the slot of each contact (`draw_contacts`).
        copy: the replication of each contact.
        uniforms: three uniforms per contact.
        noise: a standard normal per contact (empty without quality noise).
        employee_part: `employee_part_of_quality` per employee.
        desk: the complaint desks' members (`FrontLine`).
        desk_start: where each replication's desk starts in `desk`.
        floor: the sales floors' members.
        floor_start: where each replication's floor starts in `floor`.
        satisfaction: the customers' satisfaction (`eachcustomer.sim.state.Customers`).
        expectation: the customers' expectations.
        rules: (complaint_share, w_x, sigma, complaint_mood, very_bad_quality,
            loss_on_very_bad).

    Returns:
        Per contact: the employee met, complaint or not, the quality, lost or not.
    """
    share, w_mood, sigma, mood_of_complaint, very_bad, loss_chance = rules
    employee = np.empty(len(slot), dtype=np.int64)
    complaint = np.empty(len(slot), dtype=np.bool_)
    quality = np.empty(len(slot))
    lost = np.empty(len(slot), dtype=np.bool_)
    # Two loops over the contacts, not one: in a loop of its own, the scattered reads of
    # the pools (routing) or of the employees met (quality) overlap one another. One loop
    # (with the customers' memory too) was 2-4 times slower at a million employees.
    for k in range(len(slot)):
        c = copy[k]
        complaint[k] = uniforms[k, 0] < min(share * (1.0 - satisfaction[slot[k]]), 1.0)
        # Indexing each pool directly: a pool passed to a function, or bound to a
        # variable, would cost a reference count per contact.
        if complaint[k]:
            first, size = desk_start[c], desk_start[c + 1] - desk_start[c]
            employee[k] = desk[first + int(uniforms[k, 1] * size)]
        else:
            first, size = floor_start[c], floor_start[c + 1] - floor_start[c]
            employee[k] = floor[first + int(uniforms[k, 1] * size)]
    for k in range(len(slot)):
        customer, c = slot[k], copy[k]
        quality[k] = contact_quality(
            employee_part[employee[k]],
            complaint[k],
            expectation[customer],
            satisfaction[customer],
            noise[k] if sigma > 0 else 0.0,
            w_mood,
            sigma,
            mood_of_complaint,
        )
        lost[k] = quality[k] < very_bad and uniforms[k, 2] < loss_chance
    return employee, complaint, quality, lost


def back_office_support(employees: Employees, front: FrontLine) -> np.ndarray:
    """S per replication: mean customer focus of those who do not face customers (1/2 if none)."""
    return means_of_groups(
        employees.customer_focus, front.back_office, front.back_office_start, 0.5
    )


def meet_customers(
    employees: Employees,
    customers: Customers,
    front: FrontLine,
    employee_start: np.ndarray,
    params: Params,
    generators: Any,
) -> Encounters:
    """Draw this week's contacts (each replication with its generator), route and rate them.

    Args:
        employees: the staff of every replication.
        customers: the customer base of every replication.
        front: who serves and who supports, per replication.
        employee_start: first employee of each replication, and the head count at the end.
        params: model parameters.
        generators: each replication's generator (`generator_list`).
    """
    slot, copy, uniforms, noise = draw_contacts(
        generator_list(generators),
        customers.start,
        customers.active,
        params.contact_rate,
        params.quality_noise > 0,
    )
    if params.quality_noise > 0 and len(noise) != len(slot):
        raise ValueError("quality noise needs one standard normal per contact")
    employee_part = employee_part_of_quality(
        employees.attitude,
        employees.customer_focus,
        employees.strain,
        back_office_support(employees, front),
        employee_start,
        (
            params.quality_base,
            params.quality_attitude_weight,
            params.quality_focus_weight,
            params.quality_support_weight,
            params.quality_expectation_weight,
            params.quality_strain_weight,
            params.quality_noise,
        ),
    )
    employee, complaint, quality, lost = route_and_rate_contacts(
        slot,
        copy,
        uniforms,
        noise,
        employee_part,
        front.complaint_desk,
        front.desk_start,
        front.sales_floor,
        front.floor_start,
        customers.satisfaction,
        customers.expectation,
        (
            params.complaint_share,
            params.quality_expectation_weight,
            params.quality_noise,
            params.complaint_mood,
            params.very_bad_quality,
            params.loss_on_very_bad,
        ),
    )
    return Encounters(slot, copy, employee, complaint, quality, lost)


@kernel
def attitude_and_strain_after_encounters(
    employee: np.ndarray,
    quality: np.ndarray,
    attitude: np.ndarray,
    strain: np.ndarray,
    encounter_buffer: np.ndarray,
    strain_recovery: np.ndarray,
    hostile_quality: float,
    encounter_impact: float,
    good_attitude_lift: float,
    hostile_attitude_push: float,
    strain_gain: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Employees' attitude and strain after this week's encounters (the module docstring).

    With h and g an employee's shares of hostile (q < hostile quality) and good (q > 0)
    encounters, I the impact and B the buffer:
    push = clip(I (lift g - (1 - B) hostile_push h), -1, 1), attitude pushed by it (soft
    bounds) when I > 0; strain' = clip(strain + min(I (1 - B) gain h, 1) (1 - strain)
    - recovery strain, 0, 1).
    """
    size = len(attitude)
    hostile = np.zeros(size)
    good = np.zeros(size)
    met = np.zeros(size)
    for k in range(len(employee)):
        e = employee[k]
        met[e] += 1.0
        if quality[k] < hostile_quality:
            hostile[e] += 1.0
        elif quality[k] > 0.0:
            good[e] += 1.0
    new_attitude = attitude.copy()
    new_strain = np.empty(size)
    for e in range(size):
        hostile_share = hostile[e] / met[e] if met[e] > 0 else 0.0
        good_share = good[e] / met[e] if met[e] > 0 else 0.0
        unbuffered = 1.0 - encounter_buffer[e]
        if encounter_impact > 0:
            push = encounter_impact * (
                good_attitude_lift * good_share - unbuffered * hostile_attitude_push * hostile_share
            )
            new_attitude[e] = pushed(attitude[e], min(max(push, -1.0), 1.0))
        gain = min(encounter_impact * unbuffered * strain_gain * hostile_share, 1.0)
        s = strain[e]
        new_strain[e] = min(max(s + gain * (1.0 - s) - strain_recovery[e] * s, 0.0), 1.0)
    return new_attitude, new_strain


def feel_encounters(
    employees: Employees,
    encounters: Encounters,
    encounter_buffer: np.ndarray,
    strain_recovery: np.ndarray,
    params: Params,
) -> tuple[np.ndarray, np.ndarray]:
    """Employees' attitude and strain after this week's encounters (synchronous).

    The attitude returned is the input itself when encounters have no impact.
    """
    attitude, strain = attitude_and_strain_after_encounters(
        encounters.employee,
        encounters.quality,
        employees.attitude,
        employees.strain,
        encounter_buffer,
        strain_recovery,
        params.hostile_quality,
        params.encounter_impact,
        params.good_attitude_lift,
        params.hostile_attitude_push,
        params.strain_gain,
    )
    return (attitude if params.encounter_impact > 0 else employees.attitude), strain
