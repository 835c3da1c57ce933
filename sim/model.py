"""OrgModel: owns the state arrays, runs the processes in the documented order, records outputs.

The order of a step (docs/ODD.md, "Process overview and scheduling"): encounters,
customers' churn and word of mouth, attitude contagion, the pull of one's own disposition,
distance drift, incentives, turnover and hiring, interventions, then outputs. Each process
is a pure function in `sim.processes`, synchronous within itself (it reads last values and
returns new arrays), which the model's method of the same step calls and whose results it
assigns; the processes run one after the other, each seeing what the previous one did.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import mesa
import numpy as np
import pandas as pd

from sim.agents import Employee, org_network
from sim.interventions import Intervention
from sim.organization import Organization, generate_organization, influence_matrix
from sim.params import Params, make_params
from sim.processes.contagion import InfluenceNetwork, spread_attitudes
from sim.processes.customers import draw_arrivals, draw_churn, spread_word_of_mouth
from sim.processes.disposition import pull_toward_disposition
from sim.processes.drift import distance_retention, drift_toward_impersonal
from sim.processes.encounters import FrontLine, feel_encounters, meet_customers, remember_encounters
from sim.processes.incentives import adapt_customer_focus, outcome_visibility
from sim.processes.interventions import (
    adjust_levers,
    apply_interventions,
    running_at,
    schedule_interventions,
)
from sim.processes.turnover import replace_leavers
from sim.recording import Recorder
from sim.state import (
    Individuals,
    Levers,
    initial_customers,
    initial_employees,
    initial_levers,
    place_individuals,
)

MECHANISMS = ("encounters", "contagion", "disposition", "drift", "turnover", "interventions")
"""The mechanisms whose contributions to the change in attitude are recorded each step."""

SET_AT_START = frozenset(
    {
        "n_employees",
        "span_of_control",
        "peer_tie_probability",
        "cross_department_ties",
        "departments",
        "customers_per_employee",
        "disposition_mean",
        "disposition_sd",
        "initial_satisfaction",
    }
)
"""Parameters read only when the model is built (the organization and the starting state):
changing one later would change nothing, so `OrgModel.set_params` refuses them."""


class LeverFactors(NamedTuple):
    """Per-employee factors that change only with the levers, so are computed once per change.

    Attributes:
        drift_retention: exp(-k (D - 1)), the share of the distance above -1 a week of
            drift keeps (`sim.processes.drift.distance_retention`).
        outcome_visibility: decay^(D - 1), how visible customer outcomes are from where
            one sits (`sim.processes.incentives.outcome_visibility`).
    """

    drift_retention: np.ndarray
    outcome_visibility: np.ndarray


class OrgModel(mesa.Model):
    """Attitudes toward customers in one organization, one step per week.

    Args:
        params: validated parameters; keyword overrides are applied on top.
        org: an organization (e.g. from `sim.orgchart.load_org_chart`); generated from
            `params` with the model's generator when None.
        seed: as in `mesa.Model`, another name for `rng`; give one of the two, not both.
        rng: seed or numpy Generator, passed to `mesa.Model`; all draws use it.
        interventions: the intervention schedule (`sim.interventions.Intervention` or
            dicts of its fields); participants are drawn when the model is built.
        individuals: particular people placed at the start (`sim.state.Individuals`).
        keep_history: keep every employee's attitude each week (for network pictures).
        **overrides: parameter values, e.g. `OrgModel(negativity_bias=1, rng=3)`;
            this is how `mesa.batch_run` passes its parameters.

    Attributes:
        datacollector: the `mesa.DataCollector` that holds the weekly output table; the
            model collects into it at the end of every step (`recorder.end_week`).
        levers: what interventions change (`sim.state.Levers`); assigning new levers
            recomputes `lever_factors`.
        lever_factors: drift retention and outcome visibility per employee (`LeverFactors`).
    """

    def __init__(
        self,
        params: Params | None = None,
        *,
        org: Organization | None = None,
        seed: Any = None,
        rng: Any = None,
        interventions: Any = None,
        individuals: Any = None,
        keep_history: bool = False,
        **overrides: Any,
    ) -> None:
        if seed is not None and rng is not None:
            raise ValueError("you have to pass either rng or seed, not both")
        super().__init__(rng=rng if seed is None else seed)
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
        self.base_levers = initial_levers(self.org, self.params)
        self.levers = self.base_levers
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
        self.interventions = schedule_interventions(interventions, self.org, self.intervention_rng)
        self.space = org_network(self.org, self.random)
        self.employee_agents = [Employee(self, i, self.space[i]) for i in range(self.org.size)]
        self.hires_this_week = 0
        self.recorder = Recorder(self, MECHANISMS, keep_history)
        self.datacollector = self.recorder.datacollector
        self.running = True

    @property
    def levers(self) -> Levers:
        """The effective values of what interventions change (`sim.state.Levers`)."""
        return self._levers

    @levers.setter
    def levers(self, levers: Levers) -> None:
        if levers is not getattr(self, "_levers", None):
            self._levers = levers
            self.lever_factors = LeverFactors(
                drift_retention=distance_retention(levers.effective_distance, levers.drift_rate),
                outcome_visibility=outcome_visibility(
                    levers.effective_distance, self.params.visibility_decay
                ),
            )

    # --- what-ifs during a run -----------------------------------------------------------
    def set_params(self, **changes: Any) -> None:
        """Change parameters from the next step on (a what-if during a run).

        The new values are validated (`sim.params.make_params`); the levers the parameters
        set are rebuilt, with the interventions running now applied again, and so is the
        influence network when a tie weight changed.

        Raises:
            ParamsError: an unknown parameter or a value out of range.
            ValueError: a parameter of `SET_AT_START`, which acts only when the model is built.
        """
        fixed = sorted(set(changes) & SET_AT_START)
        if fixed:
            raise ValueError(
                f"{', '.join(fixed)}: set when the model is built (the organization and the "
                "starting state), so it cannot change during a run"
            )
        old, self.params = self.params, make_params({**self.params.model_dump(), **changes})
        weights = ("boss_weight", "peer_weight", "report_weight")
        if any(getattr(old, name) != getattr(self.params, name) for name in weights):
            params = self.params
            self.influence = InfluenceNetwork.from_matrix(
                influence_matrix(
                    self.org, params.boss_weight, params.peer_weight, params.report_weight
                )
            )
        self.base_levers = initial_levers(self.org, self.params)
        levers = self.base_levers
        for index in running_at(self.interventions, self.steps):
            levers = adjust_levers(levers, self.interventions[index])
        self.levers = levers

    def add_interventions(self, interventions: Any) -> None:
        """Schedule more interventions during a run; each must start after the current week.

        Participants are drawn from the intervention generator, as for those given when the
        model was built.
        """
        specs = [
            item if isinstance(item, Intervention) else Intervention(**item)
            for item in interventions
        ]
        for spec in specs:
            if spec.start <= self.steps:
                raise ValueError(
                    f"{spec.name} starts in week {spec.start}, but the run has done "
                    f"{self.steps} weeks: it must start in week {self.steps + 1} or later"
                )
        self.interventions += schedule_interventions(specs, self.org, self.intervention_rng)

    # --- the week, in the order of docs/ODD.md ------------------------------------------
    def step(self) -> None:
        """One week: the processes of docs/ODD.md in order, then the outputs."""
        self.recorder.begin_week()
        self.serve_customers()
        self.customers_come_and_go()
        self.spread_attitudes()
        self.pull_toward_dispositions()
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
        """2. Attitude contagion with negativity bias."""
        params = self.params
        self._set_attitude(
            "contagion",
            spread_attitudes(
                self.employees.attitude,
                self.influence,
                params.contagion_rate,
                params.negativity_bias,
            ),
        )

    def pull_toward_dispositions(self) -> None:
        """2, continued. The pull of each employee's own disposition (Friedkin-Johnsen)."""
        self._set_attitude(
            "disposition",
            pull_toward_disposition(
                self.employees.attitude, self.employees.disposition, self.params.disposition_pull
            ),
        )

    def drift_with_distance(self) -> None:
        """3. Distance drift toward an impersonal attitude."""
        self._set_attitude(
            "drift",
            drift_toward_impersonal(self.employees.attitude, self.lever_factors.drift_retention),
        )

    def adapt_customer_focus(self) -> None:
        """4. Incentives: customer focus adapts toward what evaluations reward."""
        params, levers = self.params, self.levers
        self.employees.customer_focus = adapt_customer_focus(
            self.employees.customer_focus,
            self.employees.attitude,
            self.org.boss,
            levers.customer_weight,
            self.lever_factors.outcome_visibility,
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
        self.hires_this_week = int(turnover.replaced.sum())
        self.recorder.note_hires(self.hires_this_week)

    def apply_interventions(self) -> None:
        """6. Interventions act at their scheduled times."""
        effects = apply_interventions(
            self.interventions,
            self.steps,
            self.employees,
            self.levers,
            self.base_levers,
            hires=self.hires_this_week,
            wage_cost_per_hour=self.params.wage_cost_per_hour,
        )
        self.levers = effects.levers
        self.employees.customer_focus = effects.customer_focus
        self.employees.disposition = effects.disposition
        self._set_attitude("interventions", effects.attitude)
        self.recorder.note_spend(effects.spend)

    def _set_attitude(self, mechanism: str, attitude: np.ndarray) -> None:
        """Swap in new attitudes and book the change to `mechanism` (none if unchanged)."""
        if attitude is not self.employees.attitude:
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
