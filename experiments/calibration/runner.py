"""`calibrate`: a targets file in, a calibration folder out.

The folder (each file written atomically, `manifest.json` last, so a folder with a manifest
is complete):

    posterior.parquet          the last population: fitted parameters, weight, distance
    populations.parquet        every population, with each fit target's simulated value
    diagnostics.csv            per population: epsilon, particles, evaluations,
                               acceptance rate, effective sample size, seconds
    target_diagnostics.csv     per population and fit target: mean |scaled deviation|,
                               weighted share inside the accepted range
    targets.csv                per target: value, range, model before and after
    predictive_check.csv       per target: observed value against the model's 5-95% at
                               posterior draws, inside or not (`verdict.predictive_check`)
    parameters.csv             per fitted parameter: prior, before, posterior mean, 5-95%
    checks.parquet             every target at the scenario's values and at posterior draws
    summary.html               the page with the figures
    abc_history.db             pyabc's own database (pyabc.visualization reads it)
    NOT_A_USABLE_POSTERIOR.txt only when the last population is not a usable posterior
                               (`verdict.judge`: effective sample size, final epsilon)
    manifest.json              what was fitted, how, with which versions; the cost; the
                               verdict
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from eachcustomer.experiments.calibration import CalibrationError
from eachcustomer.experiments.calibration.lever_priors import values_before
from eachcustomer.experiments.calibration.posterior import MANIFEST_FILE, POSTERIOR_FILE, Posterior
from eachcustomer.experiments.calibration.target_checks import missing_outputs
from eachcustomer.experiments.calibration.target_spec import Calibration
from eachcustomer.experiments.calibration.verdict import (
    NOT_USABLE,
    WARNING_FILE,
    judge,
    predictive_check,
)
from eachcustomer.experiments.loading.files import (
    check_folder_path,
    disk_error,
    write_atomically,
    write_table,
)
from eachcustomer.experiments.loading.folders import (
    CALIBRATION,
    claim_folder,
    folder_state,
    mark_complete,
)
from eachcustomer.extras import require

REPRODUCIBILITY = (
    "Every job of ABC-SMC draws from its own seed (the calibration's seed, the population "
    "and the job's number) and every simulation from the parameter values and a counter, "
    "so the same targets file, seed and settings give the same posterior on one worker, "
    "a process pool or a Dask cluster, up to floating-point differences between machines. "
    "A max_minutes limit can stop two runs after different populations."
)


def require_pyabc() -> None:
    """Refuse, naming the [calibrate] extra and its pip command, when pyabc is missing.

    `fit` and `sampling` import pyabc at the top: they are imported only after this check.
    """
    require("pyabc", "calibrate", "calibration (ABC-SMC with pyabc)")


def check_out_folder(out: Path) -> Path:
    """Refuse a folder that cannot be written, already holds a calibration, or holds other files.

    A folder whose calibration was stopped before it finished (no manifest yet) is taken.
    """
    check_folder_path(out)
    if folder_state(out, CALIBRATION) == "own" or (out / POSTERIOR_FILE).exists():
        raise CalibrationError(
            f"{out}: already holds a calibration; choose a new folder or remove this one"
        )
    return out


def model_columns(calibration: Calibration) -> tuple[str, ...]:
    """The weekly outputs the model records for the calibration's organization."""
    from eachcustomer.sim.model import OrgModel
    from eachcustomer.sim.params import make_params

    model = OrgModel(make_params(calibration.base), org=calibration.setup.org, rng=0)
    return tuple(model.outputs().columns)


def check_runnable(calibration: Calibration) -> None:
    """Refuse targets whose statistics read outputs this model does not record."""
    problems = missing_outputs(calibration, model_columns(calibration))
    if problems:
        raise CalibrationError("\n".join(problems))


def calibrate(
    calibration: Calibration,
    out: str | Path,
    *,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    dask_local: bool = False,
    populations: int | None = None,
    population_size: int | None = None,
    on_progress: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Fit the calibration's priors to its targets and write the calibration folder `out`.

    Args:
        calibration: a validated targets file (`load_targets`).
        out: a new folder, or one without a calibration in it.
        workers: processes (default: all cores; 1 runs in this process), or the workers of
            a local Dask cluster.
        dask_scheduler: run on the Dask cluster at this address.
        dask_local: start a local Dask cluster.
        populations, population_size: override the file's [abc] settings.
        on_progress: called with `eachcustomer.experiments.calibration.fit.Progress` as jobs finish.

    Returns:
        The manifest written to `out`.
    """
    require_pyabc()
    from eachcustomer.experiments.calibration import fit as abc

    out = check_out_folder(Path(out))
    check_runnable(calibration)
    try:
        with (
            claim_folder(out, CALIBRATION),
            abc.executor(workers, dask_scheduler, dask_local) as (client, count),
            abc.tempdir(out) as scratch,
        ):
            database = Path(scratch) / "abc_history.db"
            result = abc.run_abc(
                calibration,
                database,
                client,
                count,
                populations=populations,
                population_size=population_size,
                on_progress=on_progress,
            )
            last = abc.posterior_table(result)
            parameters = (*calibration.priors, *result.drawn)
            posterior = Posterior(out, last[[*parameters, "weight"]], parameters, "")
            checks = abc.measure_draws(calibration, posterior, client, on_progress)
            return write_calibration(out, calibration, result, checks, database, count)
    except Exception as problem:
        # pyabc's database (SQLite through SQLAlchemy) says "database or disk is full".
        found = disk_error(problem, out) if "OperationalError" in type(problem).__name__ else None
        if found is None:
            raise
        raise found from None


def write_calibration(
    out: Path,
    calibration: Calibration,
    result: Any,
    checks: pd.DataFrame,
    database: Path,
    workers: int,
) -> dict[str, Any]:
    """Write every file of the calibration folder, the manifest last."""
    from eachcustomer.experiments.calibration import fit as abc
    from eachcustomer.experiments.calibration import summary

    last = abc.posterior_table(result)
    populations = pd.concat(
        [
            abc.posterior_table(result, t).assign(population=t)
            for t in range(result.history.max_t + 1)
        ],
        ignore_index=True,
    )
    per_population, per_target = abc.diagnostics(result)
    before = values_before(list(calibration.priors), calibration.base)
    targets = summary.target_summary(calibration.targets, checks)
    parameters = summary.parameter_summary(last, calibration.priors, before)
    predicted = predictive_check(calibration.targets, checks)
    verdict = judge(per_population)
    parameters_kept = [*calibration.priors, *result.drawn]
    write_table(last[[*parameters_kept, "weight", "distance"]], out / POSTERIOR_FILE)
    write_table(populations, out / "populations.parquet")
    write_table(per_population, out / "diagnostics.csv")
    write_table(per_target, out / "target_diagnostics.csv")
    write_table(targets, out / "targets.csv")
    write_table(parameters, out / "parameters.csv")
    write_table(checks, out / "checks.parquet")
    write_table(predicted, out / "predictive_check.csv")
    manifest = _manifest(calibration, result, per_population, workers)
    manifest["verdict"] = verdict.as_dict()
    if not verdict.usable:
        text = verdict.warning() + "\n"
        write_atomically(out / WARNING_FILE, lambda path: Path(path).write_text(text, "utf-8"))
    label = "" if verdict.usable else f" ({NOT_USABLE.upper()})"
    page = summary.summary_page(
        f"Calibration{label}: {calibration.spec.title}",
        [*([verdict.warning()] if not verdict.usable else []), *_facts(manifest)],
        [
            (
                "Targets",
                "Each target's accepted range, the model at the scenario's values (before) "
                "and at draws from the posterior (after).",
                targets.drop(columns=["source"]),
                summary.targets_figure(calibration.targets, checks),
            ),
            (
                "Posterior predictive check",
                "Each target's observed value against the fitted model's 5-95% range over "
                "posterior draws (new runs); about one in ten falls outside by chance.",
                predicted,
                None,
            ),
            (
                "Parameters",
                "Priors and weighted posteriors of the fitted parameters"
                + ("." if verdict.usable else f": {NOT_USABLE}, read them as a sketch."),
                parameters,
                summary.posterior_figure(last, calibration.priors, before),
            ),
            (
                "The search",
                "Epsilon is the largest scaled deviation the population accepted (1: every "
                "target inside its range); the effective sample size (Kish) is how many "
                "equally weighted particles the weights are worth.",
                per_population,
                summary.search_figure(per_population),
            ),
            (
                "The last population, target by target",
                "The weighted mean absolute scaled deviation of each fit target and the "
                "weighted share of particles inside its accepted range.",
                per_target[per_target["population"] == per_target["population"].max()],
                None,
            ),
            ("Reproducibility", REPRODUCIBILITY, None, None),
        ],
    )
    write_atomically(out / "summary.html", lambda path: Path(path).write_text(page, "utf-8"))
    os.replace(database, out / "abc_history.db")
    text = json.dumps(manifest, indent=2, default=str)
    write_atomically(out / MANIFEST_FILE, lambda path: Path(path).write_text(text, "utf-8"))
    mark_complete(out)
    return manifest


def _manifest(
    calibration: Calibration, result: Any, populations: pd.DataFrame, workers: int
) -> dict[str, Any]:
    from eachcustomer.experiments.loading.sweeps import model_digest

    spec = calibration.spec
    counts = result.counts
    runs = (
        counts.baseline
        + counts.training
        + counts.units
        + counts.surveyed_units
        + counts.practices
        + counts.observed
    )
    return {
        "format": 1,
        "kind": "calibration",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "title": spec.title,
        "targets_path": str(calibration.path) if calibration.path else None,
        "targets_text": calibration.text,
        "seed": spec.seed,
        "scenario": str(calibration.setup.path) if calibration.setup.path else None,
        "abc": spec.abc.model_dump(),
        "population_size": int(populations["particles"].iloc[-1]) if len(populations) else 0,
        "populations": len(populations),
        "priors": {name: prior.model_dump() for name, prior in calibration.priors.items()},
        "drawn_from": (
            {
                "folder": str(calibration.drawn_from.folder),
                "sha256": calibration.drawn_from.digest,
                "parameters": list(calibration.drawn_from.parameters),
            }
            if calibration.drawn_from is not None
            else None
        ),
        "fit_targets": [t.key for t in calibration.fitted],
        "check_targets": [t.key for t in calibration.checked],
        "fixed_parameters": {
            k: v
            for k, v in calibration.base.items()
            if k not in calibration.priors and k not in result.drawn
        },
        "evaluations": result.evaluations,
        "runs_per_evaluation": {
            "organization": counts.baseline,
            "training": counts.training,
            "units": counts.units,
            "surveyed_units": counts.surveyed_units,
            "practices": counts.practices,
            "observed": counts.observed,
        },
        "simulations": result.evaluations * runs,
        "seconds": round(result.seconds, 1),
        "workers": workers,
        "final_epsilon": float(populations["epsilon"].iloc[-1]) if len(populations) else None,
        "model_sha256": model_digest(),
        "versions": _versions(),
        "reproducibility": REPRODUCIBILITY,
    }


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("eachcustomer", "pyabc", "numpy", "pandas", "mesa"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "unknown"
    return found


def _facts(manifest: dict[str, Any]) -> list[str]:
    runs = manifest["runs_per_evaluation"]
    verdict = manifest["verdict"]
    return [
        f"Seed {manifest['seed']}; {manifest['populations']} populations of "
        f"{manifest['population_size']} particles; final epsilon "
        f"{manifest['final_epsilon']:.3g} (1: every particle meets every fit target); final "
        f"effective sample size {verdict['effective_sample_size']:.3g} (usable from "
        f"{verdict['ess_share_required']:g} x the population); final acceptance rate "
        f"{verdict['acceptance_rate']:.3g}. Label: {verdict['label']}.",
        f"{manifest['evaluations']:,} parameter sets evaluated, each with "
        f"{runs['organization']} runs of the organization, {runs['training']} with a "
        f"training day and {runs['units']} small organizations"
        + (f", {runs['practices']} practising culture change" if runs.get("practices") else "")
        + (f", {runs['observed']} observed as the firm" if runs.get("observed") else "")
        + ": "
        f"{manifest['simulations']:,} simulations in {manifest['seconds']:.0f} s on "
        f"{manifest['workers']} worker(s).",
        f"Fitted: {', '.join(manifest['priors'])}. Fit targets: "
        f"{', '.join(manifest['fit_targets'])}; check targets: "
        f"{', '.join(manifest['check_targets']) or 'none'}.",
    ]
