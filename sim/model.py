"""OrgModel: one organization's model as a Mesa model, stepping a batch of one replication.

The state arrays, the processes in the documented order and the outputs are those of
`eachcustomer.sim.batch.Batch` (docs/ODD.md, "Process overview and scheduling": encounters,
customers' churn and word of mouth, attitude contagion, the pull of one's own disposition, distance
drift, incentives, turnover and hiring, interventions, then outputs). `OrgModel` is a batch
of one replication whose generator is the Mesa model's own `rng`, so a run here gives the
same numbers as the same seed in any batch (`eachcustomer.sim.batch`,
`eachcustomer.experiments.running.runs`).

What Mesa users expect is here too, built on first use: the `Employee` agents
(`model.agents`), the org network as a Mesa `Network` with each agent on its cell
(`model.space`, also `model.grid` and `model.network`), and the `DataCollector` holding the
output table (`model.datacollector`); any one of them builds what the others need, so
Mesa's visualization (`SolaraViz`, `draw_space`) works on a fresh model
(experiments/examples/mesa_viz.py).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.agent import AgentSet
from mesa.discrete_space import Network

from eachcustomer.sim.agents import Employee, org_network
from eachcustomer.sim.batch import MECHANISMS, Batch, start_replication
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.params import SET_AT_START, Params, make_params
from eachcustomer.sim.players import Choice
from eachcustomer.sim.processes.interventions import ScheduledIntervention, schedule_interventions
from eachcustomer.sim.state import Customers, Employees, Levers

__all__ = ["MECHANISMS", "OrgModel"]


def _reporter(column: str) -> Callable[[OrgModel], Any]:
    """A model reporter of the model's DataCollector: one column of the row being collected.

    A plain function of the model, not a `functools.partial`: Mesa 3.4's DataCollector takes
    a partial for a bound method and validates it by calling it without the model.
    """

    def reported(model: OrgModel) -> Any:
        return model._reporting[column]

    return reported


def _from_scenario(scenario: Any, rng: Any) -> tuple[Any, dict[str, Any]]:
    """The seed a Mesa scenario gives a model, and the parameter values it carries.

    Mesa 3.5 refuses a `rng` that differs from the scenario's; one the scenario leaves unset
    (SolaraViz's Reset passes a bare `Scenario()` beside its seed slider) takes the model's.
    """
    values = dict(vars(scenario))
    own = values.pop("rng", None)
    if rng is None:
        rng = own
    elif own is not None and own is not rng and own != rng:
        raise ValueError("rng and scenario.rng must be the same")
    else:
        scenario.rng = rng
    return rng, values


class OrgModel(mesa.Model):
    """Attitudes toward customers in one organization, one step per week.

    Args:
        params: validated parameters; keyword overrides are applied on top.
        org: an organization (e.g. from `eachcustomer.sim.orgchart.load_org_chart`); generated from
            `params` with the model's generator when None.
        seed: as in `mesa.Model`, another name for `rng`; give one of the two, not both.
        rng: seed or numpy Generator, passed to `mesa.Model`; all draws use it.
        interventions: the intervention schedule (`eachcustomer.sim.interventions.Intervention` or
            dicts of its fields); participants are drawn when the model is built.
        individuals: particular people placed at the start
            (`eachcustomer.sim.individuals.Individuals`).
        players: employees played by people, a class session's students
            (`eachcustomer.sim.players.Player` or dicts of its fields); `set_choices` changes
            their choices during the run.
        keep_history: keep every employee's attitude each week (for network pictures).
        scenario: a Mesa scenario (Mesa 3.5's `mesa.experimental.scenarios.Scenario`, which
            SolaraViz's Reset passes): its `rng` seeds the model when neither `seed` nor `rng`
            is given (it is set to the one given otherwise), and its other values are
            parameter values, under those given as keywords.
        **kwargs: parameter values, e.g. `OrgModel(negativity_bias=1, rng=3)`;
            this is how `mesa.batch_run` and SolaraViz's Reset pass their parameters. (Named
            `kwargs` because Mesa 3.3's SolaraViz checks its model parameters against the
            signature and accepts any name only for a `**kwargs`.)

    Attributes:
        batch: the batch of one replication that holds the state and steps it.
        org: the organization.
        intervention_rng: the stream interventions draw their participants from.
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
        players: Any = None,
        keep_history: bool = False,
        scenario: Any = None,
        **kwargs: Any,
    ) -> None:
        if seed is not None and rng is not None:
            raise ValueError("you have to pass either rng or seed, not both")
        rng = rng if seed is None else seed
        if scenario is None:
            super().__init__(rng=rng)
        else:
            rng, values = _from_scenario(scenario, rng)
            kwargs = {**values, **kwargs}
            if "scenario" in inspect.signature(mesa.Model.__init__).parameters:
                super().__init__(rng=rng, scenario=scenario)
            else:
                super().__init__(rng=rng)
        base = params if params is not None else Params()
        params = base if not kwargs else make_params({**base.model_dump(), **kwargs})
        replication = start_replication(params, org, self.rng, interventions, individuals, players)
        self.org = replication.org
        self.intervention_rng = replication.intervention_rng
        self.batch = Batch([replication], params, keep_history)
        self._space: Network | None = None
        self._employee_agents: list[Employee] | None = None
        self._datacollector: mesa.DataCollector | None = None
        self.running = True

    # --- the state of the one replication ---------------------------------------------
    @property
    def params(self) -> Params:
        """The parameters in force (`set_params` changes them during a run)."""
        return self.batch.params

    @property
    def interventions(self) -> tuple[ScheduledIntervention, ...]:
        """The intervention schedule with its participants drawn."""
        return self.batch.schedules[0]

    @property
    def employees(self) -> Employees:
        """Employee state arrays (`eachcustomer.sim.state.Employees`)."""
        return self.batch.employees

    @employees.setter
    def employees(self, employees: Employees) -> None:
        self.batch.employees = employees

    @property
    def customers(self) -> Customers:
        """The customer base (`eachcustomer.sim.state.Customers`, tallies of one replication)."""
        return self.batch.customers

    @property
    def levers(self) -> Levers:
        """The effective values of what interventions change (`eachcustomer.sim.state.Levers`)."""
        return self.batch.levers[0]

    @property
    def base_levers(self) -> Levers:
        """The levers with no intervention, as the parameters set them."""
        return self.batch.base_levers[0]

    @property
    def hires_this_week(self) -> int:
        """Hires of the last week."""
        return int(self.batch.hires[0])

    # --- Mesa's view, built on first use ---------------------------------------------------
    # A run reads only the arrays; the Mesa Network and the Employee agents cost more to
    # build than a default run's steps, so they are made when something first asks for them.
    # Every public way in builds both at once (`model.agents`, `agents_by_type`,
    # `agent_types`, `model.space` and its Mesa-style names `grid` and `network`, an agent
    # reporter of a DataCollector): Mesa's own tools read one and expect the other, e.g.
    # `mesa.visualization.draw_space(model.space, ...)` reads `space.agents`, the agents
    # standing in its cells.
    def _mesa_view(self) -> tuple[Network, list[Employee]]:
        """The org network and one `Employee` per position on its cell, made once."""
        if self._space is None or self._employee_agents is None:
            space = org_network(self.org, self.random)
            self._employee_agents = [Employee(self, i, space[i]) for i in range(self.org.size)]
            self._space = space
        return self._space, self._employee_agents

    @property
    def space(self) -> Network:
        """The org network as a Mesa `Network`, cell `i` being position `i`, its agent on it."""
        return self._mesa_view()[0]

    @property
    def grid(self) -> Network:
        """`space` under the name Mesa's visualization looks for first (`model.grid`)."""
        return self.space

    @property
    def network(self) -> Network:
        """`space` under the name of Mesa's network examples (`model.network`)."""
        return self.space

    @property
    def employee_agents(self) -> list[Employee]:
        """One `Employee` agent per position, in position order, each on its cell."""
        return self._mesa_view()[1]

    @property
    def agents(self) -> AgentSet:
        """Mesa's set of all agents: the employees, made on first use."""
        self._mesa_view()  # the agents register with Mesa as they are made
        return super().agents

    @agents.setter
    def agents(self, agents: Any) -> None:
        mesa.Model.agents.fset(self, agents)  # Mesa's own refusal

    @property
    def agents_by_type(self) -> dict[type, AgentSet]:
        """Mesa's agents by type: {Employee: the employees}, made on first use."""
        self._mesa_view()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """Mesa's agent types: [Employee], made on first use."""
        self._mesa_view()
        return super().agent_types

    # --- what-ifs during a run -----------------------------------------------------------
    def set_params(self, **changes: Any) -> None:
        """Change parameters from the next step on (a what-if during a run).

        The new values are validated (`eachcustomer.sim.params.make_params`); the levers the
        parameters set are rebuilt, with the interventions running now applied again, and so is the
        influence network when a tie weight changed (`Batch.set_params`).

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
        self.batch.set_params(make_params({**self.params.model_dump(), **changes}))

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
        self.batch.add_interventions(
            0, schedule_interventions(specs, self.org, self.intervention_rng)
        )

    def set_choices(self, choices: Mapping[str, Any]) -> None:
        """Players choose anew, from the next step on: player name -> `Choice` (or a dict)."""
        self.batch.set_choices(
            0,
            {
                name: choice if isinstance(choice, Choice) else Choice(**choice)
                for name, choice in choices.items()
            },
        )

    # --- the week ------------------------------------------------------------------------
    def step(self) -> None:
        """One week: the processes of docs/ODD.md in order (`Batch.step`), then the outputs."""
        self.batch.step()
        if self._datacollector is not None:
            self._collect(len(self.batch.recorder.rows) - 1)

    # --- Mesa's DataCollector, made on first use -----------------------------------------
    @property
    def datacollector(self) -> mesa.DataCollector:
        """The Mesa `DataCollector` holding the output table, one model reporter per column.

        Made on first use and given every week so far; from then on the model collects into
        it at the end of every step, and what a user collects into it is kept as in any Mesa
        model. `outputs()` reads the model's own record, whatever is collected here.
        """
        if self._datacollector is None:
            recorder = self.batch.recorder
            self._datacollector = mesa.DataCollector(
                model_reporters={column: _reporter(column) for column in recorder.columns}
            )
            for week in range(len(recorder.rows)):
                self._collect(week)
        return self._datacollector

    def _collect(self, week: int) -> None:
        """Collect `week`'s row into the DataCollector, as if it were collected that week.

        Mesa 3.5's DataCollector stamps each collection with `model.time` (one per week
        here), which `mesa.batch_run` reads; a week collected later gets its own week's
        time. Mesa 3.3 has no `time`.
        """
        self._reporting = self.batch.recorder.row(0, week)
        now = getattr(self, "time", None)
        if now is not None:
            self.time = float(week)
        try:
            self.datacollector.collect(self)
        finally:
            if now is not None:
                self.time = now

    # --- outputs -----------------------------------------------------------------------
    def outputs(self) -> pd.DataFrame:
        """The tidy output table: one row per week, week 0 being the initial state."""
        return self.batch.recorder.table(0)

    def attribution(self, by: str = "department") -> pd.DataFrame:
        """Why attitude changed: per week, group and mechanism, the change in mean attitude.

        Args:
            by: "department", "band" (distance band) or "all".
        """
        return self.batch.recorder.attribution_table(by, 0)

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
        return self.batch.recorder.history(0)

    def run(self, weeks: int | None = None) -> pd.DataFrame:
        """Step `weeks` times (default: the horizon) and return the output table."""
        for _ in range(self.params.horizon_weeks if weeks is None else weeks):
            self.step()
        return self.outputs()
