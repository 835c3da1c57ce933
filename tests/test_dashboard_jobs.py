"""The dashboard's background jobs: a bound on simulations at once, one job per session, a line
for the rest, and slots that come back however a job ends (`eachcustomer.dashboard.jobs`).

The first tests drive `JobManager` directly with small job functions in real forked
processes; the last ones serve the dashboard as a user starts it and talk to it as ten
browser tabs would (`dash_client.DashTab`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import diskcache
import numpy as np
import pandas as pd
import psutil
import pytest
from dash_client import DashTab, Job, served_dashboard, wait_until
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.dashboard import jobs
from eachcustomer.dashboard.app import MAX_REQUEST_BYTES
from eachcustomer.dashboard.jobs import (
    MAX_JOBS_VARIABLE,
    JobManager,
    JobsSettingError,
    max_jobs_setting,
    session_of,
)
from eachcustomer.dashboard.runs import payload_frame
from eachcustomer.dashboard.settings import (
    MAX_CHART_BYTES,
    MAX_CHART_ROWS,
    build_setup,
    default_settings,
    settings_key,
)
from eachcustomer.experiments.loading.catalogue import builtins
from eachcustomer.experiments.running.runs import run_model

# --- the setting ---------------------------------------------------------------------------


def test_the_bound_comes_from_the_option_the_environment_or_the_default():
    assert max_jobs_setting(None, {}) == jobs.DEFAULT_MAX_JOBS == 2
    assert max_jobs_setting(None, {MAX_JOBS_VARIABLE: " 5 "}) == 5
    assert max_jobs_setting(3, {MAX_JOBS_VARIABLE: "5"}) == 3  # the option wins
    with pytest.raises(JobsSettingError, match="EACHCUSTOMER_MAX_JOBS='two' is not a whole"):
        max_jobs_setting(None, {MAX_JOBS_VARIABLE: "two"})
    with pytest.raises(JobsSettingError, match="EACHCUSTOMER_MAX_JOBS 0 is not a number"):
        max_jobs_setting(None, {MAX_JOBS_VARIABLE: "0"})
    with pytest.raises(JobsSettingError, match="--max-jobs -1"):
        max_jobs_setting(-1, {})


@pytest.mark.parametrize(
    ("arguments", "environment", "message"),
    [
        (["--max-jobs", "0"], {}, "--max-jobs"),
        ([], {MAX_JOBS_VARIABLE: "lots"}, "EACHCUSTOMER_MAX_JOBS='lots'"),
        ([], {MAX_JOBS_VARIABLE: "-3"}, "EACHCUSTOMER_MAX_JOBS -3"),
    ],
)
def test_the_command_refuses_a_bad_bound_with_a_message(arguments, environment, message):
    result = CliRunner().invoke(app, ["dashboard", "--port", "1", *arguments], env=environment)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_the_session_of_a_callback_is_its_session_state():
    assert session_of({"state_values": {"session.data": "abc", "settings.data": {}}}) == "abc"
    assert session_of({"state_values": {"settings.data": {}}}) is None
    assert session_of({"state_values": {"session.data": 7}}) is None
    assert session_of({"state_values": {"session.data": "x" * 101}}) is None
    assert session_of(None) is None


# --- the manager, with small jobs in real processes ----------------------------------------


def held_job(result_key: str, _progress_key: str, args: dict[str, Any], _context: Any) -> None:
    """A job that holds its slot until its release file appears, then stores its value."""
    release = Path(args["release"])
    while not release.exists():
        time.sleep(0.01)
    diskcache.Cache(args["cache"]).set(result_key, args["value"])


class Bench:
    """A `JobManager` on a fresh cache, and the jobs started in it."""

    def __init__(self, folder: Path, max_jobs: int, max_waiting: int = jobs.MAX_WAITING):
        self.folder = folder
        self.cache = diskcache.Cache(str(folder / "cache"))
        self.manager = JobManager(self.cache, max_jobs=max_jobs, max_waiting=max_waiting)
        self.keys: dict[str, str] = {}
        self.before = {child.pid for child in psutil.Process().children(recursive=True)}

    def start(self, name: str, session: str | None) -> str:
        """Start job `name` for `session`; its token."""
        args = {"release": str(self.folder / name), "cache": str(self.folder / "cache")}
        context = {"state_values": {"session.data": session}}
        token = self.manager.call_job_fn(
            f"key-{name}", held_job, {**args, "value": f"result of {name}"}, context
        )
        self.keys[name] = f"key-{name}"
        return token

    def release(self, name: str) -> None:
        (self.folder / name).touch()

    def notice(self, name: str) -> str | None:
        return self.manager.get_updated_props(self.keys[name]).get("job-notice", {}).get("children")

    def fetch(self, name: str, token: str) -> Any:
        """Poll a job as Dash does: result first, then whether it runs; the result or None."""
        result = self.manager.get_result(self.keys[name], token)
        self.manager.job_running(token)
        return None if result is self.manager.UNDEFINED else result

    def running(self) -> int:
        return self.manager.counts()["running"]

    def child_processes(self) -> int:
        """Processes this test process has now that it had not before the bench (zombies too)."""
        now = {child.pid for child in psutil.Process().children(recursive=True)}
        return len(now - self.before)

    def close(self) -> None:
        for name in ("a", "b", "c", "d", "e"):
            self.release(name)
        wait_until(lambda: self.running() == 0, 20, "every job to end")


@pytest.fixture
def bench(tmp_path):
    made: list[Bench] = []

    def make(max_jobs: int, max_waiting: int = jobs.MAX_WAITING) -> Bench:
        made.append(Bench(tmp_path, max_jobs, max_waiting))
        return made[-1]

    yield make
    for item in made:
        item.close()


def test_at_most_n_jobs_run_and_the_rest_wait_in_line(bench):
    jobs_bench = bench(max_jobs=2)
    tokens = {name: jobs_bench.start(name, f"session {name}") for name in "abcd"}
    assert jobs_bench.manager.counts() == {"running": 2, "waiting": 2}
    assert jobs_bench.child_processes() == 2
    # The page of a waiting job says where it stands; a running one says nothing.
    assert jobs_bench.notice("a") is None
    assert "runs 2 simulations at once; yours is next" in jobs_bench.notice("c")
    assert "1 ahead of yours" in jobs_bench.notice("d")
    assert jobs_bench.notice("d") is None  # told once, until it changes
    assert jobs_bench.fetch("c", tokens["c"]) is None
    # A finished job's slot goes to the first in line, once its page has the result.
    jobs_bench.release("a")
    assert wait_until(lambda: jobs_bench.fetch("a", tokens["a"]), 20, "a's result") == (
        "result of a"
    )
    wait_until(lambda: jobs_bench.manager.counts()["waiting"] == 1, 20, "c to start")
    assert jobs_bench.running() == 2 and jobs_bench.child_processes() == 2
    assert jobs_bench.notice("c") == ""  # started: the waiting message goes away
    assert "yours is next" in jobs_bench.notice("d")
    for name in "bcd":
        jobs_bench.release(name)
    for name in "bcd":
        result = wait_until(lambda n=name: jobs_bench.fetch(n, tokens[n]), 20, f"{name}'s result")
        assert result == f"result of {name}"
    assert jobs_bench.manager.counts() == {"running": 0, "waiting": 0}
    wait_until(lambda: jobs_bench.child_processes() == 0, 10, "no job process left")


def test_a_result_that_arrives_between_two_checks_is_kept_for_the_page(bench):
    jobs_bench = bench(max_jobs=1)
    token = jobs_bench.start("a", "s1")
    process = psutil.Process(jobs_bench.manager.pids()[0])
    jobs_bench.release("a")
    wait_until(lambda: not process.is_running() or process.status() == "zombie", 20, "the end")
    # Ended with its result stored: still "running" until the page has fetched it.
    assert jobs_bench.manager.job_running(token)
    assert jobs_bench.running() == 0  # but it no longer holds a slot
    assert jobs_bench.fetch("a", token) == "result of a"
    assert not jobs_bench.manager.job_running(token)


def test_a_sessions_new_job_cancels_its_old_one(bench):
    jobs_bench = bench(max_jobs=1)
    first = jobs_bench.start("a", "tab 1")
    first_pid = jobs_bench.manager.pids()[0]
    second = jobs_bench.start("b", "tab 1")
    assert not psutil.pid_exists(first_pid)  # killed and reaped, not a zombie
    assert not jobs_bench.manager.job_running(first)
    assert jobs_bench.manager.job_running(second)
    assert jobs_bench.manager.counts() == {"running": 1, "waiting": 0}
    # A session waiting in line keeps its place when it starts another job.
    jobs_bench.start("c", "tab 2")
    jobs_bench.start("d", "tab 3")
    assert "yours is next" in jobs_bench.notice("c")
    jobs_bench.start("e", "tab 2")
    assert "yours is next" in jobs_bench.notice("e")
    assert "1 ahead of yours" in jobs_bench.notice("d")
    assert jobs_bench.notice("c") == ""  # its page's waiting message is taken away


def test_a_cancelled_or_crashed_job_gives_its_slot_back(bench):
    jobs_bench = bench(max_jobs=1)
    crashed = jobs_bench.start("a", "s1")
    cancelled = jobs_bench.start("b", "s2")
    third = jobs_bench.start("c", "s3")
    killed = psutil.Process(jobs_bench.manager.pids()[0])
    os.kill(killed.pid, signal.SIGKILL)  # say, the kernel's OOM killer
    wait_until(lambda: killed.status() == psutil.STATUS_ZOMBIE, 10, "the kill")
    assert not jobs_bench.manager.job_running(crashed)
    assert "was killed before it finished" in jobs_bench.notice("a")
    assert jobs_bench.manager.counts() == {"running": 1, "waiting": 1}
    b_pid = jobs_bench.manager.pids()[0]
    jobs_bench.manager.terminate_job(cancelled)  # Cancel
    assert not psutil.pid_exists(b_pid)
    assert jobs_bench.manager.counts() == {"running": 1, "waiting": 0}
    assert jobs_bench.manager.job_running(third)
    jobs_bench.manager.terminate_job(third)
    assert jobs_bench.manager.counts() == {"running": 0, "waiting": 0}
    assert jobs_bench.child_processes() == 0


def test_a_full_line_refuses_a_run_with_a_message(bench):
    jobs_bench = bench(max_jobs=1, max_waiting=1)
    jobs_bench.start("a", "s1")
    jobs_bench.start("b", "s2")
    refused = jobs_bench.start("c", "s3")
    assert not jobs_bench.manager.job_running(refused)
    assert "The server is busy: 1 simulation is running and 1 waiting" in (jobs_bench.notice("c"))
    assert jobs_bench.manager.counts() == {"running": 1, "waiting": 1}


def test_a_job_whose_page_stopped_polling_is_cancelled(bench, monkeypatch):
    jobs_bench = bench(max_jobs=1)
    abandoned = jobs_bench.start("a", "s1")
    waiting = jobs_bench.start("b", "s2")
    monkeypatch.setattr(jobs, "ABANDONED_AFTER_SECONDS", 0.5)

    def b_has_started() -> bool:
        jobs_bench.manager.job_running(waiting)  # b's page keeps polling; a's page is gone
        return jobs_bench.manager.counts()["waiting"] == 0

    wait_until(b_has_started, 20, "a to be dropped and b to start")
    assert not jobs_bench.manager.job_running(abandoned)
    assert jobs_bench.manager.counts() == {"running": 1, "waiting": 0}


# --- the dashboard as served: ten tabs at once ------------------------------------------------

MAX_JOBS = 2
SERVER_MB = 400
JOB_MB = 400
"""The README's bounds (Limits): the server, and each running simulation's process, in RSS
(a job's pages shared with the server counted again) for runs of ordinary size."""
TEN_SCENARIOS = sorted(builtins("scenario"))[:10]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, psutil.Process]]:
    """`eachcustomer dashboard --max-jobs 2`: its address and its process."""
    folder = tmp_path_factory.mktemp("jobs-server")
    with served_dashboard(folder, "--max-jobs", str(MAX_JOBS)) as (url, process):
        yield url, psutil.Process(process.pid)


def memory_and_jobs(server: psutil.Process) -> tuple[int, int]:
    """RSS of the server and its job processes together (bytes), and how many jobs it has."""
    children = server.children(recursive=True)
    total = 0
    for process in [server, *children]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total, len(children)


class Watch:
    """From two other threads while a test runs: whether the server answers GET / (and how
    many job processes were running when it did), and the server's memory and job processes
    at their highest. How fast it answers is benchmarks/dashboard_load.py's to measure."""

    def __init__(self, url: str, server: psutil.Process) -> None:
        self.url, self.server = url, server
        self.answers: list[tuple[int | str, int]] = []  # (status or error, jobs running)
        self.most_memory = self.most_jobs = 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.ask), threading.Thread(target=self.measure)]

    def ask(self) -> None:
        while not self.stop.is_set():
            try:
                with urllib.request.urlopen(self.url + "/", timeout=60) as answer:
                    answer.read()
                    status: int | str = answer.status
            except OSError as error:  # a server that stops answering pages while it simulates
                status = str(error)
            self.answers.append((status, memory_and_jobs(self.server)[1]))
            self.stop.wait(0.1)

    def answered_while_simulating(self) -> bool:
        """Every page asked for came, and some while simulations were running."""
        return all(status == 200 for status, _ in self.answers) and any(
            jobs > 0 for _, jobs in self.answers
        )

    def measure(self) -> None:
        while not self.stop.is_set():
            memory, jobs_now = memory_and_jobs(self.server)
            self.most_memory = max(self.most_memory, memory)
            self.most_jobs = max(self.most_jobs, jobs_now)
            self.stop.wait(0.05)

    def __enter__(self) -> Watch:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def tab_settings(index: int) -> dict[str, Any]:
    """Tab `index`'s own scenario, seed and negativity bias."""
    return {
        **default_settings(TEN_SCENARIOS[index]),
        "seed": 100 + index,
        "overrides": {"n_employees": 1500, "horizon_weeks": 78, "negativity_bias": 1.5 + index / 4},
    }


def explore_run(tab: DashTab, settings: dict[str, Any], clicks: int = 1) -> Job:
    """Press Run on a tab's Explore page with these settings; the finished job."""
    values = {
        "explore-run.n_clicks": clicks,
        "settings.data": settings,
        "explore-why-by.value": "band",
        "explore-why-mode.value": "total",
        "presentation.data": False,
    }
    return tab.run("explore-state.data", values, "explore-run.n_clicks")


def expected_table(settings: dict[str, Any]) -> pd.DataFrame:
    """The run of these settings as `eachcustomer.experiments.running.runs.run_model` makes it."""
    setup = build_setup(settings)
    result = run_model(
        setup.params,
        settings["seed"],
        org=setup.org,
        interventions=setup.interventions,
        individuals=setup.individuals,
    )
    return result.series


def test_ten_tabs_at_once_each_get_their_own_run_within_the_bounds(served):
    url, server = served
    tabs = [DashTab(url) for _ in TEN_SCENARIOS]
    finished: dict[int, Job] = {}

    def press_run(index: int) -> None:
        finished[index] = explore_run(tabs[index], tab_settings(index))

    threads = [threading.Thread(target=press_run, args=(i,)) for i in range(len(tabs))]
    with Watch(url, server) as watch:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(finished) == list(range(len(tabs)))
    for index, job in finished.items():
        state = job.response["explore-state"]["data"]
        settings = tab_settings(index)
        assert state["error"] is None and state["key"] == settings_key(settings)
        shown = payload_frame(state["table"])
        expected = expected_table(settings)
        assert list(shown.columns) == list(expected.columns)
        np.testing.assert_allclose(
            shown.to_numpy(float), np.round(expected.to_numpy(float), 9), rtol=0, atol=1e-9
        )
    # Eight waited in line and were told so; every waiting message was taken away at the start.
    waited = [
        job for job in finished.values() if any("Waiting for a free slot" in n for n in job.notices)
    ]
    assert len(waited) >= len(tabs) - MAX_JOBS
    assert all(job.notices[-1] == "" for job in waited)
    assert watch.answered_while_simulating(), watch.answers
    assert 0 < watch.most_jobs <= MAX_JOBS
    assert watch.most_memory <= (SERVER_MB + MAX_JOBS * JOB_MB) * 1e6, watch.most_memory / 1e6
    wait_until(lambda: memory_and_jobs(server)[1] == 0, 30, "every job process to be gone")


def test_memory_stays_flat_over_100_runs(served):
    url, server = served
    tabs = [DashTab(url) for _ in range(4)]

    def runs(tab: DashTab, seeds: range) -> None:
        for seed in seeds:
            overrides = {"n_employees": 20, "horizon_weeks": 1}
            settings = {**default_settings(), "seed": seed, "overrides": overrides}
            job = explore_run(tab, settings, clicks=seed + 1)
            assert job.response["explore-state"]["data"]["week"] == 1

    def in_tabs(first: int, per_tab: int) -> None:
        threads = [
            threading.Thread(
                target=runs, args=(tab, range(first + i * per_tab, first + (i + 1) * per_tab))
            )
            for i, tab in enumerate(tabs)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wait_until(lambda: memory_and_jobs(server)[1] == 0, 30, "every job process to be gone")

    in_tabs(0, 3)  # warm up: the server's first answers fill its caches
    before = memory_and_jobs(server)[0]
    in_tabs(100, 25)
    after = memory_and_jobs(server)[0]
    assert after - before < 25e6, (before / 1e6, after / 1e6)  # measured: under 1 MB


def test_a_tabs_new_run_on_another_page_cancels_its_running_one(served):
    url, server = served
    tab = DashTab(url)
    long = {**default_settings(), "overrides": {"n_employees": 5000, "horizon_weeks": 5200}}
    network = tab.start(
        "org-network.figure", {"org-run.n_clicks": 1, "settings.data": long}, "org-run.n_clicks"
    )
    wait_until(lambda: memory_and_jobs(server)[1] == 1, 30, "the Organization run to start")
    short = {**default_settings(), "overrides": {"horizon_weeks": 4}}
    assert explore_run(tab, short).response["explore-state"]["data"]["week"] == 4
    assert tab.finish(network, timeout=30) is None  # ended without an answer: cancelled
    wait_until(lambda: memory_and_jobs(server)[1] == 0, 30, "no job process left")


def test_a_request_over_the_servers_limit_gets_a_message(served):
    url, _ = served
    request = urllib.request.Request(
        url + "/_dash-update-component",
        data=b" " * (9 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    message = json.loads(refused.value.read())["error"]
    assert "larger than the dashboard reads (8 MB)" in message and "at most 2 MB" in message


def test_stopping_the_server_stops_its_simulations(tmp_path):
    with served_dashboard(tmp_path, "--max-jobs", "1") as (url, process):
        server = psutil.Process(process.pid)
        long = {**default_settings(), "overrides": {"n_employees": 5000, "horizon_weeks": 5200}}
        values = {"org-run.n_clicks": 1, "settings.data": long}
        DashTab(url).start("org-network.figure", values, "org-run.n_clicks")
        [simulation] = wait_until(server.children, 30, "the simulation to start")
        port = int(url.rsplit(":", 1)[1])
        # At a lower priority than the server, whose pages come first (relative to the
        # server's own, which is not 0 when the suite itself runs under `nice`).
        lower = min(server.nice() + jobs.JOB_NICENESS, 19)
        wait_until(lambda: simulation.nice() == lower, 10, "the lower priority")
    wait_until(lambda: not simulation.is_running(), 10, "the simulation to stop with the server")
    with socket.socket() as probe:
        # As a restarted server binds it (closed connections may linger in TIME_WAIT), but
        # no process listens on it any more.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def test_the_readme_states_the_dashboards_bounds():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme[readme.index("### The dashboard's bounds") :]
    rows = {
        line.split("|")[1].strip(): line.split("|")[2].strip()
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith("| what")
    }
    assert rows["simulations running at once, for all users together"] == str(jobs.DEFAULT_MAX_JOBS)
    assert rows["runs waiting for a free slot"].startswith(f"{jobs.MAX_WAITING},")
    assert rows["an uploaded org chart or departments table"] == (
        f"{MAX_CHART_BYTES / 1e6:.0f} MB and {MAX_CHART_ROWS:,} employees"
    )
    assert rows["one request to the server"] == f"{MAX_REQUEST_BYTES / 2**20:.0f} MB"
    assert f"`{MAX_JOBS_VARIABLE}=N`" in table and "--max-jobs N" in table
    assert f"closed for {jobs.ABANDONED_AFTER_SECONDS / 60:.0f} minutes" in " ".join(
        table.split()
    ).replace("two minutes", "2 minutes")
