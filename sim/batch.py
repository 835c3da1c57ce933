"""Batch: replications of one organization's model stepped together as one flattened model.

A batch holds R replications side by side: their employees one after the other in the same
arrays, their customers likewise, their networks as disconnected blocks of one network
(offset edge lists). Each process is a compiled kernel over all of them that draws its
random numbers where it uses them, replication by replication, each from that
replication's own generator and in the same order whatever R is (the batch converts its
generators once, `eachcustomer.sim.processes.sampling.generator_list`, since numba would
convert a Generator anew at every call); no kernel mixes replications, and every sum runs
over one replication's rows in their own order. So replication r gives the same
numbers, bit for bit, alone or in a batch of any size, and `OrgModel` is simply a batch of
one. Replications may differ in their interventions (plans compared on common random
numbers) and, for a generated organization, in their random ties.

The order of a step (docs/ODD.md, "Process overview and scheduling"): encounters,
customers' churn and word of mouth, attitude contagion, the pull of one's own disposition,
distance drift, incentives, turnover and hiring, interventions, players' choices held
(a class session's, `eachcustomer.sim.players`; nothing without players), then outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from eachcustomer.sim.individuals import Individuals, place_individuals
from eachcustomer.sim.lever_arrays import LeverArrays
from eachcustomer.sim.organization import Organization, generate_organization, influence_rows
from eachcustomer.sim.params import Params
from eachcustomer.sim.players import Choice, Player, Seats, check_players
from eachcustomer.sim.processes.contagion import InfluenceNetwork, spread_attitudes
from eachcustomer.sim.processes.customers import (
    arrive,
    leave,
    remember_encounters,
    spread_word_of_mouth,
)
from eachcustomer.sim.processes.disposition import pull_toward_disposition
from eachcustomer.sim.processes.drift import drift_toward_impersonal
from eachcustomer.sim.processes.encounters import FrontLine, feel_encounters, meet_customers
from eachcustomer.sim.processes.incentives import adapt_customer_focus
from eachcustomer.sim.processes.interventions import (
    ScheduledIntervention,
    apply_interventions,
    levers_in_force,
    schedule_interventions,
)
from eachcustomer.sim.processes.players import hold_focus, hold_retention
from eachcustomer.sim.processes.sampling import generator_list
from eachcustomer.sim.processes.turnover import replace_leavers
from eachcustomer.sim.recording import Recorder
from eachcustomer.sim.state import (
    ACTIVE,
    Customers,
    Employees,
    Levers,
    initial_customers,
    initial_employees,
    initial_levers,
)

MECHANISMS = ("encounters", "contagion", "disposition", "drift", "turnover", "interventions")
"""The mechanisms whose contributions to the change in attitude are recorded each step."""


@dataclass(frozen=True)
class Replication:
    """One replication before it joins a batch: its organization, start, generators and plan.

    Attributes:
        org: its organization.
        employees: its staff at the start.
        customers: its customer base at the start.
        levers: the levers with no intervention (from the parameters).
        schedule: its interventions, participants drawn.
        rng: the generator of every draw after the start.
        intervention_rng: the separate stream its interventions' participants came from.
        players: employees played by people (`eachcustomer.sim.players`), if any.
    """

    org: Organization
    employees: Employees
    customers: Customers
    levers: Levers
    schedule: tuple[ScheduledIntervention, ...]
    rng: np.random.Generator
    intervention_rng: np.random.Generator
    players: tuple[Player, ...] = ()


def start_replication(
    params: Params,
    org: Organization | None,
    rng: Any,
    interventions: Any = None,
    individuals: Any = None,
    players: Any = None,
) -> Replication:
    """Draw one replication's start: organization (if not given), staff, customers, plan.

    Args:
        params: the parameters.
        org: a loaded organization; generated with `rng` when None.
        rng: a numpy Generator, or a seed for one.
        interventions: the intervention schedule (`Intervention`s or dicts), or None.
        individuals: particular people placed at the start, or None.
        players: employees played by people (`Player`s or dicts of their fields), or None.

    Interventions draw their participants from a stream of their own (spawned from `rng`),
    so plans compared on the same seed share every other random number.
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    org = org if org is not None else generate_organization(params, rng)
    employees = initial_employees(org, params, rng)
    if individuals:
        chosen = [Individuals.model_validate(i) for i in individuals]
        place_individuals(employees, org, chosen, rng)
    customers = initial_customers(org, params, rng)
    intervention_rng = rng.spawn(1)[0]
    schedule = schedule_interventions(interventions, org, intervention_rng)
    seated = tuple(p if isinstance(p, Player) else Player(**p) for p in players or ())
    check_players(seated, org.size)
    return Replication(
        org,
        employees,
        customers,
        initial_levers(org, params),
        schedule,
        rng,
        intervention_rng,
        seated,
    )


def _starts(sizes: list[int]) -> np.ndarray:
    return np.cumsum([0, *sizes]).astype(np.int64)


class Batch:
    """Replications of one model stepped together; replication r's numbers do not depend on R.

    Args:
        replications: each replication's start (`start_replication`), all with organizations
            of the same departments and levels.
        params: the parameters they share.
        keep_history: keep every employee's attitude each week (for network pictures).

    Attributes:
        week: weeks stepped so far.
        employees: the staff of every replication, replication r in rows
            `employee_start[r]` to `employee_start[r + 1] - 1`.
        customers: the customer bases (`eachcustomer.sim.state.Customers`, which knows their slots).
        levers: each replication's levers (`eachcustomer.sim.state.Levers`); `lever_arrays` holds
        them
            side by side for the kernels.
        recorder: the weekly outputs of every replication (`eachcustomer.sim.recording.Recorder`).
    """

    def __init__(
        self, replications: list[Replication], params: Params, keep_history: bool = False
    ) -> None:
        self.params = params
        self.orgs = [r.org for r in replications]
        self.rngs = [r.rng for r in replications]
        self.generators = generator_list(self.rngs)
        self.schedules = [r.schedule for r in replications]
        self.employee_start = _starts([org.size for org in self.orgs])
        offsets = self.employee_start[:-1]
        self.boss = np.concatenate(
            [
                np.where(o.boss >= 0, o.boss + first, -1)
                for o, first in zip(self.orgs, offsets, strict=True)
            ]
        ).astype(np.int64)
        self.employees = Employees.concatenate([r.employees for r in replications])
        self.customers = Customers.concatenate([r.customers for r in replications])
        self.base_levers = [r.levers for r in replications]
        self.levers = list(self.base_levers)
        self.lever_arrays = LeverArrays.of(self.levers, params.visibility_decay)
        self.front = FrontLine.from_flags(
            np.concatenate([o.customer_facing for o in self.orgs]),
            np.concatenate([o.handles_complaints for o in self.orgs]),
            self.employee_start,
        )
        self.influence = self._influence(params)
        self.week = 0
        self.hires = np.zeros(len(replications), dtype=np.int64)
        players = [r.players for r in replications]
        self.seats = Seats.of(players, self.employee_start) if any(players) else None
        self.hold_players_choices()
        self.recorder = Recorder(self, MECHANISMS, keep_history)

    @property
    def size(self) -> int:
        """Number of replications."""
        return len(self.orgs)

    def _influence(self, params: Params) -> InfluenceNetwork:
        """Every replication's influence network, as disconnected blocks of one."""
        return InfluenceNetwork.concatenate(
            [
                InfluenceNetwork(
                    *influence_rows(o, params.boss_weight, params.peer_weight, params.report_weight)
                )
                for o in self.orgs
            ]
        )

    # --- what-ifs during a run -----------------------------------------------------------
    def set_params(self, params: Params) -> None:
        """Parameters in force from the next step on, for every replication.

        The levers the parameters set are rebuilt, with each replication's running
        interventions applied again, and so is the influence network when a tie weight
        changed. Parameters that set the organization or the starting state change nothing
        here (`eachcustomer.sim.model.SET_AT_START`).
        """
        old, self.params = self.params, params
        weights = ("boss_weight", "peer_weight", "report_weight")
        if any(getattr(old, name) != getattr(params, name) for name in weights):
            self.influence = self._influence(params)
        self.base_levers = [initial_levers(org, params) for org in self.orgs]
        self.levers = [
            levers_in_force(schedule, self.week, base)
            for schedule, base in zip(self.schedules, self.base_levers, strict=True)
        ]
        self.lever_arrays = LeverArrays.of(self.levers, params.visibility_decay)
        self.hold_players_choices()

    def seat(self, copy: int, player: Player) -> None:
        """Seat a player in replication `copy` during the run (a student who joins late).

        A player seated without a choice changes nothing until they choose, so a run that
        seats them from the start (a replay) gives the same numbers.
        """
        if self.seats is None:
            self.seats = Seats.of([() for _ in self.orgs], self.employee_start)
        check_players((*self.seats.players[copy], player), self.orgs[copy].size)
        self.seats.seat(copy, player, int(self.employee_start[copy]))
        self.hold_players_choices()

    def set_choices(self, copy: int, choices: dict[str, Choice]) -> None:
        """Players of replication `copy` choose anew, from the next step on (by name)."""
        if self.seats is None:
            raise ValueError(f"no players to choose: {', '.join(map(repr, choices))}")
        self.seats.choose(copy, choices)
        self.hold_players_choices()

    def add_interventions(self, copy: int, scheduled: tuple[ScheduledIntervention, ...]) -> None:
        """Add interventions, participants drawn, to replication `copy`'s schedule."""
        self.schedules[copy] = self.schedules[copy] + scheduled

    # --- the week, in the order of docs/ODD.md ------------------------------------------
    def step(self) -> None:
        """One week of every replication: the processes of docs/ODD.md in order, then outputs."""
        self.week += 1
        self.recorder.begin_week()
        self.serve_customers()
        self.customers_come_and_go()
        self.spread_attitudes()
        self.pull_toward_dispositions()
        self.drift_with_distance()
        self.adapt_customer_focus()
        self.turn_over_staff()
        self.apply_interventions()
        self.hold_players_choices()
        self.recorder.end_week()

    def serve_customers(self) -> None:
        """1. Encounters: customers meet the front line and both remember it."""
        params, employees, levers = self.params, self.employees, self.lever_arrays
        self.encounters = meet_customers(
            employees, self.customers, self.front, self.employee_start, params, self.generators
        )
        remember_encounters(self.customers, self.encounters, params)
        attitude, employees.strain = feel_encounters(
            employees, self.encounters, levers.encounter_buffer, levers.strain_recovery, params
        )
        self._set_attitude("encounters", attitude)
        self.recorder.note_encounters(self.encounters, params.very_bad_quality)

    def customers_come_and_go(self) -> None:
        """1, continued. Customers churn, talk, and new ones arrive expecting what they heard."""
        params, customers, week = self.params, self.customers, self.encounters
        active_before = customers.tally[:, ACTIVE].copy()
        churned = leave(customers, params, self.generators)
        churned_count = active_before - customers.tally[:, ACTIVE]
        walked_out = week.customer[week.lost]
        customers.reputation = spread_word_of_mouth(
            customers, week.customer, walked_out, week.quality[week.lost], churned, params
        )
        arrived = arrive(customers, params, self.rngs, self.generators)
        self.recorder.note_customers(churned_count, arrived)

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
            drift_toward_impersonal(self.employees.attitude, self.lever_arrays.drift_retention),
        )

    def adapt_customer_focus(self) -> None:
        """4. Incentives: customer focus adapts toward what evaluations reward."""
        params, levers = self.params, self.lever_arrays
        self.employees.customer_focus = adapt_customer_focus(
            self.employees.customer_focus,
            self.employees.attitude,
            self.boss,
            levers.customer_weight,
            levers.outcome_visibility,
            levers.orientation_shift,
            employee_start=self.employee_start,
            incentive_rate=params.incentive_rate,
            shareholder_pressure=levers.shareholder_pressure,
            intrinsic_motivation=params.intrinsic_motivation,
            focus_noise=params.focus_noise,
            generators=self.generators,
        )

    def turn_over_staff(self) -> None:
        """5. Turnover and hiring."""
        params = self.params
        turnover = replace_leavers(
            self.employees,
            employee_start=self.employee_start,
            turnover_rate=params.turnover_rate,
            strain_turnover=params.strain_turnover,
            hire_attitude_mean=self.lever_arrays.hire_attitude_mean,
            hire_attitude_sd=params.hire_attitude_sd,
            hire_focus=params.initial_customer_focus,
            generators=self.generators,
        )
        attitude = turnover.employees.attitude
        turnover.employees.attitude = self.employees.attitude
        self.employees = turnover.employees
        self._set_attitude("turnover", attitude)
        self.hires = turnover.hires
        self.recorder.note_hires(self.hires)

    def apply_interventions(self) -> None:
        """6. Interventions act at their scheduled times, replication by replication."""
        staff = self.employees
        spend = np.zeros(self.size)
        attitude, focus, disposition = staff.attitude, staff.customer_focus, staff.disposition
        for copy, schedule in enumerate(self.schedules):
            if not schedule:
                continue
            first, stop = int(self.employee_start[copy]), int(self.employee_start[copy + 1])
            rows = staff.rows(first, stop)
            effects = apply_interventions(
                schedule,
                self.week,
                rows,
                self.levers[copy],
                self.base_levers[copy],
                hires=int(self.hires[copy]),
                wage_cost_per_hour=self.params.wage_cost_per_hour,
                leader_wage_ratio=self.params.leader_wage_ratio,
                lasting_share=self.params.lasting_share,
            )
            spend[copy] = effects.spend
            attitude = _with_rows(attitude, staff.attitude, first, effects.attitude, rows.attitude)
            focus = _with_rows(
                focus, staff.customer_focus, first, effects.customer_focus, rows.customer_focus
            )
            disposition = _with_rows(
                disposition, staff.disposition, first, effects.disposition, rows.disposition
            )
            if effects.levers is not self.levers[copy]:
                self.levers[copy] = effects.levers
                self.lever_arrays.set_replication(
                    copy, first, stop, effects.levers, self.params.visibility_decay
                )
        staff.customer_focus, staff.disposition = focus, disposition
        self._set_attitude("interventions", attitude)
        self.recorder.note_spend(spend)

    def hold_players_choices(self) -> None:
        """7. Players hold their choices: their focus, and their drift as they speak."""
        seats = self.seats
        if seats is None:
            return
        self.employees.customer_focus = hold_focus(self.employees.customer_focus, seats)
        self.lever_arrays.drift_retention = hold_retention(
            self.lever_arrays.drift_retention,
            seats,
            np.concatenate([lv.effective_distance for lv in self.levers]),
            np.concatenate([lv.drift_rate for lv in self.levers]),
        )

    def _set_attitude(self, mechanism: str, attitude: np.ndarray) -> None:
        """Swap in new attitudes and book the change to `mechanism` (none if unchanged)."""
        if attitude is not self.employees.attitude:
            self.recorder.attribute(mechanism, attitude)
            self.employees.attitude = attitude


def _with_rows(
    current: np.ndarray, original: np.ndarray, first: int, rows: np.ndarray, old_rows: np.ndarray
) -> np.ndarray:
    """`current` with rows first.. set to `rows`, copied once before the first change."""
    if rows is old_rows:
        return current
    if current is original:
        current = original.copy()
    current[first : first + len(rows)] = rows
    return current
