"""Process 6: interventions act at their scheduled times.

Each week the levers (`sim.state.Levers`) are rebuilt from the parameters and the
culture-wide interventions then running, so an intervention with a duration ends
cleanly; levers rebuilt in a start week act from the next week's processes on. For
covered employees, with strength s (strain recovery capped at 1; shareholder pressure and
the hiring mean are organization-wide, whatever the coverage):

- language:            drift rate x (1 - s)
- incentive_alignment: customer weight w -> max(w, s)
- customer_exposure:   effective distance D -> 1 + (D - 1)(1 - s)
- frontline_support:   encounter buffer -> s, strain recovery x (1 + s)
- leadership_tone:     shareholder pressure x (1 - s); at the start, covered leaders'
                       attitude and disposition are pushed up by s (a new tone at the top)
- hiring_for_attitude: hires' mean attitude m -> m + s (1 - m)

One-off programs act on state: a training day pushes covered attitudes up by s once, at
its start; a delight week does that and pushes customer focus up by s as well; a slogan
campaign pushes attitudes up by s / 10 each week while it runs. Pushes use the soft
bounds of `sim.processes.bounds`.

Spend per week: participants x cost per participant per week, for every intervention
running that week; for hiring_for_attitude the participants are that week's hires.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from sim.interventions import Intervention
from sim.processes.bounds import push_attitude
from sim.state import Levers, initial_levers

if TYPE_CHECKING:
    from sim.model import OrgModel

SLOGAN_PUSH_SHARE = 0.1
"""A slogan's weekly push is a tenth of its strength: words alone move people little."""


@dataclass(frozen=True)
class Bound:
    """An intervention with its participants drawn."""

    spec: Intervention
    participants: np.ndarray  # mask over employees


def draw_participants(spec: Intervention, model: OrgModel) -> np.ndarray:
    """Covered employees: eligible by department and level, then a random share."""
    org = model.org
    eligible = spec.coverage.eligible(org.department_names, org.department, org.level)
    if spec.coverage.share >= 1.0:
        return eligible
    chosen = model.intervention_rng.random(org.size) < spec.coverage.share
    return eligible & chosen


def adjust_levers(levers: Levers, bound: Bound) -> Levers:
    """The levers with one running culture-wide intervention applied."""
    who, strength, kind = bound.participants, bound.spec.strength, bound.spec.kind
    if kind == "language":
        return replace(
            levers, drift_rate=np.where(who, levers.drift_rate * (1 - strength), levers.drift_rate)
        )
    if kind == "incentive_alignment":
        return replace(
            levers,
            customer_weight=np.where(
                who, np.maximum(levers.customer_weight, strength), levers.customer_weight
            ),
        )
    if kind == "customer_exposure":
        shorter = 1.0 + (levers.effective_distance - 1.0) * (1.0 - strength)
        return replace(levers, effective_distance=np.where(who, shorter, levers.effective_distance))
    if kind == "frontline_support":
        return replace(
            levers,
            encounter_buffer=np.where(who, strength, levers.encounter_buffer),
            strain_recovery=np.where(
                who,
                np.minimum(levers.strain_recovery * (1 + strength), 1.0),
                levers.strain_recovery,
            ),
        )
    if kind == "leadership_tone":
        return replace(levers, shareholder_pressure=levers.shareholder_pressure * (1 - strength))
    if kind == "hiring_for_attitude":
        mean = levers.hire_attitude_mean
        return replace(levers, hire_attitude_mean=mean + strength * (1 - mean))
    return levers


class Schedule:
    """The interventions of one model, with their participants drawn at the start."""

    def __init__(self, bound: list[Bound], base: Levers) -> None:
        self.bound = bound
        self.base = base
        self._running: tuple[int, ...] | None = None

    @classmethod
    def bind(cls, interventions: list[Intervention], model: OrgModel) -> Schedule:
        """Draw each intervention's participants with the model's generator."""
        specs = [
            item if isinstance(item, Intervention) else Intervention(**item)
            for item in interventions
        ]
        bound = [Bound(spec, draw_participants(spec, model)) for spec in specs]
        return cls(bound, initial_levers(model.org, model.params))

    def apply(self, model: OrgModel) -> tuple[np.ndarray, float]:
        """This week's effects: new attitudes (focus and levers are set on the model)."""
        week = model.steps
        running = tuple(i for i, b in enumerate(self.bound) if b.spec.active_at(week))
        if running != self._running:  # rebuild levers only when the running set changes
            levers = self.base
            for index in running:
                levers = adjust_levers(levers, self.bound[index])
            model.levers = levers
            self._running = running
        attitude = model.employees.attitude
        spend = 0.0
        for index in running:
            bound = self.bound[index]
            attitude = self._act_on_state(bound, week, attitude, model)
            spend += self._participants(bound, model) * bound.spec.cost_per_participant_week
        return attitude, spend

    @staticmethod
    def _act_on_state(bound: Bound, week: int, attitude: np.ndarray, model: OrgModel) -> np.ndarray:
        spec, who = bound.spec, bound.participants
        starting = week == spec.start
        if spec.kind in ("training_day", "delight_week", "leadership_tone") and starting:
            attitude = push_attitude(attitude, np.where(who, spec.strength, 0.0))
        if spec.kind == "delight_week" and starting:
            focus = model.employees.customer_focus
            model.employees.customer_focus = np.where(
                who, focus + spec.strength * (1 - focus), focus
            )
        if spec.kind == "leadership_tone" and starting:
            disposition = model.employees.disposition
            model.employees.disposition = push_attitude(
                disposition, np.where(who, spec.strength, 0.0)
            )
        if spec.kind == "slogan_campaign":
            attitude = push_attitude(
                attitude, np.where(who, SLOGAN_PUSH_SHARE * spec.strength, 0.0)
            )
        return attitude

    @staticmethod
    def _participants(bound: Bound, model: OrgModel) -> int:
        if bound.spec.kind == "hiring_for_attitude":
            return model.recorder.hires_this_week()
        return int(bound.participants.sum())
