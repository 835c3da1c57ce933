"""The shipped evidence of "where the verdict holds": a folder a reader can check by a sweep.

`build_evidence(results, out)` writes, from a finished sweep of two plans (by default the
built-in sweep spec decision_map, experiments/specs/decision_map.toml), the tables
`eachcustomer analyze` computes for its "Where the verdict holds" section, with the same
functions:

    decision_map.csv     paired advantage per cell
                         (`eachcustomer.experiments.analysis.decisions.decision_map`)
    break_even.csv       where the mean advantage crosses zero (`decisions.break_even`)
    scenario_boxes.csv   PRIM regions where each plan comes out ahead in single paired runs
                         (`eachcustomer.experiments.analysis.discovery`)
    spec.toml            the spec the runs ran, as it was
    manifest.json        the spec it stands for (a built-in's name, or a path) and its
                         SHA-256, where the runs differ from it, master seed, versions, and
                         the commands
    README.md            how the folder was produced

and the map as a PNG per outcome into a figures folder (the README's). The shipped folders
are package data, experiments/specs/evidence/NAME (`eachcustomer list evidence`);
`read_evidence` reads one back for the dashboard's Compare page, with a plain error when it
is missing or damaged. Regenerate decision_map, from the repository's root, with:

    eachcustomer sweep decision_map --out results/decision_map
    eachcustomer evidence results/decision_map

`restate_evidence` rewrites a folder written before the map's intervals were adjusted for
its many cells (`eachcustomer evidence experiments/specs/evidence/decision_map`): the
adjustment, the break-even between clear cells and the PRIM table's run counts follow from
the tables alone, with no run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from eachcustomer.experiments.analysis import decisions, discovery
from eachcustomer.experiments.analysis.discovery import ScenarioBox
from eachcustomer.experiments.analysis.tables import AnalysisError, load_results, progress
from eachcustomer.experiments.loading import catalogue
from eachcustomer.experiments.loading.files import write_atomically, write_table
from eachcustomer.experiments.loading.folders import EVIDENCE, claim_figures, claim_folder
from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.experiments.loading.sweeps import load_sweep
from eachcustomer.experiments.reports.decision_report import decision_map_figure, map_axes
from eachcustomer.extras import MissingExtraError, require, skipped
from eachcustomer.sim.limits import LARGE_LIMITS
from eachcustomer.sim.params import Params

SPEC = "decision_map"
"""The built-in sweep spec the shipped evidence stands for, and the name of its folder."""
FOLDER = Path("experiments/specs/evidence") / SPEC
"""Where `eachcustomer evidence` writes by default: the shipped folder, from the repository's
root (installed, it is `shipped_folder()`)."""
FIGURES = Path("docs/figures")
MAP_COLUMNS = (
    "outcome", "reference", "challenger", "n", "mean", "ci_low", "ci_high", "comparisons",
    "verdict",
)  # fmt: skip
BREAK_EVEN_COLUMNS = ("outcome", "challenger_better")
MANIFEST_KEYS = ("spec", "spec_sha256", "differences", "master_seed", "commands", "axes")


MULTIPLE_COMPARISONS = (
    "Bonferroni over each outcome's cells: `confidence` is the level at which all of an "
    "outcome's cell intervals hold together"
)


class EvidenceError(ValueError):
    """An evidence folder that cannot be built or read; the message says which file and why."""


def shipped_folder(name: str = SPEC) -> Path:
    """The shipped evidence folder `name` inside the installed package (it may be missing)."""
    return catalogue.folder("evidence") / name


@dataclass(frozen=True)
class Evidence:
    """A read evidence folder."""

    folder: Path
    manifest: dict[str, Any]
    table: pd.DataFrame
    crossings: pd.DataFrame
    boxes: list[ScenarioBox]

    @property
    def axes(self) -> tuple[str, str | None]:
        x, y = self.manifest["axes"]
        return str(x), (str(y) if y else None)


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def shown_path(path: Path) -> str:
    """A path as a command line would name it: relative to here when inside it."""
    path = Path(path)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def spec_differences(ran: dict[str, Any], named: dict[str, Any], prefix: str = "") -> list[str]:
    """Where the spec the runs ran differs from the named spec file, key by key."""
    found = []
    for key in sorted(set(ran) | set(named)):
        here, there = ran.get(key), named.get(key)
        name = f"{prefix}{key}"
        if isinstance(here, dict) and isinstance(there, dict):
            found += spec_differences(here, there, f"{name}.")
        elif here != there:
            found.append(
                f"{name}: {json.dumps(here)} in these runs, {json.dumps(there)} in the spec"
            )
    return found


def build_evidence(
    results_folder: str | Path,
    out: str | Path = FOLDER,
    spec: str | Path | None = None,
    figures: str | Path | None = FIGURES,
    confidence: float = 0.95,
) -> list[Path]:
    """Write the evidence folder `out` from a finished sweep's results, and the map's PNGs.

    Args:
        results_folder: a finished sweep with two plans besides "none".
        out: the evidence folder (created or overwritten file by file).
        spec: the spec file the evidence stands for; by default the one the sweep ran.
            When the runs differ from it (a smaller test run), the manifest lists how.
        figures: where to write `decision_map_<outcome>.png` (None: no PNG).
        confidence: level of the intervals.

    Returns:
        The files written.
    """
    results = load_results(results_folder)
    counts = progress(results)
    if counts["missing"]:
        raise EvidenceError(
            f"{results_folder}: the sweep is not finished ({counts['missing']} of "
            f"{counts['planned']} runs missing); rerun its sweep command to resume"
        )
    named = catalogue.resolve(
        "sweep",
        spec if spec is not None else results.manifest.get("spec_path") or SPEC,
        EvidenceError,
    )
    # A built-in spec is named by its name, which works wherever the package is installed.
    spec_name = catalogue.builtin_name("sweep", named) or shown_path(named)
    try:
        table = decisions.decision_map(results, confidence=confidence)
        boxes = discovery.scenario_boxes(results)
    except AnalysisError as error:
        raise EvidenceError(f"{results_folder}: {error}") from None
    x, y = map_axes(table)
    if x is None:
        raise EvidenceError(f"{results_folder}: the sweep varies no factor besides the plan")
    crossings = decisions.break_even(table, x, y)
    out = Path(out)
    with claim_folder(out, EVIDENCE):
        written = [
            write_table(table, out / "decision_map.csv"),
            write_table(crossings, out / "break_even.csv"),
            write_table(discovery.boxes_table(boxes), out / "scenario_boxes.csv"),
        ]
        spec_text = results.manifest.get("spec_text") or named.read_text(encoding="utf-8")
        write_atomically(out / "spec.toml", lambda path: Path(path).write_text(spec_text, "utf-8"))
        written.append(out / "spec.toml")
        # The named spec is read, never run: no size limits.
        named_spec = load_sweep(named, limits=LARGE_LIMITS).spec.model_dump(mode="json")
        ran_spec = results.manifest.get("identity", {}).get("spec", {})
        commands = [
            f"eachcustomer sweep {spec_name} --out results/decision_map",
            f"eachcustomer evidence results/decision_map --out {shown_path(out)}"
            + (f" --spec {spec_name}" if spec is not None else ""),
        ]
        manifest = {
            "what": "Where the verdict holds: the decision map, its break-even and the PRIM "
            "regions of `eachcustomer analyze`, from one sweep",
            "spec": spec_name,
            "spec_sha256": file_digest(named),
            "ran_spec_sha256": hashlib.sha256(spec_text.encode("utf-8")).hexdigest(),
            "differences": spec_differences(ran_spec, named_spec),
            "master_seed": results.manifest.get("master_seed"),
            "weeks": results.manifest.get("weeks"),
            "runs": {"ok": counts["ok"], "failed": counts["failed"]},
            "sweep_created": results.manifest.get("created"),
            "version": results.manifest.get("version"),
            "versions": results.manifest.get("versions"),
            "model_sha256": results.manifest.get("identity", {}).get("model_sha256"),
            "commands": commands,
            "axes": [x, y],
            "priced_plan": decisions.priced_plan(results),
            "confidence": confidence,
            "multiple_comparisons": MULTIPLE_COMPARISONS,
            "defaults": {
                "price_multiplier": 1.0,
                "strength_multiplier": 1.0,
                "disposition_pull": Params().disposition_pull,
            },
        }
        text = json.dumps(manifest, indent=2) + "\n"
        write_atomically(out / "manifest.json", lambda path: Path(path).write_text(text, "utf-8"))
        written.append(out / "manifest.json")
        readme = _readme(manifest)
        write_atomically(out / "README.md", lambda path: Path(path).write_text(readme, "utf-8"))
        written.append(out / "README.md")
    if figures is not None:
        written += _write_figures(table, manifest, Path(figures))
    return written


def _write_figures(table: pd.DataFrame, manifest: dict[str, Any], folder: Path) -> list[Path]:
    written: list[Path] = []
    try:
        require("kaleido", "docs", "PNG export")
    except MissingExtraError as error:
        skipped(error)
        return written
    with claim_figures(folder, "evidence") as files:
        for outcome in dict.fromkeys(table["outcome"]):
            figure = map_figure(table, manifest, outcome)
            figure.update_layout(width=900, height=560)
            path = files.path(f"decision_map_{outcome}.png")

            def draw(temporary: str, drawn: go.Figure = figure) -> None:
                drawn.write_image(temporary, format="png")

            try:
                write_atomically(path, draw)
            except (ImportError, ValueError, RuntimeError):
                return written  # kaleido found no Chrome or Chromium
            written.append(path)
    return written


def map_figure(table: pd.DataFrame, manifest: dict[str, Any], outcome: str) -> go.Figure:
    """The map of one outcome as `eachcustomer analyze` draws it, with the defaults marked."""
    x, y = manifest["axes"]
    titles = {name: plan.title for name, plan in plan_library().items()}
    priced = manifest.get("priced_plan")
    defaults = manifest.get("defaults") or {}
    mark = None
    if x in defaults and (y is None or y in defaults):
        mark = (float(defaults[x]), float(defaults[y]) if y else None, "the model's defaults")
    return decision_map_figure(table, outcome, x, y, titles, priced, mark=mark)


def _readme(manifest: dict[str, Any]) -> str:
    differences = manifest["differences"]
    caveat = (
        "**Preliminary:** these runs differ from the spec file:\n\n"
        + "".join(f"- {line}\n" for line in differences)
        + "\nRegenerate with the two commands above before quoting a number.\n"
        if differences
        else "The runs are exactly those of the spec file (SHA-256 in manifest.json).\n"
    )
    return (
        "# Where the verdict holds: the evidence\n\n"
        f"Produced from the sweep spec `{manifest['spec']}` (master seed "
        f"{manifest['master_seed']}, "
        f"{manifest['runs']['ok']} runs, eachcustomer {manifest['version']}) by:\n\n"
        "```\n" + "\n".join(manifest["commands"]) + "\n```\n\n" + caveat + "\n"
        "- `decision_map.csv`: the challenger's paired advantage per cell, mean and "
        "interval, and the verdict per cell (`verdicts.judge`). The cells are many "
        "comparisons at once: each interval is a Bonferroni interval, so that all of an "
        f"outcome's `comparisons` cells hold together at {manifest['confidence']:.0%};\n"
        "- `break_even.csv`: where the verdict changes sign, between two clear cells of "
        "opposite verdicts (`clear_below`, `clear_above`), with the means' zero crossing;\n"
        "- `scenario_boxes.csv`: the PRIM regions where each plan came out ahead in single "
        "paired runs, with coverage, density and the runs behind them (a region is stated "
        "from at least `min_cases` runs);\n"
        "- `spec.toml`: the spec the runs ran; `manifest.json`: seed, versions, commands.\n\n"
        "`eachcustomer analyze results/decision_map` draws the same tables in its report; "
        'the dashboard\'s Compare page shows them under "Where the verdict holds".\n'
    ) + "".join(f"\n{line}\n" for line in manifest.get("restated", []))


def is_evidence_folder(folder: str | Path) -> bool:
    """Whether `folder` is an evidence folder (its tables), not a sweep's results."""
    folder = Path(folder)
    return (folder / "decision_map.csv").is_file() and (folder / "spec.toml").is_file()


def restate_evidence(
    folder: str | Path, out: str | Path | None = None, figures: str | Path | None = FIGURES
) -> list[Path]:
    """Rewrite an evidence folder from its own tables, with no run: adjusted intervals.

    The map's intervals, each at the manifest's confidence alone, become Bonferroni
    intervals over each outcome's cells (`decisions.adjusted_map`), the verdicts and the
    break-even are judged again, and the PRIM table gains its run counts (the pairs of the
    map's cells). A folder already adjusted is rewritten unchanged.

    Raises:
        EvidenceError: a table is missing, or a PRIM region holds fewer runs than
            `discovery.MIN_CASES` (PRIM must run again on the sweep).
    """
    folder = Path(folder)
    out = folder if out is None else Path(out)
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise EvidenceError(f"{manifest_path}: cannot read it ({_reason(error)})") from None
    confidence = float(manifest.get("confidence", 0.95))
    x, y = manifest["axes"]
    table = decisions.adjusted_map(
        _read_table(folder / "decision_map.csv", ("n", "mean")), confidence
    )
    crossings = decisions.break_even(table, x, y)
    boxes = _restated_boxes(folder / "scenario_boxes.csv", table.groupby("outcome")["n"].sum())
    manifest["multiple_comparisons"] = MULTIPLE_COMPARISONS
    manifest["restated"] = [
        "Restated from these tables with no new run (`eachcustomer evidence` on this "
        "folder): the cells' intervals widened to Bonferroni intervals over each outcome's "
        "cells, the verdicts and the break-even judged again, and the PRIM table given its "
        "run counts."
    ]
    with claim_folder(out, EVIDENCE):
        written = [
            write_table(table, out / "decision_map.csv"),
            write_table(crossings, out / "break_even.csv"),
            write_table(boxes, out / "scenario_boxes.csv"),
        ]
        if out != folder:
            spec_text = (folder / "spec.toml").read_text(encoding="utf-8")
            write_atomically(
                out / "spec.toml", lambda path: Path(path).write_text(spec_text, "utf-8")
            )
            written.append(out / "spec.toml")
        text = json.dumps(manifest, indent=2) + "\n"
        write_atomically(out / "manifest.json", lambda path: Path(path).write_text(text, "utf-8"))
        readme = _readme(manifest)
        write_atomically(out / "README.md", lambda path: Path(path).write_text(readme, "utf-8"))
        written += [out / "manifest.json", out / "README.md"]
    if figures is not None:
        written += _write_figures(table, manifest, Path(figures))
    return written


def _restated_boxes(path: Path, pairs: pd.Series) -> pd.DataFrame:
    """The PRIM table with its run counts; a sweep with too few runs states no region."""
    boxes = _read_table(path, ("outcome",))
    boxes["cases"] = [int(pairs[name]) for name in boxes["outcome"]]
    boxes["min_cases"] = discovery.MIN_CASES
    try:
        read = discovery.boxes_from_table(boxes)
    except ValueError as error:
        raise EvidenceError(f"{path}: {error}") from None
    nan = float("nan")
    restated = []
    for box in read:
        if not box.enough:  # what PRIM now gives on so few runs, without running it
            box = replace(box, found=False, limits=(), coverage=nan, density=nan, mass=nan, runs=0)
        elif box.found and box.runs < box.min_cases:
            raise EvidenceError(
                f"{path}: a region of {box.runs} runs, fewer than {box.min_cases}: PRIM must "
                "choose again on the sweep (eachcustomer evidence RESULTS)"
            )
        restated.append(box)
    return discovery.boxes_table(restated)


def read_evidence(folder: str | Path | None = None) -> Evidence:
    """Read an evidence folder (the shipped decision map when None); a missing or damaged file
    raises `EvidenceError` naming it."""
    folder = shipped_folder() if folder is None else Path(folder)
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise EvidenceError(f"{path}: cannot read it ({_reason(error)})") from None
    missing = [
        key for key in MANIFEST_KEYS if not isinstance(manifest, dict) or key not in manifest
    ]
    if missing:
        raise EvidenceError(f"{path}: no {', '.join(missing)}")
    axes = [name for name in manifest["axes"] if name]
    table = _read_table(folder / "decision_map.csv", (*MAP_COLUMNS, *axes))
    crossings = _read_table(folder / "break_even.csv", (*BREAK_EVEN_COLUMNS, *axes))
    boxes_path = folder / "scenario_boxes.csv"
    try:
        boxes = discovery.boxes_from_table(_read_table(boxes_path, discovery.BOX_COLUMNS))
    except ValueError as error:
        raise EvidenceError(f"{boxes_path}: {error}") from None
    if table.empty:
        raise EvidenceError(f"{folder / 'decision_map.csv'}: no rows")
    return Evidence(folder, manifest, table, crossings, boxes)


def _read_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise EvidenceError(f"{path}: cannot read it ({_reason(error)})") from None
    missing = [name for name in columns if name not in table.columns]
    if missing:
        raise EvidenceError(f"{path}: no column {', '.join(missing)}")
    return table


def _reason(error: Exception) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file"
    return getattr(error, "strerror", None) or str(error).splitlines()[0]
