"""The seed articles the lessons quote (shared/seeds/ beside the repository, or the folder
EACHCUSTOMER_SEEDS names), for the tests that check quotes word for word.

The articles are the project's sources, not part of the repository: on a machine without
them the quote checks are skipped with `NOT_HERE`, and everything else still runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SEEDS_FOLDER = Path(os.environ.get("EACHCUSTOMER_SEEDS", "/work/shared/seeds"))
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
