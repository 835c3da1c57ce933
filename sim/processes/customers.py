"""Process 1, continued: customers remember their encounters, leave, talk, and arrive.

Everything here costs in proportion to this week's events, not to the size of the
customer base: the kernels change only the slots concerned, in place, and keep each
replication's tally (`eachcustomer.sim.state.Customers`).

Memory. Each customer who had an interaction judges it by tau = (1 - w) q + w o, the
interaction's quality q blended with the quality o of the organization's offer (product,
price, place; drawn once per replication, `eachcustomer.sim.state.initial_customers`) at the offer
weight w, and moves its satisfaction toward tau (`remember_encounters`; with w = 0, tau = q
and the rule is that of `eachcustomer.sim.processes.encounters`'s docstring). One lost to a very bad
interaction leaves: walk-outs, like employees' hostile and good encounters, compare the
service's q, not tau.

Churn. An active customer leaves in a week for reasons of its own with probability
base_churn, or fed up with probability dissatisfied_churn * max(0, -satisfaction), drawn by
thinning: candidates drawn with `draw_bernoulli_slots` at dissatisfied_churn are kept with
probability max(0, -satisfaction). (Leaving is one event: with both causes the chance is
1 - (1 - base)(1 - fed up), which differs from the sum by their product.)

Word of mouth. This week's speakers are the customers who had an interaction and those
lost this week (S000: "A simple inadvertent misstatement or act ... can have a
long-lasting negative impact"). A customer tells how satisfied they are; one lost to a
very bad interaction tells of that interaction (its quality). Unhappy customers (below 0)
speak `unhappy_voice` times louder than happy ones, lost customers `lost_voice` times: the
story of a customer who left travels far. What they say is the voice-weighted mean;
reputation follows it: R' = R + memory (said - R).

Arrivals. N ~ Poisson(acquisition_rate * initial base) new customers arrive, at most as
many as there are empty slots; each expects prior + word_of_mouth * R' (plus spread),
clipped to [-1, 1], and starts with satisfaction equal to that expectation (S000:
customers "predisposed ... expecting the worst").

The kernels act on every replication of a batch at once; each replication draws its own
random numbers inside them, from its own generator (`eachcustomer.sim.processes.sampling`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from eachcustomer.sim.compiled import inlined_kernel, kernel
from eachcustomer.sim.params import Params
from eachcustomer.sim.processes.sampling import draw_bernoulli_slots, generator_list
from eachcustomer.sim.state import Customers, copy_of, count_customer

if TYPE_CHECKING:
    from eachcustomer.sim.processes.encounters import Encounters


@inlined_kernel
def remembered_satisfaction(
    satisfaction: float,
    quality: float,
    offer_quality: float,
    offer_weight: float,
    satisfaction_learning: float,
    bad_interaction_weight: float,
) -> float:
    """S' = s + min(1, lambda b) (tau - s) after an interaction of quality q.

    tau = (1 - omega) q + omega o, with o the offer quality of the customer's replication
    and omega the offer weight; b is the bad-interaction weight when tau < 0, else 1. With
    omega = 0, tau is q exactly.
    """
    judged = (1.0 - offer_weight) * quality + offer_weight * offer_quality
    weight = bad_interaction_weight if judged < 0 else 1.0
    return satisfaction + min(satisfaction_learning * weight, 1.0) * (judged - satisfaction)


@kernel
def update_satisfaction(
    slot: np.ndarray,
    copy: np.ndarray,
    quality: np.ndarray,
    lost: np.ndarray,
    satisfaction: np.ndarray,
    active: np.ndarray,
    tally: np.ndarray,
    offer_quality: np.ndarray,
    offer_weight: float,
    satisfaction_learning: float,
    bad_interaction_weight: float,
) -> None:
    """Customers remember their interaction; those it lost leave. Changes the arrays in place.

    Satisfaction becomes `remembered_satisfaction`; `tally`
    (`eachcustomer.sim.state.Customers.tally`) follows every change. Each slot appears once.
    """
    for k in range(len(slot)):
        customer, c = slot[k], copy[k]
        before = satisfaction[customer]
        after = remembered_satisfaction(
            before,
            quality[k],
            offer_quality[c],
            offer_weight,
            satisfaction_learning,
            bad_interaction_weight,
        )
        satisfaction[customer] = after
        count_customer(tally, c, before, -1)
        if lost[k]:
            active[customer] = False
        else:
            count_customer(tally, c, after, 1)


def remember_encounters(customers: Customers, encounters: Encounters, params: Params) -> None:
    """Customers remember this week's interactions and the lost ones leave (in place)."""
    update_satisfaction(
        encounters.customer,
        encounters.copy,
        encounters.quality,
        encounters.lost,
        customers.satisfaction,
        customers.active,
        customers.tally,
        customers.offer_quality,
        params.offer_weight,
        params.satisfaction_learning,
        params.bad_interaction_weight,
    )


@kernel
def churn_customers(
    moved_away: np.ndarray,
    candidates: np.ndarray,
    uniforms: np.ndarray,
    start: np.ndarray,
    satisfaction: np.ndarray,
    active: np.ndarray,
    tally: np.ndarray,
) -> np.ndarray:
    """Active customers who leave: all who moved away, and the candidates fed up. In place.

    A candidate is fed up when its uniform is below max(0, -satisfaction). Both lists are
    sorted; the result is their sorted union, without repeats, of those still active, who
    are made inactive (with `tally`, whose active counts thus give how many left).
    """
    leaving = np.empty(len(moved_away) + len(candidates), dtype=np.int64)
    count = 0
    i = j = 0
    while i < len(moved_away) or j < len(candidates):
        if j == len(candidates) or (i < len(moved_away) and moved_away[i] <= candidates[j]):
            slot = moved_away[i]
            i += 1
        else:
            slot = candidates[j]
            fed_up = uniforms[j] < -satisfaction[slot]
            j += 1
            if not fed_up:
                continue
        if active[slot]:  # a slot drawn twice is inactive the second time
            active[slot] = False
            count_customer(tally, copy_of(start, slot), satisfaction[slot], -1)
            leaving[count] = slot
            count += 1
    return leaving[:count]


@kernel
def draw_and_churn(
    generators: Any,
    start: np.ndarray,
    base_churn: float,
    dissatisfied_churn: float,
    satisfaction: np.ndarray,
    active: np.ndarray,
    tally: np.ndarray,
) -> np.ndarray:
    """Each replication's churn, drawn with its generator: the sorted slots of those who left.

    Replication c draws the slots that move away (`draw_bernoulli_slots` at base_churn),
    then the candidates (at dissatisfied_churn), then a uniform per candidate, and
    `churn_customers` makes them leave (in place).
    """
    parts = []
    total = 0
    for c in range(len(start) - 1):
        rng = generators[c]
        first, size = start[c], start[c + 1] - start[c]
        moved_away = draw_bernoulli_slots(rng, size, base_churn) + first
        candidates = draw_bernoulli_slots(rng, size, dissatisfied_churn) + first
        uniforms = np.empty(len(candidates))
        for k in range(len(candidates)):
            uniforms[k] = rng.random()
        left = churn_customers(moved_away, candidates, uniforms, start, satisfaction, active, tally)
        parts.append(left)
        total += len(left)
    leaving = np.empty(total, dtype=np.int64)
    first = 0
    for left in parts:
        for k in range(len(left)):
            leaving[first + k] = left[k]
        first += len(left)
    return leaving


def leave(customers: Customers, params: Params, generators: Any) -> np.ndarray:
    """This week's churn in every replication: the sorted slots of those who left."""
    return draw_and_churn(
        generator_list(generators),
        customers.start,
        params.base_churn,
        params.dissatisfied_churn,
        customers.satisfaction,
        customers.active,
        customers.tally,
    )


@kernel
def reputation_after_word_of_mouth(
    reputation: np.ndarray,
    served: np.ndarray,
    walked_out: np.ndarray,
    walked_out_quality: np.ndarray,
    churned: np.ndarray,
    start: np.ndarray,
    satisfaction: np.ndarray,
    active: np.ndarray,
    unhappy_voice: float,
    lost_voice: float,
    reputation_memory: float,
) -> np.ndarray:
    """R' = R + memory (said - R) per replication, said = sum(v s) / sum(v); R if silent.

    Speakers: customers served who are still active (their satisfaction s, voice 1, or the
    unhappy voice below 0), those who walked out (the interaction's quality, the lost
    voice) and those who churned (their satisfaction, the lost voice).
    """
    said = np.zeros(len(start) - 1)
    voices = np.zeros(len(start) - 1)
    for slot in served:
        if not active[slot]:
            continue
        value = satisfaction[slot]
        voice = unhappy_voice if value < 0 else 1.0
        c = copy_of(start, slot)
        said[c] += voice * value
        voices[c] += voice
    for k in range(len(walked_out)):
        c = copy_of(start, walked_out[k])
        said[c] += lost_voice * walked_out_quality[k]
        voices[c] += lost_voice
    for slot in churned:
        c = copy_of(start, slot)
        said[c] += lost_voice * satisfaction[slot]
        voices[c] += lost_voice
    heard = reputation.copy()
    for c in range(len(heard)):
        if voices[c] > 0:
            heard[c] += reputation_memory * (said[c] / voices[c] - heard[c])
    return heard


def spread_word_of_mouth(
    customers: Customers,
    served: np.ndarray,
    walked_out: np.ndarray,
    walked_out_quality: np.ndarray,
    churned: np.ndarray,
    params: Params,
) -> np.ndarray:
    """Reputation per replication after this week's speakers.

    Args:
        customers: the base after this week's encounters and churn (the lost are inactive).
        served: distinct slots of the customers who had an interaction this week.
        walked_out: slots of those a very bad interaction lost; they tell of that
            interaction ("walked out of the store, and never went back", S000).
        walked_out_quality: the quality of those interactions.
        churned: distinct slots of the customers who left this week; they tell how
            satisfied they were when they left.
        params: model parameters.
    """
    return reputation_after_word_of_mouth(
        customers.reputation,
        served,
        walked_out,
        walked_out_quality,
        churned,
        customers.start,
        customers.satisfaction,
        customers.active,
        params.unhappy_voice,
        params.lost_voice,
        params.reputation_memory,
    )


@kernel
def admit_customers(
    probes: np.ndarray,
    expectation: np.ndarray,
    copy: int,
    active: np.ndarray,
    satisfaction: np.ndarray,
    expectations: np.ndarray,
    tally: np.ndarray,
) -> int:
    """New customers in the first empty slots among `probes`, as satisfied as they expect.

    The k-th newcomer takes the k-th empty slot found and `expectation[k]`; a slot probed
    twice is taken once. Changes the arrays in place and returns how many were admitted
    (fewer than `len(expectation)` when the probes find too few empty slots).
    """
    admitted = 0
    for slot in probes:
        if admitted == len(expectation):
            break
        if not active[slot]:
            active[slot] = True
            expectations[slot] = satisfaction[slot] = expectation[admitted]
            count_customer(tally, copy, expectation[admitted], 1)
            admitted += 1
    return admitted


class Arrivals(NamedTuple):
    """This week's new customers' expectations, replication c's in start[c]..start[c + 1] - 1."""

    expectation: np.ndarray
    start: np.ndarray


@kernel
def draw_and_admit_arrivals(
    generators: Any,
    start: np.ndarray,
    base_size: np.ndarray,
    reputation: np.ndarray,
    acquisition_rate: float,
    prior_expectation: float,
    word_of_mouth: float,
    expectation_sd: float,
    active: np.ndarray,
    satisfaction: np.ndarray,
    expectations: np.ndarray,
    tally: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each replication's new customers, drawn with its generator and admitted (in place).

    Replication c draws N ~ Poisson(acquisition_rate * base_size[c]), capped at its empty
    slots; then N expectations (`draw_expectations`: a clipped normal, none drawn when the
    spread is 0); then int(2 N slots / empty) + 16 uniform probes of its slots, and
    `admit_customers` takes the first empty ones. Returns the expectations, where each
    replication's start, and how many each admitted: fewer than N when the probes found too
    few empty slots (rarely; `arrive` then admits the rest).
    """
    copies = len(start) - 1
    parts = []
    counts = np.zeros(copies + 1, dtype=np.int64)
    admitted = np.zeros(copies, dtype=np.int64)
    for c in range(copies):
        rng = generators[c]
        first, slots = start[c], start[c + 1] - start[c]
        free = slots - int(tally[c, 0])
        count = min(rng.poisson(acquisition_rate * base_size[c]), free)
        expectation = np.empty(max(count, 0))
        mean = prior_expectation + word_of_mouth * reputation[c]
        for k in range(len(expectation)):
            drawn = rng.normal(mean, expectation_sd) if expectation_sd != 0 else mean
            expectation[k] = min(max(drawn, -1.0), 1.0)
        if len(expectation):
            # Random probing finds empty slots without scanning the whole base.
            probes = np.empty(int(2 * count * slots / free) + 16, dtype=np.int64)
            for k in range(len(probes)):
                probes[k] = first + np.int64(rng.random() * slots)
            admitted[c] = admit_customers(
                probes, expectation, c, active, satisfaction, expectations, tally
            )
        parts.append(expectation)
        counts[c + 1] = counts[c] + len(expectation)
    joined = np.empty(counts[-1])
    for c in range(copies):
        for k in range(len(parts[c])):
            joined[counts[c] + k] = parts[c][k]
    return joined, counts, admitted


def arrive(
    customers: Customers,
    params: Params,
    rngs: Sequence[np.random.Generator],
    generators: Any = None,
) -> Arrivals:
    """This week's new customers in every replication, admitted; returns their expectations.

    Args:
        customers: the customer base of every replication (changed in place).
        params: model parameters.
        rngs: each replication's generator.
        generators: the same as `generator_list(rngs)`, if the caller keeps one.
    """
    expectation, start, admitted = draw_and_admit_arrivals(
        generator_list(rngs) if generators is None else generators,
        customers.start,
        customers.base_size,
        customers.reputation,
        params.acquisition_rate,
        params.prior_expectation,
        params.word_of_mouth,
        params.expectation_sd,
        customers.active,
        customers.satisfaction,
        customers.expectation,
        customers.tally,
    )
    for copy in np.flatnonzero(admitted < np.diff(start)).tolist():  # rarely: too few
        first, stop = customers.start[copy], customers.start[copy + 1]  # found, take the rest
        empty = first + rngs[copy].permutation(np.flatnonzero(~customers.active[first:stop]))
        admit_customers(
            empty,
            expectation[start[copy] + admitted[copy] : start[copy + 1]],
            copy,
            customers.active,
            customers.satisfaction,
            customers.expectation,
            customers.tally,
        )
    return Arrivals(expectation, start)
