"""Process 6: interventions act at their scheduled times.

Participants are drawn once, when the model is built (`schedule_interventions`). Each week
`apply_interventions` returns the new levers, attitudes, customer focus, dispositions and
spend, which the model assigns.

The levers (`eachcustomer.sim.state.Levers`) are rebuilt from the parameters' levers whenever the
set of running interventions differs from last week's, applying every running culture-wide
intervention in the order listed; so an intervention with a duration ends cleanly, and
levers rebuilt in a start week act from the next week's processes on. For covered
employees, with strength s (strain recovery capped at 1; the hiring mean is
organization-wide, whatever the coverage):

- language:            drift rate x (1 - s)
- incentive_alignment: customer weight w -> max(w, s)
- customer_exposure:   effective distance D -> 1 + (D - 1)(1 - s)
- frontline_support:   encounter buffer -> s, strain recovery x (1 + s)
- leadership_tone:     orientation shift -> 1 - (1 - shift)(1 - s): the approval a covered
                       leader answers to moves a share s toward full customer focus
                       (`eachcustomer.sim.processes.incentives`; for the chief, shareholder
                       pressure x (1 - s)); at the start, covered leaders' attitude and
                       disposition are pushed up by s (a new tone at the top). Only leaders
                       (employees with reports) take part: the tone reaches everyone else
                       through them, down the hierarchy, level by level.
- hiring_for_attitude: hires' mean attitude m -> m + s (1 - m)

One-off programs act on state: a training day pushes covered attitudes up by s once, at
its start; a delight week does that and pushes customer focus up by s as well; a slogan
campaign pushes attitudes up by s / 10 each week while it runs. Pushes use the soft
bounds of `eachcustomer.sim.processes.bounds`. Lasting learning (docs/CALIBRATION.md 3.5): the
one-off lift of a training day or a delight week also pushes the participants' dispositions by
phi s, d' = d + phi s (1 - d), phi = `lasting_share`; so a share phi of the lift outlasts
the pull back toward disposition (none, and no change at all, when phi = 0).

Spend per week: participants x price per participant per week (hours x wage cost per hour
+ direct cost, `Intervention.price_per_participant_week`; leadership tone's hours at a
leader's wage, `leader_wage_ratio` times the average), for every intervention running that
week; for hiring_for_attitude the participants are that week's hires.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from eachcustomer.sim.interventions import LEADERS_ONLY, Intervention
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.processes.bounds import push_attitude
from eachcustomer.sim.state import Employees, Levers

SLOGAN_PUSH_SHARE = 0.1
"""A slogan's weekly push is a tenth of its strength: words alone move people little."""


@dataclass(frozen=True)
class ScheduledIntervention:
    """An intervention with its participants drawn.

    Attributes:
        spec: the intervention.
        participants: mask over employees.
        weeks: the weeks it runs, first to last (the last None when permanent): the
            spec's, read once, since a run asks every week.
    """

    spec: Intervention
    participants: np.ndarray
    weeks: tuple[int, int | None] = field(init=False)

    def __post_init__(self) -> None:
        length = self.spec.weeks
        last = None if length is None else self.spec.start + length - 1
        object.__setattr__(self, "weeks", (self.spec.start, last))

    def active_at(self, week: int) -> bool:
        """Whether it runs in `week` (as `Intervention.active_at`)."""
        first, last = self.weeks
        return first <= week and (last is None or week <= last)


@dataclass(frozen=True)
class InterventionEffects:
    """One week of interventions: the state the model assigns, and what it cost."""

    levers: Levers
    attitude: np.ndarray
    customer_focus: np.ndarray
    disposition: np.ndarray
    spend: float


def eligible_participants(spec: Intervention, org: Organization) -> np.ndarray:
    """Employees the coverage names by department and level.

    For leadership tone only those with reports: a tone is set by whoever others answer to.
    """
    eligible = spec.coverage.eligible(org.department_names, org.department, org.level)
    if spec.kind in LEADERS_ONLY:
        eligible &= org.leads
    return eligible


def draw_participants(
    spec: Intervention, org: Organization, rng: np.random.Generator
) -> np.ndarray:
    """Covered employees: eligible (`eligible_participants`), then a random share."""
    eligible = eligible_participants(spec, org)
    if spec.coverage.share >= 1.0:
        return eligible
    chosen = rng.random(org.size) < spec.coverage.share
    return eligible & chosen


def schedule_interventions(
    interventions: Iterable[Intervention | dict[str, Any]] | None,
    org: Organization,
    rng: np.random.Generator,
) -> tuple[ScheduledIntervention, ...]:
    """Validate each intervention and draw its participants with `rng`, in the order listed."""
    specs = [
        item if isinstance(item, Intervention) else Intervention(**item)
        for item in interventions or ()
    ]
    return tuple(ScheduledIntervention(spec, draw_participants(spec, org, rng)) for spec in specs)


def running_at(schedule: tuple[ScheduledIntervention, ...], week: int) -> tuple[int, ...]:
    """Positions in `schedule` of the interventions running in `week`."""
    return tuple(i for i, item in enumerate(schedule) if item.active_at(week))


def adjust_levers(levers: Levers, scheduled: ScheduledIntervention) -> Levers:
    """The levers with one running culture-wide intervention applied."""
    who, strength, kind = scheduled.participants, scheduled.spec.strength, scheduled.spec.kind
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
        shifted = 1.0 - (1.0 - levers.orientation_shift) * (1.0 - strength)
        return replace(levers, orientation_shift=np.where(who, shifted, levers.orientation_shift))
    if kind == "hiring_for_attitude":
        mean = levers.hire_attitude_mean
        return replace(levers, hire_attitude_mean=mean + strength * (1 - mean))
    return levers


def levers_for_week(
    schedule: tuple[ScheduledIntervention, ...],
    week: int,
    levers: Levers,
    base_levers: Levers,
) -> Levers:
    """This week's levers: `levers` itself unless the running set changed since last week.

    Rebuilding only on a change keeps the lever objects stable, so what the model derives
    from them (drift retention, outcome visibility) is recomputed only then.
    """
    if running_at(schedule, week) == running_at(schedule, week - 1):
        return levers
    return levers_in_force(schedule, week, base_levers)


def levers_in_force(
    schedule: tuple[ScheduledIntervention, ...], week: int, base_levers: Levers
) -> Levers:
    """The levers with every culture-wide intervention running in `week` applied, in order."""
    for index in running_at(schedule, week):
        base_levers = adjust_levers(base_levers, schedule[index])
    return base_levers


def apply_interventions(
    schedule: tuple[ScheduledIntervention, ...],
    week: int,
    employees: Employees,
    levers: Levers,
    base_levers: Levers,
    hires: int,
    wage_cost_per_hour: float,
    leader_wage_ratio: float,
    lasting_share: float,
) -> InterventionEffects:
    """This week's interventions; the inputs are not modified.

    Args:
        schedule: the interventions with their participants (`schedule_interventions`).
        week: the week now ending (weeks count from 1, the first step).
        employees: the state after this week's other processes.
        levers: the levers in force this week.
        base_levers: the levers with no intervention (from the parameters).
        hires: this week's hires, the participants of hiring_for_attitude.
        wage_cost_per_hour: the price of an hour of participants' time (currency per hour).
        leader_wage_ratio: what a leader's hour costs against the average hour (leadership
            tone's hours are leaders' hours).
        lasting_share: phi in [0, 1], the share of a one-off lift that also moves the
            participants' dispositions.
    """
    attitude, focus, disposition = (
        employees.attitude,
        employees.customer_focus,
        employees.disposition,
    )
    spend = 0.0
    for index in running_at(schedule, week):
        item = schedule[index]
        spec, who = item.spec, item.participants
        starting = week == spec.start
        if spec.kind in ("training_day", "delight_week", "leadership_tone") and starting:
            attitude = push_attitude(attitude, np.where(who, spec.strength, 0.0))
        if spec.kind in ("training_day", "delight_week") and starting and lasting_share > 0:
            disposition = push_attitude(
                disposition, np.where(who, lasting_share * spec.strength, 0.0)
            )
        if spec.kind == "delight_week" and starting:
            focus = np.where(who, focus + spec.strength * (1 - focus), focus)
        if spec.kind == "leadership_tone" and starting:
            disposition = push_attitude(disposition, np.where(who, spec.strength, 0.0))
        if spec.kind == "slogan_campaign":
            attitude = push_attitude(
                attitude, np.where(who, SLOGAN_PUSH_SHARE * spec.strength, 0.0)
            )
        participants = hires if spec.kind == "hiring_for_attitude" else int(who.sum())
        spend += participants * spec.price_per_participant_week(
            wage_cost_per_hour, leader_wage_ratio
        )
    return InterventionEffects(
        levers=levers_for_week(schedule, week, levers, base_levers),
        attitude=attitude,
        customer_focus=focus,
        disposition=disposition,
        spend=spend,
    )
