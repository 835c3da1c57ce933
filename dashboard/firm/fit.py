"""The fit from the dashboard: `eachcustomer fit-firm` at a demo's size, in a background job.

The job writes the page's files as the folder `fit-firm` reads, prepares the targets
(`eachcustomer.experiments.firmdata.fitting.prepare`), says the estimated cost with the
sentence the command line prints (`budget.estimate` from one timed evaluation), fits on one
worker in the job's own process (the dashboard's bound on jobs is a bound on cores), and
returns what the page shows: the verdict (`eachcustomer.experiments.calibration.verdict`),
the predictive check by target, and the fitted organization as a zip of the folder
`fit-firm --out` writes (scenario, chart, targets, posterior/, sweep.toml, plan.toml), which
`eachcustomer run`, `sweep` and `plan` accept.
"""

from __future__ import annotations

import base64
import io
import math
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from eachcustomer.dashboard.firm.files import SCENARIO_NAME, stored_files, write_folder
from eachcustomer.dashboard.settings import user_message

SIZES = {"population_size": (10, 100, 20), "populations": (1, 10, 3), "max_minutes": (1, 9, 3)}
"""Sliders: (least, most, default). The defaults are a demo (a minute or two on a free
core); `eachcustomer fit-firm` runs 10 populations of 100 within 9 minutes by default."""
SIZE_LABELS = {
    "population_size": "Particles per population",
    "populations": "Most populations",
    "max_minutes": "Start no population after (minutes)",
}
MAX_ZIP_BYTES = 20_000_000
"""Largest fitted folder sent back to the browser."""
Report = Callable[[float, str], None]
"""Called with the share done (0 to 1) and a line saying where the fit stands."""


def size_problem(sizes: dict[str, Any]) -> str | None:
    """What is wrong with the fit's sizes (each a number within its slider's range), or None."""
    for name, value in sizes.items():
        least, most, _ = SIZES[name]
        if not isinstance(value, int | float) or isinstance(value, bool):
            return f"{SIZE_LABELS[name]} must be a number from {least} to {most}"
        if not least <= value <= most or (name != "max_minutes" and value != int(value)):
            return f"{SIZE_LABELS[name]} must be a whole number from {least} to {most}"
    return None


def progress_of(progress: Any) -> tuple[float, str]:
    """A calibration's progress as a share done and a line: the populations take the first
    90%, the posterior predictive check the rest."""
    if progress.phase == "abc":
        steps = progress.populations + 1  # the prior sample, then each population
        within = min(progress.accepted / max(progress.population_size, 1), 1.0)
        share = 0.9 * (progress.generation + 1 + within) / steps
        name = (
            "prior sample"
            if progress.generation < 0
            else f"population {progress.generation + 1} of at most {progress.populations}"
        )
        return share, f"{name}: {progress.accepted} accepted, {progress.evaluations:,} evaluated"
    share = 0.9 + 0.1 * progress.done / max(progress.total, 1)
    return share, f"predictive check: {progress.done} of {progress.total} runs"


def zipped(folder: Path) -> bytes:
    """A folder as a zip whose entries sit in one folder of the same name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path(folder.name) / path.relative_to(folder))
    return buffer.getvalue()


def abc_settings(sizes: dict[str, Any]) -> dict[str, Any]:
    """The sliders' values as a targets file's [abc] settings."""
    return {
        "population_size": int(sizes["population_size"]),
        "populations": int(sizes["populations"]),
        "max_minutes": float(sizes["max_minutes"]),
    }


def estimate_files(stored: Any, sizes: dict[str, Any], seed: int = 1) -> dict[str, Any]:
    """Before a fit: the estimate it would print when it starts ({"estimate": sentence}),
    from the same targets and one timed evaluation; or {"error": message}."""
    from eachcustomer.experiments.calibration import CalibrationError
    from eachcustomer.experiments.calibration.budget import estimate, probe
    from eachcustomer.experiments.firmdata.fitting import prepare

    problem = size_problem(sizes)
    if problem is not None:
        return {"error": f"{problem}."}
    with tempfile.TemporaryDirectory(prefix="eachcustomer-estimate-") as temporary:
        folder = Path(temporary) / "your_organization"
        write_folder(stored_files(stored), folder)
        try:
            calibration = prepare(folder, Path(temporary) / "fitted", abc_settings(sizes), seed)
            return {"estimate": estimate(calibration, probe(calibration), workers=1).sentence()}
        except (CalibrationError, ValueError) as error:
            return {"error": user_message(error).replace(temporary, "")}


def fit_files(stored: Any, sizes: dict[str, Any], report: Report, seed: int = 1) -> dict[str, Any]:
    """Fit the page's files; what the page shows, or {"error": message}."""
    from eachcustomer.experiments.calibration import CalibrationError
    from eachcustomer.experiments.calibration.budget import estimate, probe
    from eachcustomer.experiments.calibration.runner import calibrate, require_pyabc
    from eachcustomer.experiments.firmdata.fitting import prepare
    from eachcustomer.extras import MissingExtraError
    from eachcustomer.fitfirm import write_specs

    problem = size_problem(sizes)
    if problem is not None:
        return {"error": f"{problem}."}
    try:  # the plain install has no pyabc: say which extra, before any work
        require_pyabc()
    except MissingExtraError as error:
        return {"error": str(error)}
    started = time.monotonic()
    abc = abc_settings(sizes)
    with tempfile.TemporaryDirectory(prefix="eachcustomer-fit-") as temporary:
        folder = Path(temporary) / "your_organization"
        out = Path(temporary) / "fitted_organization"
        write_folder(stored_files(stored), folder)
        report(0.0, "Preparing the targets and timing one evaluation…")
        try:
            calibration = prepare(folder, out, abc, seed)
            sentence = estimate(calibration, probe(calibration), workers=1).sentence()
            report(0.0, sentence)
            manifest = calibrate(
                calibration,
                out / "posterior",
                workers=1,
                on_progress=lambda progress: report(*progress_of(progress)),
            )
        except (CalibrationError, ValueError) as error:
            return {"error": user_message(error).replace(temporary, "")}
        write_specs(out, "Your organization")
        check = pd.read_csv(out / "posterior" / "predictive_check.csv", keep_default_na=False)
        means = posterior_means(out / "posterior", tuple(calibration.priors))
        archive = zipped(out)
    if len(archive) > MAX_ZIP_BYTES:
        return {"error": f"The fitted folder is {len(archive) / 1e6:.0f} MB, too large to send."}
    return {
        "estimate": sentence,
        "verdict": manifest["verdict"],
        "fitted": list(calibration.priors),
        "means": means,
        "evaluations": int(manifest["evaluations"]),
        "seconds": round(time.monotonic() - started),
        "check": check_rows(check, calibration.targets),
        "scenario": SCENARIO_NAME,
        "zip": base64.b64encode(archive).decode("ascii"),
    }


def posterior_means(folder: Path, names: tuple[str, ...]) -> dict[str, float]:
    """The weighted mean of each fitted parameter over the last population: the one
    parameter set Explore, Compare and the plan finder run the fitted organization at."""
    from eachcustomer.experiments.calibration.posterior import POSTERIOR_FILE

    table = pd.read_parquet(folder / POSTERIOR_FILE)
    weights = table["weight"] / table["weight"].sum()
    return {name: float((table[name] * weights).sum()) for name in names}


def check_rows(check: pd.DataFrame, targets: Any) -> list[dict[str, Any]]:
    """The predictive check's rows with each target's statistic, unit and week; numbers as
    numbers (nan as None, for JSON)."""
    about = {t.key: t for t in targets}
    rows = []
    for row in check.to_dict("records"):
        target = about.get(row["target"])
        row = {
            key: (None if isinstance(value, float) and math.isnan(value) else value)
            for key, value in row.items()
        }
        if target is not None:
            row.update(
                statistic=target.statistic.name,
                meaning=target.statistic.meaning,
                unit=target.statistic.unit,
                week=target.week,
            )
        rows.append(row)
    return rows
