"""A scenario file's tables as pydantic models: structure and types, checked as it is read.

What the values mean against the model (parameter ranges, department names, plans) is
checked after, by `eachcustomer.experiments.loading.scenario_files.load_scenario`.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, model_validator

from eachcustomer.experiments.loading.timeline import TimelineEntry
from eachcustomer.sim.checked import CheckedModel
from eachcustomer.sim.individuals import Individuals
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.params import Department
from eachcustomer.sim.players import Player


class OrganizationSpec(CheckedModel):
    """The [organization] table: a generated shape, or an org chart file."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    employees: int | None = Field(None, description="head count of a generated organization")
    span_of_control: int | None = Field(None, description="reports per manager")
    departments: tuple[Department, ...] | None = Field(None, description="departments")
    chart: str | None = Field(
        None, description="org chart CSV or GraphML, relative to the scenario file"
    )
    departments_table: str | None = Field(None, description="departments CSV for the chart")
    staff_per_manager: int = Field(
        0,
        ge=0,
        le=1000,
        description="generated staff under each manager without reports in the chart",
    )

    @model_validator(mode="after")
    def _one_source_of_staff(self) -> OrganizationSpec:
        # An org chart fixes the head count and the spans: a generated shape next to it
        # would be silently ignored.
        if self.chart is not None:
            for key in ("employees", "span_of_control"):
                if getattr(self, key) is not None:
                    raise ValueError(
                        f"chart and {key} are both given: the chart fixes the organization, "
                        f"so remove organization.{key} (or the chart)"
                    )
        else:
            for key in ("departments_table", "staff_per_manager"):
                if key in self.model_fields_set:
                    raise ValueError(f"{key} applies to an org chart: add organization.chart")
        return self


class ScenarioSpec(CheckedModel):
    """A whole scenario file."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    title: str = Field(min_length=1)
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=dict)
    organization: OrganizationSpec = Field(default_factory=OrganizationSpec)
    individuals: tuple[Individuals, ...] = ()
    players: tuple[Player, ...] = Field(
        (),
        description="employees played by people (a class session's students, replayed "
        "with their choices in the timeline; `eachcustomer.sim.players`)",
    )
    interventions: tuple[Intervention, ...] = ()
    plan: str | None = Field(
        None,
        min_length=1,
        description="a plan of the library (scenarios/plans/) run as the scenario's "
        "interventions, instead of listing them",
    )
    plans: dict[str, tuple[Intervention, ...]] = Field(
        default_factory=dict,
        description="alternative intervention schedules by name, for "
        "comparisons; `interventions` is the plan run by default",
    )
    seed: int | None = Field(
        None,
        ge=0,
        lt=2**63,
        description="the random seed a run uses when none is given (`--seed` overrides it)",
    )
    timeline: tuple[TimelineEntry, ...] = Field(
        (),
        description="changes during the run: at each entry's week, new parameter values "
        "and added interventions (`eachcustomer.experiments.loading.timeline`)",
    )

    @model_validator(mode="after")
    def _one_default_plan(self) -> ScenarioSpec:
        if self.plan is not None and self.interventions:
            raise ValueError(
                "give either `plan` (a plan of the library) or [[interventions]], not both"
            )
        return self
