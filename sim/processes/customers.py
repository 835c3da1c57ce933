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
thinning: candidates drawn with `bernoulli_slots` at dissatisfied_churn are kept with
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

Each replication of a batch draws its own random numbers with its own generator; the
kernels then act on every replication at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from eachcustomer.sim.compiled import kernel
from eachcustomer.sim.params import Params
from eachcustomer.sim.processes.sampling import bernoulli_slots
from eachcustomer.sim.state import Customers, copy_of, count_customer, draw_expectations

if TYPE_CHECKING:
    from eachcustomer.sim.processes.encounters import Encounters


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

    tau = (1 - omega) q + omega o_c, with o_c the offer quality of the contact's replication
    and omega the offer weight; s' = s + min(1, lambda b) (tau - s), b the bad-interaction
    weight when tau < 0, else 1; `tally` (`eachcustomer.sim.state.Customers.tally`) follows every
    change. Each slot appears once. With omega = 0, tau is q exactly.
    """
    for k in range(len(slot)):
        customer, c = slot[k], copy[k]
        judged = (1.0 - offer_weight) * quality[k] + offer_weight * offer_quality[c]
        before = satisfaction[customer]
        weight = bad_interaction_weight if judged < 0 else 1.0
        after = before + min(satisfaction_learning * weight, 1.0) * (judged - before)
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


class ChurnDraws(NamedTuple):
    """One replication's candidates for leaving this week (sorted slots).

    Attributes:
        moved_away: slots drawn at base_churn: they leave for reasons of their own.
        candidates: slots drawn at dissatisfied_churn: each leaves if fed up.
        uniforms: per candidate, a uniform in [0, 1) that thins them by dissatisfaction.
    """

    moved_away: np.ndarray
    candidates: np.ndarray
    uniforms: np.ndarray


def draw_churn(
    customers: Customers, copy: int, params: Params, rng: np.random.Generator
) -> ChurnDraws:
    """Replication `copy`'s candidates for leaving, drawn with its generator."""
    first, stop = customers.start[copy], customers.start[copy + 1]
    size = int(stop - first)
    moved_away = bernoulli_slots(size, params.base_churn, rng) + first
    candidates = bernoulli_slots(size, params.dissatisfied_churn, rng) + first
    return ChurnDraws(moved_away, candidates, rng.random(len(candidates)))


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


def leave(customers: Customers, params: Params, rngs: list[np.random.Generator]) -> np.ndarray:
    """This week's churn in every replication: the sorted slots of those who left."""
    draws = [draw_churn(customers, c, params, rng) for c, rng in enumerate(rngs)]
    return churn_customers(
        _joined([d.moved_away for d in draws]),
        _joined([d.candidates for d in draws]),
        _joined([d.uniforms for d in draws]),
        customers.start,
        customers.satisfaction,
        customers.active,
        customers.tally,
    )


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


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
        said[copy_of(start, slot)] += voice * value
        voices[copy_of(start, slot)] += voice
    for k in range(len(walked_out)):
        said[copy_of(start, walked_out[k])] += lost_voice * walked_out_quality[k]
        voices[copy_of(start, walked_out[k])] += lost_voice
    for slot in churned:
        said[copy_of(start, slot)] += lost_voice * satisfaction[slot]
        voices[copy_of(start, slot)] += lost_voice
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


def arrive(customers: Customers, copy: int, params: Params, rng: np.random.Generator) -> np.ndarray:
    """Replication `copy`'s new customers this week: admitted; returns their expectations."""
    first, stop = customers.start[copy], customers.start[copy + 1]
    slots = int(stop - first)
    free = slots - int(customers.tally[copy, 0])
    count = min(int(rng.poisson(params.acquisition_rate * customers.base_size[copy])), free)
    if count == 0:
        return np.empty(0)
    expectation = draw_expectations(
        params.prior_expectation + params.word_of_mouth * customers.reputation[copy],
        params.expectation_sd,
        count,
        rng,
    )
    # Random probing finds empty slots without scanning the whole base.
    probes = first + (rng.random(int(2 * count * slots / free) + 16) * slots).astype(np.int64)
    admitted = _admit(customers, probes, expectation, copy)
    if admitted < count:  # rarely: too few found, so take the rest at random
        empty = first + rng.permutation(np.flatnonzero(~customers.active[first:stop]))
        _admit(customers, empty, expectation[admitted:], copy)
    return expectation


def _admit(customers: Customers, probes: np.ndarray, expectation: np.ndarray, copy: int) -> int:
    return admit_customers(
        probes,
        expectation,
        copy,
        customers.active,
        customers.satisfaction,
        customers.expectation,
        customers.tally,
    )
