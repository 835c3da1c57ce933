"""Compiled kernels: cached on disk, compiled ahead of a run, announced when that takes time."""

from __future__ import annotations

from typer.testing import CliRunner

import eachcustomer.sim.compiled
from eachcustomer.cli import app
from eachcustomer.sim.compiled import (
    COMPILING,
    KERNELS,
    compile_kernels,
    kernel_cache_dir,
    kernels_cached,
)


def test_every_kernel_is_compiled_and_cached_after_compile_kernels():
    compile_kernels()
    assert len(KERNELS) >= 20
    assert kernels_cached()
    # In the folder of this version of the kernels' sources (a changed helper kernel of one
    # module must not leave its callers in another module cached with the old one).
    folder = kernel_cache_dir()
    assert all(kernel.stats.cache_path.startswith(folder) for kernel in KERNELS)
    assert folder.rsplit("kernels-", 1)[1].isalnum()


def test_a_cold_cache_is_announced_before_compiling(monkeypatch):
    said = []
    monkeypatch.setattr(eachcustomer.sim.compiled, "kernels_cached", lambda: False)
    compile_kernels(announce=lambda: said.append("compiling"))
    assert said == ["compiling"]


def test_a_warm_cache_is_not_announced(monkeypatch):
    said = []
    monkeypatch.setattr(eachcustomer.sim.compiled, "kernels_cached", lambda: True)
    compile_kernels(announce=lambda: said.append("compiling"), patience_s=120.0)
    assert said == []


def test_eachcustomer_run_says_when_it_compiles(monkeypatch):
    monkeypatch.setattr(eachcustomer.sim.compiled, "kernels_cached", lambda: False)
    result = CliRunner().invoke(app, ["run", "--steps", "3", "--employees", "60"])
    assert result.exit_code == 0, result.output
    assert COMPILING in " ".join(result.output.split())
