"""Particular people placed at the start of a run: what a scenario says of them, and placing them.

Apart from `eachcustomer.sim.state` so that reading a scenario (`eachcustomer scenarios`,
the checks of a scenario file) does not load the compiled kernels that the state's arrays
come with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import ConfigDict, Field

from eachcustomer.sim.checked import CheckedModel

if TYPE_CHECKING:
    from eachcustomer.sim.organization import Organization
    from eachcustomer.sim.state import Employees


class Individuals(CheckedModel):
    """A few particular people placed at the start.

    `count` employees of a department, drawn at random, whose attitude and disposition are
    set (e.g. the salesman who asks "Hey buddy, are you just dreaming?", S000).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    department: str = Field(min_length=1, description="department they work in")
    count: int = Field(1, ge=1, description="how many")
    attitude: float = Field(ge=-1.0, le=1.0, description="their attitude and disposition")
    front_line: bool = Field(True, description="drawn from the department's front line")


def place_individuals(
    employees: Employees,
    org: Organization,
    individuals: list[Individuals],
    rng: np.random.Generator,
) -> None:
    """Set the attitude and disposition of the chosen individuals, drawn with `rng`."""
    for group in individuals:
        if group.department not in org.department_names:
            raise ValueError(
                f"individuals: no department {group.department!r}; the "
                f"organization has {', '.join(map(repr, org.department_names))}"
            )
        pool = org.department == org.department_names.index(group.department)
        if group.front_line:
            pool &= org.customer_facing
        members = np.flatnonzero(pool)
        if len(members) < group.count:
            raise ValueError(
                f"individuals: {group.department!r} has {len(members)} "
                f"{'front-line ' if group.front_line else ''}employees, "
                f"fewer than {group.count}"
            )
        chosen = rng.choice(members, group.count, replace=False)
        employees.attitude[chosen] = group.attitude
        employees.disposition[chosen] = group.attitude
