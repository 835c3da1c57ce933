"""What the commands write is readable by whoever the umask lets read ordinary files.

Result tables, designs and manifests are written to a temporary file and renamed into
place; a temporary file of `tempfile.mkstemp` is 0600, so colleagues sharing a results
folder could not read a sweep's output. Every file written here must get the mode any new
file gets: 0666 less the umask.
"""

from __future__ import annotations

import os
import stat
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import tomli_w
from test_calibration_cli import TINY as TINY_TARGETS
from test_plan_finder_search import SMALL as SMALL_SEARCH
from test_sweeps import TINY as TINY_SWEEP
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.loading.files import write_atomically, write_table

runner = CliRunner()


@pytest.fixture
def umask() -> Iterator[Callable[[int], int]]:
    """Set the process's umask for the test (`umask(0o022)`), and put the old one back."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


def modes(folder: Path) -> dict[str, int]:
    """Every file under `folder` by its relative path, with its permission bits."""
    return {
        str(path.relative_to(folder)): stat.S_IMODE(path.stat().st_mode)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def invoke(*words: str | Path) -> None:
    result = runner.invoke(app, [str(word) for word in words])
    assert result.exit_code == 0, result.output


def test_a_sweep_its_report_a_plan_search_a_calibration_and_an_export_are_0644(umask, tmp_path):
    umask(0o022)
    (tmp_path / "sweep.toml").write_text(TINY_SWEEP)
    invoke("sweep", tmp_path / "sweep.toml", "--out", tmp_path / "sweep", "--workers", "1")
    invoke("analyze", tmp_path / "sweep")
    invoke("run", "--employees", "40", "--out", tmp_path / "exports" / "weekly.csv")
    invoke("run", "--employees", "40", "--out", tmp_path / "exports" / "weekly.parquet")
    (tmp_path / "search.toml").write_text(tomli_w.dumps(SMALL_SEARCH))
    invoke("plan", tmp_path / "search.toml", "--out", tmp_path / "plan", "--workers", "1")
    (tmp_path / "targets.toml").write_text(textwrap.dedent(TINY_TARGETS))
    invoke("calibrate", tmp_path / "targets.toml", "--out", tmp_path / "fit", "--workers", "1")

    written = {
        f"{folder}/{name}": mode
        for folder in ("sweep", "exports", "plan", "fit")
        for name, mode in modes(tmp_path / folder).items()
    }
    # What each command is known to write is there (so the check below is not vacuous).
    for name in (
        "sweep/manifest.json",
        "sweep/design.parquet",
        "sweep/report/index.html",
        "exports/weekly.csv",
        "exports/weekly.parquet",
        "plan/manifest.json",
        "plan/front.parquet",
        "plan/recommended.toml",
        "fit/posterior.parquet",
        "fit/manifest.json",
    ):
        assert name in written, (name, sorted(written))
    assert any(name.startswith("sweep/runs/") for name in written)
    assert any(name.startswith("sweep/report/") and name.endswith(".csv") for name in written)
    unreadable = {name: oct(mode) for name, mode in written.items() if mode != 0o644}
    assert unreadable == {}


def test_the_mode_follows_the_umask_and_the_temporary_file_is_gone(umask, tmp_path):
    import pandas as pd

    umask(0o002)  # a group that shares a folder may also write
    write_table(pd.DataFrame({"a": [1, 2]}), tmp_path / "table.parquet")
    write_atomically(tmp_path / "note.txt", lambda path: Path(path).write_text("x"))
    umask(0o077)  # a private user's files stay private
    write_table(pd.DataFrame({"a": [1, 2]}), tmp_path / "private.csv")
    assert modes(tmp_path) == {"note.txt": 0o664, "private.csv": 0o600, "table.parquet": 0o664}


def test_a_figures_folders_manifest_and_a_lock_are_readable_too(umask, tmp_path):
    from eachcustomer.experiments.loading.folders import LOCK_FILE, START_FILE, claim_figures

    umask(0o022)
    figures = tmp_path / "figures"
    with claim_figures(figures, "test") as files:
        # While a command holds the folder, whoever it refuses can read who holds it.
        assert modes(figures) == {LOCK_FILE: 0o644, START_FILE: 0o644}
        files.path("headline_summary.csv").write_text("a\n1\n")
    assert modes(figures) == {"figures.json": 0o644, "headline_summary.csv": 0o644}
