"""Sweeps from the dashboard: small ones only, into a results folder, then their figures.

The sweep machinery is `eachcustomer.experiments.loading.sweeps` (spec -> design),
`eachcustomer.experiments.running.executors` (`run_sweep`) and
`eachcustomer.experiments.analysis.tables` / `eachcustomer.experiments.reports.report` (tables and
figures). The dashboard adds limits (a sweep from a browser must be small and name a built-in
scenario, so a browser cannot make the server read its files), a results folder per launch under one
results root (`EACHCUSTOMER_RESULTS`, default `./results`), named after the sweep and the minute it
started, and serves each folder's report at /reports/FOLDER/.
"""

from __future__ import annotations

import functools
import math
import os
import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from eachcustomer.dashboard.settings import user_message
from eachcustomer.experiments.loading.catalogue import builtins, describe
from eachcustomer.experiments.loading.files import disk_error, parse_toml
from eachcustomer.extras import tell_skipped
from eachcustomer.sim.limits import DASHBOARD_SWEEP_LIMITS

MAX_SWEEP_RUNS = DASHBOARD_SWEEP_LIMITS.runs
"""Most runs a sweep launched from the dashboard may have; bigger sweeps use the CLI."""
MAX_SWEEP_EMPLOYEES = DASHBOARD_SWEEP_LIMITS.employees
MAX_SPEC_CHARS = 50_000
RESULTS_ENV = "EACHCUSTOMER_RESULTS"


def results_root() -> Path:
    """Where the dashboard's sweeps go and where earlier ones are found."""
    return Path(os.environ.get(RESULTS_ENV, "results")).resolve()


def spec_files() -> dict[str, Path]:
    """The built-in sweep specs, by name: the examples the page starts from (plan-finder specs
    are run by the Plan finder page, targets files by `eachcustomer calibrate`)."""
    return builtins("sweep")


@functools.cache
def example_runs(name: str) -> int | None:
    """How many runs a built-in example makes, if the dashboard may run it (else None)."""
    path = spec_files().get(name)
    if path is None:
        return None
    sweep, _ = check_spec(path.read_text(encoding="utf-8"))
    return None if sweep is None else int(sweep.runs)


def first_example() -> str | None:
    """The example the page opens on: the one within the dashboard's limits with the fewest
    runs (a first launch that finishes soon); None when none is."""
    fits = {name: example_runs(name) for name in spec_files()}
    runs = {name: count for name, count in fits.items() if count is not None}
    return min(runs, key=lambda name: (runs[name], name)) if runs else None


def example_label(name: str, path: Path) -> str:
    """An example in the menu: its name and title, and whether only the command line runs it."""
    label = f"{name}: {describe('sweep', path)}"
    if example_runs(name) is None:
        label += " (over the page's limits: `eachcustomer sweep`)"
    return label


RESULTS_NAME = "the results folder"
"""How the page names the results root: never by its path on the server."""


def shown_path(path: Path) -> str:
    """A path under the results root as the page shows it: relative to the root."""
    try:
        relative = Path(path).resolve().relative_to(results_root())
    except ValueError:
        return Path(path).name
    return str(relative) if str(relative) != "." else RESULTS_NAME


def without_root(text: str) -> str:
    """A message with the results root's path on the server taken out (paths under it
    become relative to it)."""
    root = str(results_root())
    return text.replace(root + os.sep, "").replace(root, RESULTS_NAME)


def check_spec(text: Any) -> tuple[Any, str]:
    """(sweep, summary) for a spec the dashboard may run, or (None, the problem)."""
    from eachcustomer.experiments.loading.sweeps import parse_sweep

    if not isinstance(text, str) or not text.strip():
        return None, "The spec is empty: pick an example or paste a sweep spec."
    if len(text) > MAX_SPEC_CHARS:
        return None, f"The spec is longer than {MAX_SPEC_CHARS:,} characters."
    try:
        data = parse_toml(text, "sweep", ValueError)
    except ValueError as error:
        return None, str(error)
    scenario = data.get("scenario", "baseline")
    if scenario not in builtins("scenario"):
        return None, (
            f"sweep: scenario {scenario!r}: from the dashboard a sweep must name a "
            f"built-in scenario ({', '.join(sorted(builtins('scenario')))}); use "
            "`eachcustomer sweep` for scenario files"
        )
    try:
        sweep = parse_sweep(data, text=text, limits=DASHBOARD_SWEEP_LIMITS)
        runs = sweep.runs
    except ValueError as error:
        return None, user_message(error)
    employees = largest_head_count(sweep)
    if runs > MAX_SWEEP_RUNS:
        return None, (
            f"{runs:,} runs: the dashboard runs at most {MAX_SWEEP_RUNS}; use "
            "`eachcustomer sweep` (it resumes and runs on all cores or a cluster)"
        )
    if employees > MAX_SWEEP_EMPLOYEES:
        return None, (
            f"{employees:,} employees: the dashboard sweeps at most "
            f"{MAX_SWEEP_EMPLOYEES:,}; use `eachcustomer sweep`"
        )
    return sweep, (
        f"{sweep.spec.title}: {sweep.spec.design.kind}, {runs} runs of {sweep.weeks} weeks."
    )


def largest_head_count(sweep: Any) -> int:
    """The most employees any run of the sweep simulates."""
    if sweep.setup.org is not None:
        return int(sweep.setup.org.size)
    sizes = [sweep.constants.get("n_employees", sweep.setup.params.n_employees)]
    for factor in sweep.factors:
        if factor.name == "n_employees":
            sizes += [*factor.values, *([factor.high] if factor.high is not None else [])]
    return int(max(sizes))


SLUG_WORDS = 3
"""Words of the sweep's title in its folder's name."""
_LEFT_OUT = frozenset({"a", "an", "and", "against", "at", "by", "for", "from", "in", "of", "on"})
_LEFT_OUT |= {"the", "to", "with"}


def folder_slug(title: str) -> str:
    """The first words of a title for a folder name: "negativity-bias" for "Negativity bias
    against two plans at equal budget" (small words at the end left out)."""
    words = re.findall(r"[a-z0-9]+", title.lower())[:SLUG_WORDS]
    while words and words[-1] in _LEFT_OUT:
        words.pop()
    return "-".join(words) or "sweep"


def new_folder(title: str, now: datetime | None = None) -> Path:
    """A fresh results folder under the root, named by the sweep and the minute it starts
    (negativity-bias-2026-11-26-1432; -2, -3, ... when that name is taken), created here so
    that two launches in the same minute never share one."""
    root = results_root()
    root.mkdir(parents=True, exist_ok=True)
    stem = f"{folder_slug(title)}-{(now or datetime.now()).strftime('%Y-%m-%d-%H%M')}"
    for number in range(1, 10_000):
        folder = root / (stem if number == 1 else f"{stem}-{number}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(f"{root}: every name for {stem} is taken")


def duration(seconds: float) -> str:
    """A rough, readable duration: "40 s" (to 5 s), "3 min", "1 h 5 min" (minutes rounded up)."""
    if round(seconds / 5) * 5 < 60:
        return f"{max(5, round(seconds / 5) * 5)} s"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


class Pace:
    """Runs done out of the total and the time left, at this launch's pace so far."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.started = clock()
        self.done_before: int | None = None  # runs a resumed sweep had finished already

    def note(self, done: int, total: int) -> str:
        """Say "12 / 40 runs done, about 2 min left" ("40 / 40 runs done in 3 min" at the end)."""
        if self.done_before is None:
            self.done_before = done
        elapsed = self.clock() - self.started
        ran = done - self.done_before
        text = f"{done} / {total} runs done"
        if done >= total:
            return f"{text} in {duration(elapsed)}" if ran else text
        if ran <= 0:
            return f"{text}; time left: estimating after the first run"
        return f"{text}, about {duration(elapsed / ran * (total - done))} left"


def launch(text: str, on_progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Run a checked spec serially into a new results folder and write its report.

    Returns a dict with "folder" (its name under the root), "message" and "error".
    """
    from eachcustomer.experiments.reports.report import write_report
    from eachcustomer.experiments.running.executors import SerialExecutor, run_sweep

    sweep, message = check_spec(text)
    if sweep is None:
        return {"folder": None, "message": "", "error": message}
    try:
        folder = new_folder(sweep.spec.title)
    except OSError as problem:
        found = disk_error(problem, results_root())
        if found is None:
            raise
        return {"folder": None, "message": "", "error": without_root(str(found))}

    def report(progress: Any) -> None:
        if on_progress is not None:
            on_progress(progress.finished, progress.total)

    left_out: list[str] = []  # report parts whose extra is missing (PRIM): said on the page
    try:
        done = run_sweep(sweep, folder, SerialExecutor(), on_progress=report)
        with tell_skipped(left_out.append):
            write_report(folder)
    except ValueError as error:
        return {
            "folder": folder.name if folder.exists() else None,
            "message": "",
            "error": without_root(user_message(error)),
        }
    results = f"results in {shown_path(folder)}, in {RESULTS_NAME}"
    return {
        "folder": folder.name,
        "error": None,
        "message": " ".join(
            [f"{done.done} runs done, {done.failed} failed; {results}.", *left_out]
        ),
    }


def result_folders() -> list[dict[str, str]]:
    """Earlier sweeps under the results root (folders with a manifest), newest first."""
    from eachcustomer.experiments.running.store import read_manifest

    root = results_root()
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if (folder / "manifest.json").is_file():
            try:
                title = read_manifest(folder).get("title", folder.name)
            except (ValueError, OSError):
                continue
            found.append(
                (folder.stat().st_mtime, {"label": f"{folder.name}: {title}", "value": folder.name})
            )
    return [option for _, option in sorted(found, key=lambda item: -item[0])]


def folder_path(name: Any) -> Path | None:
    """A results folder chosen in the browser, only if it is one listed under the root."""
    if not isinstance(name, str) or name not in {o["value"] for o in result_folders()}:
        return None
    return results_root() / name


def result_figures(name: Any) -> tuple[str, list[go.Figure], str]:
    """(summary, figures, error) of an earlier sweep, from
    `eachcustomer.experiments.analysis.tables`."""
    from eachcustomer.experiments.analysis import plan_effects
    from eachcustomer.experiments.analysis import tables as analysis
    from eachcustomer.experiments.reports.plan_report import plans_figure
    from eachcustomer.experiments.reports.report import means_figure, series_figure

    folder = folder_path(name)
    if folder is None:
        return "", [], "No such results folder."
    try:
        results = analysis.load_results(folder)
        counts = analysis.progress(results)
        figures: list[go.Figure] = []
        if results.ok.empty:
            return (f"{results.manifest['title']}: no finished runs yet.", [], "")
        if "plan" in results.lists:
            comparison = plan_effects.plan_comparison(results)
            figures += [plans_figure(comparison, o) for o in dict.fromkeys(comparison["outcome"])]
        by = "plan" if "plan" in results.lists else (results.lists[0] if results.lists else None)
        figures += [
            series_figure(analysis.series_means(results, o, by=by), o, by)
            for o in results.manifest.get("series", [])
        ]
        if results.factors:
            means = analysis.outcome_means(results)
            figures += [means_figure(means, o) for o in results.outcomes]
    except (ValueError, KeyError, OSError) as error:
        return "", [], f"Cannot analyze {name}: {without_root(user_message(error))}"
    summary = (
        f"{results.manifest['title']}: {counts['ok']} runs ok, {counts['failed']} "
        f"failed, {counts['missing']} not run."
    )
    return summary, figures, ""


REPORT_ROUTE = "/reports"


def report_path(name: Any) -> str | None:
    """Where the app serves a results folder's report, if it has one (see `serve_reports`)."""
    folder = folder_path(name)
    if folder is None or not (folder / "report" / "index.html").is_file():
        return None
    return f"{REPORT_ROUTE}/{folder.name}/index.html"


def serve_reports(server: Any) -> None:
    """Serve the report of every listed results folder at /reports/FOLDER/ (its index.html
    and the tables it links to) from the Flask `server`; nothing else under the root."""
    from flask import abort, send_from_directory

    def report_file(folder: str, name: str) -> Any:
        path = folder_path(folder)
        if path is None:
            abort(404)
        response = send_from_directory(path / "report", name)  # refuses ../ and the like
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    server.add_url_rule(
        f"{REPORT_ROUTE}/<folder>/<path:name>", "sweep_report", report_file, methods=["GET"]
    )
