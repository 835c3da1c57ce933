"""Money as the dashboard's pages show it: in US dollars ($), by one helper.

The model counts money in one currency, whichever `revenue_per_customer`, `wage_cost_per_hour`
and the interventions' prices are given in (`eachcustomer.sim.params`); the model's metadata
and outcome tables call its unit "currency". The shipped scenarios and the plan library are
in US dollars, and every page runs a built-in scenario (a plan file uploaded on Compare
prices its interventions for it, in its currency), so the pages say "$" where the model
says "currency". A page never writes the word itself: it asks `money_unit` or `money`.
"""

from __future__ import annotations

import re

CURRENCY = "US dollars"
"""The currency of the shipped defaults (sim/params.py: BLS compensation per hour, US)."""
SYMBOL = "$"
MODEL_UNIT = "currency"
"""What the model's metadata (parameter units, outcome units) calls its money."""
_WORD = re.compile(rf"\b{MODEL_UNIT}\b", re.IGNORECASE)


def money_unit(unit: str, words: bool = False) -> str:
    """A unit as a page shows it: "currency per week" becomes "$ per week" ("US dollars per
    week" with `words`, for sentences); other units are left as they are."""
    return _WORD.sub(CURRENCY if words else SYMBOL, unit)


def money(amount: float, fmt: str = ",.0f", cents: bool = False) -> str:
    """An amount of money: "$1,234", "-$56"; with `cents`, "$669.20" but "$304"."""
    text = format(abs(amount), ",.2f" if cents else fmt)
    if cents:
        text = text.removesuffix(".00")
    sign = "-" if amount < 0 and any(digit in text for digit in "123456789") else ""
    return f"{sign}{SYMBOL}{text}"
