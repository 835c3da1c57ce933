"""The plan library: named intervention plans, defined once as data in scenarios/plans/.

Every page, spec and figure refers to a plan by its name (the file's stem): the Compare
page's menus, a sweep's `[levers] plan = [...]`, `eachcustomer run --plan NAME`, the
headline spec. A scenario or sweep file may define plans of its own under `[plans]`; a
name it defines itself wins over the library's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import ConfigDict, Field, ValidationError

from eachcustomer.experiments.loading import catalogue
from eachcustomer.experiments.loading.files import read_toml
from eachcustomer.sim.checked import CheckedModel
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.params import describe_validation_error

NO_PLAN = "none"
"""The plan with no intervention (the library's "Do nothing")."""


class PlanError(ValueError):
    """A plan file that cannot be read, or a plan name that names nothing."""


class LeverEvidence(CheckedModel):
    """Where a lever's strength and price come from: a source, or "assumption, swept"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    strength: str = Field(min_length=1)
    price: str = Field(min_length=1)


class PlanFile(CheckedModel):
    """One plan file of the library."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1)
    description: str = ""
    interventions: tuple[Intervention, ...] = ()
    evidence: dict[str, LeverEvidence] = Field(
        default_factory=dict,
        description="per intervention kind (or 'bundle'), the source of its strength and price",
    )


@dataclass(frozen=True)
class NamedPlan:
    """A plan of the library: its name, title, description and interventions."""

    name: str
    title: str
    description: str
    interventions: tuple[Intervention, ...]
    evidence: Mapping[str, LeverEvidence]


def read_plan(path: Path) -> NamedPlan:
    """Read and validate one plan file."""
    data, _ = read_toml(path, PlanError)
    try:
        spec = PlanFile(**data)
    except ValidationError as error:
        raise PlanError(describe_validation_error(error, str(path))) from None
    return NamedPlan(
        path.stem, spec.title, spec.description.strip(), spec.interventions, spec.evidence
    )


@cache
def plan_library() -> dict[str, NamedPlan]:
    """Every plan of the library by name, "none" first, then in name order."""
    paths = sorted(catalogue.builtins("plan").values(), key=lambda p: (p.stem != NO_PLAN, p.stem))
    return {path.stem: read_plan(path) for path in paths}


def resolve_plan(
    name: str, own: Mapping[str, tuple[Intervention, ...]] | None = None, where: str = ""
) -> tuple[Intervention, ...]:
    """The interventions of the plan called `name`: a file's own plans first, then the library.

    Args:
        name: a plan name ("none" for no intervention).
        own: the plans the scenario or spec defines itself.
        where: the file or key to name in the error.

    Raises:
        PlanError: no such plan; the message lists the plans there are.
    """
    own = own or {}
    if name in own:
        return tuple(own[name])
    library = plan_library()
    if name in library:
        return library[name].interventions
    known = ", ".join([*own, *(n for n in library if n not in own)])
    prefix = f"{where}: " if where else ""
    raise PlanError(f"{prefix}no plan {name!r}; plans: {known}")


def kind_template(
    kind: str, own: Mapping[str, tuple[Intervention, ...]] | None = None
) -> Intervention | None:
    """The first intervention of `kind` in a file's own plans, then in the library's (in
    their order); None when no plan has one.

    The one source of what a kind costs and how strong it is when a user does not say: the
    plan finder's levers start from it, and the dashboard's intervention form proposes its
    price (staff hours and direct spend per participant-week).
    """
    plans = [*(own or {}).values(), *(plan.interventions for plan in plan_library().values())]
    return next((item for plan in plans for item in plan if item.kind == kind), None)


def known_plans(own: Mapping[str, tuple[Intervention, ...]] | None = None) -> list[str]:
    """The names a file with plans `own` can use: its own, then the library's."""
    own = own or {}
    return [*own, *(name for name in plan_library() if name not in own)]
