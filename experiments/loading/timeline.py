"""A run's timeline: parameter changes and interventions added at given weeks during the run.

A what-if made while a run is under way (the dashboard's Explore page, a scenario's
`[[timeline]]`) is stored as data, never as model state: the run is replayed from week 0
with the same seed, and each entry is applied when its week has been simulated, so the
same generator goes on and the run is reproduced exactly.

An entry at week w acts from week w + 1: its parameters are in force from the next step
(`OrgModel.set_params`), and its interventions must start in week w + 1 or later
(`OrgModel.add_interventions`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict, Field, ValidationError, field_validator

from eachcustomer.sim.checked import CheckedModel
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.params import SET_AT_START, Params, describe_validation_error
from eachcustomer.sim.players import Choice, Player

if TYPE_CHECKING:  # a scenario is read without Mesa; only a model stepped here needs it
    from eachcustomer.sim.model import OrgModel

NOT_IN_TIMELINE = SET_AT_START | {"horizon_weeks"}
"""Parameters a timeline cannot change: those set when the model is built, and the run's
length (set it among the scenario's parameters)."""


class TimelineEntry(CheckedModel):
    """What changes after `week` weeks have been simulated."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    week: int = Field(ge=1, description="weeks simulated before the change (it acts from week+1)")
    parameters: dict[str, float] = Field(
        default_factory=dict, description="parameter values from the next week on"
    )
    interventions: tuple[Intervention, ...] = Field(
        (), description="interventions added; each starts after `week`"
    )
    choices: dict[str, Choice] = Field(
        default_factory=dict,
        description="players' new choices by name, from the next week on "
        "(a class session's students, `eachcustomer.sim.players`)",
    )

    @field_validator("parameters")
    @classmethod
    def _known_parameters(cls, parameters: dict[str, float]) -> dict[str, float]:
        for name, value in parameters.items():
            if name not in Params.model_fields:
                raise ValueError(f"no parameter {name!r}")
            if name in NOT_IN_TIMELINE:
                where = (
                    "the run's length: set it in [parameters]"
                    if name == "horizon_weeks"
                    else "set when the model is built, so it cannot change during a run"
                )
                raise ValueError(f"{name}: {where}")
            if not math.isfinite(value):
                raise ValueError(f"{name}: {value} is not a number")
        return parameters

    def check(self, horizon: int) -> None:
        """Refuse an entry outside weeks 1..horizon - 1, or an intervention starting too early.

        Raises:
            ValueError: with the key of the problem (`week`, `interventions.N.start`).
        """
        if self.week >= horizon:
            raise ValueError(
                f"week: {self.week} is not within the run: a change comes after week 1 to "
                f"{horizon - 1} (the run has {horizon} weeks)"
            )
        for index, item in enumerate(self.interventions):
            if item.start <= self.week:
                raise ValueError(
                    f"interventions.{index}.start: {item.name} starts in week {item.start}, "
                    f"but it is added after week {self.week}: start it in week "
                    f"{self.week + 1} or later"
                )

    def describe(self) -> str:
        """The change in a few words, for chart marks and lists."""
        parts = [f"{name.replace('_', ' ')} {value:g}" for name, value in self.parameters.items()]
        parts += [f"+ {item.name.replace('_', ' ')}" for item in self.interventions]
        if self.choices:
            parts.append(f"{len(self.choices)} player choice{'s' * (len(self.choices) > 1)}")
        return ", ".join(parts) or "no change"


def check_timeline(
    timeline: Sequence[TimelineEntry],
    horizon: int,
    params: Params,
    players: Sequence[Player] = (),
) -> None:
    """Weeks strictly increasing and within the run, every change valid Params, every
    choice a player's.

    Raises:
        ValueError: naming the entry (`timeline.N...`) and the problem.
    """
    last = 0
    values = params.model_dump()
    for index, entry in enumerate(timeline):
        if entry.week <= last:
            raise ValueError(
                f"timeline.{index}.week: {entry.week} comes after week {last} of the entry "
                "before; list the changes in the order of their weeks, one entry per week"
            )
        last = entry.week
        names = {player.name for player in players}
        for name in entry.choices:
            if name not in names:
                known = ", ".join(map(repr, sorted(names))) or "none: add [[players]]"
                raise ValueError(
                    f"timeline.{index}.choices.{name}: no player named {name!r} (players: {known})"
                )
        try:
            entry.check(horizon)
        except ValueError as error:
            raise ValueError(f"timeline.{index}.{error}") from None
        values.update(entry.parameters)
        try:
            Params(**values)
        except ValidationError as error:
            text = describe_validation_error(error, key_prefix=f"timeline.{index}.parameters.")
            raise ValueError(text.replace("parameters.:", "parameters:")) from None


def apply_entry(model: OrgModel, entry: TimelineEntry) -> None:
    """Apply one entry to a model that has simulated `entry.week` weeks."""
    if entry.parameters:
        model.set_params(**entry.parameters)
    if entry.interventions:
        model.add_interventions(entry.interventions)
    if entry.choices:
        model.set_choices(entry.choices)


def step_with_timeline(
    model: OrgModel,
    timeline: Sequence[TimelineEntry],
    until: int,
    on_week: Callable[[int], Any] | None = None,
) -> None:
    """Step `model` until it has simulated `until` weeks, applying each entry at its week.

    An entry is applied just before the step after its week, so a model stepped here in
    several calls (to week w, then on) gets every entry once; entries of weeks before the
    model's current week are taken to be applied already.

    Args:
        model: the model, at any week up to `until`.
        timeline: the entries, in week order.
        until: weeks simulated when this returns.
        on_week: called with the week after each step.
    """
    pending = [entry for entry in timeline if entry.week >= model.steps]
    while model.steps < until:
        while pending and pending[0].week == model.steps:
            apply_entry(model, pending.pop(0))
        model.step()
        if on_week is not None:
            on_week(model.steps)
