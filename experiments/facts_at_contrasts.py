"""The stylized facts' effect sizes at contrasts real organizations differ by.

MODEL.md asks for each fact's effect per realistic step (one more level at the same head
count, twice the share of staff far from customers, the fact's own contrast otherwise), not
only at extremes. Each contrast here runs both arms on the same seeds
(`eachcustomer.sim.replications.replication_seeds`), takes their difference replication by
replication (`eachcustomer.experiments.analysis.statistics.paired_difference`) and words it
with the one verdict vocabulary (`eachcustomer.experiments.analysis.verdicts.judge`). Each
difference is oriented so that a positive effect is the direction the fact states ("better"
then means: the interval lies wholly in the fact's direction); contrasts of two plans are
judged as plans against each other. docs/ODD.md 11.4 records the table and what it shows;
tests/test_stylized_facts.py tests the same contrasts (by calling the same functions).

    python -m eachcustomer.experiments.facts_at_contrasts               # every fact, 40 seeds
    python -m eachcustomer.experiments.facts_at_contrasts --facts 8 10 --replications 20

The contrasts are those of `eachcustomer.experiments.fact_contrasts` and (fact 8)
`eachcustomer.experiments.depth_contrasts`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from eachcustomer.experiments.depth_contrasts import fact_8
from eachcustomer.experiments.fact_contrasts import (
    Contrast,
    fact_1,
    fact_2,
    fact_3,
    fact_4,
    fact_5,
    fact_6,
    fact_7,
    fact_9,
    fact_10,
)
from eachcustomer.sim.params import Params
from eachcustomer.sim.replications import replication_seeds

MASTER_SEED = 2024
"""The stylized-fact tests' master seed."""
REPLICATIONS = 40
"""Paired replications per contrast by default."""

FACTS: dict[int, Callable[[Sequence[int], Params], list[Contrast]]] = {
    1: fact_1,
    2: fact_2,
    3: fact_3,
    4: fact_4,
    5: fact_5,
    6: fact_6,
    7: fact_7,
    8: fact_8,
    9: fact_9,
    10: fact_10,
}


def table(contrasts: Sequence[Contrast], master_seed: int) -> str:
    """The contrasts as a markdown table."""
    lines = [
        "| fact | contrast (first vs second) | outcome | effect | 95% paired interval | verdict "
        "| replications | seeds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in contrasts:
        i = c.interval
        lines.append(
            f"| {c.fact} | {c.contrast} | {c.outcome} | {i.mean:+.3f} | {i.low:+.3f} to "
            f"{i.high:+.3f} | {c.verdict.word} | {i.n} | "
            f"`replication_seeds({master_seed}, {i.n})` |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table of the chosen facts' contrasts."""
    parser = argparse.ArgumentParser(
        prog="python -m eachcustomer.experiments.facts_at_contrasts",
        description="Each stylized fact's effect at realistic contrasts, paired over seeds "
        "(positive: the direction the fact states).",
    )
    parser.add_argument(
        "--facts", type=int, nargs="+", choices=sorted(FACTS), default=sorted(FACTS)
    )
    parser.add_argument(
        "--replications", type=int, default=REPLICATIONS, help="paired seeds (>= 2)"
    )
    parser.add_argument("--seed", type=int, default=MASTER_SEED, help="master seed (>= 0)")
    args = parser.parse_args(argv)
    if args.replications < 2:
        parser.error(f"--replications must be at least 2, not {args.replications}")
    if args.seed < 0:
        parser.error(f"--seed must be a non-negative integer, not {args.seed}")
    seeds = replication_seeds(args.seed, args.replications)
    contrasts = [c for fact in args.facts for c in FACTS[fact](seeds, Params())]
    print(table(contrasts, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
