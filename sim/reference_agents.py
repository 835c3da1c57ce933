"""The agents of `eachcustomer.sim.reference.ReferenceModel`.

One customer, one employee, each rule a method.

Each method states one rule of the vectorized core, with its equation and the module of
`sim/processes/` it mirrors; `ReferenceModel` (sim/reference.py) calls them in the order
of a week.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import Cell, FixedAgent

from eachcustomer.sim.params import Params

if TYPE_CHECKING:
    from eachcustomer.sim.reference import ReferenceModel


def clipped_normal(rng: np.random.Generator, mean: float, sd: float) -> float:
    """One normal draw clipped to [-1, 1]; no draw when `sd` is 0 (as `eachcustomer.sim.state`)."""
    value = mean if sd == 0 else rng.normal(mean, sd)
    return min(max(float(value), -1.0), 1.0)


def soft_push(attitude: float, push: float) -> float:
    """As `eachcustomer.sim.processes.bounds.push_attitude`.

    a + x (1 - a) for x >= 0, a + x (1 + a) below.
    """
    room = 1.0 - attitude if push >= 0 else 1.0 + attitude
    return attitude + push * room


class ReferenceCustomer:
    """One customer slot: a customer's expectation and satisfaction, and whether active."""

    def __init__(self, expectation: float, satisfaction: float, active: bool) -> None:
        self.expectation = expectation
        self.satisfaction = satisfaction
        self.active = active

    def complaint_chance(self, params: Params) -> float:
        """min(1, complaint_share (1 - satisfaction)) (`encounters.meet_customers`)."""
        return min(params.complaint_share * (1.0 - self.satisfaction), 1.0)

    def mood(self, complaint: bool, params: Params) -> float:
        """x: the expectation, or for a complaint min(expectation, satisfaction) - mood."""
        if complaint:
            return min(self.expectation, self.satisfaction) - params.complaint_mood
        return self.expectation

    def remember(self, quality: float, offer_quality: float, params: Params) -> None:
        """Move satisfaction toward the judged quality (`customers.remember_encounters`).

        tau = (1 - omega) q + omega o, omega the offer weight and o the organization's offer
        quality; s' = s + min(1, lambda b) (tau - s), b the bad-interaction weight when
        tau < 0.
        """
        weight_of_offer = params.offer_weight
        judged = (1.0 - weight_of_offer) * quality + weight_of_offer * offer_quality
        weight = params.bad_interaction_weight if judged < 0 else 1.0
        step = min(params.satisfaction_learning * weight, 1.0)
        self.satisfaction += step * (judged - self.satisfaction)

    def churn_chance(self, params: Params) -> float:
        """base_churn + dissatisfied_churn * max(0, -satisfaction) (`customers` docstring)."""
        return params.base_churn + params.dissatisfied_churn * max(0.0, -self.satisfaction)


class ReferenceEmployee(FixedAgent):
    """One position of the organization, fixed to its node of the org network."""

    model: ReferenceModel

    def __init__(
        self,
        model: ReferenceModel,
        position: int,
        cell: Cell,
        *,
        attitude: float,
        disposition: float,
        customer_focus: float,
        strain: float,
    ) -> None:
        super().__init__(model)
        org, params = model.org, model.params
        self.position = position
        self.cell = cell
        self.boss: ReferenceEmployee | None = None  # set once every agent exists
        self.department = int(org.department[position])
        self.customer_facing = bool(org.customer_facing[position])
        self.handles_complaints = bool(org.handles_complaints[position])
        self.distance = float(org.distance_to_customer[position])
        self.customer_weight = float(org.department_customer_weight[self.department])
        self.drift_rate = params.drift_rate
        self.strain_recovery = params.strain_recovery
        self.encounter_buffer = 0.0  # only interventions raise it; the reference has none
        self.attitude = attitude
        self.disposition = disposition
        self.customer_focus = customer_focus
        self.strain = strain
        self.weeks_in_post = 0
        self.qualities: list[float] = []  # this week's encounters
        self.next_attitude = attitude
        self.next_focus = customer_focus

    # --- the network -------------------------------------------------------------------
    def neighbours(self) -> list[ReferenceEmployee]:
        """Everyone tied to me in the org network (boss, reports, peers), each once."""
        return [agent for cell in self.cell.connections.values() for agent in cell.agents]

    def attention_to(self, other: ReferenceEmployee) -> float:
        """Raw weight of a neighbour: boss_weight, report_weight, else peer_weight."""
        params = self.model.params
        if other is self.boss:
            return params.boss_weight
        if other.boss is self:
            return params.report_weight
        return params.peer_weight

    # --- 1. encounters -------------------------------------------------------------------
    def serve(self, customer: ReferenceCustomer, complaint: bool, support: float) -> float:
        """Quality q of one interaction, clipped to [-1, 1] (`encounters` docstring).

        q = q0 + w_a a + w_f (f - 1/2) + w_s (S - 1/2) + w_x x - w_t t + sigma eps.
        """
        params = self.model.params
        quality = (
            params.quality_base
            + params.quality_attitude_weight * self.attitude
            + params.quality_focus_weight * (self.customer_focus - 0.5)
            + params.quality_support_weight * (support - 0.5)
            - params.quality_strain_weight * self.strain
            + params.quality_expectation_weight * customer.mood(complaint, params)
        )
        if params.quality_noise > 0:
            quality += params.quality_noise * self.model.rng.standard_normal()
        quality = min(max(quality, -1.0), 1.0)
        self.qualities.append(quality)
        return quality

    def feel_encounters(self) -> None:
        """Attitude and strain after this week's encounters (`encounters.feel_encounters`).

        h, g: shares of hostile (q < hostile_quality) and good (q > 0) encounters;
        push = I (lift g - (1 - B) hostile_push h), applied with soft bounds;
        strain' = strain + min(1, I (1 - B) gain h) (1 - strain) - recovery strain.
        """
        params = self.model.params
        met = len(self.qualities)
        hostile = sum(q < params.hostile_quality for q in self.qualities) / met if met else 0.0
        good = sum(q > 0 for q in self.qualities) / met if met else 0.0
        impact, unbuffered = params.encounter_impact, 1.0 - self.encounter_buffer
        if impact > 0:
            push = impact * (
                params.good_attitude_lift * good
                - unbuffered * params.hostile_attitude_push * hostile
            )
            self.attitude = soft_push(self.attitude, min(max(push, -1.0), 1.0))
        gain = min(impact * unbuffered * params.strain_gain * hostile, 1.0)
        strain = self.strain + gain * (1.0 - self.strain) - self.strain_recovery * self.strain
        self.strain = min(max(strain, 0.0), 1.0)
        self.qualities = []

    # --- 2. contagion --------------------------------------------------------------------
    def compute_contagion(self) -> None:
        """Next attitude from neighbours' old attitudes (`contagion.spread_attitudes`).

        a' = a + r sum_j P_j b_j (a_j - a), P_j = w_j / sum_k w_k, b_j = beta if a_j < a.
        """
        params = self.model.params
        self.next_attitude = self.attitude
        if params.contagion_rate > 0:
            weights = {other: self.attention_to(other) for other in self.neighbours()}
            total = sum(weights.values())
            pull = 0.0
            for other, weight in weights.items():
                gap = other.attitude - self.attitude
                bias = params.negativity_bias if gap < 0 else 1.0
                pull += (weight / total) * bias * gap
            self.next_attitude = self.attitude + params.contagion_rate * pull

    def commit_attitude(self) -> None:
        """Take the attitude computed by `compute_contagion`."""
        self.attitude = self.next_attitude

    def pull_toward_disposition(self) -> None:
        """Move toward disposition: a'' = (1 - p) a' + p d (`disposition` module)."""
        pull = self.model.params.disposition_pull
        if pull > 0:
            self.attitude = (1.0 - pull) * self.attitude + pull * self.disposition

    # --- 3. distance drift ---------------------------------------------------------------
    def drift_with_distance(self) -> None:
        """Drift toward -1: a' = -1 + (1 + a) exp(-k (D - 1)) (`drift.drift_toward_impersonal`)."""
        hops_away = max(self.distance - 1.0, 0.0)
        self.attitude = -1.0 + (1.0 + self.attitude) * math.exp(-self.drift_rate * hops_away)

    # --- 4. incentives -------------------------------------------------------------------
    def boss_focus(self) -> float:
        """Return the boss's focus; the chief's boss is the shareholders, 1 - pressure."""
        if self.boss is None:
            return 1.0 - self.model.params.shareholder_pressure
        return self.boss.customer_focus

    def rewarded_focus(self) -> float:
        """Return e = customer / (customer + boss) pay (`incentives.rewarded_focus`).

        customer pay = w v + (1 - w) f_boss, boss pay = (1 - w)(1 - f_boss),
        v = visibility_decay ** (D - 1).
        """
        params, weight, boss_focus = self.model.params, self.customer_weight, self.boss_focus()
        visibility = params.visibility_decay ** max(self.distance - 1.0, 0.0)
        pays_customer = weight * visibility + (1.0 - weight) * boss_focus
        pays_boss = (1.0 - weight) * (1.0 - boss_focus)
        total = pays_customer + pays_boss
        return pays_customer / total if total > 0 else 0.0

    def compute_customer_focus(self) -> None:
        """Next focus from the boss's old focus (`incentives.adapt_customer_focus`).

        t = e + m a (1 - e) for a >= 0, e + m a e below;
        f' = clip(f + rate (t - f) + noise, 0, 1).
        """
        params = self.model.params
        if params.incentive_rate == 0 and params.focus_noise == 0:
            self.next_focus = self.customer_focus
            return
        rewarded = self.rewarded_focus()
        room = 1.0 - rewarded if self.attitude >= 0 else rewarded
        target = rewarded + params.intrinsic_motivation * self.attitude * room
        focus = self.customer_focus + params.incentive_rate * (target - self.customer_focus)
        if params.focus_noise > 0:
            focus += self.model.rng.normal(0.0, params.focus_noise)
        self.next_focus = min(max(focus, 0.0), 1.0)

    def commit_focus(self) -> None:
        """Take the focus computed by `compute_customer_focus`."""
        self.customer_focus = self.next_focus

    # --- 5. turnover ---------------------------------------------------------------------
    def leaving_chance(self) -> float:
        """min(1, q (1 + s strain)) (`turnover.replace_leavers`)."""
        params = self.model.params
        return min(params.turnover_rate * (1.0 + params.strain_turnover * self.strain), 1.0)

    def maybe_leave(self) -> bool:
        """Leave with `leaving_chance`; the hire takes over this position. True if replaced."""
        params = self.model.params
        if params.turnover_rate == 0 or self.random.random() >= self.leaving_chance():
            self.weeks_in_post += 1
            return False
        hired = clipped_normal(self.model.rng, params.hire_attitude_mean, params.hire_attitude_sd)
        self.attitude = self.disposition = hired
        self.customer_focus = params.initial_customer_focus
        self.strain = 0.0
        self.weeks_in_post = 0
        return True
