"""OrgModel: owns the state arrays, runs the processes in the documented order, records outputs.

The order of a step (docs/ODD.md, "Process overview and scheduling"): encounters,
customers' churn and word of mouth, attitude contagion, distance drift, incentives,
turnover and hiring, interventions, then outputs. Each process is synchronous within
itself (it reads last values and returns new arrays); the processes run one after the
other, each seeing what the previous one did.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import Network

from sim.agents import Employee
from sim.organization import Organization, generate_organization, influence_matrix
from sim.params import Params, make_params
from sim.processes.contagion import InfluenceNetwork, spread_attitudes
from sim.processes.customers import draw_arrivals, draw_churn, spread_word_of_mouth
from sim.processes.drift import distance_retention, drift_toward_impersonal
from sim.processes.encounters import FrontLine, feel_encounters, meet_customers, remember_encounters
from sim.processes.incentives import adapt_customer_focus, outcome_visibility
from sim.processes.turnover import replace_leavers
from sim.recording import Recorder
from sim.state import (
    Individuals,
    initial_customers,
    initial_employees,
    initial_levers,
    place_individuals,
)

MECHANISMS = ("encounters", "contagion", "drift", "turnover", "interventions")
"""The mechanisms whose contributions to the change in attitude are recorded each step."""


class OrgModel(mesa.Model):
    """Attitudes toward customers in one organization, one step per week.

    Args:
        params: validated parameters; keyword overrides are applied on top.
        org: an organization (e.g. from `sim.orgchart.load_org_chart`); generated from
            `params` with the model's generator when None.
        rng: seed or numpy Generator, passed to `mesa.Model`; all draws use it.
        interventions: a schedule (see `sim.processes.interventions`), applied each week.
        individuals: particular people placed at the start (`sim.state.Individuals`).
        keep_history: keep every employee's attitude each week (for network pictures).
        **overrides: parameter values, e.g. `OrgModel(negativity_bias=1, rng=3)`;
            this is how `mesa.batch_run` passes its parameters.
    """

    def __init__(
        self,
        params: Params | None = None,
        *,
        org: Organization | None = None,
        rng: Any = None,
        interventions: Any = None,
        individuals: Any = None,
        keep_history: bool = False,
        **overrides: Any,
    ) -> None:
        super().__init__(rng=rng)
        base = params if params is not None else Params()
        self.params = base if not overrides else make_params({**base.model_dump(), **overrides})
        self.org = org if org is not None else generate_organization(self.params, self.rng)
        self.employees = initial_employees(self.org, self.params, self.rng)
        if individuals:
            place_individuals(
                self.employees,
                self.org,
                [Individuals.model_validate(i) for i in individuals],
                self.rng,
            )
        self.customers = initial_customers(self.org, self.params, self.rng)
        self.levers = initial_levers(self.org, self.params)
        self._factors_of: object = None
        self.front = FrontLine.from_flags(self.org.customer_facing, self.org.handles_complaints)
        self.influence = InfluenceNetwork.from_matrix(
            influence_matrix(
                self.org,
                self.params.boss_weight,
                self.params.peer_weight,
                self.params.report_weight,
            )
        )
        # Interventions draw participants from their own stream, so that plans compared on
        # the same seed share the model's random numbers (common random numbers).
        self.intervention_rng = self.rng.spawn(1)[0]
        self.interventions = _schedule(interventions, self)
        self.space = Network(self.org.graph(), random=self.random)
        self.employee_agents = [
            Employee(self, i, self.space._cells[i]) for i in range(self.org.size)
        ]
        self.recorder = Recorder(self, MECHANISMS, keep_history)
        self.running = True

    @property
    def datacollector(self) -> mesa.DataCollector:
        """The weekly outputs as a Mesa DataCollector (what `mesa.batch_run` reads)."""
        return self.recorder.mesa_datacollector()

    # --- the week, in the order of docs/ODD.md ------------------------------------------
    def step(self) -> None:
        """One week: the processes of MODEL.md in order, then the outputs."""
        self.recorder.begin_week()
        self.serve_customers()
        self.customers_come_and_go()
        self.spread_attitudes()
        self.drift_with_distance()
        self.adapt_customer_focus()
        self.turn_over_staff()
        self.apply_interventions()
        self.recorder.end_week()

    def serve_customers(self) -> None:
        """1. Encounters: customers meet the front line and both remember it."""
        params, employees, customers = self.params, self.employees, self.customers
        self.encounters = meet_customers(employees, customers, self.front, params, self.rng)
        customers.set_satisfaction(
            self.encounters.customer, remember_encounters(customers, self.encounters, params)
        )
        customers.deactivate(self.encounters.customer[self.encounters.lost])
        attitude, employees.strain = feel_encounters(
            employees,
            self.encounters,
            self.levers.encounter_buffer,
            self.levers.strain_recovery,
            params,
        )
        self._set_attitude("encounters", attitude)

    def customers_come_and_go(self) -> None:
        """1, continued. Customers churn, talk, and new ones arrive expecting what they heard."""
        params, customers = self.params, self.customers
        churned = draw_churn(customers, params, self.rng)
        customers.deactivate(churned)
        week = self.encounters
        walked_out = week.customer[week.lost]
        customers.reputation = spread_word_of_mouth(
            customers, week.customer, walked_out, week.quality[week.lost], churned, params
        )
        lost = len(walked_out) + len(churned)
        arrived, expectation = draw_arrivals(customers, params, self.rng)
        customers.admit(arrived, expectation)
        self.recorder.note_customers(week, lost, expectation)

    def spread_attitudes(self) -> None:
        """2. Attitude contagion with negativity bias, and the pull of disposition."""
        params = self.params
        self._set_attitude(
            "contagion",
            spread_attitudes(
                self.employees.attitude,
                self.employees.disposition,
                self.influence,
                params.contagion_rate,
                params.negativity_bias,
                params.disposition_pull,
            ),
        )

    def drift_with_distance(self) -> None:
        """3. Distance drift toward an impersonal attitude."""
        self._set_attitude(
            "drift", drift_toward_impersonal(self.employees.attitude, self.lever_factors()[0])
        )

    def adapt_customer_focus(self) -> None:
        """4. Incentives: customer focus adapts toward what evaluations reward."""
        params, levers = self.params, self.levers
        self.employees.customer_focus = adapt_customer_focus(
            self.employees.customer_focus,
            self.employees.attitude,
            self.org.boss,
            levers.customer_weight,
            self.lever_factors()[1],
            incentive_rate=params.incentive_rate,
            shareholder_pressure=levers.shareholder_pressure,
            intrinsic_motivation=params.intrinsic_motivation,
            focus_noise=params.focus_noise,
            rng=self.rng,
        )

    def turn_over_staff(self) -> None:
        """5. Turnover and hiring."""
        params = self.params
        turnover = replace_leavers(
            self.employees,
            turnover_rate=params.turnover_rate,
            strain_turnover=params.strain_turnover,
            hire_attitude_mean=self.levers.hire_attitude_mean,
            hire_attitude_sd=params.hire_attitude_sd,
            hire_focus=params.initial_customer_focus,
            rng=self.rng,
        )
        attitude = turnover.employees.attitude
        turnover.employees.attitude = self.employees.attitude
        self.employees = turnover.employees
        self._set_attitude("turnover", attitude)
        self.recorder.note_hires(int(turnover.replaced.sum()))

    def apply_interventions(self) -> None:
        """6. Interventions act at their scheduled times."""
        if self.interventions is not None:
            attitude, spend = self.interventions.apply(self)
            self._set_attitude("interventions", attitude)
            self.recorder.note_spend(spend)

    def lever_factors(self) -> tuple[np.ndarray, np.ndarray]:
        """Drift retention and outcome visibility per employee, recomputed when levers change."""
        if self._factors_of is not self.levers:
            self._factors_of = self.levers
            self._factors = (
                distance_retention(self.levers.effective_distance, self.levers.drift_rate),
                outcome_visibility(self.levers.effective_distance, self.params.visibility_decay),
            )
        return self._factors

    def _set_attitude(self, mechanism: str, attitude: np.ndarray) -> None:
        """Swap in new attitudes and book the change to `mechanism`."""
        self.recorder.attribute(mechanism, attitude - self.employees.attitude)
        self.employees.attitude = attitude

    # --- outputs -----------------------------------------------------------------------
    def outputs(self) -> pd.DataFrame:
        """The tidy output table: one row per week, week 0 being the initial state."""
        return self.recorder.table()

    def attribution(self, by: str = "department") -> pd.DataFrame:
        """Why attitude changed: per week, group and mechanism, the change in mean attitude.

        Args:
            by: "department", "band" (distance band) or "all".
        """
        return self.recorder.attribution_table(by)

    def employee_table(self) -> pd.DataFrame:
        """Per-employee state now, one row per employee (for network pictures)."""
        org, staff = self.org, self.employees
        return pd.DataFrame(
            {
                "employee_id": org.employee_ids,
                "boss": [org.employee_ids[b] if b >= 0 else "" for b in org.boss],
                "department": np.asarray(org.department_names, dtype=object)[org.department],
                "level": org.level,
                "customer_facing": org.customer_facing,
                "handles_complaints": org.handles_complaints,
                "distance_to_customer": org.distance_to_customer,
                "attitude": staff.attitude,
                "disposition": staff.disposition,
                "customer_focus": staff.customer_focus,
                "strain": staff.strain,
                "weeks_in_post": staff.weeks_in_post,
            }
        )

    def attitude_history(self) -> np.ndarray:
        """(weeks + 1, employees) attitudes, if the model keeps history."""
        return self.recorder.history()

    def run(self, weeks: int | None = None) -> pd.DataFrame:
        """Step `weeks` times (default: the horizon) and return the output table."""
        for _ in range(self.params.horizon_weeks if weeks is None else weeks):
            self.step()
        return self.outputs()


def _schedule(interventions: Any, model: OrgModel) -> Any:
    """Bind an intervention schedule to the model, or None when there is none."""
    if not interventions:
        return None
    from sim.processes.interventions import Schedule  # noqa: PLC0415 - optional mechanism

    return Schedule.bind(interventions, model)
