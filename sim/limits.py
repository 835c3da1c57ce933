"""How big a run or a sweep may be: every limit in one place, checked before anything is built.

Sizes are computed from what the user asked for (a scenario, command-line flags, a sweep
spec) and compared with these limits before an organization, a model or a sweep design is
built, so a request that is too big is refused at once with the number and the limit.

=========  ===========  =============  ===========  ========================================
quantity   default      --allow-large  dashboard    what is counted
=========  ===========  =============  ===========  ========================================
weeks      5,200        5,200          5,200        weeks one run simulates (100 years; the
                                                    range of `Params.horizon_weeks`)
employees  200,000      2,000,000      20,000       head count of one run, generated or from
                                                    an org chart (about 0.7 kB each with
                                                    their ties and outputs: 0.15 GB at
                                                    200,000, on top of the 0.3 GB a process
                                                    with the kernels loaded takes)
customers  10,000,000   200,000,000    2,000,000    employees x customers_per_employee
                                                    (about 21 bytes each: 0.2 GB at 10 M)
runs       1,000,000    10,000,000     400          runs of a sweep: design points x arms x
                                                    replications (sweep designs: 5,000
                                                    employees at most)
=========  ===========  =============  ===========  ========================================

The command line (`eachcustomer run`, `eachcustomer sweep`) and the Python API
(`load_scenario`, `load_sweep`, `parse_sweep`) use `DEFAULT_LIMITS`; `--allow-large` on the
command line, or `limits=LARGE_LIMITS` in Python, raises them for bigger machines (a
`Limits(...)` of your own sets any other values). The dashboard uses `DASHBOARD_LIMITS`
(and `DASHBOARD_SWEEP_LIMITS` for sweeps launched from it) and cannot raise them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace


class LimitError(ValueError):
    """A request bigger than the limits allow; the message says the number and the limit."""


@dataclass(frozen=True)
class Limits:
    """The largest run and sweep allowed.

    Attributes:
        weeks: weeks one run may simulate.
        employees: head count of one run.
        customers: initial customers of one run (employees x customers_per_employee).
        runs: runs of one sweep (design points x arms x replications).
        beyond: larger limits one can ask for instead, or None.
        how: how to ask for them (said in every refusal).
    """

    weeks: int
    employees: int
    customers: int
    runs: int
    beyond: Limits | None = None
    how: str = ""

    def check(self, quantity: str, value: float, where: str, detail: str = "") -> None:
        """Raise LimitError if `value` of `quantity` ("weeks", "employees", ...) is too big.

        Args:
            quantity: the name of one of the limits.
            value: the size asked for.
            where: what asked for it (a flag, a file and its key), put first in the message.
            detail: how the size was counted, said after it.
        """
        limit = getattr(self, quantity)
        if value <= limit:
            return
        raise LimitError(
            f"{where}: {_count(value)} {quantity}{detail} is more than the limit of "
            f"{limit:,}{self.advice(quantity)}"
        )

    def advice(self, quantity: str) -> str:
        """What to do about a refusal of `quantity`, to end a message with."""
        limit = getattr(self, quantity)
        larger = getattr(self.beyond, quantity) if self.beyond is not None else limit
        if larger > limit:
            return f"; {self.how} raises it to {larger:,}"
        if quantity == "weeks":
            return " (100 years, the longest run the model makes)"
        return " (the limits are in sim/limits.py)"

    def check_run(
        self, employees: int, customers_per_employee: float, where: str, file: str = ""
    ) -> None:
        """Refuse an organization whose head count or customer base is too big.

        `where` names what set the head count; `file`, if given, is named for the customers.
        """
        self.check("employees", employees, where)
        customers = math.ceil(employees * customers_per_employee)
        detail = f" ({employees:,} employees x {customers_per_employee:g} customers_per_employee)"
        self.check("customers", customers, file or where, detail)


def _count(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.0f}"


LARGE_LIMITS = Limits(weeks=5_200, employees=2_000_000, customers=200_000_000, runs=10_000_000)
"""What `--allow-large` allows: the head count range of `Params.n_employees`."""

DEFAULT_LIMITS = Limits(
    weeks=5_200,
    employees=200_000,
    customers=10_000_000,
    runs=1_000_000,
    beyond=LARGE_LIMITS,
    how="limits=LARGE_LIMITS (on the command line, --allow-large)",
)
"""The command line's and the Python API's limits: fit a laptop with a few GB to spare."""

DASHBOARD_LIMITS = Limits(
    weeks=5_200,
    employees=20_000,
    customers=2_000_000,
    runs=400,
    beyond=DEFAULT_LIMITS,
    how="the command line (`eachcustomer run`, `eachcustomer sweep`)",
)
"""A browser's requests: small enough for several users to share one server."""

DASHBOARD_SWEEP_LIMITS = replace(
    DASHBOARD_LIMITS, employees=5_000, how="the command line (`eachcustomer sweep`)"
)
"""A sweep launched from the dashboard: up to 400 runs of at most 5,000 employees each."""
