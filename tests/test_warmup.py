"""Compiling the kernels ahead of a run: every kernel, announced when that takes time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import eachcustomer.sim.compiled
import eachcustomer.sim.warmup
from eachcustomer.cli import app
from eachcustomer.sim.warmup import COMPILING, compile_kernels


def test_importing_the_warm_up_lists_every_kernel_of_the_model():
    # The warm-up imports the batch model and through it every module that defines a kernel.
    package = Path(eachcustomer.sim.compiled.__file__).parent
    defining = {
        ".".join(("eachcustomer", "sim", *path.relative_to(package).with_suffix("").parts))
        for path in package.rglob("*.py")
        if "\n@kernel\n" in path.read_text(encoding="utf-8")
    }
    assert len(defining) >= 8
    # in a fresh interpreter, so that no other test's imports fill the list
    listed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import eachcustomer.sim.warmup\n"
            "from eachcustomer.sim.compiled import KERNELS\n"
            "print(*{k.py_func.__module__ for k in KERNELS})",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert set(listed.stdout.split()) == defining


def test_a_cold_cache_is_announced_before_compiling(monkeypatch):
    said = []
    monkeypatch.setattr(eachcustomer.sim.warmup, "kernels_cached", lambda: False)
    compile_kernels(announce=lambda: said.append("compiling"))
    assert said == ["compiling"]


def test_a_warm_cache_is_not_announced(monkeypatch):
    said = []
    monkeypatch.setattr(eachcustomer.sim.warmup, "kernels_cached", lambda: True)
    compile_kernels(announce=lambda: said.append("compiling"), patience_s=120.0)
    assert said == []


def test_eachcustomer_run_says_when_it_compiles(monkeypatch):
    monkeypatch.setattr(eachcustomer.sim.warmup, "kernels_cached", lambda: False)
    result = CliRunner().invoke(app, ["run", "--steps", "3", "--employees", "60"])
    assert result.exit_code == 0, result.output
    assert COMPILING in " ".join(result.output.split())
