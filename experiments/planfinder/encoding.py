"""Candidate plans: a vector of numbers in [0, 1] in, a plan (a tuple of interventions) out.

The search works on a genotype of three numbers per lever (its weight in the budget, which
coverage option, which start week) plus, when spending less is an objective, the share of
the budget spent. `decode` turns it into a `Choice`, the phenotype: each lever's share of the
budget in whole steps (5% by default), its coverage and its start. Many vectors give the same
choice, so duplicates are recognized by the choice and evaluated once.

`Choice.plan` builds the interventions: each lever's template, covering its chosen group
from its start, scaled to its share of the budget by the one budget rule
(`eachcustomer.sim.budget.scale_to_budget`): by coverage (a random share of the group takes part),
or for hiring for attitude, which acts on every hire, by the weeks it runs. A share that would buy
more than the whole group is capped (the rest stays unspent); one that buys less than one
participant is dropped. Every plan therefore costs at most the budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from eachcustomer.sim.budget import expected_participants, intervention_cost, scale_to_budget
from eachcustomer.sim.interventions import Coverage, Intervention
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.params import Params

GENES_PER_LEVER = 3


@dataclass(frozen=True)
class CoverageOption:
    """A group a lever may cover: its name as the spec gives it and the coverage."""

    name: str
    coverage: Coverage


@dataclass(frozen=True)
class Lever:
    """An intervention kind the plan may spend on, with what the search may choose."""

    kind: str
    template: Intervention
    coverages: tuple[CoverageOption, ...]
    starts: tuple[int, ...]
    low_units: int
    high_units: int

    @property
    def by_duration(self) -> bool:
        """Hiring for attitude acts on every hire: its budget buys weeks, not people."""
        return self.kind == "hiring_for_attitude"


@dataclass(frozen=True)
class Part:
    """One lever's part of a plan: its share of the budget (in steps), coverage and start."""

    kind: str
    units: int
    coverage: int
    start: int


@dataclass(frozen=True)
class Choice:
    """A candidate plan as the search sees it: the parts with a share of the budget."""

    parts: tuple[Part, ...]

    @property
    def key(self) -> tuple[tuple[str, int, int, int], ...]:
        """Hashable identity: equal keys are the same plan."""
        return tuple((p.kind, p.units, p.coverage, p.start) for p in self.parts)


@dataclass(frozen=True)
class BuiltPart:
    """What a part became: its intervention (None when dropped) and what it costs."""

    part: Part
    allotted: float
    intervention: Intervention | None
    cost: float
    participants: float


@dataclass(frozen=True)
class Encoding:
    """How vectors map to plans in one search."""

    levers: tuple[Lever, ...]
    budget: float
    step: float
    spend_is_objective: bool

    @property
    def units(self) -> int:
        """Steps in the whole budget (20 for steps of 5%)."""
        return round(1.0 / self.step)

    @property
    def variables(self) -> int:
        """Length of a genotype vector."""
        return GENES_PER_LEVER * len(self.levers) + int(self.spend_is_objective)

    def decode(self, x: np.ndarray) -> Choice:
        """The choice a genotype vector in [0, 1]^variables stands for."""
        x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
        count = len(self.levers)
        genes = x[: GENES_PER_LEVER * count].reshape(count, GENES_PER_LEVER)
        low = np.array([lever.low_units for lever in self.levers])
        high = np.array([lever.high_units for lever in self.levers])
        most = min(self.units, int(high.sum()))
        total = most
        if self.spend_is_objective:
            total = int(np.clip(math.floor(x[-1] * (self.units + 1)), low.sum(), most))
        units = allocate(genes[:, 0], total, low, high)
        parts = []
        for lever, allotted, (_, coverage, start) in zip(self.levers, units, genes, strict=True):
            if allotted > 0:
                parts.append(
                    Part(
                        lever.kind,
                        int(allotted),
                        _index(coverage, len(lever.coverages)),
                        lever.starts[_index(start, len(lever.starts))],
                    )
                )
        return Choice(tuple(parts))

    def lever(self, kind: str) -> Lever:
        """The lever of an intervention kind."""
        return next(lever for lever in self.levers if lever.kind == kind)

    def build(
        self, choice: Choice, org: Organization, params: Params, weeks: int
    ) -> tuple[BuiltPart, ...]:
        """Each part's intervention, scaled to its share of the budget."""
        return tuple(self._build_part(part, org, params, weeks) for part in choice.parts)

    def plan(
        self, choice: Choice, org: Organization, params: Params, weeks: int
    ) -> tuple[Intervention, ...]:
        """The interventions of a choice (dropped parts left out)."""
        return tuple(
            built.intervention
            for built in self.build(choice, org, params, weeks)
            if built.intervention is not None
        )

    def _build_part(self, part: Part, org: Organization, params: Params, weeks: int) -> BuiltPart:
        lever = self.lever(part.kind)
        allotted = part.units * self.step * self.budget
        full = lever.template.model_copy(
            update={
                "start": part.start,
                "coverage": lever.coverages[part.coverage].coverage,
            }
        )
        if lever.by_duration:
            return _by_duration(part, full, allotted, org, params, weeks)
        if allotted >= intervention_cost(full, org, params, weeks):
            scaled = full  # the whole group costs less than its share: the rest stays unspent
        else:
            scaled = scale_to_budget(full, allotted, org, params, "coverage", weeks)
        participants = expected_participants(scaled, org, params)
        if participants < 1.0:
            return BuiltPart(part, allotted, None, 0.0, participants)
        return BuiltPart(
            part, allotted, scaled, intervention_cost(scaled, org, params, weeks), participants
        )


def _by_duration(
    part: Part,
    full: Intervention,
    allotted: float,
    org: Organization,
    params: Params,
    weeks: int,
) -> BuiltPart:
    """Hiring for attitude: as many whole weeks from its start as its share buys."""
    weekly = intervention_cost(full.model_copy(update={"duration": 1}), org, params, weeks)
    running = full.weeks_within(weeks)
    if weekly <= 0 or allotted < weekly or running == 0:
        return BuiltPart(part, allotted, None, 0.0, 0.0)
    scaled = scale_to_budget(full, min(allotted, weekly * running), org, params, "duration", weeks)
    if intervention_cost(scaled, org, params, weeks) > allotted:  # rounded up a week: at most
        scaled = scaled.model_copy(update={"duration": max(1, (scaled.duration or 1) - 1)})
    participants = expected_participants(scaled, org, params) * scaled.weeks_within(weeks)
    if participants < 1.0:  # fewer than one expected hire: nothing to pay for
        return BuiltPart(part, allotted, None, 0.0, participants)
    return BuiltPart(
        part, allotted, scaled, intervention_cost(scaled, org, params, weeks), participants
    )


def _index(gene: float, count: int) -> int:
    """The option a gene in [0, 1] picks among `count` (equal slices of [0, 1])."""
    return min(int(gene * count), count - 1)


def allocate(weights: np.ndarray, total: int, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Whole units per lever, summing to `total`, within [low, high], close to the weights.

    Each lever's target is its weight's share of `total`; a target above a lever's `high`
    (then one below its `low`) is held at that bound and the rest shared again among the
    other levers by their weights. Units start at the targets rounded down, then single
    units go to the levers furthest below their targets (or come from those furthest above)
    until the sum is right; ties go to the first lever. Needs sum(low) <= total <= sum(high).

    Args:
        weights: one weight >= 0 per lever; all zero counts as equal weights.
        total: units to hand out.
        low: fewest units per lever.
        high: most units per lever.
    """
    weights = np.clip(np.asarray(weights, dtype=float), 0.0, None)
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    target = np.zeros(len(weights))
    free = np.ones(len(weights), dtype=bool)
    while free.any():
        left = total - target[~free].sum()
        mass = weights[free].sum()
        target[free] = (weights[free] / mass if mass > 0 else 1.0 / free.sum()) * left
        for beyond, bound in ((target > high, high), (target < low, low)):
            held = free & beyond
            if held.any():
                target[held] = bound[held]
                free &= ~held
                break
        else:
            break
    units = np.clip(np.floor(target + 1e-9).astype(int), low, high)
    while units.sum() < total:
        gap = np.where(units < high, target - units, -np.inf)
        units[int(np.argmax(gap))] += 1
    while units.sum() > total:
        gap = np.where(units > low, target - units, np.inf)
        units[int(np.argmin(gap))] -= 1
    return units
