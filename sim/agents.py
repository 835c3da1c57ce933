"""Employees as Mesa agents: thin views on one row of the model's arrays.

A Mesa user sees them in `model.agents` and can `select`, `groupby` and `agg` as usual;
reading `employee.attitude` reads `model.employees.attitude[employee.position]`, and
writing it writes the array. An agent stands for a position in the organization: when
its holder leaves, the hire takes over the same agent and position.
"""

from __future__ import annotations

import inspect
from random import Random
from typing import TYPE_CHECKING

from mesa.discrete_space import Cell, FixedAgent, Network

if TYPE_CHECKING:
    from eachcustomer.sim.model import OrgModel
    from eachcustomer.sim.organization import Organization


def org_network(org: Organization, random: Random) -> Network:
    """The org network as a Mesa `Network` whose cell `i` is position `i`.

    Positions have no place in a plane here, so no layout is computed: Mesa 3.5 would
    otherwise run a spring layout on every model it builds (Mesa 3.3 has no `layout`).
    """
    if "layout" in inspect.signature(Network).parameters:
        return Network(org.graph(), random=random, layout=None)
    return Network(org.graph(), random=random)


def _array_view(name: str, doc: str) -> property:
    def read(self: Employee) -> float:
        return getattr(self.model.employees, name)[self.position].item()

    def write(self: Employee, value: float) -> None:
        getattr(self.model.employees, name)[self.position] = value

    return property(read, write, doc=doc)


def _org_view(name: str, doc: str) -> property:
    def read(self: Employee):
        return getattr(self.model.org, name)[self.position].item()

    return property(read, doc=doc)


class Employee(FixedAgent):
    """One position in the organization, fixed to its node of the org network."""

    model: OrgModel

    def __init__(self, model: OrgModel, position: int, cell: Cell) -> None:
        super().__init__(model)
        self.position = position
        self.cell = cell

    attitude = _array_view("attitude", "attitude toward customers, [-1, 1]")
    disposition = _array_view("disposition", "personal disposition, [-1, 1]")
    customer_focus = _array_view("customer_focus", "share of effort on the real customer")
    strain = _array_view("strain", "stress from hostile encounters, [0, 1]")
    boss_index = _org_view("boss", "position of the boss, -1 for the chief")
    level = _org_view("level", "hierarchy level, 1 for the chief")
    customer_facing = _org_view("customer_facing", "serves customers directly")
    handles_complaints = _org_view("handles_complaints", "takes complaints")
    distance_to_customer = _org_view("distance_to_customer", "1 + hops to the front line")

    @property
    def department(self) -> str:
        """Name of the employee's department."""
        return self.model.org.department_names[self.model.org.department[self.position]]

    @property
    def employee_id(self) -> str:
        """Id from the org chart, or a generated one."""
        return self.model.org.employee_ids[self.position]

    @property
    def boss(self) -> Employee | None:
        """The boss's agent, None for the chief."""
        index = self.boss_index
        return None if index < 0 else self.model.employee_agents[index]
