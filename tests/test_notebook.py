"""The example notebook runs from top to bottom against the current code."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "experiments" / "example_sweep.ipynb"


def outputs(cell) -> str:
    """Everything a cell printed or returned, as text, with the kinds of rich output."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts.append(data.get("text/plain", ""))
        parts.extend(kind for kind in data if kind.startswith("application/"))
    return "\n".join(parts)


def test_example_notebook_executes_and_shows_its_results():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        "commit the notebook without outputs"
    )
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()  # raises CellExecutionError, with the cell, if any cell fails
    shown = "\n".join(outputs(cell) for cell in notebook.cells if cell.cell_type == "code")
    assert "27 runs done, 0 failed" in shown
    assert "resumed: 0 runs to do, 27 already finished" in shown
    assert "training_day" in shown and "expected_cost" in shown
    assert shown.count("application/vnd.plotly.v1+json") == 3  # three figures drawn
    assert "index.html" in shown


# --- it runs with what the [notebook] extra declares ----------------------------------------


def declared(requirements: list[str], extras: tuple[str, ...] = ()) -> set[str]:
    """The distributions `requirements` install, with everything they require in turn."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: set[str] = set()
    todo = [(Requirement(line), set(extras)) for line in requirements]
    while todo:
        requirement, wanted = todo.pop()
        if requirement.marker is not None and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in wanted or {""}
        ):
            continue
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        found.add(name)
        try:
            lines = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue  # declared for another platform or Python
        todo += [(Requirement(line), set(requirement.extras)) for line in lines]
    return found


def test_the_notebook_extra_declares_what_running_the_notebook_needs():
    import ast
    import sys
    import tomllib
    from importlib import metadata

    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    notebook_extra = project["optional-dependencies"]["notebook"]
    available = declared(project["dependencies"] + notebook_extra)
    providers = metadata.packages_distributions()
    # The kernel, and the README's two commands (`jupyter execute`, `jupyter nbconvert`).
    assert {"ipykernel", "nbclient", "nbconvert", "nbformat"} <= available
    scripts = {entry.name: entry for entry in metadata.entry_points(group="console_scripts")}
    for command in ("jupyter-execute", "jupyter-nbconvert", "jupyter"):
        assert canonicalize_name(scripts[command].dist.name) in available, command
    # Every module a cell imports comes with Python, the project or a declared package.
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    imported = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.partition(".")[0])
    assert "eachcustomer" in imported
    for module in imported - set(sys.stdlib_module_names) - {"eachcustomer"}:
        assert {canonicalize_name(d) for d in providers[module]} & available, module


def test_the_readmes_nbconvert_command_runs_the_notebook(tmp_path):
    import shutil
    import subprocess
    import sys

    copy = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    jupyter = Path(sys.executable).with_name("jupyter")
    done = subprocess.run(
        [jupyter, "nbconvert", "--to", "notebook", "--execute", str(copy)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    executed = nbformat.read(tmp_path / "example_sweep.nbconvert.ipynb", as_version=4)
    shown = "\n".join(outputs(cell) for cell in executed.cells if cell.cell_type == "code")
    assert "27 runs done, 0 failed" in shown
