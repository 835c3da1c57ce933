"""Local executors: when a pool starts, that it starts once, and that results never move."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from eachcustomer.experiments.loading.sweeps import load_sweep
from eachcustomer.experiments.running import executors
from eachcustomer.experiments.running.executors import (
    POOL_START_S,
    PointChunks,
    ProcessExecutor,
    SerialExecutor,
    run_sweep,
)
from eachcustomer.experiments.running.store import read_runs, read_series

SPEC = """
title = "switch"
seed = 5
replications = 3
weeks = 10

[parameters]
n_employees = 50
negativity_bias = [1.0, 3.0, 5.0]

[levers]
plan = ["none", "training"]

[[plans.training]]
kind = "training_day"
start = 2
"""


def timed(executor: ProcessExecutor, tasks: int, seconds: float) -> ProcessExecutor:
    executor.tasks_here, executor.seconds_here = tasks, seconds
    return executor


def test_a_pool_pays_only_when_the_work_ahead_outweighs_its_start():
    # 2 workers halve the work ahead for POOL_START_S: it pays beyond 2 * POOL_START_S.
    per_task = 0.1
    executor = timed(ProcessExecutor(2), 10, 10 * per_task)
    below = int(2 * POOL_START_S / per_task) - 1
    assert not executor.pool_pays(below, 0.0)
    assert executor.pool_pays(below + 2, 0.0)
    # Work done here in earlier calls counts as a forecast of the calls to come.
    assert executor.pool_pays(below, 2 * POOL_START_S)
    # On 4 workers the threshold is POOL_START_S * 4 / 3.
    four = timed(ProcessExecutor(4), 10, 10 * per_task)
    assert four.pool_pays(int(POOL_START_S * 4 / 3 / per_task) + 1, 0.0)
    assert not four.pool_pays(int(POOL_START_S * 4 / 3 / per_task) - 1, 0.0)


def test_a_pool_never_pays_for_one_worker_or_before_a_task_is_timed():
    assert not timed(ProcessExecutor(1), 10, 100.0).pool_pays(10**6, 10**6)
    assert not ProcessExecutor(2).pool_pays(10**6, 10**6)
    assert ProcessExecutor(1, start="at_once").pool_pays(0, 0.0)
    with pytest.raises(ValueError, match="start must be"):
        ProcessExecutor(2, start="later")


def test_chunks_change_size_between_chunks_and_lose_no_task():
    tasks = [{"point": p, "values": {}, "run_id": i} for i, p in enumerate([0] * 5 + [1] * 3)]
    chunks = PointChunks(tasks, 16)
    assert [t["run_id"] for t in next(chunks)] == [0, 1, 2, 3, 4]  # a point ends a chunk
    chunks.size = 2
    assert [[t["run_id"] for t in c] for c in chunks] == [[5, 6], [7]]


def test_a_sweep_whose_pool_starts_partway_gives_the_serial_results(tmp_path, monkeypatch):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    sweep = load_sweep(spec)
    run_sweep(sweep, tmp_path / "serial", SerialExecutor())
    # A pool that starts for free pays once the first chunk has been timed here.
    monkeypatch.setattr(executors, "POOL_START_S", 0.0)
    executor = ProcessExecutor(2, chunk_size=2)
    run_sweep(sweep, tmp_path / "switched", executor)
    assert executor.pools_started == 1
    assert 0 < executor.tasks_here < len(sweep.design())  # some runs here, the rest on workers
    serial, switched = (read_runs(tmp_path / n) for n in ("serial", "switched"))
    assert serial["status"].eq("ok").all() and len(serial) == 18
    pd.testing.assert_frame_equal(
        switched.drop(columns="elapsed_s"), serial.drop(columns="elapsed_s"), check_exact=True
    )
    pd.testing.assert_frame_equal(
        read_series(tmp_path / "switched"), read_series(tmp_path / "serial"), check_exact=True
    )


def test_a_pool_serves_later_calls_with_another_context(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    first, second = load_sweep(spec), load_sweep(spec)
    design = first.design()
    tasks = [executors._task(row, ["negativity_bias", "plan"]) for row in design.itertuples()]
    executor = ProcessExecutor(2, chunk_size=3, start="at_once")
    try:
        once = list(executor.map(first.context(), iter(tasks), len(tasks)))
        # Another context (here an equal copy under another key): shipped with the chunks.
        other = dataclasses.replace(second.context(), key="another")
        again = list(executor.map(other, iter(tasks), len(tasks)))
    finally:
        executor.close()
    assert executor.pools_started == 1
    by_run = {row["run_id"]: row["final_mean_attitude"] for row, _ in once}
    assert {row["run_id"]: row["final_mean_attitude"] for row, _ in again} == by_run
    assert len(set(by_run.values())) == len(tasks)
