"""Compiled kernels: listed as their modules define them, cached in a folder of their version."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

import eachcustomer.sim.compiled
from eachcustomer.sim.compiled import KERNELS, kernel_cache_dir
from eachcustomer.sim.processes.bounds import push_attitude, pushed
from eachcustomer.sim.warmup import compile_kernels, kernels_cached


def test_every_kernel_is_compiled_and_cached_after_compile_kernels():
    compile_kernels()
    assert len(KERNELS) >= 20
    assert kernels_cached()
    # In the folder of this version of the kernels' sources (a changed helper kernel of one
    # module must not leave its callers in another module cached with the old one).
    folder = kernel_cache_dir()
    assert all(kernel.stats.cache_path.startswith(folder) for kernel in KERNELS)
    assert folder.rsplit("kernels-", 1)[1].isalnum()


def test_the_kernels_options_import_no_module_of_the_model():
    # Every module that defines a kernel imports this one; one import back is a cycle.
    tree = ast.parse(Path(eachcustomer.sim.compiled.__file__).read_text(encoding="utf-8"))
    imported = [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert imported and not [name for name in imported if name.startswith("eachcustomer")]


def test_an_inlined_kernel_is_not_listed_and_gives_in_python_what_its_callers_copy():
    # Copied into push_attitude, compiled on its own when Python calls it: the same numbers.
    assert pushed not in KERNELS and push_attitude in KERNELS
    attitude = np.array([0.5, -0.5, 0.9])
    push = np.array([0.5, -0.5, -0.3])
    expected = [pushed(a, x) for a, x in zip(attitude.tolist(), push.tolist(), strict=True)]
    np.testing.assert_array_equal(push_attitude(attitude, push), expected)
