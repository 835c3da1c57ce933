"""Same spec and seed, same results: in one process, on a local pool, on a Dask cluster."""

from __future__ import annotations

import pandas as pd
import pytest
from test_sweeps import TINY, said, write_spec
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.loading.sweeps import load_sweep
from eachcustomer.experiments.running.executors import (
    DaskExecutor,
    ProcessExecutor,
    SerialExecutor,
    run_sweep,
)
from eachcustomer.experiments.running.store import read_runs, read_series

distributed = pytest.importorskip("distributed")

SPEC = TINY.replace("replications = 2", "replications = 3")
"""12 runs: two biases x two plans x three replications."""


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as local:
        yield local


def results(folder):
    runs = read_runs(folder).drop(columns="elapsed_s")
    return runs, read_series(folder)


def test_serial_processes_and_dask_give_identical_results(tmp_path, cluster):
    sweep = load_sweep(write_spec(tmp_path, SPEC))
    run_sweep(sweep, tmp_path / "serial", SerialExecutor())
    run_sweep(sweep, tmp_path / "pool", ProcessExecutor(2, chunk_size=1, start="at_once"))
    with distributed.Client(cluster) as client:
        executor = DaskExecutor(client=client, chunk_size=2)
        assert executor.workers == 2
        run_sweep(sweep, tmp_path / "dask", executor)
        assert client.status == "running"  # a client we were given is not closed
    serial = results(tmp_path / "serial")
    assert len(serial[0]) == 12 and serial[0]["status"].eq("ok").all()
    assert serial[0]["final_mean_attitude"].nunique() > 1
    for other in ("pool", "dask"):
        for part, expected in zip(results(tmp_path / other), serial, strict=True):
            pd.testing.assert_frame_equal(part, expected)


def test_cli_sweeps_on_a_running_scheduler_and_resumes_there(tmp_path, cluster):
    spec, out = write_spec(tmp_path, SPEC), tmp_path / "out"
    args = ["sweep", str(spec), "--out", str(out), "--dask-scheduler", cluster.scheduler_address]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "12/12 runs 0 failed" in said(first)
    (out / "runs" / "part-00000004.parquet").unlink()
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "Runs done now: 1 (0 failed); finished before: 11" in said(again)
    reference = tmp_path / "reference"
    run_sweep(load_sweep(spec), reference, SerialExecutor())
    for part, expected in zip(results(out), results(reference), strict=True):
        pd.testing.assert_frame_equal(part, expected)


def test_cli_refuses_two_dask_options(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "sweep",
            str(write_spec(tmp_path)),
            "--out",
            str(tmp_path / "o"),
            "--dask-local",
            "--dask-scheduler",
            "tcp://127.0.0.1:1",
        ],
    )
    assert result.exit_code == 2
    assert "choose one" in said(result)


def test_cli_dask_local_starts_its_own_cluster(tmp_path):
    spec, out = write_spec(tmp_path), tmp_path / "out"
    result = CliRunner().invoke(
        app, ["sweep", str(spec), "--out", str(out), "--dask-local", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    reference = tmp_path / "reference"
    run_sweep(load_sweep(spec), reference, SerialExecutor())
    for part, expected in zip(results(out), results(reference), strict=True):
        pd.testing.assert_frame_equal(part, expected)
