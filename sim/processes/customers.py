"""Process 1, continued: customers leave, talk, and new customers arrive.

Everything here costs in proportion to this week's events, not to the size of the
customer base: the functions return the slots to change, and the model applies them.

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
"""

from __future__ import annotations

import numpy as np

from sim.params import Params
from sim.processes.sampling import bernoulli_slots
from sim.state import Customers, draw_expectations


def draw_churn(customers: Customers, params: Params, rng: np.random.Generator) -> np.ndarray:
    """Distinct slots of active customers who leave this week, for their own reasons or fed up."""
    slots = len(customers.active)
    if slots == 0:
        return np.empty(0, dtype=np.int64)
    moved_away = bernoulli_slots(slots, params.base_churn, rng)
    candidates = bernoulli_slots(slots, params.dissatisfied_churn, rng)
    unhappy = -customers.satisfaction[candidates]
    fed_up = candidates[rng.random(len(candidates)) < unhappy]
    leaving = np.union1d(moved_away, fed_up)
    return leaving[customers.active[leaving]]


def voice_weighted_sentiment(
    satisfaction: np.ndarray, lost: np.ndarray, unhappy_voice: float, lost_voice: float
) -> float | None:
    """What this week's speakers say: louder when unhappy, loudest when lost; None if silent."""
    if len(satisfaction) == 0:
        return None
    voice = np.where(lost, lost_voice, np.where(satisfaction < 0, unhappy_voice, 1.0))
    return float(np.dot(voice, satisfaction) / voice.sum())


def spread_word_of_mouth(
    customers: Customers,
    served: np.ndarray,
    walked_out: np.ndarray,
    walked_out_quality: np.ndarray,
    churned: np.ndarray,
    params: Params,
) -> float:
    """Reputation after this week's speakers.

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
    stayed = served[customers.active[served]]
    sentiment = np.concatenate(
        [customers.satisfaction[stayed], walked_out_quality, customers.satisfaction[churned]]
    )
    lost = np.ones(len(sentiment), dtype=bool)
    lost[: len(stayed)] = False
    said = voice_weighted_sentiment(sentiment, lost, params.unhappy_voice, params.lost_voice)
    if said is None:
        return customers.reputation
    return customers.reputation + params.reputation_memory * (said - customers.reputation)


def draw_arrivals(
    customers: Customers, params: Params, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct empty slots for this week's new customers, and their expectations."""
    free = len(customers.active) - customers.active_count
    count = min(int(rng.poisson(params.acquisition_rate * customers.base_size)), free)
    if count == 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    slots = len(customers.active)
    # Random probing finds empty slots without scanning the whole base.
    probes = rng.integers(0, slots, int(2 * count * slots / free) + 16)
    empty = customers.distinct(probes[~customers.active[probes]])
    if len(empty) < count:
        empty = rng.permutation(np.flatnonzero(~customers.active))
    arrived = empty[:count]
    expectation = draw_expectations(
        params.prior_expectation + params.word_of_mouth * customers.reputation,
        params.expectation_sd,
        count,
        rng,
    )
    return arrived, expectation
