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
