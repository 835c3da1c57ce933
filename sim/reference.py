"""The rules of OrgModel written agent by agent in plain Mesa: the test oracle and the baseline.

Every employee is a `ReferenceEmployee` holding its own state as Python floats and reading
its neighbours through the Mesa Network of the org chart; every customer is a
`ReferenceCustomer` in a plain list. Each mechanism is a short method that states its rule;
the equations are those of the vectorized modules in `sim/processes/`, named in each
docstring. Nothing here is fast: it is meant to be read next to docs/ODD.md and to check
`sim.model.OrgModel` against.

A week, as in `OrgModel.step`:

1. serve customers (encounters), then customers churn, talk and arrive;
2. contagion: everyone computes a new attitude from last week's, then all commit; then
   everyone is pulled toward their own disposition;
3. distance drift;
4. incentives: everyone computes a new focus from the boss's old focus, then all commit;
5. turnover and hiring;

then the outputs are recorded by looping over agents and customers.

Deterministic mechanisms (contagion, drift, incentives without noise, strain recovery)
match the vectorized core to rounding. Stochastic ones follow the same rules with their own
draws, so the two agree in distribution, not draw for draw. Where the core's sampling is an
approximation of its documented rule, the reference uses the rule: a customer contacts with
probability 1 - exp(-contact_rate) and churns with probability
base_churn + dissatisfied_churn * max(0, -satisfaction); the core's draws with replacement
differ from these by O(rate^2 / slots) and O(rate^2) respectively.
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import Cell, FixedAgent

from sim.agents import org_network
from sim.metrics import BANDS, NEGATIVE_BELOW, POSITIVE_ABOVE
from sim.organization import Organization, generate_organization
from sim.params import Params, make_params
from sim.state import initial_customers, initial_employees


def clipped_normal(rng: np.random.Generator, mean: float, sd: float) -> float:
    """One normal draw clipped to [-1, 1]; no draw when `sd` is 0 (as `sim.state`)."""
    value = mean if sd == 0 else rng.normal(mean, sd)
    return min(max(float(value), -1.0), 1.0)


def soft_push(attitude: float, push: float) -> float:
    """`sim.processes.bounds.push_attitude`: a + x (1 - a) for x >= 0, a + x (1 + a) below."""
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

    def remember(self, quality: float, params: Params) -> None:
        """Move satisfaction toward the quality q (`customers.remember_encounters`).

        s' = s + min(1, lambda w) (q - s), w the bad-interaction weight when q < 0.
        """
        weight = params.bad_interaction_weight if quality < 0 else 1.0
        step = min(params.satisfaction_learning * weight, 1.0)
        self.satisfaction += step * (quality - self.satisfaction)

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


class ReferenceModel(mesa.Model):
    """OrgModel's rules, one agent and one customer at a time.

    Args:
        params: validated parameters; keyword overrides are applied on top.
        org: an organization; generated from `params` with the model's generator when None.
        rng: seed or numpy Generator, passed to `mesa.Model`. The same seed gives the same
            organization and initial state as `OrgModel`, drawn in the same order.
        **overrides: parameter values, as for `OrgModel`.

    """

    def __init__(
        self,
        params: Params | None = None,
        *,
        org: Organization | None = None,
        rng: Any = None,
        **overrides: Any,
    ) -> None:
        super().__init__(rng=rng)
        base = params if params is not None else Params()
        self.params = base if not overrides else make_params({**base.model_dump(), **overrides})
        self.org = org if org is not None else generate_organization(self.params, self.rng)
        staff = initial_employees(self.org, self.params, self.rng)
        base_customers = initial_customers(self.org, self.params, self.rng)
        self.space = org_network(self.org, self.random)
        self.employees = [
            ReferenceEmployee(
                self,
                i,
                self.space[i],
                attitude=float(staff.attitude[i]),
                disposition=float(staff.disposition[i]),
                customer_focus=float(staff.customer_focus[i]),
                strain=float(staff.strain[i]),
            )
            for i in range(self.org.size)
        ]
        for employee, boss in zip(self.employees, self.org.boss.tolist(), strict=True):
            employee.boss = self.employees[boss] if boss >= 0 else None
        self.customers = [
            ReferenceCustomer(float(e), float(s), bool(a))
            for e, s, a in zip(
                base_customers.expectation,
                base_customers.satisfaction,
                base_customers.active,
                strict=True,
            )
        ]
        self.base_size = int(base_customers.base_size[0])
        self.reputation = float(base_customers.reputation[0])
        self.front_line = [e for e in self.employees if e.customer_facing]
        self.back_office = [e for e in self.employees if not e.customer_facing]
        desk = [e for e in self.front_line if e.handles_complaints]
        floor = [e for e in self.front_line if not e.handles_complaints]
        self.complaint_desk = desk or floor  # either pool serves all contacts if the other is empty
        self.sales_floor = floor or desk
        self.week = self._empty_week()
        self.rows: list[dict[str, float]] = [self.record()]

    # --- the week ------------------------------------------------------------------------
    def step(self) -> None:
        """One week, in OrgModel's order, then the outputs."""
        self.week = self._empty_week()
        self.serve_customers()
        self.customers_come_and_go()
        self.spread_attitudes()
        self.pull_toward_dispositions()
        self.drift_with_distance()
        self.adapt_customer_focus()
        self.turn_over_staff()
        self.rows.append(self.record())

    def serve_customers(self) -> None:
        """1. Each active customer contacts with chance 1 - exp(-c); both remember it.

        A contact is a complaint with `complaint_chance`, goes to a random member of the
        complaint desk or the sales floor, and loses the customer for good with chance
        `loss_on_very_bad` if its quality is below `very_bad_quality`.
        """
        params, week = self.params, self.week
        contact_chance = 1.0 - math.exp(-params.contact_rate)
        support = self.back_office_support()
        for customer in self.customers:
            if not customer.active or self.random.random() >= contact_chance:
                continue
            complaint = self.random.random() < customer.complaint_chance(params)
            pool = self.complaint_desk if complaint else self.sales_floor
            quality = self.random.choice(pool).serve(customer, complaint, support)
            customer.remember(quality, params)
            week["served"].append(customer)
            week["complaints"] += complaint
            if quality < params.very_bad_quality and self.random.random() < params.loss_on_very_bad:
                customer.active = False
                week["walked_out"].append(quality)
        for employee in self.employees:
            employee.feel_encounters()

    def back_office_support(self) -> float:
        """S: mean customer focus of those who do not face customers (1/2 if none)."""
        if not self.back_office:
            return 0.5
        return sum(e.customer_focus for e in self.back_office) / len(self.back_office)

    def customers_come_and_go(self) -> None:
        """1, continued. Churn, word of mouth, arrivals (`sim.processes.customers`)."""
        params, week = self.params, self.week
        for customer in self.customers:
            if customer.active and self.random.random() < customer.churn_chance(params):
                customer.active = False
                week["churned"].append(customer)
        self.reputation = self.word_of_mouth()
        empty = [c for c in self.customers if not c.active]
        count = min(int(self.rng.poisson(params.acquisition_rate * self.base_size)), len(empty))
        expected = params.prior_expectation + params.word_of_mouth * self.reputation
        for customer in self.random.sample(empty, count):
            customer.expectation = customer.satisfaction = clipped_normal(
                self.rng, expected, params.expectation_sd
            )
            customer.active = True
        week["arrived"] = count
        week["lost"] = len(week["walked_out"]) + len(week["churned"])

    def word_of_mouth(self) -> float:
        """R' = R + memory (said - R), said the voice-weighted mean of this week's speakers.

        Speakers: served customers still active (their satisfaction, voice 1 or
        unhappy_voice below 0); those who walked out (the interaction's quality) and those
        who churned (their satisfaction), both with lost_voice.
        """
        params, week = self.params, self.week
        said = [(c.satisfaction, False) for c in week["served"] if c.active]
        said += [(quality, True) for quality in week["walked_out"]]
        said += [(c.satisfaction, True) for c in week["churned"]]
        if not said:
            return self.reputation
        voices = [
            params.lost_voice if lost else params.unhappy_voice if value < 0 else 1.0
            for value, lost in said
        ]
        sentiment = sum(v * value for v, (value, _) in zip(voices, said, strict=True)) / sum(voices)
        return self.reputation + params.reputation_memory * (sentiment - self.reputation)

    def spread_attitudes(self) -> None:
        """2. Synchronous contagion: all compute from old attitudes, then all commit."""
        for employee in self.employees:
            employee.compute_contagion()
        for employee in self.employees:
            employee.commit_attitude()

    def pull_toward_dispositions(self) -> None:
        """2, continued. Each is pulled toward their own disposition (alone, no commit phase)."""
        for employee in self.employees:
            employee.pull_toward_disposition()

    def drift_with_distance(self) -> None:
        """3. Distance drift (each employee alone, so no commit phase is needed)."""
        for employee in self.employees:
            employee.drift_with_distance()

    def adapt_customer_focus(self) -> None:
        """4. Synchronous incentives: all read their boss's old focus, then all commit."""
        for employee in self.employees:
            employee.compute_customer_focus()
        for employee in self.employees:
            employee.commit_focus()

    def turn_over_staff(self) -> None:
        """5. Turnover and hiring."""
        self.week["hires"] = sum(employee.maybe_leave() for employee in self.employees)

    # --- outputs -------------------------------------------------------------------------
    @staticmethod
    def _empty_week() -> dict[str, Any]:
        return {
            "served": [],
            "walked_out": [],
            "churned": [],
            "complaints": 0,
            "arrived": 0,
            "lost": 0,
            "hires": 0,
        }

    def record(self) -> dict[str, float]:
        """Return the week's output row, computed by looping over agents and customers."""
        staff = self.employees
        row: dict[str, float] = {
            "week": self.steps,
            "mean_attitude": _mean(e.attitude for e in staff),
        }
        for band, name in enumerate(BANDS):
            row[f"attitude_band_{name}"] = _mean(
                e.attitude for e in staff if min(max(int(e.distance), 1), 4) - 1 == band
            )
        row["mean_customer_focus"] = _mean(e.customer_focus for e in staff)
        row["focus_front_line"] = _mean(e.customer_focus for e in self.front_line)
        row["focus_back_office"] = _mean(e.customer_focus for e in self.back_office)
        row["strain_front_line"] = _mean(e.strain for e in self.front_line)
        row["share_negative"] = sum(e.attitude < NEGATIVE_BELOW for e in staff) / len(staff)
        row["share_positive"] = sum(e.attitude > POSITIVE_ABOVE for e in staff) / len(staff)
        active = [c.satisfaction for c in self.customers if c.active]
        row["active_customers"] = len(active)
        row["mean_satisfaction"] = _mean(active)
        row["reputation"] = self.reputation
        row["contacts"] = len(self.week["served"])
        row["complaints"] = self.week["complaints"]
        row["customers_lost"] = self.week["lost"]
        row["customers_arrived"] = self.week["arrived"]
        row["hires"] = self.week["hires"]
        return row

    def outputs(self) -> pd.DataFrame:
        """One row per week, week 0 being the initial state."""
        return pd.DataFrame(self.rows)

    def attitudes(self) -> np.ndarray:
        """Attitudes in position order."""
        return np.array([e.attitude for e in self.employees])

    def focuses(self) -> np.ndarray:
        """Return customer focus in position order."""
        return np.array([e.customer_focus for e in self.employees])

    def strains(self) -> np.ndarray:
        """Strain in position order."""
        return np.array([e.strain for e in self.employees])

    def run(self, weeks: int | None = None) -> pd.DataFrame:
        """Step `weeks` times (default: the horizon) and return the output table."""
        for _ in range(self.params.horizon_weeks if weeks is None else weeks):
            self.step()
        return self.outputs()


def _mean(values: Any) -> float:
    """Mean of an iterable of numbers; NaN if it is empty."""
    values = list(values)
    return sum(values) / len(values) if values else float("nan")
