"""A calibration's posterior: read it from its folder and draw parameter sets from it.

A calibration folder (`eachcustomer calibrate ... --out DIR`) holds `posterior.parquet`: one
row per accepted parameter set of the last population, the fitted parameters as columns and
its `weight`; `manifest.json` says what was fitted. Runs, sweeps and the Compare page draw
from it with `draw_parameters(posterior, seed)`, the one drawing rule: a weighted draw whose
generator comes from the run's seed through `eachcustomer.sim.replications.replication_seeds`, so
the draw is reproduced by the seed and never shares a stream with the run itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eachcustomer.experiments.calibration import CalibrationError
from eachcustomer.experiments.calibration.lever_priors import LEVER_PRIORS
from eachcustomer.experiments.loading import catalogue
from eachcustomer.sim.params import Params
from eachcustomer.sim.replications import replication_seeds

POSTERIOR_FILE = "posterior.parquet"
MANIFEST_FILE = "manifest.json"
WEIGHT = "weight"
"""The column of each parameter set's weight (they sum to 1)."""
NOT_PARAMETERS = (WEIGHT, "distance")


@dataclass(frozen=True)
class Posterior:
    """Weighted parameter sets.

    Attributes:
        folder: where it was read from.
        table: one row per parameter set: the parameters and `weight`.
        parameters: the fitted parameters' names.
        digest: SHA-256 of the posterior file, so results can say which posterior they used.
    """

    folder: Path
    table: pd.DataFrame
    parameters: tuple[str, ...]
    digest: str

    @property
    def weights(self) -> np.ndarray:
        """The weights, normalized to sum to 1."""
        weights = self.table[WEIGHT].to_numpy(dtype=float)
        return weights / weights.sum()


def load_posterior(folder: str | Path) -> Posterior:
    """Read a calibration folder's posterior, or a built-in one by name (`published_units`);
    a folder that is not one raises CalibrationError."""
    folder = catalogue.resolve("posterior", folder, CalibrationError)
    path = folder / POSTERIOR_FILE
    if not (folder / MANIFEST_FILE).is_file() or not path.is_file():
        raise CalibrationError(
            f"{folder}: not a finished calibration (no {MANIFEST_FILE} and {POSTERIOR_FILE}); "
            "write one with `eachcustomer calibrate TARGETS.toml --out FOLDER`"
        )
    try:
        content = path.read_bytes()
        table = pd.read_parquet(path)
    except (OSError, ValueError) as problem:
        raise CalibrationError(f"{path}: cannot read it ({problem})") from None
    # Lever strengths (`lever_priors`) stay in the table for reading; runs never draw them.
    parameters = tuple(
        c for c in table.columns if c not in NOT_PARAMETERS and c not in LEVER_PRIORS
    )
    unknown = [name for name in parameters if name not in Params.model_fields]
    if unknown:
        raise CalibrationError(
            f"{path}: {', '.join(unknown)}: not parameters of this version of the model"
        )
    weights = table[WEIGHT].to_numpy(dtype=float) if WEIGHT in table else np.empty(0)
    if len(table) == 0 or not parameters or not (np.isfinite(weights).all() and weights.sum() > 0):
        raise CalibrationError(f"{path}: no parameter sets with positive weights")
    if (weights < 0).any():
        raise CalibrationError(f"{path}: negative weights")
    return Posterior(folder, table, parameters, hashlib.sha256(content).hexdigest())


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """A calibration folder's manifest."""
    path = Path(folder) / MANIFEST_FILE
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as problem:
        raise CalibrationError(f"{path}: cannot read it ({problem})") from None


def draw_parameters(posterior: Posterior, seed: int) -> dict[str, float]:
    """One parameter set drawn from the posterior by weight, reproduced by `seed`.

    The generator's seed is replication 0's seed of `seed` as master (`replication_seeds`),
    a stream of its own: a run seeded with `seed` and its parameter draw do not share
    random numbers. Replication r of a sweep draws with its own seed, so every plan and
    point of replication r runs with the same parameter set (common random numbers carry
    over to parameter uncertainty).
    """
    generator = np.random.default_rng(replication_seeds(seed, 1)[0])
    row = generator.choice(len(posterior.table), p=posterior.weights)
    return {name: float(posterior.table[name].iloc[row]) for name in posterior.parameters}


def draw_many(posterior: Posterior, master_seed: int, count: int) -> list[dict[str, float]]:
    """`count` parameter sets, draw r made with replication r's seed of `master_seed`."""
    return [draw_parameters(posterior, seed) for seed in replication_seeds(master_seed, count)]
