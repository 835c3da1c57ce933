"""Optional features: the one way to import a package that only an extra installs.

`pip install eachcustomer` runs the model, the command line, sweeps on local processes and
the dashboard. What only some users need is an extra (pyproject.toml's
`[project.optional-dependencies]`):

    discovery   PRIM scenario discovery in reports and evidence, the EMA Workbench adapter
                (ema_workbench)
    cluster     sweeps and calibrations on a Dask cluster (dask[distributed])
    calibrate   ABC-SMC calibration (pyabc)
    notebook    running the example notebook (ipykernel, nbclient, nbconvert, nbformat)
    viz         Mesa's SolaraViz of the model (solara, altair, matplotlib)
    docs        PNG export of figures (kaleido)

Every optional import goes through `require`, at the point of use, so a plain install
imports everything else. Without the extra it raises `MissingExtraError`, a user error whose
message names the feature, the extra and the pip command; the command line shows it
without a traceback (`eachcustomer.userrors`).
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType


def install_command(extra: str) -> str:
    """The pip command that installs `extra`."""
    return f"pip install 'eachcustomer[{extra}]'"


class MissingExtraError(ImportError):
    """An optional feature was asked for, and the extra that installs it is missing."""

    def __init__(self, module: str, extra: str, feature: str, reason: str = "") -> None:
        self.module, self.extra, self.feature = module, extra, feature
        top = module.partition(".")[0]
        why = f"cannot be imported: {reason}" if reason else "is not installed"
        self.needs = f"the [{extra}] extra ({top} {why}): {install_command(extra)}"
        super().__init__(f"{feature} needs {self.needs}", name=module)


class ExtraSkipped(UserWarning):
    """A part of a result was left out because its extra is missing; the rest is there."""


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import `module`, or raise `MissingExtraError` naming `feature`, `extra` and the pip command.

    Args:
        module: the module to import, e.g. "ema_workbench.analysis.prim".
        extra: the extra of pyproject.toml that installs it, e.g. "discovery".
        feature: what needs it, in words, e.g. "scenario discovery (PRIM)".

    Raises:
        MissingExtraError: the module, or a package it imports, is missing or fails to import.
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        # An installed package of the extra that is broken (one of its own dependencies
        # missing) is named with its error: reinstalling the extra is still the fix.
        name = error.name or ""
        missing = bool(name) and (module == name or module.startswith(name + "."))
        raise MissingExtraError(module, extra, feature, "" if missing else str(error)) from error


def skipped(error: MissingExtraError) -> str:
    """Warn (`ExtraSkipped`) that `error.feature` was left out; return the sentence to show."""
    sentence = (
        f"{error.feature[:1].upper()}{error.feature[1:]} was skipped: it needs {error.needs}."
    )
    warnings.warn(sentence, ExtraSkipped, stacklevel=2)
    return sentence


@contextmanager
def tell_skipped(say: Callable[[str], None]) -> Iterator[None]:
    """Pass each `ExtraSkipped` warning raised inside to `say`; other warnings as usual."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ExtraSkipped)
        yield
    for warning in caught:
        if issubclass(warning.category, ExtraSkipped):
            say(str(warning.message))
        else:
            warnings.showwarning(
                warning.message, warning.category, warning.filename, warning.lineno
            )
