"""The seed articles the lessons quote, for the tests that check quotes word for word.

They are looked for in the folder EACHCUSTOMER_SEEDS names, else in shared/seeds/ beside the
repository, else in the team's workspace (/work/shared/seeds).

The articles are the project's sources, not part of the repository: on a machine without
them the quote checks are skipped with `NOT_HERE`, and everything else still runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

BESIDE_THE_REPOSITORY = Path(__file__).resolve().parents[2] / "shared" / "seeds"
WORKSPACE = Path("/work/shared/seeds")  # the team's machines, for clones made elsewhere
SEEDS_FOLDER = Path(
    os.environ.get("EACHCUSTOMER_SEEDS")
    or next((p for p in (BESIDE_THE_REPOSITORY, WORKSPACE) if p.is_dir()), BESIDE_THE_REPOSITORY)
)
NOT_HERE = (
    f"the seed articles are not on this machine ({SEEDS_FOLDER}; set EACHCUSTOMER_SEEDS to "
    "their folder): quotes cannot be checked against them"
)
needs_seed_articles = pytest.mark.skipif(not SEEDS_FOLDER.is_dir(), reason=NOT_HERE)


def seed_articles() -> dict[str, str]:
    """Each article's text with its whitespace collapsed, by seed ("S000", "S003")."""
    return {
        f"S{path.name[:3]}": " ".join(path.read_text(encoding="utf-8").split())
        for path in SEEDS_FOLDER.glob("[0-9][0-9][0-9]_*.txt")
    }
