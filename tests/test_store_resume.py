"""The result store: whole files only, a killed sweep resumes losing nothing and redoing nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from test_sweeps import TINY, write_spec

from eachcustomer.experiments.loading.files import OutputPathError
from eachcustomer.experiments.loading.sweeps import load_sweep
from eachcustomer.experiments.running import store
from eachcustomer.experiments.running.executors import ProcessExecutor, SerialExecutor, run_sweep
from eachcustomer.experiments.running.store import StoreError, read_runs, read_series

ROOT = Path(__file__).resolve().parent.parent

KILLABLE = """
title = "killable"
seed = 5
replications = 4
weeks = 24

[parameters]
n_employees = 100
negativity_bias = [1.0, 2.0, 3.0, 4.0, 5.0]
boss_weight = [1.0, 3.0]

[outcomes]
final = ["mean_attitude", "active_customers"]
summary = ["net_revenue"]
series = ["mean_attitude"]
"""
"""40 runs of about 40 ms: long enough to kill partway, short enough for the suite."""

FAILING = TINY.replace(
    "negativity_bias = [1.0, 4.0]", "negativity_bias = [1.0, 4.0]\ncontagion_rate = [0.1, 0.5]"
)
"""contagion_rate 0.5 with negativity_bias 4 breaks a Params rule: those runs raise."""


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Inode and modification time of every run file: rewritten files change both."""
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in (folder / "runs").glob("part-*.parquet")
    }


def results(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_runs(folder).drop(columns="elapsed_s"), read_series(folder)


def test_layout_manifest_and_design(tmp_path):
    spec = write_spec(tmp_path)
    sweep = load_sweep(spec)
    run_sweep(sweep, tmp_path / "out", SerialExecutor())
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["master_seed"] == 11
    assert manifest["spec_text"] == spec.read_text()
    assert manifest["version"] == "0.1.0"
    assert manifest["design"]["runs"] == 8
    names = sorted(p.name for p in (out / "runs").iterdir())
    assert names == [f"part-{i:08d}.parquet" for i in range(8)]
    assert len(list((out / "series").iterdir())) == 8
    series = read_series(out)
    assert set(series["outcome"]) == {"mean_attitude"}
    assert series.groupby("run_id")["week"].apply(list).map(lambda w: w == list(range(13))).all()


def test_resume_runs_only_what_is_missing(tmp_path):
    sweep = load_sweep(write_spec(tmp_path))
    out = tmp_path / "out"
    run_sweep(sweep, out, SerialExecutor())
    complete = results(out)
    for run_id in (2, 5):
        (out / "runs" / f"part-{run_id:08d}.parquet").unlink()
    # A series written just before a crash, without its run row: that run is not finished.
    (out / "runs" / "part-00000007.parquet").unlink()
    before = stamps(out)
    seen = []
    progress = run_sweep(sweep, out, SerialExecutor(), on_progress=lambda p: seen.append(p.done))
    assert progress.already == 5 and progress.done == 3
    after = stamps(out)
    assert {name: after[name] for name in before} == before
    for part, expected in zip(results(out), complete, strict=True):
        pd.testing.assert_frame_equal(part, expected)


@pytest.mark.parametrize("failing_write", [1, 4, 7])
def test_a_fault_at_a_write_leaves_only_whole_files_and_resume_completes(
    tmp_path, monkeypatch, failing_write
):
    sweep = load_sweep(write_spec(tmp_path))
    complete = tmp_path / "complete"
    run_sweep(sweep, complete, SerialExecutor())
    out = tmp_path / "out"
    real_write = store.pq.write_table
    calls = []

    def write_then_fail(table, path, *args, **kwargs):
        calls.append(path)
        if len(calls) == failing_write:
            if isinstance(path, str | os.PathLike):
                Path(path).write_bytes(b"half a parquet file")  # the disk got part of it
            raise OSError("disk full")
        return real_write(table, path, *args, **kwargs)

    monkeypatch.setattr(store.pq, "write_table", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        run_sweep(sweep, out, SerialExecutor())
    written = sorted(p.name for p in out.rglob("*") if p.is_file())
    assert not [name for name in written if name.endswith(".tmp")]
    for path in (out / "runs").glob("*.parquet"):
        pd.read_parquet(path)  # every file left is whole
    monkeypatch.setattr(store.pq, "write_table", real_write)
    progress = run_sweep(sweep, out, SerialExecutor())
    assert progress.already + progress.done == progress.total
    for part, expected in zip(results(out), results(complete), strict=True):
        pd.testing.assert_frame_equal(part, expected)


def test_a_folder_of_another_sweep_or_other_files_is_refused(tmp_path):
    sweep = load_sweep(write_spec(tmp_path))
    out = tmp_path / "out"
    run_sweep(sweep, out, SerialExecutor())
    other = load_sweep(write_spec(tmp_path, TINY.replace("seed = 11", "seed = 12"), "b.toml"))
    with pytest.raises(StoreError, match="the sweep spec changed since it started"):
        run_sweep(other, out, SerialExecutor())
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["identity"]["model_sha256"] = "an older model"
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match="the model's code changed"):
        run_sweep(sweep, out, SerialExecutor())
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(OutputPathError, match=r"busy: holds files that are not a sweep's results"):
        run_sweep(sweep, busy, SerialExecutor())
    assert [path.name for path in busy.iterdir()] == ["notes.txt"]


def test_a_failing_run_is_recorded_and_does_not_stop_the_sweep(tmp_path):
    sweep = load_sweep(write_spec(tmp_path, FAILING))
    out = tmp_path / "out"
    progress = run_sweep(sweep, out, ProcessExecutor(2, start="at_once"))
    runs = read_runs(out)
    assert len(runs) == 16 and progress.failed == 4
    bad = (runs["contagion_rate"] == 0.5) & (runs["negativity_bias"] == 4.0)
    assert runs.loc[bad, "status"].eq("failed").all()
    assert runs.loc[bad, "error"].str.contains("contagion_rate \\* negativity_bias").all()
    assert runs.loc[bad, "final_mean_attitude"].isna().all()
    assert runs.loc[~bad, "status"].eq("ok").all()
    assert runs.loc[~bad, "final_mean_attitude"].notna().all()
    assert len(list((out / "series").iterdir())) == 12  # no series for failed runs

    # Failed runs are kept on resume, and run again only when asked.
    before = stamps(out)
    assert run_sweep(sweep, out, SerialExecutor()).done == 0
    assert stamps(out) == before
    again = run_sweep(sweep, out, SerialExecutor(), retry_failed=True)
    assert again.done == 4 and again.failed == 4
    after = stamps(out)
    changed = {name for name in before if after[name] != before[name]}
    assert changed == {f"part-{i:08d}.failed.parquet" for i in runs.loc[bad, "run_id"]}


def test_memory_stays_flat_only_a_few_chunks_are_in_flight(tmp_path):
    sweep = load_sweep(write_spec(tmp_path, KILLABLE))
    design = sweep.design()
    pulled = []

    def tasks():
        for row in design.itertuples(index=False):
            pulled.append(row.run_id)
            yield {
                "run_id": row.run_id,
                "point": row.point,
                "arm": row.arm,
                "replication": row.replication,
                "seed": row.seed,
                "values": {"negativity_bias": row.negativity_bias, "boss_weight": row.boss_weight},
            }

    executor = ProcessExecutor(2, chunk_size=1, start="at_once")
    try:
        outputs = executor.map(sweep.context(), tasks(), len(design))
        next(outputs)
        assert len(pulled) <= 2 * 2 + 1  # in flight per worker, plus the replacement
        assert sum(1 for _ in outputs) == len(design) - 1
    finally:
        executor.close()


def test_sigkill_partway_then_resume_loses_nothing_and_redoes_nothing(tmp_path):
    spec = write_spec(tmp_path, KILLABLE)
    out = tmp_path / "out"
    total = 40
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "eachcustomer.cli",
            "sweep",
            str(spec),
            "--out",
            str(out),
            "--workers",
            "2",
        ],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            if (out / "runs").is_dir() and len(list((out / "runs").glob("part-*"))) >= 8:
                break
            time.sleep(0.01)
        assert process.poll() is None, process.stderr.read().decode()
        os.killpg(process.pid, signal.SIGKILL)  # the sweep and its pool workers
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    survivors = stamps(out)
    assert 8 <= len(survivors) < total, "kill the sweep partway, not before or after"

    progress = run_sweep(load_sweep(spec), out, ProcessExecutor(2))
    assert progress.already == len(survivors)
    assert progress.done == total - len(survivors)  # no finished run is redone
    after = stamps(out)
    assert {name: after[name] for name in survivors} == survivors  # untouched
    names = sorted(after)
    assert names == [f"part-{i:08d}.parquet" for i in range(total)]  # each run exactly once
    assert not [p for p in out.rglob(".*")]  # no temporary files left behind

    clean = tmp_path / "clean"
    run_sweep(load_sweep(spec), clean, SerialExecutor())
    for part, expected in zip(results(out), results(clean), strict=True):
        pd.testing.assert_frame_equal(part, expected)
