"""The results folder of a plan search: a manifest, an evaluation cache, the outputs.

    manifest.json             the spec, its scenario's digest, the model's, pymoo's version
    evaluations/<key>.json    one evaluated candidate: its plan, seeds and values per seed
    generations.parquet       every generation's candidates (written as the search goes)
    convergence.csv, .html    hypervolume per generation
    front.parquet, .html      the Pareto front
    recommended.toml, .md     the recommended plan as a scenario, and in words

Each evaluation is written atomically (`eachcustomer.experiments.loading.files.write_atomically`) as
soon as it finishes. A killed search, run again with the same spec, replays the same generations
from its seed and reads finished candidates from the cache instead of running them again, so
it reaches the same front as if it had never stopped. A folder started by another spec,
scenario file, model or pymoo version is refused: its cache would answer other questions.
"""

from __future__ import annotations

import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eachcustomer.experiments.loading.files import write_atomically
from eachcustomer.experiments.loading.folders import (
    PLAN_SEARCH,
    folder_state,
    mark_complete,
    mark_started,
)
from eachcustomer.experiments.planfinder.problem import PlanProblem
from eachcustomer.experiments.running.store import StoreError, package_version

MANIFEST = "manifest.json"
EVALUATIONS = "evaluations"
FORMAT_VERSION = 1


class SearchFolder:
    """A plan search's results folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.evaluations = self.folder / EVALUATIONS

    @classmethod
    def open(cls, folder: str | Path, problem: PlanProblem) -> SearchFolder:
        """Start a new folder for `problem`, or reopen one it was started in.

        Raises:
            StoreError: the folder holds something else, or another search.
        """
        store = cls(Path(folder))
        manifest = store.folder / MANIFEST
        identity = problem.identity()
        if folder_state(store.folder, PLAN_SEARCH) == "own":
            recorded = json.loads(manifest.read_text(encoding="utf-8"))
            if recorded.get("identity") != identity:
                changed = [
                    what
                    for name, what in (
                        ("spec", "the spec"),
                        ("scenario_sha256", "the scenario file"),
                        ("model_sha256", "the model's code"),
                        ("pymoo", "pymoo's version"),
                        ("posterior_sha256", "the posterior"),
                    )
                    if recorded.get("identity", {}).get(name) != identity.get(name)
                ]
                raise StoreError(
                    f"{store.folder}: holds another plan search ({recorded.get('title')!r}): "
                    f"{' and '.join(changed) or 'its identity'} changed since it started, and "
                    "resuming would mix the two; write to another --out folder"
                )
            for path in store.evaluations.glob(".*.tmp"):
                path.unlink(missing_ok=True)
            return store
        # A folder of something else is refused (eachcustomer.experiments.loading.folders).
        folder_state(store.folder, PLAN_SEARCH)
        mark_started(store.folder, PLAN_SEARCH)
        store.evaluations.mkdir(parents=True, exist_ok=True)
        text = json.dumps(
            {
                "format": FORMAT_VERSION,
                "kind": "plan search",
                "package": "eachcustomer",
                "version": package_version(),
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "title": problem.spec.title,
                "spec_path": str(problem.path) if problem.path else None,
                "spec_text": problem.text,
                "identity": identity,
            },
            indent=2,
            default=str,
        )
        # The manifest is written last: a folder with a manifest is a complete start.
        write_atomically(manifest, lambda path: Path(path).write_text(text, encoding="utf-8"))
        mark_complete(store.folder)
        return store

    def path(self, key: str) -> Path:
        return self.evaluations / f"{key}.json"

    def keys(self) -> set[str]:
        """The keys of every finished evaluation; a directory listing."""
        return {
            name.removesuffix(".json")
            for name in os.listdir(self.evaluations)
            if name.endswith(".json") and not name.startswith(".")
        }

    def read(self, key: str) -> dict[str, Any] | None:
        """A finished evaluation, or None."""
        path = self.path(key)
        if not path.is_file():
            return None
        record = json.loads(path.read_text(encoding="utf-8"))
        record["values"] = {
            name: [_number(v) for v in values] for name, values in record["values"].items()
        }
        return dict(record)

    def write(self, record: dict[str, Any]) -> None:
        """Record one finished evaluation, atomically."""
        clean = dict(record)
        clean["values"] = {
            name: [None if math.isnan(v) else v for v in values]
            for name, values in record.get("values", {}).items()
        }
        text = json.dumps(clean, indent=1, allow_nan=False)
        write_atomically(
            self.path(record["key"]), lambda path: Path(path).write_text(text, encoding="utf-8")
        )


def _number(value: Any) -> float:
    return float("nan") if value is None else float(value)
