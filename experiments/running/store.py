"""The result store of a sweep: a folder of small Parquet files, a manifest, and resume.

Layout of a results folder:

    manifest.json            the spec, its scenario's digest, package version, master seed
    design.parquet           every planned run: run_id, point, arm, replication, seed, values
    runs/part-<id>.parquet   one row per finished run: values, status, error, outcomes
    series/part-<id>.parquet that run's outputs week by week (run_id, week, outcome, value)

Each finished run is written as its own file, through a temporary name and a rename, the
series first and the run row last: a run is finished exactly when its runs/ file exists, so
a crash at any moment leaves whole files only, and a resumed sweep skips exactly the runs
already finished. A failed run's row is `part-<id>.failed.parquet` (status "failed" and the
error); a resume keeps it unless asked to retry failures. Readers see `runs/` and `series/`
as Parquet datasets (`pandas.read_parquet(folder / "runs")`); temporary files start with a
dot, which dataset readers skip.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from eachcustomer.experiments.loading.files import write_atomically
from eachcustomer.experiments.loading.folders import (
    SWEEP,
    folder_state,
    mark_complete,
    mark_started,
)

if TYPE_CHECKING:
    from eachcustomer.experiments.loading.sweeps import Sweep

MANIFEST = "manifest.json"
DESIGN = "design.parquet"
FORMAT_VERSION = 1
PART = re.compile(r"^part-(\d+)(\.failed)?\.parquet$")
ID_COLUMNS = (
    ("run_id", pa.int64()),
    ("point", pa.int64()),
    ("arm", pa.int64()),
    ("replication", pa.int64()),
    ("seed", pa.int64()),
)
SERIES_SCHEMA = pa.schema(
    [
        ("run_id", pa.int64()),
        ("week", pa.int32()),
        ("outcome", pa.string()),
        ("value", pa.float64()),
    ]
)


class StoreError(ValueError):
    """A results folder that cannot take this sweep; the message says why and what to do."""


def package_version() -> str:
    """The installed eachcustomer version, or "unknown" when running from a bare checkout."""
    try:
        return metadata.version("eachcustomer")
    except metadata.PackageNotFoundError:
        return "unknown"


def _versions() -> dict[str, str]:
    found = {}
    for name in ("numpy", "mesa", "SALib", "pandas", "pyarrow"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "unknown"
    return found


def run_schema(sweep: Sweep) -> pa.Schema:
    """The columns of a run row, the same for every run of the sweep (failed ones too)."""
    fields = [pa.field(name, kind) for name, kind in ID_COLUMNS]
    for factor in sweep.factors:
        kind = (
            pa.string() if factor.name == "plan" else pa.int64() if factor.integer else pa.float64()
        )
        fields.append(pa.field(factor.name, kind))
    fields += [
        pa.field("status", pa.string()),
        pa.field("error", pa.string()),
        pa.field("elapsed_s", pa.float64()),
    ]
    fields += [pa.field(name, pa.float64()) for name in sweep.outcome_columns]
    return pa.schema(fields)


def manifest_for(sweep: Sweep, design: pd.DataFrame) -> dict[str, Any]:
    """What a results folder records about its sweep."""
    spec = sweep.spec
    return {
        "format": FORMAT_VERSION,
        "kind": "sweep",
        "package": "eachcustomer",
        "version": package_version(),
        "versions": _versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "title": spec.title,
        "spec_path": str(sweep.path) if sweep.path else None,
        "spec_text": sweep.text,
        "master_seed": spec.seed,
        "identity": sweep.identity(),
        "scenario": str(sweep.setup.path) if sweep.setup.path else None,
        "weeks": sweep.weeks,
        "design": {
            "kind": spec.design.kind,
            "samples": spec.design.samples,
            "levels": spec.design.levels,
            "second_order": spec.design.second_order,
            "points": int(design["point"].max()) + 1 if len(design) else 0,
            "arms": int(design["arm"].max()) + 1 if len(design) else 0,
            "replications": spec.replications,
            "runs": len(design),
        },
        "ranges": [
            {"name": f.name, "low": f.low, "high": f.high, "integer": f.integer}
            for f in sweep.ranges
        ],
        "lists": [{"name": f.name, "values": list(f.values)} for f in sweep.lists],
        "constants": sweep.constants,
        "posterior": (
            {
                "folder": str(sweep.posterior.folder),
                "sha256": sweep.posterior.digest,
                "parameters": list(sweep.posterior.parameters),
            }
            if sweep.posterior is not None
            else None
        ),
        "outcomes": list(sweep.outcome_columns),
        "series": list(spec.outcomes.series),
    }


class ResultStore:
    """A results folder: write finished runs one file each, know which runs are done."""

    def __init__(self, folder: Path, schema: pa.Schema | None = None) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / "runs"
        self.series = self.folder / "series"
        self.schema = schema

    # --- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, folder: str | Path, sweep: Sweep) -> tuple[ResultStore, pd.DataFrame]:
        """Start a new results folder for `sweep`, or reopen one it was started in.

        Returns the store and the design (read back from the folder when resuming, so a
        resumed sweep runs exactly the runs it planned, whatever changed in the samplers).

        Raises:
            StoreError: the folder holds something else, or a different sweep.
        """
        folder = Path(folder)
        store = cls(folder, run_schema(sweep))
        manifest = folder / MANIFEST
        # A folder of something else is refused; a new one, an empty one or one whose start
        # was killed before its manifest (eachcustomer.experiments.loading.folders) starts.
        if folder_state(folder, SWEEP) == "own":
            recorded = read_manifest(folder)
            recorded_identity, identity = recorded.get("identity", {}), sweep.identity()
            if recorded_identity != identity:
                changed = [
                    what
                    for name, what in (
                        ("spec", "the sweep spec"),
                        ("scenario_sha256", "the scenario file"),
                        ("model_sha256", "the model's code"),
                    )
                    if recorded_identity.get(name) != identity[name]
                ]
                raise StoreError(
                    f"{folder}: holds the results of another sweep "
                    f"({recorded.get('title')!r}): "
                    f"{' and '.join(changed) or 'its identity'} changed since it "
                    "started, and resuming would mix the two; write to another "
                    "--out folder"
                )
            design = read_design(folder)
            store._remove_temporaries()
            return store, design
        design = sweep.design()
        mark_started(folder, SWEEP)
        store.runs.mkdir(parents=True, exist_ok=True)
        store.series.mkdir(exist_ok=True)
        write_atomically(folder / DESIGN, lambda path: design.to_parquet(path, index=False))
        # The manifest is written last: a folder with a manifest is a complete start.
        text = json.dumps(manifest_for(sweep, design), indent=2, default=str)
        write_atomically(manifest, lambda path: Path(path).write_text(text, encoding="utf-8"))
        mark_complete(folder)
        return store, design

    def _remove_temporaries(self) -> None:
        """Delete what a crash can leave: temporary files, failed rows of retried runs."""
        for folder in (self.runs, self.series):
            for path in folder.glob(".*.tmp"):
                path.unlink(missing_ok=True)
        for path in self.runs.glob("part-*.failed.parquet"):
            match = PART.match(path.name)
            if match is not None and self.run_path(int(match.group(1))).exists():
                path.unlink()

    # --- what is done ----------------------------------------------------------------------
    def finished(self) -> dict[int, str]:
        """Run id -> "ok" or "failed", for every run with a result file; a directory listing."""
        done: dict[int, str] = {}
        for name in os.listdir(self.runs):
            match = PART.match(name)
            if match:
                run_id = int(match.group(1))
                failed = match.group(2) is not None
                # If a retried run's ok file exists, its stale failed file doesn't count.
                if done.get(run_id) != "ok":
                    done[run_id] = "failed" if failed else "ok"
        return done

    def run_path(self, run_id: int, failed: bool = False) -> Path:
        return self.runs / f"part-{run_id:08d}{'.failed' if failed else ''}.parquet"

    # --- writing ---------------------------------------------------------------------------
    def write(self, row: dict[str, Any], series: Mapping[str, Any] | pd.DataFrame | None) -> None:
        """Record one finished run: its series, then its row (which marks it finished).

        The series is the run's long table (run_id, week, outcome, value): columns of arrays
        (`eachcustomer.experiments.running.sweep_runs.LongSeries`) or a DataFrame.
        """
        run_id = int(row["run_id"])
        failed = row["status"] != "ok"
        if series is not None and len(series[SERIES_SCHEMA.names[0]]):
            table = (
                pa.Table.from_pandas(series, schema=SERIES_SCHEMA, preserve_index=False)
                if isinstance(series, pd.DataFrame)
                else pa.table(dict(series), schema=SERIES_SCHEMA)
            )
            write_atomically(
                self.series / f"part-{run_id:08d}.parquet", lambda path: pq.write_table(table, path)
            )
        assert self.schema is not None, "a store opened for writing knows its schema"
        columns = {field.name: [row.get(field.name)] for field in self.schema}
        table = pa.Table.from_pydict(columns, schema=self.schema)
        write_atomically(self.run_path(run_id, failed), lambda path: pq.write_table(table, path))
        if not failed:
            self.run_path(run_id, failed=True).unlink(missing_ok=True)


# --- reading -------------------------------------------------------------------------------


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of a results folder.

    Raises:
        StoreError: no manifest, or one that is not readable JSON (the message says what to do).
    """
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise StoreError(f"{folder}: not a sweep's results folder (no {MANIFEST})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, UnicodeDecodeError, ValueError) as problem:
        raise StoreError(
            f"{path}: damaged, not a readable manifest ({_reason(problem)}); the folder's "
            "runs cannot be matched to their sweep: run the sweep again into a new --out "
            "folder (or restore the file from a backup)"
        ) from None
    return data


def _reason(problem: BaseException) -> str:
    text = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
    return text[:200]


def _damaged(path: Path, problem: BaseException) -> StoreError:
    """What to do about a results file that cannot be read: which file, and the way out."""
    folder = path.parent.parent if path.parent.name in ("runs", "series") else path.parent
    if path.name == DESIGN:
        advice = (
            "the planned runs are lost: run the sweep again into a new --out folder (or "
            "restore the file from a backup)"
        )
    else:
        match = PART.match(path.name)
        advice = (
            f"delete runs/part-{int(match.group(1)):08d}*.parquet and "
            f"series/part-{int(match.group(1)):08d}.parquet in {folder} and run the same "
            "sweep command again: that run is done again"
            if match
            else "delete it and run the same sweep command again"
        )
    return StoreError(
        f"{path}: damaged, not a readable Parquet file ({_reason(problem)}); {advice}"
    )


def _read_parquet_files(folder: Path, read: Any) -> Any:
    """`read()` of a dataset folder; a damaged file in it is found and named (`_damaged`)."""
    try:
        return read()
    except (OSError, ValueError, pa.ArrowException) as problem:
        for name in sorted(os.listdir(folder)):
            if PART.match(name):
                try:
                    pq.read_metadata(folder / name)
                except (OSError, ValueError, pa.ArrowException) as broken:
                    raise _damaged(folder / name, broken) from None
        raise StoreError(f"{folder}: cannot be read ({_reason(problem)})") from None


def read_design(folder: str | Path) -> pd.DataFrame:
    """Every planned run of the sweep in a results folder."""
    read_manifest(folder)
    path = Path(folder) / DESIGN
    try:
        return pd.read_parquet(path)
    except FileNotFoundError:
        raise StoreError(
            f"{path}: missing; the planned runs are lost: run the sweep again into a new "
            "--out folder"
        ) from None
    except (OSError, ValueError, pa.ArrowException) as problem:
        raise _damaged(path, problem) from None


def read_runs(folder: str | Path) -> pd.DataFrame:
    """One row per finished run (ok and failed), sorted by run id."""
    read_manifest(folder)
    runs = Path(folder) / "runs"
    if not any(PART.match(name) for name in os.listdir(runs)):
        return pd.DataFrame(columns=["run_id", "status"])
    table = _read_parquet_files(runs, lambda: pq.read_table(runs).to_pandas())
    # A crash between a retried run's new file and the removal of its failed one leaves
    # both: the newer, ok one counts.
    table = table.sort_values(
        ["run_id", "status"], key=lambda c: c if c.name == "run_id" else c != "ok", kind="stable"
    )
    return table.drop_duplicates("run_id").reset_index(drop=True)


def read_series(folder: str | Path, outcomes: list[str] | None = None) -> pd.DataFrame:
    """The long table of weekly outputs (run_id, week, outcome, value), sorted."""
    read_manifest(folder)
    path = Path(folder) / "series"
    if not any(PART.match(name) for name in os.listdir(path)):
        return pd.DataFrame(
            {field.name: pd.Series(dtype=field.type.to_pandas_dtype()) for field in SERIES_SCHEMA}
        )
    filters = [("outcome", "in", list(outcomes))] if outcomes else None
    table = _read_parquet_files(
        path, lambda: pq.read_table(path, filters=filters, schema=SERIES_SCHEMA).to_pandas()
    )
    return table.sort_values(["run_id", "outcome", "week"], kind="stable").reset_index(drop=True)
