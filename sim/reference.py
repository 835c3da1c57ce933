"""The rules of OrgModel written agent by agent in plain Mesa: the test oracle and the baseline.

Every employee is a `ReferenceEmployee` holding its own state as Python floats and reading
its neighbours through the Mesa Network of the org chart; every customer is a
`ReferenceCustomer` in a plain list (both in `eachcustomer.sim.reference_agents`). Each mechanism is
a short method that states its rule; the equations are those of the vectorized modules in
`sim/processes/`, named in each
docstring. Nothing here is fast: it is meant to be read next to docs/ODD.md and to check
`eachcustomer.sim.model.OrgModel` against.

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
draws, so the two agree in distribution, not draw for draw. A customer contacts with
probability contact_rate, as in the core. It churns with probability
base_churn + dissatisfied_churn * max(0, -satisfaction), where the core's one leaving event
has 1 - (1 - base)(1 - fed up): the two differ by O(rate^2).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd

from eachcustomer.sim.agents import org_network
from eachcustomer.sim.metrics import BANDS, NEGATIVE_BELOW, POSITIVE_ABOVE
from eachcustomer.sim.organization import Organization, generate_organization
from eachcustomer.sim.params import Params, make_params
from eachcustomer.sim.reference_agents import (
    ReferenceCustomer,
    ReferenceEmployee,
    clipped_normal,
    soft_push,
)
from eachcustomer.sim.state import initial_customers, initial_employees

__all__ = [
    "ReferenceCustomer",
    "ReferenceEmployee",
    "ReferenceModel",
    "clipped_normal",
    "soft_push",
]


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
        self.offer_quality = float(base_customers.offer_quality[0])
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
        """1. Each active customer contacts with chance c = contact_rate; both remember it.

        A contact is a complaint with `complaint_chance`, goes to a random member of the
        complaint desk or the sales floor, and loses the customer for good with chance
        `loss_on_very_bad` if its quality is below `very_bad_quality` (the service's
        quality q, not the judged quality blended with the offer).
        """
        params, week = self.params, self.week
        contact_chance = params.contact_rate
        support = self.back_office_support()
        for customer in self.customers:
            if not customer.active or self.random.random() >= contact_chance:
                continue
            complaint = self.random.random() < customer.complaint_chance(params)
            pool = self.complaint_desk if complaint else self.sales_floor
            quality = self.random.choice(pool).serve(customer, complaint, support)
            customer.remember(quality, self.offer_quality, params)
            week["served"].append(customer)
            week["complaints"] += complaint
            week["bad"] += quality < 0
            week["very_bad"] += quality < params.very_bad_quality
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
        """1, continued. Churn, word of mouth, arrivals (`eachcustomer.sim.processes.customers`)."""
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
            "bad": 0,
            "very_bad": 0,
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
        row["bad_interactions"] = self.week["bad"]
        row["very_bad_interactions"] = self.week["very_bad"]
        row["walkouts"] = len(self.week["walked_out"])
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
