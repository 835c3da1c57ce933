"""A validated plan search: what the spec asks, resolved against the model and organization."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from eachcustomer.experiments.loading.scenario_files import RunSetup
from eachcustomer.experiments.planfinder.encoding import Encoding
from eachcustomer.experiments.planfinder.objectives import PLAN_COST, Objective
from eachcustomer.experiments.planfinder.spec import PlanSearchFile
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.params import Params
from eachcustomer.sim.replications import replication_seeds


class PlanSpecError(ValueError):
    """A plan search spec that cannot be run; the message names the file and the key."""


@dataclass(frozen=True)
class PlanProblem:
    """Everything a plan search needs, checked.

    Attributes:
        spec: the file's content.
        path: the spec file (None for a spec given as a dict, as the dashboard does).
        setup: the base scenario.
        params: the scenario's parameters with the spec's constants and horizon.
        org: the organization costs are counted on (`eachcustomer.sim.budget.cost_basis`).
        weeks: the horizon.
        encoding: how search vectors become plans.
        objectives: what is optimized; a spend objective last.
        draws: parameters drawn from the posterior per replication seed (empty: none).
        scenario_digest: SHA-256 of the base scenario file.
        text: the spec file's text.
    """

    spec: PlanSearchFile
    path: Path | None
    setup: RunSetup
    params: Params
    org: Organization
    weeks: int
    encoding: Encoding
    objectives: tuple[Objective, ...]
    draws: dict[int, dict[str, float]] = field(default_factory=dict)
    posterior_digest: str = ""
    scenario_digest: str = ""
    text: str = ""

    @property
    def seeds(self) -> list[int]:
        """The replication seeds every candidate of the search is evaluated on."""
        return replication_seeds(self.spec.seed, self.spec.replications)

    @property
    def selection_seeds(self) -> list[int]:
        """Fresh seeds for the selection among finalists: the replications after the
        search's, as many as the replication cap."""
        first = self.spec.replications
        return replication_seeds(self.spec.seed, first + self.spec.search.replication_cap)[first:]

    @property
    def validation_seeds(self) -> list[int]:
        """Fresh seeds that confirm the chosen plan: the replications after the selection's
        (neither the search nor the selection saw them)."""
        first = self.spec.replications + self.spec.search.replication_cap
        count = first + self.spec.search.validation_replications
        return replication_seeds(self.spec.seed, count)[first:]

    @property
    def primary(self) -> Objective:
        """The objective a plan must beat doing nothing on: the most heavily weighted
        outcome of the model (the first on ties); never the plan's cost."""
        weighted = [
            (weight, -index, objective)
            for index, (weight, objective) in enumerate(
                zip(self.weights, self.objectives, strict=True)
            )
            if objective.outcome != PLAN_COST
        ]
        return max(weighted, key=lambda item: (item[0], item[1]))[2]

    @property
    def outcomes(self) -> tuple[str, ...]:
        """What each run must report: the objectives' outcomes and the spend."""
        names = [o.outcome for o in self.objectives if o.outcome != PLAN_COST]
        return tuple(dict.fromkeys([*names, "spend_total"]))

    @property
    def weights(self) -> tuple[float, ...]:
        """How the recommended plan trades the objectives off."""
        given = self.spec.search.weights
        return tuple(given) if given is not None else (1.0,) * len(self.objectives)

    def plan_cost(self, plan: tuple[Intervention, ...]) -> float:
        """A plan's expected cost over the horizon, on this search's cost basis."""
        from eachcustomer.sim.budget import plan_cost

        return plan_cost(plan, self.org, self.params, self.weeks)

    def identity(self) -> dict[str, Any]:
        """What must match for a results folder to be resumed by this search."""
        from eachcustomer.experiments.loading.sweeps import model_digest

        identity = {
            "spec": self.spec.model_dump(mode="json"),
            "scenario_sha256": self.scenario_digest,
            "model_sha256": model_digest(),
            "pymoo": _version("pymoo"),
        }
        if self.posterior_digest:
            identity["posterior_sha256"] = self.posterior_digest
        return identity

    def identity_digest(self) -> str:
        """A short digest of `identity()`."""
        text = json.dumps(self.identity(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"
