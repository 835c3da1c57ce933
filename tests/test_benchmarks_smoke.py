"""The core-step benchmark runs end to end on tiny sizes and reports what it should.

No timing is asserted: only the shape of the table and the section it writes.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "core_step.py"


@pytest.fixture(scope="module")
def core_step():
    spec = importlib.util.spec_from_file_location("core_step", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["core_step"] = module  # dataclasses look their module up by name
    environment = dict(os.environ)
    spec.loader.exec_module(module)  # pins thread counts in os.environ: undo that after
    os.environ.clear()
    os.environ.update(environment)
    yield module
    del sys.modules["core_step"]


@pytest.fixture(scope="module")
def results(core_step):
    return [
        core_step.measure_size(
            size, repeats=2, seed=1, with_reference=size <= 40, reference_budget=5.0
        )
        for size in (40, 90)
    ]


def test_table_has_a_row_per_size_and_every_column(core_step, results):
    rows = core_step.parse_table(core_step.step_table(results))
    assert [row["employees"] for row in rows] == ["40", "90"]
    assert all(tuple(row) == core_step.COLUMNS for row in rows)
    assert rows[0]["customers"] == "400"
    for row in rows:
        for column in (
            "core ms/step",
            "core CPU ms/step",
            "contagion CPU ms",
            "sparse product CPU ms",
        ):
            assert row[column] not in ("", "-")
        assert row["product / contagion"].endswith("%")
    assert rows[0]["reference CPU ms/step"] != "-" and rows[0]["reference / core"].endswith("x")
    assert rows[1]["reference CPU ms/step"] == "-" and rows[1]["reference / core"] == "-"


def test_every_measurement_times_what_it_was_asked_to(results):
    small, large = results
    assert small.core.count == 2 and small.product.count == 2 and small.reference.count == 2
    assert small.contagion.count == 2 and len(small.core.cpu) == 2
    assert large.reference is None
    assert small.ties > 0 and large.ties > small.ties
    assert all(t > 0 for r in results for t in r.core.seconds + r.product.seconds)
    assert all(t >= 0 for r in results for t in r.core.cpu + r.contagion.cpu)


def test_reference_stops_at_its_budget(core_step):
    result = core_step.measure_size(
        30, repeats=50, seed=2, with_reference=True, reference_budget=0.0
    )
    assert result.reference.count == 1 and result.core.count == 50


def test_default_run_and_targets(core_step, results):
    run = core_step.measure_default_run(runs=1, seed=3)
    assert len(run.totals_ms) == 1 and run.totals_ms[0] > 0 and len(run.cpu) == 1
    lines = core_step.targets(results, run)
    assert len(lines) == 1 and lines[0].startswith("- Default run")


def test_stages_and_profile_of_a_step(core_step):
    result = core_step.measure_size(
        40,
        repeats=3,
        seed=1,
        with_reference=False,
        reference_budget=1.0,
        stages=True,
        profile_steps=2,
    )
    for stage in ("serve_customers", "spread_attitudes", "recorder.end_week", "whole step"):
        assert result.stages[stage].count == 3
    rows = core_step.parse_table(core_step.stage_table([result]))
    assert {row["stage"] for row in rows} >= {"`serve_customers`", "whole step"}
    assert result.profile["functions"] and result.profile["calls"] > 0
    text = core_step.profile_text("One step", result.profile, "per step")
    assert len(core_step.parse_table(text)) == len(result.profile["functions"])


def test_write_section_keeps_the_other_sections(core_step, tmp_path):
    path = tmp_path / "RESULTS.md"
    core_step.write_section(path, "## Core step\n\nfirst\n")
    assert path.read_text().startswith("# ") and "first" in path.read_text()
    path.write_text(
        "# Results\n\n## Sweep throughput\n\nsweeps\n\n## Core step\n\nold\n\n"
        "## Dashboard latency\n\ndash\n"
    )
    core_step.write_section(path, "## Core step\n\nnew\n")
    text = path.read_text()
    assert "old" not in text and "new" in text
    assert (
        text.index("## Sweep throughput")
        < text.index("## Core step")
        < text.index("## Dashboard latency")
    )
    assert "sweeps" in text and "dash" in text
    path.write_text("# Results\n\n## Sweep throughput\n\nsweeps\n")
    core_step.write_section(path, "## Core step\n\nnew\n")
    assert path.read_text() == "# Results\n\n## Sweep throughput\n\nsweeps\n\n## Core step\n\nnew\n"


def test_a_probe_in_a_fresh_process_reports_time_and_memory(core_step):
    probe = core_step.measure_probe(300, seed=1, steps=2, trace=True)
    assert probe["employees"] == 300 and probe["customers"] == 3000
    assert 0 < probe["rss_baseline_mb"] <= probe["rss_after_build_mb"] <= probe["peak_rss_mb"]
    assert probe["step_cpu_ms"] > 0 and probe["build_cpu_s"] > 0
    assert probe["traced_model_mb"] > 0 and probe["held_by_place_mb"]
    text = core_step.scaling_text([dict(probe, employees=e) for e in (10_000, 20_000)])
    assert core_step.parse_table(text)[0]["employees"] == "10,000"


def test_the_exponent_of_a_power_law_is_found(core_step):
    sizes = [1e3, 1e4, 1e5]
    assert core_step.fitted_exponent(sizes, [3 * s**1.5 for s in sizes]) == pytest.approx(1.5)


def test_the_floor_benchmark_adds_up_its_parts(tmp_path):
    """benchmarks/memory_floor.py on a small organization: every part timed, the floor their
    sum, the ratio the step over it (no timing asserted)."""
    import re
    import subprocess

    script = SCRIPT.parent / "memory_floor.py"
    done = subprocess.run(
        [sys.executable, str(script), "--employees", "300", "--repeats", "2"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    rows = dict(re.findall(r"^\| ([^|]+?) \| ([0-9.]+) \| [0-9.]+ \|$", done.stdout, re.M))
    parts = ("random numbers", "memory traffic", "P @ a", "employee met")
    assert set(rows) == {"step", *parts, "pool lookup", next(k for k in rows if "floor" in k)}
    floor = float(next(v for k, v in rows.items() if k.startswith("floor")))
    assert floor == pytest.approx(sum(float(rows[p]) for p in parts), abs=0.03)
    ratio = float(re.search(r"step / floor: ([0-9.]+)", done.stdout).group(1))
    assert ratio == pytest.approx(float(rows["step"]) / floor, rel=0.2, abs=0.05)
    assert done.stdout.startswith("300 employees, ")
