"""Process 1, continued: customers leave, talk, and new customers arrive.

Churn. An active customer leaves in a week with probability
base_churn + dissatisfied_churn * max(0, -satisfaction).

Word of mouth. This week's speakers are the active customers and those lost this week;
unhappy (satisfaction < 0) and lost customers speak `unhappy_voice` times louder. What
they say is the voice-weighted mean satisfaction; reputation follows it:
R' = R + memory (said - R).

Arrivals. N ~ Poisson(acquisition_rate * initial base) new customers arrive (at most as
many as there are empty slots) and take the first empty slots; each newcomer
expects prior + word_of_mouth * R' (plus spread), clipped to [-1, 1], and starts with
satisfaction equal to that expectation (S000: customers "predisposed ... expecting the
worst").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.params import Params
from sim.state import Customers, draw_expectations


@dataclass(frozen=True)
class CustomerWeek:
    """The customer base after a week, and how many left."""

    customers: Customers
    lost: int
    arrived: int


def voice_weighted_sentiment(satisfaction: np.ndarray, active: np.ndarray,
                             lost_now: np.ndarray, unhappy_voice: float) -> float | None:
    """What customers say of the organization this week, or None if no one speaks."""
    speaking = active | lost_now
    if not speaking.any():
        return None
    said = satisfaction[speaking]
    voice = np.where((said < 0) | lost_now[speaking], unhappy_voice, 1.0)
    return float(np.dot(voice, said) / voice.sum())


def turn_over_customers(customers: Customers, satisfaction: np.ndarray,
                        active_after_encounters: np.ndarray, params: Params,
                        rng: np.random.Generator) -> CustomerWeek:
    """Churn, word of mouth and arrivals for one week.

    Args:
        customers: the base at the start of the week (before encounters).
        satisfaction: satisfaction after this week's encounters.
        active_after_encounters: active flags after encounters (very bad ones lost).
        params: model parameters.
        rng: the model's generator.
    """
    leave_chance = params.base_churn + params.dissatisfied_churn * np.maximum(-satisfaction, 0.0)
    churned = active_after_encounters & (rng.random(len(satisfaction)) < leave_chance)
    active = active_after_encounters & ~churned
    lost_now = customers.active & ~active

    said = voice_weighted_sentiment(satisfaction, active, lost_now, params.unhappy_voice)
    reputation = customers.reputation
    if said is not None:
        reputation += params.reputation_memory * (said - reputation)

    expectation = customers.expectation.copy()
    satisfaction = satisfaction.copy()
    empty = np.flatnonzero(~active)
    newcomers = min(int(rng.poisson(params.acquisition_rate * customers.base_size)), len(empty))
    arriving = empty[:newcomers]
    expected = draw_expectations(params.prior_expectation + params.word_of_mouth * reputation,
                                 params.expectation_sd, newcomers, rng)
    expectation[arriving] = expected
    satisfaction[arriving] = expected
    active[arriving] = True
    return CustomerWeek(Customers(expectation, satisfaction, active, reputation,
                                  customers.base_size),
                        int(lost_now.sum()), newcomers)
