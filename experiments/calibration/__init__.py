"""Calibration: fit the uncertain parameters to targets (published figures or your own data).

- `targets`: the targets file (TOML): targets, priors, settings; validated (its tables are
  the models of `target_spec`, checked by `target_checks`).
- `statistics`: the registry of statistics a target can name, and how each is measured.
- `simulate`: the runs one parameter set needs, and the statistics measured on them.
- `fit`: ABC-SMC with pyabc on the project's executors (process pool, Dask).
- `posterior`: read a calibration folder and draw parameter sets from its posterior.
- `summary`: the calibration folder's tables and HTML summary.
"""

from __future__ import annotations


class CalibrationError(ValueError):
    """A targets file, posterior folder or calibration request that cannot work; says why."""
